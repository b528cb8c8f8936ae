/**
 * @module Ethernet + ARP frames (RFC 826), and the gratuitous ARP keepalived sends.
 *
 * keepalived 2.2.7 announces each IPv4 VIP with a gratuitous ARP *request*
 * (RFC 5798 §6.4.2 / RFC 5227 §3 "ARP Announcement" form): Ethernet broadcast,
 * sender = our MAC (or the VMAC) and the VIP, target MAC ff:ff:ff:ff:ff:ff,
 * target IP = the VIP, no trailing padding (42 bytes; the NIC pads on the wire).
 */

import { ByteReader, ByteWriter } from './cursor.js';
import { drop } from './drop-reason.js';
import type { FrameDecodeError } from './ethernet.js';
import { decodeEthernetHeader, ETHERNET_HEADER_LENGTH, ETHERTYPE, encodeEthernetHeader } from './ethernet.js';
import type { IpAddress } from './ip.js';
import { ipEquals, ipFromBytes } from './ip.js';
import type { MacAddress } from './mac.js';
import { BROADCAST_MAC, macFromBytes } from './mac.js';
import type { Result } from './result.js';
import { ok } from './result.js';

export const ARP_OP = { request: 1, reply: 2 } as const;
/** Ethernet/IPv4 ARP payload length, and the whole frame without padding. */
export const ARP_LENGTH = 28;
export const ARP_FRAME_LENGTH = ETHERNET_HEADER_LENGTH + ARP_LENGTH;

/** An Ethernet/IPv4 ARP packet (hardware type 1, protocol 0x0800). */
export type ArpPacket = {
  readonly operation: number;
  readonly senderMac: MacAddress;
  readonly senderIp: IpAddress;
  readonly targetMac: MacAddress;
  readonly targetIp: IpAddress;
};

export type ArpFrame = {
  readonly ethernetDestination: MacAddress;
  readonly ethernetSource: MacAddress;
  readonly arp: ArpPacket;
};

/** The frame keepalived sends for `vip` from `mac` (the interface MAC or the VMAC). */
export function gratuitousArp(mac: MacAddress, vip: IpAddress): ArpFrame {
  if (vip.family !== 'ipv4') throw new TypeError('gratuitous ARP is for IPv4 addresses');
  return {
    ethernetDestination: BROADCAST_MAC,
    ethernetSource: mac,
    arp: {
      operation: ARP_OP.request,
      senderMac: mac,
      senderIp: vip,
      targetMac: BROADCAST_MAC,
      targetIp: vip,
    },
  };
}

/** A gratuitous ARP announces its own address: sender IP = target IP. */
export function isGratuitous(arp: ArpPacket): boolean {
  return ipEquals(arp.senderIp, arp.targetIp);
}

/** Encode the 42-byte frame. Throws on non-IPv4 addresses or out-of-range operation. */
export function encodeArpFrame(frame: ArpFrame): Uint8Array {
  const { arp } = frame;
  if (arp.senderIp.family !== 'ipv4' || arp.targetIp.family !== 'ipv4') throw new TypeError('ARP needs IPv4');
  return new ByteWriter(ARP_FRAME_LENGTH)
    .bytes(
      encodeEthernetHeader({
        destination: frame.ethernetDestination,
        source: frame.ethernetSource,
        etherType: ETHERTYPE.arp,
      }),
    )
    .u16(1) // hardware type: Ethernet
    .u16(ETHERTYPE.ipv4)
    .u8(6)
    .u8(4)
    .u16(arp.operation)
    .bytes(arp.senderMac.bytes)
    .bytes(arp.senderIp.bytes)
    .bytes(arp.targetMac.bytes)
    .bytes(arp.targetIp.bytes)
    .finish();
}

/** Decode an Ethernet/IPv4 ARP frame; trailing link padding is ignored. */
export function decodeArpFrame(bytes: Uint8Array): Result<ArpFrame, FrameDecodeError> {
  const eth = decodeEthernetHeader(bytes, ETHERTYPE.arp);
  if (!eth.ok) return eth;
  if (bytes.length < ARP_FRAME_LENGTH) return drop('frame-truncated', `ARP frame of ${bytes.length} bytes`);
  const r = new ByteReader(bytes, ETHERNET_HEADER_LENGTH);
  const hardware = r.u16();
  const protocol = r.u16();
  const hlen = r.u8();
  const plen = r.u8();
  if (hardware !== 1 || protocol !== ETHERTYPE.ipv4 || hlen !== 6 || plen !== 4) {
    return drop(
      'arp-unsupported-format',
      `ARP htype ${hardware} ptype 0x${protocol.toString(16)} ${hlen}/${plen}`,
    );
  }
  const operation = r.u16();
  const arp = {
    operation,
    senderMac: macFromBytes(r.bytes(6)),
    senderIp: ipFromBytes(r.bytes(4)),
    targetMac: macFromBytes(r.bytes(6)),
    targetIp: ipFromBytes(r.bytes(4)),
  };
  return ok({ ethernetDestination: eth.value.destination, ethernetSource: eth.value.source, arp });
}
