/**
 * @module Whole IPv4 VRRP datagrams: IPv4 header [+ AH] + VRRP message.
 *
 * keepalived sends IPv4 adverts on a raw socket with IP_HDRINCL, so the bytes
 * it hands the kernel are the whole datagram (the kernel only fills the header
 * checksum, which we compute identically). A raw IPPROTO_VRRP / IPPROTO_AH
 * socket delivers the same whole datagram on receive. This module frames and
 * unframes those; `vrrp-packet.ts` handles the VRRP message itself.
 */

import { copyBytes } from './cursor.js';
import type { DecodeError } from './drop-reason.js';
import { drop } from './drop-reason.js';
import type { IpAddress } from './ip.js';
import type { Ipv4Header } from './ipv4-header.js';
import { decodeIpv4Header, encodeIpv4Header, IPPROTO_AH, IPPROTO_VRRP } from './ipv4-header.js';
import type { Result } from './result.js';
import { ok } from './result.js';
import type { AhHeader } from './vrrp-auth.js';
import {
  AH_HEADER_LENGTH,
  AH_ICV_LENGTH,
  computeAhIcv,
  decodeAhHeader,
  encodeAhHeader,
} from './vrrp-auth.js';
import type { VrrpPacket } from './vrrp-packet.js';
import { decodeVrrp, encodeVrrp } from './vrrp-packet.js';

/** AH parameters for sending (keepalived auth_type AH). */
export type AhSendOptions = {
  /** keepalived's per-instance counter: starts at 0, incremented before each advert. */
  readonly sequence: number;
  /** The 8-byte auth data (see `authDataFromPassword`). */
  readonly key: Uint8Array;
  /** keepalived zeroes the TTL in the ICV input when unicast peers are configured. */
  readonly zeroTtlInIcv: boolean;
};

export type Ipv4AdvertOptions = {
  /** keepalived's IP id counter (it skips 0, which would let the kernel choose). */
  readonly identification: number;
  readonly source: IpAddress;
  /** 224.0.0.18, or the unicast peer. */
  readonly destination: IpAddress;
  readonly ttl?: number;
  readonly tos?: number;
  readonly ah?: AhSendOptions;
  /** v3: FRR's `checksum_with_ipv4_pseudoheader` (default true). */
  readonly checksumWithIpv4PseudoHeader?: boolean;
  /** v3: destination used in the pseudo-header (keepalived unicast compat uses 224.0.0.18). */
  readonly pseudoHeaderDestination?: IpAddress;
};

/** A decoded IPv4 VRRP datagram. `datagram` is a copy of the received bytes (for AH verification). */
export type Ipv4Advert = {
  readonly ip: Ipv4Header;
  readonly ah: AhHeader | null;
  readonly vrrp: VrrpPacket;
  readonly datagram: Uint8Array;
};

export type Ipv4DecodeOptions = Pick<
  Ipv4AdvertOptions,
  'checksumWithIpv4PseudoHeader' | 'pseudoHeaderDestination'
>;

/** Encode a whole IPv4 datagram as keepalived sends it. Throws on invalid input. */
export function encodeIpv4Advert(packet: VrrpPacket, opts: Ipv4AdvertOptions): Uint8Array {
  if (packet.family !== 'ipv4') throw new TypeError('encodeIpv4Advert needs an IPv4 VRRP packet');
  const vrrp = encodeVrrp(packet, {
    source: opts.source,
    destination: opts.pseudoHeaderDestination ?? opts.destination,
    checksumWithIpv4PseudoHeader: opts.checksumWithIpv4PseudoHeader ?? true,
  });
  const ahLength = opts.ah ? AH_HEADER_LENGTH : 0;
  const fields = {
    tos: opts.tos,
    identification: opts.identification,
    ttl: opts.ttl,
    protocol: opts.ah ? IPPROTO_AH : IPPROTO_VRRP,
    source: opts.source,
    destination: opts.destination,
  };
  const header = encodeIpv4Header(fields, ahLength + vrrp.length);
  const out = new Uint8Array(header.length + ahLength + vrrp.length);
  out.set(header);
  out.set(vrrp, header.length + ahLength);
  if (opts.ah) {
    const spi = new DataView(opts.source.bytes.buffer, opts.source.bytes.byteOffset).getUint32(0);
    const blank = {
      nextHeader: IPPROTO_VRRP,
      spi,
      sequence: opts.ah.sequence,
      icv: new Uint8Array(AH_ICV_LENGTH),
    };
    const ah = encodeAhHeader(blank);
    const icv = computeAhIcv(header, ah, vrrp, opts.ah.key, opts.ah.zeroTtlInIcv);
    out.set(encodeAhHeader({ ...blank, icv }), header.length);
  }
  return out;
}

/**
 * Decode a whole IPv4 datagram from a raw socket: IPv4 header checks, protocol
 * 112 or 51, AH header checks when 51, then the VRRP message checks.
 */
export function decodeIpv4Advert(
  datagram: Uint8Array,
  opts: Ipv4DecodeOptions = {},
): Result<Ipv4Advert, DecodeError> {
  const ipResult = decodeIpv4Header(datagram);
  if (!ipResult.ok) return ipResult;
  const ip = ipResult.value;
  if (ip.protocol !== IPPROTO_VRRP && ip.protocol !== IPPROTO_AH) {
    return drop('ip-bad-protocol', `IP protocol ${ip.protocol}, expected 112 or 51`);
  }
  let offset = ip.headerLength;
  let ah: AhHeader | null = null;
  if (ip.protocol === IPPROTO_AH) {
    const ahResult = decodeAhHeader(datagram.subarray(offset));
    if (!ahResult.ok) return ahResult;
    ah = ahResult.value;
    offset += AH_HEADER_LENGTH;
  }
  const vrrpResult = decodeVrrp(datagram.subarray(offset), {
    source: ip.source,
    destination: opts.pseudoHeaderDestination ?? ip.destination,
    checksumWithIpv4PseudoHeader: opts.checksumWithIpv4PseudoHeader ?? true,
  });
  if (!vrrpResult.ok) return vrrpResult;
  // Copy: the caller's receive buffer is usually reused for the next packet.
  return ok({ ip, ah, vrrp: vrrpResult.value, datagram: copyBytes(datagram) });
}
