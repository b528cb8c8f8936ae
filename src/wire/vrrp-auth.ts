/**
 * @module VRRPv2 authentication as keepalived 2.2.7 does it: PASS and IPsec AH.
 *
 * RFC 3768 removed authentication; keepalived still sends it (RFC 2338 §5.3.6):
 * - PASS (type 1): the 8-byte Authentication Data field holds `auth_pass`,
 *   truncated to 8 bytes or zero-padded.
 * - AH (type 2): an IPsec AH header (RFC 2402) between the IPv4 header
 *   (protocol 51) and the VRRP message (whose auth data is then all zero).
 *   SPI = the sender's IPv4 address, sequence number = keepalived's counter,
 *   ICV = HMAC-MD5-96 (RFC 2403) keyed with the same 8 bytes as PASS, over the
 *   IPv4 header with TOS, flags/fragment offset and header checksum zeroed
 *   (TTL also zeroed when unicast peers are configured), then the AH header with
 *   a zero ICV, then the VRRP message.
 */

import { assertInt, ByteReader, ByteWriter, copyBytes } from './cursor.js';
import type { DecodeError, DropReason } from './drop-reason.js';
import { drop } from './drop-reason.js';
import { hmacMd5 } from './md5.js';
import type { Result } from './result.js';
import { ok } from './result.js';

/** RFC 2338 §5.3.6 auth types (0 none, 1 simple text password, 2 IP authentication header). */
export const VRRP_AUTH = { none: 0, pass: 1, ah: 2 } as const;
export type VrrpAuthType = (typeof VRRP_AUTH)[keyof typeof VRRP_AUTH];

/** Bytes of Authentication Data in a VRRPv2 IPv4 message. */
export const VRRP_AUTH_DATA_LENGTH = 8;
/** AH header length: 12 fixed bytes + 12-byte HMAC-MD5-96 ICV. */
export const AH_HEADER_LENGTH = 24;
/** AH Payload Len field: header length in 32-bit words minus 2 (RFC 2402 §2.2). */
export const AH_PAYLOAD_LEN = AH_HEADER_LENGTH / 4 - 2;
/** HMAC-MD5-96: the truncated ICV length (RFC 2403 §3). */
export const AH_ICV_LENGTH = 12;

/** keepalived's 8-byte auth data for `auth_pass`: UTF-8, truncated to 8 or zero-padded. */
export function authDataFromPassword(password: string): Uint8Array {
  const out = new Uint8Array(VRRP_AUTH_DATA_LENGTH);
  out.set(new TextEncoder().encode(password).subarray(0, VRRP_AUTH_DATA_LENGTH));
  return out;
}

/**
 * keepalived's AH sequence counter: starts at 0 and is incremented before each
 * advert. Past 0xfffffffd it has "cycled": keepalived stops advertising and the
 * caller must leave MASTER, so this returns null then.
 */
export function nextAhSequence(previous: number): number | null {
  assertInt(previous, 0, 0xffffffff, 'AH sequence');
  return previous > 0xfffffffd ? null : previous + 1;
}

/** An IPsec AH header (RFC 2402 §2). `icv` is 12 bytes. */
export type AhHeader = {
  readonly nextHeader: number;
  readonly spi: number;
  readonly sequence: number;
  readonly icv: Uint8Array;
};

/** Encode an AH header. Throws on out-of-range values or an ICV that is not 12 bytes. */
export function encodeAhHeader(h: AhHeader): Uint8Array {
  if (h.icv.length !== AH_ICV_LENGTH) throw new RangeError(`AH ICV must be ${AH_ICV_LENGTH} bytes`);
  assertInt(h.spi, 0, 0xffffffff, 'SPI');
  return new ByteWriter(AH_HEADER_LENGTH)
    .u8(h.nextHeader)
    .u8(AH_PAYLOAD_LEN)
    .u16(0)
    .u32(h.spi)
    .u32(h.sequence)
    .bytes(h.icv)
    .finish();
}

/**
 * The first check the AH header at `bytes[at, end)` fails, or null: at least 24 bytes,
 * Payload Len 4 (keepalived's fixed HMAC-MD5-96 layout), next header VRRP (112).
 * Reads in place, allocates nothing.
 */
export function ahHeaderProblem(bytes: Uint8Array, at: number, end: number): DropReason | null {
  if (end - at < AH_HEADER_LENGTH) return 'ah-truncated';
  if (bytes[at + 1] !== AH_PAYLOAD_LEN) return 'ah-bad-length';
  if (bytes[at] !== 112) return 'ah-bad-next-header';
  return null;
}

/** The log text for a drop `ahHeaderProblem` returned. */
export function ahHeaderDropDetail(reason: DropReason, bytes: Uint8Array, at: number, end: number): string {
  switch (reason) {
    case 'ah-truncated':
      return `AH header of ${end - at} bytes, need ${AH_HEADER_LENGTH}`;
    case 'ah-bad-length':
      return `AH payload length ${bytes[at + 1]}, expected ${AH_PAYLOAD_LEN}`;
    case 'ah-bad-next-header':
      return `AH next header ${bytes[at]}, expected 112`;
    default:
      return reason;
  }
}

/** Big-endian u32 at `at`, read in place (AH SPI and sequence). */
export function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

/** Decode the AH header at the start of `bytes`, after the checks of `ahHeaderProblem`. */
export function decodeAhHeader(bytes: Uint8Array): Result<AhHeader, DecodeError> {
  const problem = ahHeaderProblem(bytes, 0, bytes.length);
  if (problem !== null) return drop(problem, ahHeaderDropDetail(problem, bytes, 0, bytes.length));
  const r = new ByteReader(bytes);
  const nextHeader = r.u8();
  r.skip(3);
  return ok({ nextHeader, spi: r.u32(), sequence: r.u32(), icv: r.bytes(AH_ICV_LENGTH) });
}

/**
 * The HMAC-MD5-96 ICV keepalived computes. `ipHeader` as it will be (or was)
 * sent; mutable fields are zeroed here. `ah` is the 24-byte AH header (its ICV
 * bytes are ignored), `vrrp` the VRRP message, `key` the 8-byte auth data.
 * `zeroTtl` is true when the instance has unicast peers (keepalived zeroes TTL then).
 */
export function computeAhIcv(
  ipHeader: Uint8Array,
  ah: Uint8Array,
  vrrp: Uint8Array,
  key: Uint8Array,
  zeroTtl: boolean,
): Uint8Array {
  if (ipHeader.length < 20 || ah.length !== AH_HEADER_LENGTH)
    throw new RangeError('IPv4 header or AH too short');
  const ip = copyBytes(ipHeader);
  ip[1] = 0; // TOS
  ip[6] = 0; // flags + fragment offset
  ip[7] = 0;
  ip[10] = 0; // header checksum
  ip[11] = 0;
  if (zeroTtl) ip[8] = 0;
  const ahZeroIcv = copyBytes(ah);
  ahZeroIcv.fill(0, AH_HEADER_LENGTH - AH_ICV_LENGTH);
  return hmacMd5(key, ip, ahZeroIcv, vrrp).subarray(0, AH_ICV_LENGTH);
}

/** Byte comparison that does not stop at the first difference. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Verify the ICV of an IPv4 datagram `ipHeader + AH + VRRP` whose IPv4 header
 * is `ipHeaderLength` bytes long. The caller has decoded the headers already.
 */
export function verifyAhIcv(
  datagram: Uint8Array,
  ipHeaderLength: number,
  key: Uint8Array,
  zeroTtl: boolean,
): boolean {
  const ahEnd = ipHeaderLength + AH_HEADER_LENGTH;
  if (datagram.length < ahEnd) return false;
  const ah = datagram.subarray(ipHeaderLength, ahEnd);
  const icv = computeAhIcv(datagram.subarray(0, ipHeaderLength), ah, datagram.subarray(ahEnd), key, zeroTtl);
  return equalBytes(icv, ah.subarray(AH_HEADER_LENGTH - AH_ICV_LENGTH));
}
