/**
 * @module Receive checks that need the instance configuration (RFC 5798 §7.1, RFC 3768 §7.1).
 *
 * Runs after a decoder has accepted the bytes (length, version 2/3, type,
 * checksum, v2 auth type are checked there). Pure: given the decoded packet,
 * the IP metadata and what the instance expects, it returns the packet or one
 * `DropReason`. The order of checks follows keepalived 2.2.7's
 * vrrp_check_packet, so both daemons count the same packet under the same
 * counter; where keepalived is stricter or looser than the RFC it says so.
 * Stateful parts (AH anti-replay) are inputs: the caller stores
 * `ah.sequence` as the new `ahLastSequence` when the packet is accepted.
 */

import type { AdvertFacts } from './advert-facts.js';
import { decodedAdvertFacts } from './advert-facts.js';
import type { DecodeError, DropReason } from './drop-reason.js';
import { drop } from './drop-reason.js';
import type { IpAddress, IpFamily } from './ip.js';
import { formatIp } from './ip.js';
import { VRRP_TTL } from './ipv4-header.js';
import type { Result } from './result.js';
import { ok } from './result.js';
import type { AhHeader, VrrpAuthType } from './vrrp-auth.js';
import { VRRP_AUTH } from './vrrp-auth.js';
import type { Ipv4Advert } from './vrrp-ipv4.js';
import type { VrrpPacket, VrrpVersion } from './vrrp-packet.js';

/** A decoded advertisement with the IP metadata the checks need. */
export type ReceivedAdvert = {
  readonly packet: VrrpPacket;
  readonly source: IpAddress;
  /** The IP destination (IPv4 header, or IPV6_PKTINFO): multicast or unicast. */
  readonly destination: IpAddress;
  /** IPv4 TTL or IPv6 Hop Limit (IPV6_HOPLIMIT cmsg); null when not received. */
  readonly ttl: number | null;
  /** IPv4 with AH: the header, the whole datagram and its IPv4 header length (for the ICV). */
  readonly ah: {
    readonly header: AhHeader;
    readonly datagram: Uint8Array;
    readonly ipHeaderLength: number;
  } | null;
};

/** The receive view of a decoded IPv4 datagram (TTL from its header, AH with its bytes). */
export function receivedFromIpv4(advert: Ipv4Advert): ReceivedAdvert {
  const { ip, ah, vrrp, datagram } = advert;
  return {
    packet: vrrp,
    source: ip.source,
    destination: ip.destination,
    ttl: ip.ttl,
    ah: ah ? { header: ah, datagram, ipHeaderLength: ip.headerLength } : null,
  };
}

/** keepalived `unicast_peer` entry with its optional `min_ttl` / `max_ttl`. */
export type UnicastPeer = {
  readonly address: IpAddress;
  readonly minTtl: number;
  readonly maxTtl: number;
};

/** What one configured instance expects of an advertisement. */
export type InstanceExpectations = {
  readonly version: VrrpVersion;
  readonly family: IpFamily;
  readonly vrid: number;
  /** Configured virtual addresses (keepalived `virtual_ipaddress`, not `_excluded`). */
  readonly addresses: readonly IpAddress[];
  /** Check count and list of addresses (keepalived `check_vip_addr`; off with skip_check_adv_addr). */
  readonly checkAddresses: boolean;
  /** v2 only; NONE for v3. */
  readonly authType: VrrpAuthType;
  /** The 8-byte PASS data / AH key (`authDataFromPassword(auth_pass)`). */
  readonly authData: Uint8Array;
  /** AH anti-replay: highest sequence number accepted so far (0 initially). */
  readonly ahLastSequence: number;
  /** Configured advert_int in centiseconds (checked for v2 only, RFC 3768 §7.1). */
  readonly adverIntCs: number;
  /** Empty: multicast instance. */
  readonly unicastPeers: readonly UnicastPeer[];
  /** keepalived `check_unicast_src` (global or per instance). */
  readonly checkUnicastSource: boolean;
  /**
   * RFC 5798 §7.1: drop when the local router is the address owner (priority
   * 255). keepalived 2.2.7 does not drop (it lets the state machine compare),
   * so keepalived-ts passes false for interoperability; true is RFC-strict.
   */
  readonly dropIfLocalOwner: boolean;
  /** This instance's configured priority (for `dropIfLocalOwner`). */
  readonly localPriority: number;
};

/**
 * `base` with its AH anti-replay state, built field by field: every instance's
 * expectations then share one V8 hidden class. A spread (`{ ...base, ahLastSequence }`)
 * gives most of them a class of their own, and the checks, which read them on every
 * advert, went megamorphic over 255 instances.
 */
export function withAhLastSequence(
  base: Omit<InstanceExpectations, 'ahLastSequence'>,
  ahLastSequence: number,
): InstanceExpectations {
  return {
    version: base.version,
    family: base.family,
    vrid: base.vrid,
    addresses: base.addresses,
    checkAddresses: base.checkAddresses,
    authType: base.authType,
    authData: base.authData,
    ahLastSequence,
    adverIntCs: base.adverIntCs,
    unicastPeers: base.unicastPeers,
    checkUnicastSource: base.checkUnicastSource,
    dropIfLocalOwner: base.dropIfLocalOwner,
    localPriority: base.localPriority,
  };
}

/** One receive check: null to pass, or the reason to drop. Allocates nothing. */
type Check = (rx: AdvertFacts, want: InstanceExpectations) => DropReason | null;

const checkAhPresence: Check = (rx, want) =>
  want.family !== 'ipv4' || rx.hasAh === (want.authType === VRRP_AUTH.ah) ? null : 'ah-presence-mismatch';

// RFC 5798 §7.1 / RFC 3768 §7.1: MUST verify TTL/Hop Limit 255 (keepalived: multicast instances only).
const checkTtl: Check = (rx, want) =>
  want.unicastPeers.length > 0 || rx.ttl === null || rx.ttl === VRRP_TTL ? null : 'ttl-not-255';

// RFC 5798 §7.1: MUST verify the VRRP version field.
const checkVersion: Check = (rx, want) => (rx.version === want.version ? null : 'version-mismatch');

// RFC 5798 §7.1: MUST verify that the VRID is configured on the receiving interface.
const checkVrid: Check = (rx, want) => (rx.vrid === want.vrid ? null : 'vrid-mismatch');

// RFC 5798 §7.1: ... and that the local router is not the IPvX address owner.
const checkOwner: Check = (_rx, want) =>
  want.dropIfLocalOwner && want.localPriority === 255 ? 'local-is-owner' : null;

// RFC 3768 §7.1: MUST perform the authentication specified by Auth Type.
const checkAuth: Check = (rx, want) => {
  if (rx.version !== 2) return null;
  if (rx.authType !== want.authType) return 'auth-type-mismatch';
  if (rx.authType === VRRP_AUTH.pass && rx.family === 'ipv4' && !rx.authDataEquals(want.authData)) {
    return 'auth-password-mismatch';
  }
  if (rx.authType !== VRRP_AUTH.ah || !rx.hasAh) return null;
  if (!rx.ahIcvVerifies(want.authData, want.unicastPeers.length > 0)) return 'ah-icv-mismatch';
  if (rx.ahSpi !== rx.sourceSpi()) return 'ah-spi-mismatch';
  if (rx.ahSequence <= want.ahLastSequence) return 'ah-sequence-replay';
  return null;
};

// RFC 3768 §7.1: MUST verify that the Adver Interval is the locally configured one (v2 only).
const checkAdverInt: Check = (rx, want) =>
  rx.version !== 2 || rx.maxAdverIntCs === want.adverIntCs ? null : 'adver-int-mismatch';

const checkCount: Check = (rx, want) =>
  !want.checkAddresses || rx.addressCount === want.addresses.length ? null : 'address-count-mismatch';

// keepalived: a multicast instance accepts only multicast adverts, a unicast one only unicast.
const checkCast: Check = (rx, want) =>
  rx.destinationIsMulticast() === (want.unicastPeers.length === 0) ? null : 'cast-mismatch';

/** The first configured address the advert does not carry, or null. */
function missingAddress(rx: AdvertFacts, want: InstanceExpectations): IpAddress | null {
  const list = want.addresses;
  for (let i = 0; i < list.length; i++) if (!rx.hasAddress(list[i]!)) return list[i]!;
  return null;
}

// RFC 5798 §7.1 MAY verify the address list; keepalived drops on any mismatch,
// even from an owner (RFC 3768 would continue for priority 255) — interop wins.
const checkAddressList: Check = (rx, want) =>
  want.checkAddresses && missingAddress(rx, want) !== null ? 'address-list-mismatch' : null;

/** The unicast_peer entry the advert came from, or null. */
function sendingPeer(rx: AdvertFacts, want: InstanceExpectations): UnicastPeer | null {
  for (const p of want.unicastPeers) if (rx.sourceEquals(p.address)) return p;
  return null;
}

const checkUnicastSource: Check = (rx, want) => {
  if (!want.checkAddresses || want.unicastPeers.length === 0 || !want.checkUnicastSource) return null;
  const peer = sendingPeer(rx, want);
  if (peer === null) return 'unicast-source-not-peer';
  if (rx.ttl !== null && (rx.ttl < peer.minTtl || rx.ttl > peer.maxTtl)) return 'unicast-ttl-out-of-range';
  return null;
};

/**
 * The first receive check the advertisement fails, or null to accept it. Allocates
 * nothing: the receive path runs it for every advert and every instance of its VRID.
 * An advert whose family differs from the instance's is a wiring bug (IPv4 and IPv6
 * use different sockets) and throws.
 */
export function firstReceiveDrop(rx: AdvertFacts, want: InstanceExpectations): DropReason | null {
  if (rx.family !== want.family) {
    throw new TypeError('advert family differs from instance family: the socket layer mixed them up');
  }
  // keepalived 2.2.7's order, with the RFC's VRID/owner checks where keepalived dispatches
  // by VRID. Called one by one, not through a table, so V8 can inline each check here.
  return (
    checkVrid(rx, want) ??
    checkOwner(rx, want) ??
    checkAhPresence(rx, want) ??
    checkTtl(rx, want) ??
    checkVersion(rx, want) ??
    checkAuth(rx, want) ??
    checkAdverInt(rx, want) ??
    checkCount(rx, want) ??
    checkCast(rx, want) ??
    checkAddressList(rx, want) ??
    checkUnicastSource(rx, want)
  );
}

/** The log text for a drop `firstReceiveDrop` returned (built only for a dropped packet). */
export function receiveDropDetail(reason: DropReason, rx: AdvertFacts, want: InstanceExpectations): string {
  switch (reason) {
    case 'ah-presence-mismatch':
      return rx.hasAh ? 'AH header but auth type is not AH' : 'no AH header but auth type is AH';
    case 'ttl-not-255':
      return `TTL/hop limit ${rx.ttl}, expected ${VRRP_TTL}`;
    case 'version-mismatch':
      return `VRRPv${rx.version} received, instance runs v${want.version}`;
    case 'vrid-mismatch':
      return `VRID ${rx.vrid}, expected ${want.vrid}`;
    case 'local-is-owner':
      return 'local router is the owner';
    case 'auth-type-mismatch':
      return `auth type ${rx.authType}, expected ${want.authType}`;
    case 'auth-password-mismatch':
      return 'authentication password differs';
    case 'ah-icv-mismatch':
      return 'IPSEC-AH HMAC-MD5 value differs (field mutation or bad password)';
    case 'ah-spi-mismatch':
      return `AH SPI 0x${rx.ahSpi.toString(16)} is not the source`;
    case 'ah-sequence-replay':
      return `AH sequence ${rx.ahSequence} already processed (${want.ahLastSequence})`;
    case 'adver-int-mismatch':
      return `adver int ${rx.maxAdverIntCs / 100} s, mine ${want.adverIntCs / 100} s`;
    case 'address-count-mismatch':
      return `${rx.addressCount} addresses, expected ${want.addresses.length}`;
    case 'cast-mismatch':
      return `${rx.destinationIsMulticast() ? 'multicast' : 'unicast'} advert on the other kind of instance`;
    case 'address-list-mismatch': {
      const missing = missingAddress(rx, want);
      return missing ? `${formatIp(missing)} not in the advert` : reason;
    }
    case 'unicast-source-not-peer':
      return `${formatIp(rx.sourceAddress())} is not a unicast peer`;
    case 'unicast-ttl-out-of-range': {
      const peer = sendingPeer(rx, want);
      return peer ? `TTL ${rx.ttl} not in ${peer.minTtl}-${peer.maxTtl}` : reason;
    }
    default:
      return reason;
  }
}

/**
 * Accept the advertisement (ok with the packet) or name the first check it fails.
 * Never throws on packet contents; an advert whose family differs from the
 * instance's is a wiring bug (IPv4 and IPv6 use different sockets) and throws.
 */
export function checkReceivedAdvert(
  rx: ReceivedAdvert,
  want: InstanceExpectations,
): Result<VrrpPacket, DecodeError> {
  const facts = decodedAdvertFacts(rx);
  const reason = firstReceiveDrop(facts, want);
  return reason === null ? ok(rx.packet) : drop(reason, receiveDropDetail(reason, facts, want));
}
