/**
 * @module HTTP_GET and SSL_GET: for each `url` block, connect (TLS for SSL_GET), send
 * keepalived's GET, read the response to EOF (max 8 MiB) and judge status code, digest
 * and regex (http-response.ts). All URLs must pass. The whole exchange of one URL has a
 * hard deadline of connect_timeout. TLS: SNI from the virtualhost when `enable_sni` is
 * set; certificates are not verified (keepalived's behaviour) unless the keepalived-ts
 * extension `verify_peer` is set in the checker block.
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { HttpUrl } from '../config/model.js';
import { httpRequest, judgeUrl, parseHttpResponse } from './http-response.js';
import { errorReason, errorText, guarded, tcpConnect } from './net.js';
import type { CheckResult, CheckSpec, HttpSpec } from './types.js';
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
  const host = url.virtualhost ?? http.virtualhost ?? spec.endpoint.address;
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

export async function httpCheck(spec: CheckSpec, signal: AbortSignal): Promise<CheckResult> {
  const http = spec.kind as HttpSpec;
  const urls = http.urls.length > 0 ? http.urls : [{ path: '/', statusCodes: [], loc: undefined as never }];
  for (const url of urls) {
    const r = await fetchOne(spec, http, url, signal);
    if (!r.ok) return r;
  }
  return pass;
}
