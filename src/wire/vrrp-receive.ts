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

import type { DecodeError } from './drop-reason.js';
import { drop } from './drop-reason.js';
import type { IpAddress, IpFamily } from './ip.js';
import { formatIp, ipEquals, isMulticast } from './ip.js';
import { VRRP_TTL } from './ipv4-header.js';
import type { Err, Result } from './result.js';
import { ok } from './result.js';
import type { AhHeader, VrrpAuthType } from './vrrp-auth.js';
import { equalBytes, VRRP_AUTH, verifyAhIcv } from './vrrp-auth.js';
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

/** One receive check: null to pass, or the drop. */
type Check = (rx: ReceivedAdvert, want: InstanceExpectations) => Err<DecodeError> | null;

const checkAhPresence: Check = (rx, want) => {
  if (want.family !== 'ipv4' || (rx.ah !== null) === (want.authType === VRRP_AUTH.ah)) return null;
  return drop(
    'ah-presence-mismatch',
    rx.ah ? 'AH header but auth type is not AH' : 'no AH header but auth type is AH',
  );
};

// RFC 5798 §7.1 / RFC 3768 §7.1: MUST verify TTL/Hop Limit 255 (keepalived: multicast instances only).
const checkTtl: Check = (rx, want) => {
  if (want.unicastPeers.length > 0 || rx.ttl === null || rx.ttl === VRRP_TTL) return null;
  return drop('ttl-not-255', `TTL/hop limit ${rx.ttl}, expected ${VRRP_TTL}`);
};

// RFC 5798 §7.1: MUST verify the VRRP version field.
const checkVersion: Check = (rx, want) =>
  rx.packet.version === want.version
    ? null
    : drop('version-mismatch', `VRRPv${rx.packet.version} received, instance runs v${want.version}`);

// RFC 5798 §7.1: MUST verify that the VRID is configured on the receiving interface.
const checkVrid: Check = (rx, want) =>
  rx.packet.vrid === want.vrid
    ? null
    : drop('vrid-mismatch', `VRID ${rx.packet.vrid}, expected ${want.vrid}`);

// RFC 5798 §7.1: ... and that the local router is not the IPvX address owner.
const checkOwner: Check = (_rx, want) =>
  want.dropIfLocalOwner && want.localPriority === 255
    ? drop('local-is-owner', 'local router is the owner')
    : null;

// RFC 3768 §7.1: MUST perform the authentication specified by Auth Type.
const checkAuth: Check = (rx, want) => {
  const p = rx.packet;
  if (p.version !== 2) return null;
  if (p.authType !== want.authType)
    return drop('auth-type-mismatch', `auth type ${p.authType}, expected ${want.authType}`);
  if (p.authType === VRRP_AUTH.pass && p.family === 'ipv4' && !equalBytes(p.authData, want.authData)) {
    return drop('auth-password-mismatch', 'authentication password differs');
  }
  if (p.authType !== VRRP_AUTH.ah || rx.ah === null) return null;
  const { header, datagram, ipHeaderLength } = rx.ah;
  if (!verifyAhIcv(datagram, ipHeaderLength, want.authData, want.unicastPeers.length > 0)) {
    return drop('ah-icv-mismatch', 'IPSEC-AH HMAC-MD5 value differs (field mutation or bad password)');
  }
  const src = rx.source.bytes;
  const spi = ((src[0]! << 24) | (src[1]! << 16) | (src[2]! << 8) | src[3]!) >>> 0;
  if (header.spi !== spi)
    return drop('ah-spi-mismatch', `AH SPI 0x${header.spi.toString(16)} is not the source`);
  if (header.sequence <= want.ahLastSequence) {
    return drop(
      'ah-sequence-replay',
      `AH sequence ${header.sequence} already processed (${want.ahLastSequence})`,
    );
  }
  return null;
};

// RFC 3768 §7.1: MUST verify that the Adver Interval is the locally configured one (v2 only).
const checkAdverInt: Check = (rx, want) =>
  rx.packet.version !== 2 || rx.packet.maxAdverIntCs === want.adverIntCs
    ? null
    : drop(
        'adver-int-mismatch',
        `adver int ${rx.packet.maxAdverIntCs / 100} s, mine ${want.adverIntCs / 100} s`,
      );

const checkCount: Check = (rx, want) =>
  !want.checkAddresses || rx.packet.addresses.length === want.addresses.length
    ? null
    : drop(
        'address-count-mismatch',
        `${rx.packet.addresses.length} addresses, expected ${want.addresses.length}`,
      );

// keepalived: a multicast instance accepts only multicast adverts, a unicast one only unicast.
const checkCast: Check = (rx, want) =>
  isMulticast(rx.destination) === (want.unicastPeers.length === 0)
    ? null
    : drop(
        'cast-mismatch',
        `${isMulticast(rx.destination) ? 'multicast' : 'unicast'} advert on the other kind of instance`,
      );

// RFC 5798 §7.1 MAY verify the address list; keepalived drops on any mismatch,
// even from an owner (RFC 3768 would continue for priority 255) — interop wins.
const checkAddressList: Check = (rx, want) => {
  if (!want.checkAddresses) return null;
  const missing = want.addresses.find((a) => !rx.packet.addresses.some((b) => ipEquals(a, b)));
  return missing ? drop('address-list-mismatch', `${formatIp(missing)} not in the advert`) : null;
};

const checkUnicastSource: Check = (rx, want) => {
  if (!want.checkAddresses || want.unicastPeers.length === 0 || !want.checkUnicastSource) return null;
  const peer = want.unicastPeers.find((p) => ipEquals(p.address, rx.source));
  if (!peer) return drop('unicast-source-not-peer', `${formatIp(rx.source)} is not a unicast peer`);
  if (rx.ttl !== null && (rx.ttl < peer.minTtl || rx.ttl > peer.maxTtl)) {
    return drop('unicast-ttl-out-of-range', `TTL ${rx.ttl} not in ${peer.minTtl}-${peer.maxTtl}`);
  }
  return null;
};

/** keepalived 2.2.7's order, with the RFC's VRID/owner checks where keepalived dispatches by VRID. */
const CHECKS: readonly Check[] = [
  checkVrid,
  checkOwner,
  checkAhPresence,
  checkTtl,
  checkVersion,
  checkAuth,
  checkAdverInt,
  checkCount,
  checkCast,
  checkAddressList,
  checkUnicastSource,
];

/**
 * Accept the advertisement (ok with the packet) or name the first check it fails.
 * Never throws on packet contents; an advert whose family differs from the
 * instance's is a wiring bug (IPv4 and IPv6 use different sockets) and throws.
 */
export function checkReceivedAdvert(
  rx: ReceivedAdvert,
  want: InstanceExpectations,
): Result<VrrpPacket, DecodeError> {
  if (rx.packet.family !== want.family) {
    throw new TypeError('advert family differs from instance family: the socket layer mixed them up');
  }
  for (const check of CHECKS) {
    const verdict = check(rx, want);
    if (verdict !== null) return verdict;
  }
  return ok(rx.packet);
}
