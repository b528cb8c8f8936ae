/**
 * @module Pure HTTP/1.x response handling for HTTP_GET / SSL_GET: the request keepalived
 * sends, the status-line and header split, and the verdict against a `url` block (status
 * code ranges, MD5 digest of the body as genhash computes it, regex). No `node:*` imports.
 */
import type { HttpUrl } from '../config/model.js';
import { md5 } from '../wire/md5.js';
import type { CheckResult } from './types.js';
import { fail, pass } from './types.js';

/** keepalived's request: GET, its User-Agent, a Host header (with :port when not default). */
export function httpRequest(
  path: string,
  host: string,
  port: number,
  tls: boolean,
  protocol: '1.0' | '1.0C' | '1.1',
): string {
  const defaultPort = tls ? 443 : 80;
  const hostHeader = port === defaultPort || port === 0 ? host : `${host}:${port}`;
  const version = protocol === '1.1' ? '1.1' : '1.0';
  const close = protocol === '1.0' ? '' : 'Connection: close\r\n';
  return `GET ${path} HTTP/${version}\r\nUser-Agent: KeepAliveClient\r\nHost: ${hostHeader}\r\n${close}\r\n`;
}

export interface HttpResponse {
  readonly status: number;
  readonly body: Uint8Array;
}

function indexOfCrlfCrlf(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++)
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  return -1;
}

/** Splits a complete response (read to EOF); `undefined` when it is not HTTP. */
export function parseHttpResponse(raw: Uint8Array): HttpResponse | undefined {
  const end = indexOfCrlfCrlf(raw);
  const headEnd = end < 0 ? raw.length : end;
  let head = '';
  for (let i = 0; i < Math.min(headEnd, 16384); i++) head += String.fromCharCode(raw[i]!);
  const m = /^HTTP\/\d\.\d (\d{3})(?: |\r|$)/.exec(head);
  if (!m) return undefined;
  return { status: Number(m[1]), body: end < 0 ? new Uint8Array(0) : raw.subarray(end + 4) };
}

/** Bytes of a response's start that decide its status line (see `statusFromPrefix`). */
export const STATUS_PREFIX = 13;

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 48 && c <= 57;

/**
 * The status `parseHttpResponse` finds, from the response's first STATUS_PREFIX bytes
 * alone (or all of a shorter response): `HTTP/d.d ddd` then a space, a CR, or the end;
 * -1 when it is not an HTTP response. Lets a check that needs no body keep no body.
 * The bytes start at `offset` of `b`.
 */
export function statusFromPrefix(b: Uint8Array, len: number, offset = 0): number {
  if (len < 12) return -1;
  const o = offset;
  if (b[o] !== 72 || b[o + 1] !== 84 || b[o + 2] !== 84 || b[o + 3] !== 80 || b[o + 4] !== 47) return -1; // HTTP/
  if (!isDigit(b[o + 5]) || b[o + 6] !== 46 || !isDigit(b[o + 7]) || b[o + 8] !== 32) return -1;
  if (!isDigit(b[o + 9]) || !isDigit(b[o + 10]) || !isDigit(b[o + 11])) return -1;
  if (len > 12 && b[o + 12] !== 32 && b[o + 12] !== 13) return -1;
  return (b[o + 9]! - 48) * 100 + (b[o + 10]! - 48) * 10 + (b[o + 11]! - 48);
}

/** The digest keepalived's genhash prints: MD5 of the body, lowercase hex. */
export function bodyDigest(body: Uint8Array): string {
  return [...md5(body)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** What 200-299 is checked against when a url gives no status_code and no digest. */
const DEFAULT_OK = [{ from: 200, to: 299 }] as const;
const NO_RANGES = [] as const;

/** keepalived: status_code ranges if given, else 200-299 when there is no digest. */
function statusRanges(url: HttpUrl): readonly { readonly from: number; readonly to: number }[] {
  return url.statusCodes.length > 0 ? url.statusCodes : url.digest ? NO_RANGES : DEFAULT_OK;
}

/**
 * The verdict on a status alone, for a url that keeps no body (no digest, no regex):
 * allocates nothing when it passes (run on every HTTP_GET).
 */
export function judgeStatus(url: HttpUrl, status: number): CheckResult {
  const ranges = statusRanges(url);
  if (ranges.length === 0) return pass;
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    if (status >= r.from && status <= r.to) return pass;
  }
  return fail('status-code', `HTTP status code error to ${url.path ?? '/'}: ${status}`);
}

/** keepalived: status_code ranges if given, else 200-299 when there is no digest. */
export function judgeUrl(
  url: HttpUrl,
  res: HttpResponse,
  digest: (b: Uint8Array) => string = bodyDigest,
): CheckResult {
  const status = judgeStatus(url, res.status);
  if (!status.ok) return status;
  if (url.digest) {
    const got = digest(res.body);
    if (got !== url.digest.toLowerCase())
      return fail('digest', `MD5 digest error to ${url.path ?? '/'}: ${got}`);
  }
  if (url.regex !== undefined) {
    let re: RegExp;
    try {
      re = new RegExp(url.regex);
    } catch {
      return fail('regex', `invalid regex ${url.regex}`);
    }
    if (!re.test(new TextDecoder('utf-8', { fatal: false }).decode(res.body)))
      return fail('regex', `regex match failed on ${url.path ?? '/'}`);
  }
  return pass;
}
