/**
 * @module HTTP_GET and SSL_GET: for each `url` block, connect (TLS for SSL_GET), send
 * keepalived's GET, read the response to EOF (max 8 MiB) and judge status code, digest
 * and regex (http-response.ts). All URLs must pass. The whole exchange of one URL has a
 * hard deadline of connect_timeout. TLS: SNI from the virtualhost when `enable_sni` is
 * set; certificates are not verified (keepalived's behaviour) unless the keepalived-ts
 * extension `verify_peer` is set in the checker block. Plain HTTP_GET runs as a lean
 * probe on a native non-blocking socket when the addon is there (the runner's choice);
 * SSL_GET stays on node:tls.
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { HttpUrl } from '../config/model.js';
import {
  httpRequest,
  judgeStatus,
  judgeUrl,
  parseHttpResponse,
  STATUS_PREFIX,
  statusFromPrefix,
} from './http-response.js';
import { errorReason, errorText, guarded, tcpConnect } from './net.js';
import { errnoFailure, type StreamEndpoint, streamEndpoint } from './stream-endpoint.js';
import { type StreamHandler, type StreamPoller, streamPoller } from './stream-poller.js';
import type { CheckResult, CheckSpec, HttpSpec, LeanCheckFn, Probe, ProbeHost } from './types.js';
import { fail, pass } from './types.js';

const MAX_BODY = 8 * 1024 * 1024;

export const md5Hex = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');

function open(spec: CheckSpec, http: HttpSpec, host: string): Socket {
  if (!http.tls) return tcpConnect(spec);
  const ep = spec.endpoint;
  const sni = http.enableSni && host !== ep.address ? host : undefined;
  return tlsConnect({
    socket: tcpConnect(spec),
    ...(sni ? { servername: sni } : {}),
    rejectUnauthorized: http.verifyPeer === true,
  });
}

function fetchOne(spec: CheckSpec, http: HttpSpec, url: HttpUrl, signal: AbortSignal): Promise<CheckResult> {
  const host = hostOf(spec, http, url);
  const hostText = spec.endpoint.family === 6 && host === spec.endpoint.address ? `[${host}]` : host;
  return guarded(spec.connectTimeoutMs, signal, (settle, onCleanup) => {
    const sock = open(spec, http, host);
    onCleanup(() => sock.destroy());
    const chunks: Buffer[] = [];
    let size = 0;
    sock.once(http.tls ? 'secureConnect' : 'connect', () => {
      sock.write(httpRequest(url.path ?? '/', hostText, spec.endpoint.port, http.tls, http.httpProtocol));
    });
    sock.on('data', (d: Buffer) => {
      size += d.length;
      if (size > MAX_BODY) settle(fail('bad-response', `response over ${MAX_BODY} bytes`));
      else chunks.push(d);
    });
    sock.once('end', () => {
      const res = parseHttpResponse(Buffer.concat(chunks));
      settle(res ? judgeUrl(url, res, md5Hex) : fail('bad-response', 'not an HTTP response'));
    });
    sock.once('error', (e) => {
      const tlsFailed = http.tls && !(sock as { authorized?: boolean }).authorized && chunks.length === 0;
      const reason = errorReason(e);
      settle(fail(tlsFailed && reason === 'connect-error' ? 'tls-error' : reason, errorText(e)));
    });
  });
}

const DEFAULT_URLS: readonly HttpUrl[] = [{ path: '/', statusCodes: [], loc: undefined as never }];
const urlsOf = (http: HttpSpec): readonly HttpUrl[] => (http.urls.length > 0 ? http.urls : DEFAULT_URLS);
const hostOf = (spec: CheckSpec, http: HttpSpec, url: HttpUrl): string =>
  url.virtualhost ?? http.virtualhost ?? spec.endpoint.address;

export const httpCheck: LeanCheckFn = Object.assign(
  async (spec: CheckSpec, signal: AbortSignal): Promise<CheckResult> => {
    const http = spec.kind as HttpSpec;
    for (const url of urlsOf(http)) {
      const r = await fetchOne(spec, http, url, signal);
      if (!r.ok) return r;
    }
    return pass;
  },
  { probe: httpProbe },
);

function httpProbe(spec: CheckSpec, host: ProbeHost): Probe | undefined {
  const http = spec.kind as HttpSpec;
  if (http.tls) return undefined;
  const poller = streamPoller();
  const ep = poller && streamEndpoint(spec, poller);
  return poller && ep ? new HttpProbe(poller, ep, spec, host) : undefined;
}

/** One url's fixed parts, computed once per checker. */
interface UrlPlan {
  readonly url: HttpUrl;
  readonly request: Uint8Array;
  /** digest or regex: the body is kept; otherwise only the status line's bytes are. */
  readonly needsBody: boolean;
}

/** For a response longer than the poller's buffer leaves room for: a read is consumed before the next one. */
const recvBuffer = new Uint8Array(64 * 1024);

/**
 * The HTTP exchange of each url in turn on a native socket: connect, send the request,
 * read to EOF (at most MAX_BODY), judge. Each url has its own connect_timeout deadline.
 * The socket is opened as a reader, edge-triggered for input and output: the first
 * output readiness sends the request (no change of the watched events after it), and
 * the poller's wait call reads what arrives and closes the socket at the end.
 */
class HttpProbe implements Probe, StreamHandler {
  readonly #poller: StreamPoller;
  readonly #ep: StreamEndpoint;
  readonly #host: ProbeHost;
  readonly driver: StreamPoller;
  readonly #timeoutMs: number;
  readonly #plans: readonly UrlPlan[];
  readonly #prefix = new Uint8Array(STATUS_PREFIX);
  readonly #events: number;
  #fd = -1;
  #urlIndex = 0;
  #sent = 0;
  #size = 0;
  /** The status line's verdict once STATUS_PREFIX bytes came (statusFromPrefix). */
  #status = -1;
  #chunks: Uint8Array[] | undefined;

  constructor(poller: StreamPoller, ep: StreamEndpoint, spec: CheckSpec, host: ProbeHost) {
    this.#poller = poller;
    this.driver = poller;
    this.#ep = ep;
    this.#host = host;
    this.#timeoutMs = spec.connectTimeoutMs;
    const k = poller.k;
    this.#events = k.EPOLLIN | k.EPOLLOUT | k.EPOLLRDHUP | k.EPOLLET;
    const http = spec.kind as HttpSpec;
    const enc = new TextEncoder();
    this.#plans = urlsOf(http).map((url) => {
      const h = hostOf(spec, http, url);
      const hostText = spec.endpoint.family === 6 && h === spec.endpoint.address ? `[${h}]` : h;
      return {
        url,
        request: enc.encode(
          httpRequest(url.path ?? '/', hostText, spec.endpoint.port, false, http.httpProtocol),
        ),
        needsBody: url.digest !== undefined || url.regex !== undefined,
      };
    });
  }

  start(): void {
    this.#urlIndex = 0;
    this.#open();
  }

  cancel(): void {
    if (this.#fd < 0) return;
    this.#poller.close(this.#fd, this);
    this.#fd = -1;
    this.#chunks = undefined;
  }

  #open(): void {
    this.#sent = 0;
    this.#size = 0;
    this.#status = -1;
    this.#chunks = this.#plans[this.#urlIndex]!.needsBody ? [] : undefined;
    const p = this.#poller;
    const fd = p.open(this.#ep, this.#events, p.k.STREAM_READ, this);
    if (fd >= 0) this.#fd = fd;
    else this.#host.done(errnoFailure(-fd));
  }

  #finish(r: CheckResult): void {
    this.cancel();
    if (r.ok && ++this.#urlIndex < this.#plans.length) {
      this.#host.deadline(this.#timeoutMs);
      this.#open();
    } else this.#host.done(r);
  }

  onEvents(events: number, bytes: number, outcome: number, offset: number): void {
    if (this.#fd < 0) return;
    const p = this.#poller;
    const k = p.k;
    if (bytes > 0 && !this.#take(p.buffer, offset, bytes)) return;
    if (outcome === k.STREAM_END) {
      // A response read to its end (keepalived reads until the server closes).
      this.#fd = -1;
      this.#finish(this.#judge());
      return;
    }
    if (outcome > 0) {
      // Refused, reset, unreachable: the wait call read the socket's error and closed it.
      this.#fd = -1;
      this.#finish(errnoFailure(outcome));
      return;
    }
    if (outcome === k.STREAM_FULL && !this.#read()) return;
    const request = this.#plans[this.#urlIndex]!.request;
    if ((events & k.EPOLLOUT) !== 0 && this.#sent < request.length) this.#send(request);
  }

  #send(request: Uint8Array): void {
    const p = this.#poller;
    const n = p.calls.streamSend(this.#fd, request, this.#sent, request.length - this.#sent);
    if (n < 0) {
      if (-n !== p.k.EAGAIN && -n !== p.k.EINTR) this.#finish(errnoFailure(-n));
      return;
    }
    this.#sent += n;
  }

  /** Keeps what the response's judgement needs of `n` bytes; false once finished (too long). */
  #take(from: Uint8Array, offset: number, n: number): boolean {
    if (this.#size === 0 && n >= STATUS_PREFIX) {
      // The usual case: the first read holds the status line, judged where it lies.
      this.#status = statusFromPrefix(from, STATUS_PREFIX, offset);
    } else if (this.#size < STATUS_PREFIX) {
      const k = Math.min(n, STATUS_PREFIX - this.#size);
      for (let i = 0; i < k; i++) this.#prefix[this.#size + i] = from[offset + i]!;
      if (this.#size + k === STATUS_PREFIX) this.#status = statusFromPrefix(this.#prefix, STATUS_PREFIX);
    }
    this.#size += n;
    if (this.#size > MAX_BODY) {
      this.#finish(fail('bad-response', `response over ${MAX_BODY} bytes`));
      return false;
    }
    this.#chunks?.push(from.slice(offset, offset + n));
    return true;
  }

  /** Reads on until EAGAIN after the batch's buffer filled up; false once finished. */
  #read(): boolean {
    const p = this.#poller;
    for (;;) {
      const n = p.calls.streamRecv(this.#fd, recvBuffer);
      if (n < 0) {
        if (-n === p.k.EINTR) continue;
        if (-n === p.k.EAGAIN) return true;
        this.#finish(errnoFailure(-n));
        return false;
      }
      if (n === 0) {
        this.#finish(this.#judge());
        return false;
      }
      if (!this.#take(recvBuffer, 0, n)) return false;
    }
  }

  #judge(): CheckResult {
    const url = this.#plans[this.#urlIndex]!.url;
    if (this.#chunks) {
      const res = parseHttpResponse(Buffer.concat(this.#chunks));
      return res ? judgeUrl(url, res, md5Hex) : fail('bad-response', 'not an HTTP response');
    }
    const status = this.#size >= STATUS_PREFIX ? this.#status : statusFromPrefix(this.#prefix, this.#size);
    return status < 0 ? fail('bad-response', 'not an HTTP response') : judgeStatus(url, status);
  }
}
