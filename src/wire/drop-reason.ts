/**
 * @module Why a received VRRP packet was dropped, and which counter counts it.
 *
 * Every receive check (decoders in this folder and `vrrp-receive.ts`) has
 * exactly one `DropReason`; every reason maps to one counter name in RFC 2787
 * VRRP-MIB (used for VRRPv2 instances) and one in RFC 6527 VRRPv3-MIB (VRRPv3
 * instances). Checks that neither MIB counts (keepalived logs them, or they
 * are keepalived-ts' own defensive checks) map to a `kts*` counter name of
 * ours, exported by the daemon next to the MIB counters. `vrrp*Router*` names
 * are global (per router) counters; all others are per virtual router.
 */

import type { Err } from './result.js';
import { err } from './result.js';

/** One reason per receive check; the order follows the receive path. */
export type DropReason =
  // IPv4 header (raw socket delivers it; keepalived-ts re-checks it)
  | 'ip-truncated'
  | 'ip-bad-version'
  | 'ip-bad-header-length'
  | 'ip-bad-header-checksum'
  | 'ip-total-length-mismatch'
  | 'ip-bad-protocol'
  // IPsec AH header (RFC 2402; keepalived's VRRPv2 auth_type AH)
  | 'ah-truncated'
  | 'ah-bad-length'
  | 'ah-bad-next-header'
  // VRRP message, checks that need no configuration (RFC 5798 §7.1, RFC 3768 §7.1)
  | 'vrrp-truncated'
  | 'vrrp-bad-version'
  | 'vrrp-bad-type'
  | 'vrrp-length-mismatch'
  | 'vrrp-bad-checksum'
  | 'vrrp-invalid-auth-type'
  // checks against the instance configuration (vrrp-receive.ts)
  | 'ttl-not-255'
  | 'version-mismatch'
  | 'ah-presence-mismatch'
  | 'auth-type-mismatch'
  | 'auth-password-mismatch'
  | 'ah-icv-mismatch'
  | 'ah-spi-mismatch'
  | 'ah-sequence-replay'
  | 'adver-int-mismatch'
  | 'vrid-mismatch'
  | 'address-count-mismatch'
  | 'address-list-mismatch'
  | 'cast-mismatch'
  | 'unicast-source-not-peer'
  | 'unicast-ttl-out-of-range'
  | 'local-is-owner';

/** Counter names for one reason: RFC 2787 (VRRPv2) and RFC 6527 (VRRPv3) or a `kts*` name. */
export type DropCounter = {
  readonly vrrpMib: string;
  readonly vrrpv3Mib: string;
};

/** The same counter in both MIBs' spirit: a keepalived-ts-specific name. */
function kts(name: string): DropCounter {
  return { vrrpMib: name, vrrpv3Mib: name };
}

const PACKET_LENGTH: DropCounter = {
  vrrpMib: 'vrrpStatsPacketLengthErrors',
  vrrpv3Mib: 'vrrpv3StatisticsPacketLengthErrors',
};
const AUTH_FAILURE: DropCounter = { vrrpMib: 'vrrpStatsAuthFailures', vrrpv3Mib: 'ktsAuthFailures' };
const AUTH_TYPE_MISMATCH: DropCounter = {
  vrrpMib: 'vrrpStatsAuthTypeMismatch',
  vrrpv3Mib: 'ktsAuthTypeMismatch',
};
const TTL: DropCounter = { vrrpMib: 'vrrpStatsIpTtlErrors', vrrpv3Mib: 'vrrpv3StatisticsIpTtlErrors' };
const ADDRESS_LIST: DropCounter = {
  vrrpMib: 'vrrpStatsAddressListErrors',
  vrrpv3Mib: 'vrrpv3StatisticsAddressListErrors',
};

/**
 * reason -> counter. `kts*` names (no MIB object exists):
 * - ktsIpHeaderErrors: malformed IPv4 header (version, IHL, header checksum).
 * - ktsIpProtocolErrors: IPv4 protocol neither 112 (VRRP) nor 51 (AH).
 * - ktsAhHeaderErrors: AH payload length not 4 (HMAC-MD5-96) or next header not VRRP.
 * - ktsInvalidAuthType / ktsAuthFailures / ktsAuthTypeMismatch: VRRPv3 has no
 *   authentication (RFC 5798 §9), so its MIB has no such counters.
 * - ktsUnicastSourceErrors: source not in unicast_peer (keepalived logs only).
 * - ktsLocalOwnerDrops: RFC 5798 §7.1 "local router is the address owner" drop.
 */
export const DROP_COUNTERS: Readonly<Record<DropReason, DropCounter>> = {
  'ip-truncated': PACKET_LENGTH,
  'ip-bad-version': kts('ktsIpHeaderErrors'),
  'ip-bad-header-length': kts('ktsIpHeaderErrors'),
  'ip-bad-header-checksum': kts('ktsIpHeaderErrors'),
  'ip-total-length-mismatch': PACKET_LENGTH,
  'ip-bad-protocol': kts('ktsIpProtocolErrors'),
  'ah-truncated': PACKET_LENGTH,
  'ah-bad-length': kts('ktsAhHeaderErrors'),
  'ah-bad-next-header': kts('ktsAhHeaderErrors'),
  'vrrp-truncated': PACKET_LENGTH,
  'vrrp-bad-version': { vrrpMib: 'vrrpRouterVersionErrors', vrrpv3Mib: 'vrrpv3RouterVersionErrors' },
  'vrrp-bad-type': {
    vrrpMib: 'vrrpStatsInvalidTypePktsRcvd',
    vrrpv3Mib: 'vrrpv3StatisticsRcvdInvalidTypePackets',
  },
  'vrrp-length-mismatch': PACKET_LENGTH,
  'vrrp-bad-checksum': { vrrpMib: 'vrrpRouterChecksumErrors', vrrpv3Mib: 'vrrpv3RouterChecksumErrors' },
  'vrrp-invalid-auth-type': { vrrpMib: 'vrrpStatsInvalidAuthType', vrrpv3Mib: 'ktsInvalidAuthType' },
  'ttl-not-255': TTL,
  'version-mismatch': { vrrpMib: 'vrrpRouterVersionErrors', vrrpv3Mib: 'vrrpv3RouterVersionErrors' },
  'ah-presence-mismatch': AUTH_TYPE_MISMATCH,
  'auth-type-mismatch': AUTH_TYPE_MISMATCH,
  'auth-password-mismatch': AUTH_FAILURE,
  'ah-icv-mismatch': AUTH_FAILURE,
  'ah-spi-mismatch': AUTH_FAILURE,
  'ah-sequence-replay': AUTH_FAILURE,
  'adver-int-mismatch': {
    vrrpMib: 'vrrpStatsAdvertiseIntervalErrors',
    vrrpv3Mib: 'vrrpv3StatisticsAdvIntervalErrors',
  },
  'vrid-mismatch': { vrrpMib: 'vrrpRouterVrIdErrors', vrrpv3Mib: 'vrrpv3RouterVrIdErrors' },
  'address-count-mismatch': ADDRESS_LIST,
  'address-list-mismatch': ADDRESS_LIST,
  'cast-mismatch': ADDRESS_LIST,
  'unicast-source-not-peer': kts('ktsUnicastSourceErrors'),
  'unicast-ttl-out-of-range': TTL,
  'local-is-owner': kts('ktsLocalOwnerDrops'),
};

/** Every reason, in receive-path order (for counters tables and tests). */
export const DROP_REASONS: readonly DropReason[] = Object.keys(DROP_COUNTERS) as DropReason[];

/** The error every decoder and receive check returns: one reason, plus text for the log. */
export type DecodeError<R extends string = DropReason> = {
  readonly reason: R;
  readonly detail: string;
};

/** Shorthand used by the decoders. */
export function drop<R extends string>(reason: R, detail: string): Err<DecodeError<R>> {
  return err({ reason, detail });
}
