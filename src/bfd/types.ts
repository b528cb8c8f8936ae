/**
 * @module BFD types: session states and diagnostics as on the wire (RFC 5880 section 4.1),
 * the decoded Control packet, and the reasons a received packet is dropped.
 */

export type BfdState = 'AdminDown' | 'Down' | 'Init' | 'Up';

/** Wire values of the Sta field, in order. */
export const BFD_STATES: readonly BfdState[] = ['AdminDown', 'Down', 'Init', 'Up'];

/** Diagnostic codes (RFC 5880 section 4.1), named as keepalived logs them. */
export const BFD_DIAGNOSTICS = [
  'No Diagnostic',
  'Control Detection Time Expired',
  'Echo Function Failed',
  'Neighbor Signaled Session Down',
  'Forwarding Plane Reset',
  'Path Down',
  'Concatenated Path Down',
  'Administratively Down',
  'Reverse Concatenated Path Down',
] as const;

export const DIAG_NONE = 0;
export const DIAG_EXPIRED = 1;
export const DIAG_NEIGHBOR_DOWN = 3;
export const DIAG_ADMIN_DOWN = 7;

export function diagnosticText(code: number): string {
  return BFD_DIAGNOSTICS[code] ?? 'Unknown';
}

/** A BFD Control packet, all intervals in microseconds as on the wire. */
export interface BfdControlPacket {
  readonly version: number;
  readonly diag: number;
  readonly state: BfdState;
  readonly poll: boolean;
  readonly final: boolean;
  readonly controlPlaneIndependent: boolean;
  readonly authPresent: boolean;
  readonly demand: boolean;
  readonly multipoint: boolean;
  readonly detectMult: number;
  /** The Length field (24 without authentication). */
  readonly length: number;
  readonly myDiscriminator: number;
  readonly yourDiscriminator: number;
  readonly desiredMinTxUs: number;
  readonly requiredMinRxUs: number;
  readonly requiredMinEchoRxUs: number;
}

/**
 * Why a received packet was dropped: one check, one reason, one counter (RFC 5880
 * section 6.8.6 in its order, then keepalived's extra checks and the session lookup).
 */
export type BfdDropReason =
  | 'too-short'
  | 'bad-version'
  | 'length-mismatch'
  | 'zero-detect-mult'
  | 'multipoint'
  | 'zero-my-discriminator'
  | 'zero-your-discriminator'
  | 'no-session'
  | 'auth-unsupported'
  | 'poll-and-final'
  | 'bad-diagnostic'
  | 'ttl'
  | 'admin-down';

export const BFD_DROP_REASONS: readonly BfdDropReason[] = [
  'too-short',
  'bad-version',
  'length-mismatch',
  'zero-detect-mult',
  'multipoint',
  'zero-my-discriminator',
  'zero-your-discriminator',
  'no-session',
  'auth-unsupported',
  'poll-and-final',
  'bad-diagnostic',
  'ttl',
  'admin-down',
];
