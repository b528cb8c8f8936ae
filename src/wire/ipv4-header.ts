/**
 * @module The IPv4 header (RFC 791) as keepalived writes it and the raw socket delivers it.
 *
 * keepalived sends VRRP over IPv4 with IP_HDRINCL and builds the header itself:
 * version 4, IHL 5, TOS 0xc0 (network control), its own identification counter
 * (never 0, since the kernel would then choose one), no fragmentation, TTL 255,
 * protocol 112 (VRRP) or 51 (AH). The kernel fills in the header checksum; we
 * compute the same value so that encoded packets equal captured ones byte for byte.
 * A raw IPPROTO_VRRP socket delivers the header in front of the payload.
 */

import { finish, internetChecksum, sum16Range } from './checksum.js';
import { assertInt, ByteReader, ByteWriter } from './cursor.js';
import type { DecodeError, DropReason } from './drop-reason.js';
import { drop } from './drop-reason.js';
import type { IpAddress } from './ip.js';
import { ipFromBytes } from './ip.js';
import type { Result } from './result.js';
import { ok } from './result.js';

/** IP protocol numbers used here. */
export const IPPROTO_AH = 51;
export const IPPROTO_VRRP = 112;

/** keepalived's constants for the IPv4 header of an advertisement. */
export const VRRP_IPV4_TOS = 0xc0;
/** RFC 5798 §5.1.1.3 / §5.1.2.3: TTL / Hop Limit of every advertisement. */
export const VRRP_TTL = 255;

/**
 * keepalived's IP identification counter: incremented before each advert and
 * skipping 0 (with IP_HDRINCL an id of 0 lets the kernel choose one).
 */
export function nextIdentification(previous: number): number {
  assertInt(previous, 0, 0xffff, 'IP identification');
  return previous === 0xffff ? 1 : previous + 1;
}

/** A decoded IPv4 header. Sizes in bytes; `flags` is the 3-bit field, `fragmentOffset` in 8-byte units. */
export type Ipv4Header = {
  readonly headerLength: number;
  readonly tos: number;
  readonly totalLength: number;
  readonly identification: number;
  readonly flags: number;
  readonly fragmentOffset: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly headerChecksum: number;
  readonly source: IpAddress;
  readonly destination: IpAddress;
  /** IP options (headerLength - 20 bytes), usually empty. */
  readonly options: Uint8Array;
};

/** What the encoder needs; lengths and checksum are computed. */
export type Ipv4HeaderFields = {
  readonly tos?: number;
  readonly identification: number;
  readonly flags?: number;
  readonly fragmentOffset?: number;
  readonly ttl?: number;
  readonly protocol: number;
  readonly source: IpAddress;
  readonly destination: IpAddress;
  readonly options?: Uint8Array;
};

/**
 * Encode a header for a payload of `payloadLength` bytes. With `zeroChecksum`
 * the checksum field is left 0 (what keepalived's send buffer holds, and what
 * the AH ICV covers). Throws on out-of-range fields.
 */
export function encodeIpv4Header(
  fields: Ipv4HeaderFields,
  payloadLength: number,
  zeroChecksum = false,
): Uint8Array {
  const options = fields.options ?? new Uint8Array(0);
  if (options.length % 4 !== 0 || options.length > 40)
    throw new RangeError('IPv4 options: multiple of 4, at most 40');
  if (fields.source.family !== 'ipv4' || fields.destination.family !== 'ipv4') {
    throw new TypeError('IPv4 header needs IPv4 addresses');
  }
  const headerLength = 20 + options.length;
  assertInt(headerLength + payloadLength, headerLength, 0xffff, 'IPv4 total length');
  assertInt(fields.flags ?? 0, 0, 7, 'IPv4 flags');
  assertInt(fields.fragmentOffset ?? 0, 0, 0x1fff, 'IPv4 fragment offset');
  const w = new ByteWriter(headerLength)
    .u8(0x40 | (headerLength >> 2))
    .u8(fields.tos ?? VRRP_IPV4_TOS)
    .u16(headerLength + payloadLength)
    .u16(fields.identification)
    .u16(((fields.flags ?? 0) << 13) | (fields.fragmentOffset ?? 0))
    .u8(fields.ttl ?? VRRP_TTL)
    .u8(fields.protocol)
    .u16(0)
    .bytes(fields.source.bytes)
    .bytes(fields.destination.bytes)
    .bytes(options);
  const bytes = w.finish();
  if (!zeroChecksum) w.patchU16(10, internetChecksum(bytes));
  return bytes;
}

/**
 * The first receive check the IPv4 header at the start of `bytes[0, length)` fails,
 * or null. In order: length >= 20, version 4, 20 <= IHL*4 <= length, header checksum,
 * total length == datagram length. Reads in place and allocates nothing (the receive
 * path runs it on every advert of every instance).
 */
export function ipv4HeaderProblem(bytes: Uint8Array, length: number): DropReason | null {
  if (length < 20) return 'ip-truncated';
  if (bytes[0]! >> 4 !== 4) return 'ip-bad-version';
  const headerLength = (bytes[0]! & 0x0f) * 4;
  if (headerLength < 20 || headerLength > length) return 'ip-bad-header-length';
  if (finish(sum16Range(bytes, 0, headerLength)) !== 0) return 'ip-bad-header-checksum';
  if (((bytes[2]! << 8) | bytes[3]!) !== length) return 'ip-total-length-mismatch';
  return null;
}

/** The log text for a drop `ipv4HeaderProblem` returned (only built for a dropped packet). */
export function ipv4HeaderDropDetail(reason: DropReason, bytes: Uint8Array, length: number): string {
  switch (reason) {
    case 'ip-truncated':
      return `IPv4 datagram of ${length} bytes, need 20`;
    case 'ip-bad-version':
      return `IP version ${bytes[0]! >> 4}, expected 4`;
    case 'ip-bad-header-length':
      return `IHL ${(bytes[0]! & 0x0f) * 4} bytes with ${length} bytes received`;
    case 'ip-bad-header-checksum':
      return 'IPv4 header checksum does not verify';
    case 'ip-total-length-mismatch':
      return `IPv4 total length ${(bytes[2]! << 8) | bytes[3]!}, received ${length}`;
    default:
      return reason;
  }
}

/**
 * Decode the header at the start of `packet` (a whole datagram from a raw socket),
 * after the checks of `ipv4HeaderProblem`.
 */
export function decodeIpv4Header(packet: Uint8Array): Result<Ipv4Header, DecodeError> {
  const problem = ipv4HeaderProblem(packet, packet.length);
  if (problem !== null) return drop(problem, ipv4HeaderDropDetail(problem, packet, packet.length));
  const r = new ByteReader(packet);
  const headerLength = (r.u8() & 0x0f) * 4;
  const tos = r.u8();
  const totalLength = r.u16();
  const identification = r.u16();
  const fragment = r.u16();
  const ttl = r.u8();
  const protocol = r.u8();
  const headerChecksum = r.u16();
  const source = ipFromBytes(r.bytes(4));
  const destination = ipFromBytes(r.bytes(4));
  const options = r.bytes(headerLength - 20);
  return ok({
    headerLength,
    tos,
    totalLength,
    identification,
    flags: fragment >> 13,
    fragmentOffset: fragment & 0x1fff,
    ttl,
    protocol,
    headerChecksum,
    source,
    destination,
    options,
  });
}
