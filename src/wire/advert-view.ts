/**
 * @module The receive path's view of one advertisement, read where it lies: a channel
 * keeps one `AdvertView` and points it at each datagram in the socket's reused buffer.
 * Parsing runs the decoders' own checks (`ipv4HeaderProblem`, `ahHeaderProblem`,
 * `vrrpMessageProblem`, in `decodeIpv4Advert`'s order) and records where the fields
 * are; the receive checks then read it through `AdvertFacts`. Nothing is allocated for
 * an advert that passes: with 255 instances at 0.1 s a backup takes 2,550 adverts a
 * second, and every object made per packet was garbage for V8 to collect.
 *
 * A view is valid until the buffer is reused (the next datagram): whoever keeps
 * something from it copies it out (`copySource`, `toReceivedAdvert`).
 */

import type { AdvertFacts } from './advert-facts.js';
import { pseudoHeaderSumAt } from './checksum.js';
import { copyBytes } from './cursor.js';
import type { DropReason } from './drop-reason.js';
import type { IpAddress, IpFamily } from './ip.js';
import { addressLength, ipFromBytes } from './ip.js';
import { IPPROTO_AH, IPPROTO_VRRP, ipv4HeaderDropDetail, ipv4HeaderProblem } from './ipv4-header.js';
import type { VrrpAuthType } from './vrrp-auth.js';
import {
  AH_HEADER_LENGTH,
  ahHeaderDropDetail,
  ahHeaderProblem,
  decodeAhHeader,
  readU32,
  verifyAhIcv,
} from './vrrp-auth.js';
import type { VrrpPacket, VrrpVersion } from './vrrp-packet.js';
import { VRRP_HEADER_LENGTH, vrrpMessageDropDetail, vrrpMessageProblem } from './vrrp-packet.js';
import type { ReceivedAdvert } from './vrrp-receive.js';

const NO_BYTES = new Uint8Array(0);

/** Which decode stage a drop came from, for its log text. */
type Stage = 'ip' | 'protocol' | 'ah' | 'vrrp' | 'pktinfo';

export class AdvertView implements AdvertFacts {
  readonly family: IpFamily;
  readonly #addressLength: 4 | 16;
  #bytes: Uint8Array = NO_BYTES;
  #length = 0;
  #source: Uint8Array = NO_BYTES;
  #sourceAt = 0;
  #destination: Uint8Array = NO_BYTES;
  #destinationAt = 0;
  #ipHeaderLength = 0;
  #ahAt = -1;
  #vrrpAt = 0;
  #stage: Stage = 'ip';
  version = 0;
  vrid = 0;
  priority = 0;
  authType = 0;
  maxAdverIntCs = 0;
  addressCount = 0;
  ttl: number | null = null;
  hasAh = false;
  ahSpi = 0;
  ahSequence = 0;

  constructor(family: IpFamily) {
    this.family = family;
    this.#addressLength = addressLength(family);
  }

  /**
   * Points the view at a whole IPv4 datagram `bytes[0, length)` from a raw socket and
   * checks it: IPv4 header, protocol 112 or 51, AH header when 51, VRRP message (the
   * v3 checksum with the IPv4 pseudo-header). Returns the first drop, or null.
   */
  parseIpv4(bytes: Uint8Array, length: number): DropReason | null {
    this.#point(bytes, length);
    this.#stage = 'ip';
    const ipProblem = ipv4HeaderProblem(bytes, length);
    if (ipProblem !== null) return ipProblem;
    const protocol = bytes[9]!;
    this.#stage = 'protocol';
    if (protocol !== IPPROTO_VRRP && protocol !== IPPROTO_AH) return 'ip-bad-protocol';
    this.#ipHeaderLength = (bytes[0]! & 0x0f) * 4;
    this.#source = bytes;
    this.#sourceAt = 12;
    this.#destination = bytes;
    this.#destinationAt = 16;
    this.ttl = bytes[8]!;
    let at = this.#ipHeaderLength;
    if (protocol === IPPROTO_AH) {
      this.#stage = 'ah';
      const ahProblem = ahHeaderProblem(bytes, at, length);
      if (ahProblem !== null) return ahProblem;
      this.#ahAt = at;
      this.hasAh = true;
      this.ahSpi = readU32(bytes, at + 4);
      this.ahSequence = readU32(bytes, at + 8);
      at += AH_HEADER_LENGTH;
    }
    return this.#parseVrrp(at, true);
  }

  /**
   * Points the view at a VRRP message `bytes[0, length)` from an IPv6 raw socket, with
   * the addresses from the packet's metadata: the source at `sourceAt` in `source`, the
   * pktinfo destination at `destinationAt` in `destination` (null: the kernel sent none,
   * counted as vrrp-truncated since the checksum cannot be verified), and the hop limit.
   */
  parseIpv6(
    bytes: Uint8Array,
    length: number,
    source: Uint8Array,
    sourceAt: number,
    destination: Uint8Array | null,
    destinationAt: number,
    hopLimit: number | null,
  ): DropReason | null {
    this.#point(bytes, length);
    this.#stage = 'pktinfo';
    if (destination === null) return 'vrrp-truncated';
    this.#source = source;
    this.#sourceAt = sourceAt;
    this.#destination = destination;
    this.#destinationAt = destinationAt;
    this.ttl = hopLimit;
    return this.#parseVrrp(0, false);
  }

  #point(bytes: Uint8Array, length: number): void {
    this.#bytes = bytes;
    this.#length = length;
    this.#ipHeaderLength = 0;
    this.#ahAt = -1;
    this.hasAh = false;
    this.ahSpi = 0;
    this.ahSequence = 0;
  }

  #parseVrrp(at: number, ipv4PseudoHeader: boolean): DropReason | null {
    const b = this.#bytes;
    const end = this.#length;
    this.#stage = 'vrrp';
    this.#vrrpAt = at;
    const pseudo = pseudoHeaderSumAt(
      this.#source,
      this.#sourceAt,
      this.#destination,
      this.#destinationAt,
      this.#addressLength,
      IPPROTO_VRRP,
      end - at,
    );
    const problem = vrrpMessageProblem(b, at, end, this.family, pseudo, ipv4PseudoHeader);
    if (problem !== null) return problem;
    this.version = b[at]! >> 4;
    this.vrid = b[at + 1]!;
    this.priority = b[at + 2]!;
    this.addressCount = b[at + 3]!;
    if (this.version === 3) {
      this.authType = 0;
      this.maxAdverIntCs = ((b[at + 4]! << 8) | b[at + 5]!) & 0x0fff; // RFC 5798 §5.2.6: rsvd ignored
    } else {
      this.authType = b[at + 4]!;
      this.maxAdverIntCs = b[at + 5]! * 100;
    }
    return null;
  }

  /** The log text for a drop the last parse returned (built only for a dropped packet). */
  decodeDropDetail(reason: DropReason): string {
    const b = this.#bytes;
    switch (this.#stage) {
      case 'ip':
        return ipv4HeaderDropDetail(reason, b, this.#length);
      case 'protocol':
        return `IP protocol ${b[9]}, expected 112 or 51`;
      case 'ah':
        return ahHeaderDropDetail(reason, b, this.#ipHeaderLength, this.#length);
      case 'vrrp':
        return vrrpMessageDropDetail(reason, b, this.#vrrpAt, this.#length, this.family);
      case 'pktinfo':
        return 'no IPV6_PKTINFO destination: the checksum cannot be verified';
    }
  }

  /** Offset of the first advertised address. */
  get #addressesAt(): number {
    return this.#vrrpAt + VRRP_HEADER_LENGTH;
  }

  destinationIsMulticast(): boolean {
    const first = this.#destination[this.#destinationAt]!;
    return this.family === 'ipv4' ? (first & 0xf0) === 0xe0 : first === 0xff;
  }

  authDataEquals(expected: Uint8Array): boolean {
    const at = this.#addressesAt + this.addressCount * this.#addressLength;
    if (this.#length - at !== expected.length) return false;
    let diff = 0; // no early exit, as equalBytes
    for (let i = 0; i < expected.length; i++) diff |= this.#bytes[at + i]! ^ expected[i]!;
    return diff === 0;
  }

  hasAddress(address: IpAddress): boolean {
    if (address.family !== this.family) return false;
    const len = this.#addressLength;
    for (let i = 0, at = this.#addressesAt; i < this.addressCount; i++, at += len) {
      if (sameBytes(this.#bytes, at, address.bytes, len)) return true;
    }
    return false;
  }

  sourceEquals(address: IpAddress): boolean {
    return address.family === this.family && this.sourceIs(address.bytes);
  }

  /** The source address equals `bytes` (4 or 16 bytes, network order). */
  sourceIs(bytes: Uint8Array): boolean {
    return (
      bytes.length === this.#addressLength && sameBytes(this.#source, this.#sourceAt, bytes, bytes.length)
    );
  }

  sourceSpi(): number {
    return readU32(this.#source, this.#sourceAt);
  }

  ahIcvVerifies(key: Uint8Array, zeroTtl: boolean): boolean {
    if (this.#ahAt < 0) return false;
    const datagram = this.#bytes.subarray(0, this.#length);
    return verifyAhIcv(datagram, this.#ipHeaderLength, key, zeroTtl);
  }

  /** A copy of the source address bytes (what outlives the buffer). */
  copySource(): Uint8Array {
    return copyBytes(this.#source.subarray(this.#sourceAt, this.#sourceAt + this.#addressLength));
  }

  sourceAddress(): IpAddress {
    return ipFromBytes(this.#source.subarray(this.#sourceAt, this.#sourceAt + this.#addressLength));
  }

  /** The accepted advert as decoded values, copied out of the buffer (tests and tools). */
  toReceivedAdvert(): ReceivedAdvert {
    const len = this.#addressLength;
    const addresses: IpAddress[] = [];
    for (let i = 0, at = this.#addressesAt; i < this.addressCount; i++, at += len) {
      addresses.push(ipFromBytes(this.#bytes.subarray(at, at + len)));
    }
    const authAt = this.#addressesAt + this.addressCount * len;
    const packet: VrrpPacket = {
      version: this.version as VrrpVersion,
      family: this.family,
      vrid: this.vrid,
      priority: this.priority,
      maxAdverIntCs: this.maxAdverIntCs,
      addresses,
      authType: this.authType as VrrpAuthType,
      authData: copyBytes(this.#bytes.subarray(authAt, this.#length)),
    };
    const destination = ipFromBytes(
      this.#destination.subarray(this.#destinationAt, this.#destinationAt + len),
    );
    const datagram = copyBytes(this.#bytes.subarray(0, this.#length));
    const ah = this.#ahAt < 0 ? null : decodeAhHeader(datagram.subarray(this.#ahAt));
    return {
      packet,
      source: this.sourceAddress(),
      destination,
      ttl: this.ttl,
      ah: ah?.ok ? { header: ah.value, datagram, ipHeaderLength: this.#ipHeaderLength } : null,
    };
  }
}

/** `a[at, at + n)` equals `b[0, n)`. */
function sameBytes(a: Uint8Array, at: number, b: Uint8Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[at + i] !== b[i]) return false;
  return true;
}
