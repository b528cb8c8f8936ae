/**
 * @module What the VRRP fuzz and the receive-view equivalence test share for mutating
 * captured packets: a seeded PRNG and checksum repair, so a mutation can reach the checks
 * behind the checksum instead of stopping there.
 */
import { finish, pseudoHeaderSum, sum16 } from '../../src/wire/checksum.js';
import { type IpAddress, ipFromBytes } from '../../src/wire/ip.js';

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Recomputes the VRRP checksum in place (pseudo-header per version and family, as the codec does). */
export function repairVrrp(v: Uint8Array, source: IpAddress, destination: IpAddress): void {
  if (v.length < 8) return;
  v[6] = 0;
  v[7] = 0;
  const pseudo =
    source.family === 'ipv6' || v[0]! >> 4 === 3 ? pseudoHeaderSum(source, destination, 112, v.length) : 0;
  const c = finish(sum16(v, pseudo));
  v[6] = c >> 8;
  v[7] = c & 0xff;
}

/** Repairs the IPv4 header's total length and checksum, and the VRRP checksum behind it (and AH). */
export function repairIpv4(d: Uint8Array): void {
  if (d.length < 20 || d[0]! >> 4 !== 4) return;
  const ihl = (d[0]! & 0x0f) * 4;
  if (ihl < 20 || ihl > d.length) return;
  d[2] = d.length >> 8;
  d[3] = d.length & 0xff;
  const v = d.subarray(ihl + (d[9] === 51 ? 24 : 0));
  repairVrrp(v, ipFromBytes(d.subarray(12, 16)), ipFromBytes(d.subarray(16, 20)));
  d[10] = 0;
  d[11] = 0;
  const c = finish(sum16(d.subarray(0, ihl)));
  d[10] = c >> 8;
  d[11] = c & 0xff;
}
