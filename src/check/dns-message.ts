/**
 * @module DNS_CHECK wire format (RFC 1035 §4.1), pure: build one recursive query and
 * judge the answer as keepalived does (same id, QR set, RCODE 0, at least one answer).
 */
import type { CheckResult, DnsSpec } from './types.js';
import { fail, pass } from './types.js';

const QTYPES: Record<DnsSpec['qtype'], number> = { A: 1, NS: 2, CNAME: 5, SOA: 6, MX: 15, TXT: 16, AAAA: 28 };

export function dnsQuery(id: number, d: DnsSpec): Uint8Array {
  const labels = d.name.split('.').filter((l) => l.length > 0);
  const nameLen = labels.reduce((n, l) => n + 1 + Math.min(l.length, 63), 1);
  const out = new Uint8Array(12 + nameLen + 4);
  const v = new DataView(out.buffer);
  v.setUint16(0, id);
  v.setUint16(2, 0x0100); // RD
  v.setUint16(4, 1); // QDCOUNT
  let o = 12;
  for (const l of labels) {
    const bytes = new TextEncoder().encode(l.slice(0, 63));
    out[o++] = bytes.length;
    out.set(bytes, o);
    o += bytes.length;
  }
  out[o++] = 0;
  v.setUint16(o, QTYPES[d.qtype]);
  v.setUint16(o + 2, 1); // IN
  return out.subarray(0, o + 4);
}

/** `undefined`: not an answer to our query (keep waiting). */
export function dnsVerdict(id: number, msg: Uint8Array): CheckResult | undefined {
  if (msg.length < 12) return undefined;
  const v = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  if (v.getUint16(0) !== id) return undefined;
  const flags = v.getUint16(2);
  if ((flags & 0x8000) === 0) return fail('bad-reply', 'DNS reply without QR');
  if ((flags & 0x000f) !== 0) return fail('bad-reply', `DNS RCODE ${flags & 0x0f}`);
  if (v.getUint16(6) === 0) return fail('bad-reply', 'DNS reply without answers');
  return pass;
}
