/**
 * @module TCP_CHECK: the server is up when a TCP connection to connect_ip:connect_port
 * completes within connect_timeout. The connection is closed at once (keepalived closes
 * it after the handshake too). Two forms: the lean probe on a native non-blocking
 * socket (stream-poller.ts; the runner uses it when the addon is there) and the
 * node:net form (`tcpCheck` as a promise).
 */
import { errorReason, errorText, guarded, tcpConnect } from './net.js';
import { errnoFailure, openStream, type StreamEndpoint, streamEndpoint } from './stream-endpoint.js';
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

/** Connect, wait for writability, read SO_ERROR only when epoll flags an error, close. */
class TcpProbe implements Probe, StreamHandler {
  readonly #poller: StreamPoller;
  readonly #ep: StreamEndpoint;
  readonly #host: ProbeHost;
  #fd = -1;

  constructor(poller: StreamPoller, ep: StreamEndpoint, host: ProbeHost) {
    this.#poller = poller;
    this.#ep = ep;
    this.#host = host;
  }

  start(): void {
    const fd = openStream(this.#poller, this.#ep, this);
    if (typeof fd === 'number') this.#fd = fd;
    else this.#host.done(fd);
  }

  onEvents(events: number): void {
    const p = this.#poller;
    const fd = this.#fd;
    if (fd < 0) return;
    let err = 0;
    if ((events & (p.k.EPOLLERR | p.k.EPOLLHUP)) !== 0) err = Math.abs(p.calls.streamError(fd));
    this.#fd = -1;
    p.close(fd);
    this.#host.done(err === 0 ? pass : errnoFailure(err));
  }

  cancel(): void {
    if (this.#fd < 0) return;
    this.#poller.close(this.#fd);
    this.#fd = -1;
  }
}
