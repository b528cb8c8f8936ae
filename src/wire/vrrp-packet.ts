/**
 * @module VRRP advertisement codec: v2 (RFC 3768) and v3 (RFC 5798, RFC 9568), IPv4 and IPv6.
 *
 * This is the VRRP message only (what follows the IPv4 header, or the AH
 * header, or what an IPv6 raw socket delivers). The domain value `VrrpPacket`
 * carries the advertisement interval in centiseconds whatever the version;
 * the codec converts v2's whole seconds. Checksums:
 * - v2 over IPv4: over the VRRP message alone (RFC 3768 §5.3.8);
 * - v3 over IPv4: with the IPv4 pseudo-header (RFC 5798 §5.2.8), or without it
 *   when `checksumWithIpv4PseudoHeader` is false (FRR's knob of that name, for
 *   peers that omit it);
 * - IPv6 (v3, and keepalived's v2-over-IPv6): with the IPv6 pseudo-header; the
 *   kernel fills it on send (IPV6_CHECKSUM), we compute the same value.
 * keepalived's v2 over IPv6 carries no 8-byte authentication data.
 */

import { finish, pseudoHeaderSum, sum16, sum16Range } from './checksum.js';
import { assertInt, ByteReader, ByteWriter } from './cursor.js';
import type { DecodeError, DropReason } from './drop-reason.js';
import { drop } from './drop-reason.js';
import type { IpAddress, IpFamily } from './ip.js';
import { addressLength, ipFromBytes } from './ip.js';
import type { Result } from './result.js';
import { ok } from './result.js';
import type { VrrpAuthType } from './vrrp-auth.js';
import { VRRP_AUTH, VRRP_AUTH_DATA_LENGTH } from './vrrp-auth.js';

/** RFC 5798 §5.2.2: the only defined type. */
export const VRRP_TYPE_ADVERTISEMENT = 1;
/** The fixed part of every VRRP message, in bytes. */
export const VRRP_HEADER_LENGTH = 8;
/** IP protocol / next header number of VRRP (RFC 5798 §5.1.1.4). */
export const VRRP_PROTOCOL = 112;

export type VrrpVersion = 2 | 3;

/** A VRRP advertisement, independent of its version's wire layout. */
export type VrrpPacket = {
  readonly version: VrrpVersion;
  /** Address family of the advertised addresses (and of the IP packet carrying it). */
  readonly family: IpFamily;
  /** Virtual Router ID, 1..255 (0 is decoded but never valid). */
  readonly vrid: number;
  /** 0 = master stopping, 255 = address owner (RFC 5798 §5.2.4). */
  readonly priority: number;
  /** v3: Max Adver Int, 12 bits, centiseconds. v2: Adver Int seconds x 100. */
  readonly maxAdverIntCs: number;
  /** The virtual addresses, all of `family`; at most 255. */
  readonly addresses: readonly IpAddress[];
  /** v2 Auth Type (RFC 3768 §5.3.6); always NONE for v3. */
  readonly authType: VrrpAuthType;
  /** v2 over IPv4: the 8 bytes of Authentication Data; otherwise empty. */
  readonly authData: Uint8Array;
};

/** The IP context a checksum depends on. */
export type VrrpChecksumContext = {
  readonly source: IpAddress;
  /** The pseudo-header destination (keepalived's unicast compat mode passes 224.0.0.18 here). */
  readonly destination: IpAddress;
  /** v3 over IPv4 only: include the IPv4 pseudo-header (default true, RFC 5798 §5.2.8). */
  readonly checksumWithIpv4PseudoHeader?: boolean;
};

/** Whether this version/family carries the 8-byte v2 authentication data. */
function hasAuthData(version: VrrpVersion, family: IpFamily): boolean {
  return version === 2 && family === 'ipv4';
}

/** Length in bytes of a VRRP message with `count` addresses. */
export function vrrpMessageLength(version: VrrpVersion, family: IpFamily, count: number): number {
  return (
    VRRP_HEADER_LENGTH +
    count * addressLength(family) +
    (hasAuthData(version, family) ? VRRP_AUTH_DATA_LENGTH : 0)
  );
}

/** The RFC 1071 sum over `message` (checksum field included) plus the pseudo-header the version needs. */
function checksumSum(message: Uint8Array, version: VrrpVersion, ctx: VrrpChecksumContext): number {
  const pseudo =
    ctx.source.family === 'ipv6' || (version === 3 && ctx.checksumWithIpv4PseudoHeader !== false)
      ? pseudoHeaderSum(ctx.source, ctx.destination, VRRP_PROTOCOL, message.length)
      : 0;
  return sum16(message, pseudo);
}

function assertEncodable(p: VrrpPacket, ctx: VrrpChecksumContext): void {
  assertInt(p.vrid, 1, 255, 'VRID');
  assertInt(p.priority, 0, 255, 'priority');
  assertInt(p.addresses.length, 0, 255, 'address count');
  if (p.version === 3) {
    // RFC 5798 §5.2.7: 12-bit field.
    assertInt(p.maxAdverIntCs, 0, 0x0fff, 'Max Adver Int (cs)');
    if (p.authType !== VRRP_AUTH.none) throw new RangeError('VRRPv3 has no authentication (RFC 5798 §9)');
  } else {
    // RFC 3768 §5.3.7: 8-bit field in seconds.
    assertInt(p.maxAdverIntCs / 100, 0, 255, 'Adver Int (s), from cs / 100');
    assertInt(p.authType, VRRP_AUTH.none, VRRP_AUTH.ah, 'auth type');
  }
  const authLength = hasAuthData(p.version, p.family) ? VRRP_AUTH_DATA_LENGTH : 0;
  if (p.authData.length !== authLength) throw new RangeError(`auth data must be ${authLength} bytes`);
  if (p.addresses.some((a) => a.family !== p.family)) throw new TypeError('address family mismatch');
  if (ctx.source.family !== p.family || ctx.destination.family !== p.family) {
    throw new TypeError('checksum context family differs from packet family');
  }
}

/** Encode an advertisement, checksum included. Throws on values the wire cannot carry. */
export function encodeVrrp(p: VrrpPacket, ctx: VrrpChecksumContext): Uint8Array {
  assertEncodable(p, ctx);
  const w = new ByteWriter(vrrpMessageLength(p.version, p.family, p.addresses.length))
    .u8((p.version << 4) | VRRP_TYPE_ADVERTISEMENT)
    .u8(p.vrid)
    .u8(p.priority)
    .u8(p.addresses.length);
  if (p.version === 3) {
    w.u16(p.maxAdverIntCs); // RFC 5798 §5.2.6: rsvd (4 bits) = 0
  } else {
    w.u8(p.authType).u8(p.maxAdverIntCs / 100);
  }
  w.u16(0);
  for (const a of p.addresses) w.bytes(a.bytes);
  w.bytes(p.authData);
  const bytes = w.finish();
  w.patchU16(6, finish(checksumSum(bytes, p.version, ctx)));
  return bytes;
}

/**
 * The first check the VRRP message at `bytes[start, end)` fails, or null. In order:
 * RFC 5798 §7.1 "complete VRRP packet" (truncated, then length vs count), version 2
 * or 3, type ADVERTISEMENT, checksum, and for v2 an auth type keepalived knows
 * (0..2). `pseudoSum` is the pseudo-header accumulator of the carrying IP packet
 * (`pseudoHeaderSum` / `pseudoHeaderSumAt` for this message's length); it is used
 * where the version and family call for it (IPv6 always, IPv4 for v3 unless
 * `ipv4PseudoHeader` is false). Reads in place, allocates nothing. Checks needing
 * configuration are in vrrp-receive.ts.
 */
export function vrrpMessageProblem(
  bytes: Uint8Array,
  start: number,
  end: number,
  family: IpFamily,
  pseudoSum: number,
  ipv4PseudoHeader: boolean,
): DropReason | null {
  if (end - start < VRRP_HEADER_LENGTH) return 'vrrp-truncated';
  const version = bytes[start]! >> 4;
  if (version !== 2 && version !== 3) return 'vrrp-bad-version';
  if ((bytes[start]! & 0x0f) !== VRRP_TYPE_ADVERTISEMENT) return 'vrrp-bad-type';
  if (end - start !== vrrpMessageLength(version, family, bytes[start + 3]!)) return 'vrrp-length-mismatch';
  const pseudo = family === 'ipv6' || (version === 3 && ipv4PseudoHeader) ? pseudoSum : 0;
  if (finish(sum16Range(bytes, start, end, pseudo)) !== 0) return 'vrrp-bad-checksum';
  // keepalived vrrp_check_packet: only NONE, PASS (RFC 2338) and AH are known.
  if (version === 2 && bytes[start + 4]! > VRRP_AUTH.ah) return 'vrrp-invalid-auth-type';
  return null;
}

/** The log text for a drop `vrrpMessageProblem` returned (only built for a dropped packet). */
export function vrrpMessageDropDetail(
  reason: DropReason,
  bytes: Uint8Array,
  start: number,
  end: number,
  family: IpFamily,
): string {
  const version = bytes[start]! >> 4;
  switch (reason) {
    case 'vrrp-truncated':
      return `VRRP message of ${end - start} bytes, need ${VRRP_HEADER_LENGTH}`;
    case 'vrrp-bad-version':
      return `VRRP version ${version}`;
    case 'vrrp-bad-type':
      return `VRRP type ${bytes[start]! & 0x0f}, expected ${VRRP_TYPE_ADVERTISEMENT}`;
    case 'vrrp-length-mismatch': {
      const count = bytes[start + 3]!;
      const expected = vrrpMessageLength(version as VrrpVersion, family, count);
      return `VRRP message of ${end - start} bytes, ${count} addresses need ${expected}`;
    }
    case 'vrrp-bad-checksum':
      return `VRRPv${version} checksum does not verify`;
    case 'vrrp-invalid-auth-type':
      return `VRRPv2 auth type ${bytes[start + 4]}`;
    default:
      return reason;
  }
}

/** Decode an advertisement after the checks of `vrrpMessageProblem`. */
export function decodeVrrp(bytes: Uint8Array, ctx: VrrpChecksumContext): Result<VrrpPacket, DecodeError> {
  const family = ctx.source.family;
  const pseudo = pseudoHeaderSum(ctx.source, ctx.destination, VRRP_PROTOCOL, bytes.length);
  const withIpv4 = ctx.checksumWithIpv4PseudoHeader !== false;
  const problem = vrrpMessageProblem(bytes, 0, bytes.length, family, pseudo, withIpv4);
  if (problem !== null) return drop(problem, vrrpMessageDropDetail(problem, bytes, 0, bytes.length, family));
  const r = new ByteReader(bytes);
  const version = (r.u8() >> 4) as VrrpVersion;
  const vrid = r.u8();
  const priority = r.u8();
  const count = r.u8();
  return ok(readFields(r, version, family, vrid, priority, count));
}

/** The fields after the first 4 bytes, once lengths, checksum and auth type are known to be right. */
function readFields(
  r: ByteReader,
  version: VrrpVersion,
  family: IpFamily,
  vrid: number,
  priority: number,
  count: number,
): VrrpPacket {
  let authType: number = VRRP_AUTH.none;
  let maxAdverIntCs: number;
  if (version === 3) {
    maxAdverIntCs = r.u16() & 0x0fff; // RFC 5798 §5.2.6: rsvd ignored on receive
  } else {
    authType = r.u8();
    maxAdverIntCs = r.u8() * 100;
  }
  r.skip(2);
  const addresses: IpAddress[] = [];
  for (let i = 0; i < count; i++) addresses.push(ipFromBytes(r.bytes(addressLength(family))));
  const authData = r.bytes(r.remaining);
  return {
    version,
    family,
    vrid,
    priority,
    maxAdverIntCs,
    addresses,
    authType: authType as VrrpAuthType,
    authData,
  };
}
