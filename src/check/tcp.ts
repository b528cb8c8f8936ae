/**
 * @module TCP_CHECK: the server is up when a TCP connection to connect_ip:connect_port
 * completes within connect_timeout. The connection is closed at once (keepalived closes
 * it after the handshake too). Two forms: the lean probe on a native non-blocking
 * socket (stream-poller.ts; the runner uses it when the addon is there) and the
 * node:net form (`tcpCheck` as a promise).
 */
import { errorReason, errorText, guarded, tcpConnect } from './net.js';
import { errnoFailure, type StreamEndpoint, streamEndpoint } from './stream-endpoint.js';
import { type StreamHandler, type StreamPoller, streamPoller } from './stream-poller.js';
import type { CheckResult, CheckSpec, LeanCheckFn, Probe, ProbeHost } from './types.js';
import { fail, pass } from './types.js';

export const tcpCheck: LeanCheckFn = Object.assign(
  (spec: CheckSpec, signal: AbortSignal): Promise<CheckResult> =>
    guarded(spec.connectTimeoutMs, signal, (settle, onCleanup) => {
      const sock = tcpConnect(spec);
      onCleanup(() => sock.destroy());
      sock.once('connect', () => settle(pass));
      sock.once('error', (e) => settle(fail(errorReason(e), errorText(e))));
    }),
  { probe: tcpProbe },
);

function tcpProbe(spec: CheckSpec, host: ProbeHost): Probe | undefined {
  const poller = streamPoller();
  const ep = poller && streamEndpoint(spec, poller);
  return poller && ep ? new TcpProbe(poller, ep, host) : undefined;
}

/**
 * One native call per check: the socket opens as a connect probe, so the poller's wait
 * call reads SO_ERROR (when epoll flags an error) and closes it; this only reports.
 */
class TcpProbe implements Probe, StreamHandler {
  readonly #poller: StreamPoller;
  readonly #ep: StreamEndpoint;
  readonly #host: ProbeHost;
  readonly driver: StreamPoller;
  #fd = -1;

  constructor(poller: StreamPoller, ep: StreamEndpoint, host: ProbeHost) {
    this.#poller = poller;
    this.driver = poller;
    this.#ep = ep;
    this.#host = host;
  }

  start(): void {
    const p = this.#poller;
    const fd = p.open(this.#ep, p.k.EPOLLOUT, p.k.STREAM_CONNECT, this);
    if (fd >= 0) this.#fd = fd;
    else this.#host.done(errnoFailure(-fd));
  }

  onEvents(_events: number, _bytes: number, outcome: number): void {
    if (this.#fd < 0) return;
    this.#fd = -1;
    this.#host.done(outcome === 0 ? pass : errnoFailure(outcome));
  }

  cancel(): void {
    if (this.#fd < 0) return;
    this.#poller.close(this.#fd, this);
    this.#fd = -1;
  }
}
