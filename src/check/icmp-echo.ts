/**
 * @module ICMP / ICMPv6 echo for PING_CHECK, pure: build an echo request (RFC 792,
 * RFC 4443 §4.1) and recognise the matching echo reply. IPv4 raw sockets deliver the IP
 * header first (skipped by its IHL); IPv6 raw sockets deliver the ICMPv6 message only,
 * and the kernel fills in the ICMPv6 checksum.
 */
import { internetChecksum } from '../wire/checksum.js';

export function echoRequest(family: 4 | 6, id: number, seq: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  const v = new DataView(out.buffer);
  out[0] = family === 4 ? 8 : 128;
  v.setUint16(4, id);
  v.setUint16(6, seq);
  out.set(payload, 8);
  if (family === 4) v.setUint16(2, internetChecksum(out));
  return out;
}

/** The echo reply's sequence number when `data` is a reply to `id`; otherwise undefined. */
export function echoReplySeq(family: 4 | 6, id: number, data: Uint8Array): number | undefined {
  let off = 0;
  if (family === 4) {
    if (data.length < 20 || data[0]! >> 4 !== 4) return undefined;
    off = (data[0]! & 15) * 4;
  }
  if (data.length < off + 8) return undefined;
  const v = new DataView(data.buffer, data.byteOffset + off, data.length - off);
  if (data[off] !== (family === 4 ? 0 : 129)) return undefined;
  if (v.getUint16(4) !== id) return undefined;
  return v.getUint16(6);
}
