/**
 * @module genhash: what keepalived's `genhash` prints for a URL — fetch it the way
 * HTTP_GET / SSL_GET do (same request, same Host header, TLS without verification) and
 * return the status and the MD5 digest of the body for a `digest` line. For the CLI:
 * `keepalived-ts genhash [-S] -s ADDR -p PORT -u PATH [-V VHOST]` can call this.
 */
import { connect as tlsConnect } from 'node:tls';
import { md5Hex } from './http.js';
import { httpRequest, parseHttpResponse } from './http-response.js';
import { errorText, tcpConnect } from './net.js';
import type { CheckSpec } from './types.js';

export interface GenhashOptions {
  readonly address: string;
  readonly port: number;
  readonly path: string;
  readonly tls?: boolean;
  readonly virtualhost?: string;
  readonly sni?: boolean;
  readonly timeoutMs?: number;
  readonly httpProtocol?: '1.0' | '1.0C' | '1.1';
}

export type GenhashResult =
  | { readonly ok: true; readonly status: number; readonly digest: string; readonly bodyBytes: number }
  | { readonly ok: false; readonly error: string };

export function genhash(o: GenhashOptions): Promise<GenhashResult> {
  const family = o.address.includes(':') ? 6 : 4;
  const spec = {
    endpoint: { family, address: o.address, port: o.port },
    connectTimeoutMs: o.timeoutMs ?? 5000,
  } as CheckSpec;
  const host = o.virtualhost ?? (family === 6 ? `[${o.address}]` : o.address);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const tcp = tcpConnect(spec);
    const sock = o.tls
      ? tlsConnect({
          socket: tcp,
          rejectUnauthorized: false,
          ...(o.sni && o.virtualhost ? { servername: o.virtualhost } : {}),
        })
      : tcp;
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ ok: false, error: 'timeout' });
    }, spec.connectTimeoutMs);
    sock.once(o.tls ? 'secureConnect' : 'connect', () =>
      sock.write(httpRequest(o.path, host, o.port, o.tls === true, o.httpProtocol ?? '1.0')),
    );
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.once('end', () => {
      clearTimeout(timer);
      sock.destroy();
      const res = parseHttpResponse(Buffer.concat(chunks));
      resolve(
        res
          ? { ok: true, status: res.status, digest: md5Hex(res.body), bodyBytes: res.body.length }
          : { ok: false, error: 'not an HTTP response' },
      );
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ ok: false, error: errorText(e) });
    });
  });
}
