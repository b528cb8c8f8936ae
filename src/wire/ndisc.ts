/**
 * @module Ethernet + IPv6 + ICMPv6 unsolicited Neighbour Advertisement (RFC 4861 §4.4, §7.2.6).
 *
 * keepalived 2.2.7 announces each IPv6 VIP with an unsolicited NA sent on an
 * AF_PACKET socket, so it builds every header itself: Ethernet to 33:33:00:00:00:01,
 * IPv6 from the VIP to ff02::1 (all-nodes) with traffic class 0, flow label 0,
 * hop limit 255; ICMPv6 type 136 code 0 with Override set, Router set when the
 * interface forwards IPv6, Solicited clear; the VIP as target; and a Target
 * Link-Layer Address option (type 2, length 1) carrying the sending MAC.
 */

import { finish, ipv6PseudoHeaderSum, sum16 } from './checksum.js';
import { ByteReader, ByteWriter } from './cursor.js';
import { drop } from './drop-reason.js';
import type { EthernetHeader, FrameDecodeError, Ipv6Header } from './ethernet.js';
import {
  decodeEthernetHeader,
  decodeIpv6Header,
  ETHERNET_HEADER_LENGTH,
  ETHERTYPE,
  encodeEthernetHeader,
  encodeIpv6Header,
  IPV6_HEADER_LENGTH,
} from './ethernet.js';
import type { IpAddress } from './ip.js';
import { ip, ipFromBytes } from './ip.js';
import type { MacAddress } from './mac.js';
import { macFromBytes, multicastMac } from './mac.js';
import type { Result } from './result.js';
import { ok } from './result.js';

export const ICMPV6_NEIGHBOUR_ADVERT = 136;
export const IPPROTO_ICMPV6 = 58;
/** RFC 4861 §4.6.1 option type. */
export const ND_OPT_TARGET_LINK_LAYER = 2;
export const ALL_NODES: IpAddress = ip('ff02::1');

/** The NA message: flags (RFC 4861 §4.4), target, optional Target Link-Layer Address. */
export type NeighbourAdvert = {
  readonly router: boolean;
  readonly solicited: boolean;
  readonly override: boolean;
  readonly target: IpAddress;
  readonly targetLinkLayer: MacAddress | null;
};

export type NaFrame = {
  readonly ethernet: EthernetHeader;
  readonly ipv6: Ipv6Header;
  readonly advert: NeighbourAdvert;
};

/** The frame keepalived sends for `vip` from `mac`; `router` mirrors the interface's forwarding flag. */
export function unsolicitedNa(mac: MacAddress, vip: IpAddress, router: boolean): NaFrame {
  if (vip.family !== 'ipv6') throw new TypeError('unsolicited NA is for IPv6 addresses');
  return {
    ethernet: { destination: multicastMac(ALL_NODES), source: mac, etherType: ETHERTYPE.ipv6 },
    ipv6: {
      trafficClass: 0,
      flowLabel: 0,
      payloadLength: 32,
      nextHeader: IPPROTO_ICMPV6,
      hopLimit: 255,
      source: vip,
      destination: ALL_NODES,
    },
    advert: { router, solicited: false, override: true, target: vip, targetLinkLayer: mac },
  };
}

function encodeIcmp(advert: NeighbourAdvert, source: IpAddress, destination: IpAddress): Uint8Array {
  const flags = (advert.router ? 0x80 : 0) | (advert.solicited ? 0x40 : 0) | (advert.override ? 0x20 : 0);
  const w = new ByteWriter(24 + (advert.targetLinkLayer ? 8 : 0))
    .u8(ICMPV6_NEIGHBOUR_ADVERT)
    .u8(0)
    .u16(0)
    .u8(flags)
    .zeros(3)
    .bytes(advert.target.bytes);
  if (advert.targetLinkLayer) w.u8(ND_OPT_TARGET_LINK_LAYER).u8(1).bytes(advert.targetLinkLayer.bytes);
  const bytes = w.finish();
  const pseudo = ipv6PseudoHeaderSum(source, destination, IPPROTO_ICMPV6, bytes.length);
  w.patchU16(2, finish(sum16(bytes, pseudo)));
  return bytes;
}

/** Encode the whole Ethernet frame; the IPv6 payload length and ICMPv6 checksum are computed. */
export function encodeNaFrame(frame: NaFrame): Uint8Array {
  if (frame.advert.target.family !== 'ipv6') throw new TypeError('NA target must be IPv6');
  const icmp = encodeIcmp(frame.advert, frame.ipv6.source, frame.ipv6.destination);
  const ipv6 = encodeIpv6Header({ ...frame.ipv6, payloadLength: icmp.length, nextHeader: IPPROTO_ICMPV6 });
  const out = new Uint8Array(ETHERNET_HEADER_LENGTH + ipv6.length + icmp.length);
  out.set(encodeEthernetHeader({ ...frame.ethernet, etherType: ETHERTYPE.ipv6 }));
  out.set(ipv6, ETHERNET_HEADER_LENGTH);
  out.set(icmp, ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH);
  return out;
}

/** Walk RFC 4861 §4.6 options; returns the TLLA (or null), or an error for a malformed option. */
function findTargetLinkLayer(r: ByteReader): Result<MacAddress | null, FrameDecodeError> {
  let found: MacAddress | null = null;
  while (r.remaining > 0) {
    if (r.remaining < 2) return drop('ndisc-bad-option', 'option header truncated');
    const type = r.u8();
    const length = r.u8() * 8;
    // RFC 4861 §4.6: a zero length MUST be silently discarded.
    if (length === 0 || length - 2 > r.remaining)
      return drop('ndisc-bad-option', `option ${type} length ${length}`);
    if (type === ND_OPT_TARGET_LINK_LAYER && length === 8 && found === null) found = macFromBytes(r.bytes(6));
    else r.skip(length - 2);
  }
  return ok(found);
}

/** Decode an Ethernet + IPv6 + ICMPv6 Neighbour Advertisement (RFC 4861 §7.1.2 validity checks). */
export function decodeNaFrame(bytes: Uint8Array): Result<NaFrame, FrameDecodeError> {
  const eth = decodeEthernetHeader(bytes, ETHERTYPE.ipv6);
  if (!eth.ok) return eth;
  const ipv6Result = decodeIpv6Header(bytes.subarray(ETHERNET_HEADER_LENGTH));
  if (!ipv6Result.ok) return ipv6Result;
  const ipv6 = ipv6Result.value;
  if (ipv6.nextHeader !== IPPROTO_ICMPV6)
    return drop('ipv6-bad-next-header', `next header ${ipv6.nextHeader}`);
  const start = ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH;
  const icmp = bytes.subarray(start, start + ipv6.payloadLength);
  if (icmp.length < 24) return drop('icmpv6-truncated', `ICMPv6 NA of ${icmp.length} bytes, need 24`);
  if (
    finish(sum16(icmp, ipv6PseudoHeaderSum(ipv6.source, ipv6.destination, IPPROTO_ICMPV6, icmp.length))) !== 0
  ) {
    return drop('icmpv6-bad-checksum', 'ICMPv6 checksum does not verify');
  }
  const r = new ByteReader(icmp);
  const type = r.u8();
  const code = r.u8();
  if (type !== ICMPV6_NEIGHBOUR_ADVERT || code !== 0) {
    return drop('ndisc-not-neighbour-advert', `ICMPv6 type ${type} code ${code}`);
  }
  if (ipv6.hopLimit !== 255) return drop('ndisc-bad-hop-limit', `hop limit ${ipv6.hopLimit}, expected 255`);
  r.skip(2);
  const flags = r.u8();
  r.skip(3);
  const target = ipFromBytes(r.bytes(16));
  const tlla = findTargetLinkLayer(r);
  if (!tlla.ok) return tlla;
  const advert = {
    router: (flags & 0x80) !== 0,
    solicited: (flags & 0x40) !== 0,
    override: (flags & 0x20) !== 0,
    target,
    targetLinkLayer: tlla.value,
  };
  return ok({ ethernet: eth.value, ipv6, advert });
}
