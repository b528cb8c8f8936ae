/**
 * @module What the VRRP fuzz and the receive-view equivalence test share for mutating
 * captured packets: a seeded PRNG and checksum repair, so a mutation can reach the checks
 * behind the checksum instead of stopping there, and the captures' receiving peer.
 */
import { finish, pseudoHeaderSum, sum16 } from '../../src/wire/checksum.js';
import { type IpAddress, type IpFamily, ip, ipFromBytes } from '../../src/wire/ip.js';
import { authDataFromPassword } from '../../src/wire/vrrp-auth.js';
import type { InstanceExpectations } from '../../src/wire/vrrp-receive.js';
import { Prng } from '../sim/prng.js';

/** A seeded source of numbers in [0, 1): the simulator's mulberry32. */
export function prng(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.next();
}

/**
 * What the receiving peer of a capture in ../shared/vectors is configured with (the
 * configs next to the captures): VRID 51, the article's VIP, PASS "pa-pass1" or AH.
 */
export function captureExpectations(file: string, family: IpFamily): InstanceExpectations {
  const v3 = file.startsWith('vrrpv3') || file === 'unsolicited-na.pcap';
  const unicast = file === 'vrrpv2-unicast.pcap';
  return {
    version: v3 ? 3 : 2,
    family,
    vrid: 51,
    addresses: [family === 'ipv4' ? ip('10.100.1.20') : ip('fd00:100::20')],
    checkAddresses: true,
    authType: v3 ? 0 : file === 'vrrpv2-ah.pcap' ? 2 : 1,
    authData: authDataFromPassword('pa-pass1'),
    ahLastSequence: 0,
    adverIntCs: 100,
    unicastPeers: unicast ? [{ address: ip('10.100.1.1'), minTtl: 0, maxTtl: 255 }] : [],
    checkUnicastSource: unicast,
    dropIfLocalOwner: false,
    localPriority: 254,
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
