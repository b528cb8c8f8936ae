/**
 * @module What the receive checks (vrrp-receive.ts) read of an advertisement, as an
 * interface: the receive path's in-place view (advert-view.ts) answers without
 * allocating, and decoded values (`ReceivedAdvert`) answer through an adapter here.
 */

import type { IpAddress, IpFamily } from './ip.js';
import { ipEquals, isMulticast } from './ip.js';
import { equalBytes, verifyAhIcv } from './vrrp-auth.js';
import type { ReceivedAdvert } from './vrrp-receive.js';

/**
 * What the receive checks read of an advertisement. The receive path's in-place view
 * (`AdvertView`) implements it without allocating; `checkReceivedAdvert` wraps decoded
 * values in it. Methods rather than arrays, so a view compares addresses where they lie.
 */
export interface AdvertFacts {
  readonly family: IpFamily;
  readonly version: number;
  readonly vrid: number;
  readonly authType: number;
  readonly maxAdverIntCs: number;
  readonly addressCount: number;
  /** IPv4 TTL or IPv6 Hop Limit; null when not received. */
  readonly ttl: number | null;
  readonly hasAh: boolean;
  /** AH SPI and sequence number (0 without AH). */
  readonly ahSpi: number;
  readonly ahSequence: number;
  destinationIsMulticast(): boolean;
  /** The 8 bytes of VRRPv2 Authentication Data equal `expected`. */
  authDataEquals(expected: Uint8Array): boolean;
  /** `address` is one of the advertised addresses. */
  hasAddress(address: IpAddress): boolean;
  sourceEquals(address: IpAddress): boolean;
  /** The IPv4 source as a 32-bit number (what keepalived puts in the AH SPI). */
  sourceSpi(): number;
  ahIcvVerifies(key: Uint8Array, zeroTtl: boolean): boolean;
  /** The source as a value (allocates: for log text). */
  sourceAddress(): IpAddress;
}

/** `AdvertFacts` of an advertisement decoded into values (tests, tools, the fuzz harness). */
class DecodedAdvertFacts implements AdvertFacts {
  readonly #rx: ReceivedAdvert;
  readonly family: IpFamily;
  readonly version: number;
  readonly vrid: number;
  readonly authType: number;
  readonly maxAdverIntCs: number;
  readonly addressCount: number;
  readonly ttl: number | null;
  readonly hasAh: boolean;
  readonly ahSpi: number;
  readonly ahSequence: number;

  constructor(rx: ReceivedAdvert) {
    const p = rx.packet;
    this.#rx = rx;
    this.family = p.family;
    this.version = p.version;
    this.vrid = p.vrid;
    this.authType = p.authType;
    this.maxAdverIntCs = p.maxAdverIntCs;
    this.addressCount = p.addresses.length;
    this.ttl = rx.ttl;
    this.hasAh = rx.ah !== null;
    this.ahSpi = rx.ah?.header.spi ?? 0;
    this.ahSequence = rx.ah?.header.sequence ?? 0;
  }

  destinationIsMulticast(): boolean {
    return isMulticast(this.#rx.destination);
  }

  authDataEquals(expected: Uint8Array): boolean {
    return equalBytes(this.#rx.packet.authData, expected);
  }

  hasAddress(address: IpAddress): boolean {
    return this.#rx.packet.addresses.some((b) => ipEquals(address, b));
  }

  sourceEquals(address: IpAddress): boolean {
    return ipEquals(address, this.#rx.source);
  }

  sourceSpi(): number {
    const src = this.#rx.source.bytes;
    return ((src[0]! << 24) | (src[1]! << 16) | (src[2]! << 8) | src[3]!) >>> 0;
  }

  ahIcvVerifies(key: Uint8Array, zeroTtl: boolean): boolean {
    const ah = this.#rx.ah;
    return ah !== null && verifyAhIcv(ah.datagram, ah.ipHeaderLength, key, zeroTtl);
  }

  sourceAddress(): IpAddress {
    return this.#rx.source;
  }
}

/** The facts of a decoded advertisement. */
export function decodedAdvertFacts(rx: ReceivedAdvert): AdvertFacts {
  return new DecodedAdvertFacts(rx);
}
