/**
 * @module Ethernet II headers (for GARP and unsolicited NA frames sent on AF_PACKET),
 * the IPv6 fixed header (RFC 8200 §3), and the drop reasons of these frame decoders.
 *
 * The frame decoders (ARP, NDISC) are used by tests and by the daemon's
 * diagnostics, not on the VRRP receive path, so their reasons are a separate
 * union from the VRRP `DropReason` and have no MIB counters.
 */

import { assertInt, ByteReader, ByteWriter } from './cursor.js';
import type { DecodeError } from './drop-reason.js';
import { drop } from './drop-reason.js';
import type { IpAddress } from './ip.js';
import { ipFromBytes } from './ip.js';
import type { MacAddress } from './mac.js';
import { macFromBytes } from './mac.js';
import type { Result } from './result.js';
import { ok } from './result.js';

/** One reason per frame-decoder check. */
export const FRAME_DROP_REASONS = [
  'frame-truncated',
  'frame-bad-ethertype',
  'arp-unsupported-format',
  'ipv6-bad-version',
  'ipv6-payload-truncated',
  'ipv6-bad-next-header',
  'icmpv6-truncated',
  'icmpv6-bad-checksum',
  'ndisc-not-neighbour-advert',
  'ndisc-bad-hop-limit',
  'ndisc-bad-option',
] as const;

export type FrameDropReason = (typeof FRAME_DROP_REASONS)[number];

export type FrameDecodeError = DecodeError<FrameDropReason>;

export const ETHERTYPE = { ipv4: 0x0800, arp: 0x0806, ipv6: 0x86dd } as const;
export const ETHERNET_HEADER_LENGTH = 14;
export const IPV6_HEADER_LENGTH = 40;

export type EthernetHeader = {
  readonly destination: MacAddress;
  readonly source: MacAddress;
  readonly etherType: number;
};

export function encodeEthernetHeader(h: EthernetHeader): Uint8Array {
  return new ByteWriter(ETHERNET_HEADER_LENGTH)
    .bytes(h.destination.bytes)
    .bytes(h.source.bytes)
    .u16(h.etherType)
    .finish();
}

/** Decode the Ethernet header and require `etherType`. No 802.1Q (AF_PACKET strips tags). */
export function decodeEthernetHeader(
  frame: Uint8Array,
  etherType: number,
): Result<EthernetHeader, FrameDecodeError> {
  if (frame.length < ETHERNET_HEADER_LENGTH) return drop('frame-truncated', `frame of ${frame.length} bytes`);
  const r = new ByteReader(frame);
  const destination = macFromBytes(r.bytes(6));
  const source = macFromBytes(r.bytes(6));
  const type = r.u16();
  if (type !== etherType) {
    return drop(
      'frame-bad-ethertype',
      `EtherType 0x${type.toString(16)}, expected 0x${etherType.toString(16)}`,
    );
  }
  return ok({ destination, source, etherType: type });
}

/** The IPv6 fixed header. `payloadLength` in bytes; `flowLabel` 20 bits. */
export type Ipv6Header = {
  readonly trafficClass: number;
  readonly flowLabel: number;
  readonly payloadLength: number;
  readonly nextHeader: number;
  readonly hopLimit: number;
  readonly source: IpAddress;
  readonly destination: IpAddress;
};

export function encodeIpv6Header(h: Ipv6Header): Uint8Array {
  assertInt(h.trafficClass, 0, 0xff, 'traffic class');
  assertInt(h.flowLabel, 0, 0xfffff, 'flow label');
  if (h.source.family !== 'ipv6' || h.destination.family !== 'ipv6')
    throw new TypeError('IPv6 addresses needed');
  return new ByteWriter(IPV6_HEADER_LENGTH)
    .u32(6 * 2 ** 28 + h.trafficClass * 2 ** 20 + h.flowLabel)
    .u16(h.payloadLength)
    .u8(h.nextHeader)
    .u8(h.hopLimit)
    .bytes(h.source.bytes)
    .bytes(h.destination.bytes)
    .finish();
}

/** Decode the IPv6 header at the start of `bytes`; the payload must fit (link padding may follow). */
export function decodeIpv6Header(bytes: Uint8Array): Result<Ipv6Header, FrameDecodeError> {
  if (bytes.length < IPV6_HEADER_LENGTH)
    return drop('frame-truncated', `IPv6 header of ${bytes.length} bytes`);
  const r = new ByteReader(bytes);
  const word = r.u32();
  if (word >>> 28 !== 6) return drop('ipv6-bad-version', `IP version ${word >>> 28}, expected 6`);
  const payloadLength = r.u16();
  if (IPV6_HEADER_LENGTH + payloadLength > bytes.length) {
    return drop(
      'ipv6-payload-truncated',
      `payload length ${payloadLength}, ${bytes.length - 40} bytes present`,
    );
  }
  return ok({
    trafficClass: (word >>> 20) & 0xff,
    flowLabel: word & 0xfffff,
    payloadLength,
    nextHeader: r.u8(),
    hopLimit: r.u8(),
    source: ipFromBytes(r.bytes(16)),
    destination: ipFromBytes(r.bytes(16)),
  });
}
