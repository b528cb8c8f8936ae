/**
 * @module Reception checks of RFC 5880 section 6.8.6, in the RFC's order, plus the
 * checks keepalived 2.2.7 adds (bfd.c `bfd_check_packet`, `bfd_check_packet_ttl`):
 * Poll and Final together, an undefined diagnostic, and the GTSM TTL rule of RFC 5881
 * extended by `max_hops`. keepalived has no authentication, so a packet with the A bit
 * is dropped (RFC: "discarded if no authentication is in use"). The session lookup
 * (your discriminator, else source address) is the shell's; its miss is `no-session`.
 */

import { err, ok, type Result } from '../wire/result.js';
import { BFD_HEADER_LENGTH, BFD_VERSION } from './constants.js';
import { BFD_DIAGNOSTICS, type BfdControlPacket, type BfdDropReason } from './types.js';

/** Checks that need no session: the packet on its own, with the datagram's size. */
export function checkBfdPacket(
  p: BfdControlPacket,
  datagramLength: number,
): Result<BfdControlPacket, BfdDropReason> {
  if (p.version !== BFD_VERSION) return err('bad-version');
  const minLength = p.authPresent ? BFD_HEADER_LENGTH + 2 : BFD_HEADER_LENGTH;
  if (p.length < minLength || p.length > datagramLength) return err('length-mismatch');
  if (p.detectMult === 0) return err('zero-detect-mult');
  if (p.multipoint) return err('multipoint');
  if (p.myDiscriminator === 0) return err('zero-my-discriminator');
  if (p.yourDiscriminator === 0 && p.state !== 'Down' && p.state !== 'AdminDown')
    return err('zero-your-discriminator');
  if (p.authPresent) return err('auth-unsupported');
  if (p.poll && p.final) return err('poll-and-final');
  if (p.diag >= BFD_DIAGNOSTICS.length) return err('bad-diagnostic');
  return ok(p);
}

/**
 * GTSM (RFC 5881 section 5): the received TTL must be the sent one (255), or within
 * `maxHops` of it. An unknown TTL (0: the socket could not report it) passes, as in
 * keepalived.
 */
export function checkBfdTtl(receivedTtl: number, expectedTtl: number, maxHops: number): boolean {
  return receivedTtl === 0 || receivedTtl + maxHops >= expectedTtl;
}
