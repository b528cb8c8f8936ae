/**
 * @module BFD Control packet codec (RFC 5880 section 4.1, mandatory section only).
 * Decoding reads the fields and checks only what it needs to read them; the
 * reception rules of section 6.8.6 live in validate.ts.
 */

import { err, ok, type Result } from '../wire/result.js';
import { BFD_HEADER_LENGTH, BFD_VERSION } from './constants.js';
import { BFD_STATES, type BfdControlPacket, type BfdDropReason, type BfdState } from './types.js';

const FLAG_POLL = 0x20;
const FLAG_FINAL = 0x10;
const FLAG_CPI = 0x08;
const FLAG_AUTH = 0x04;
const FLAG_DEMAND = 0x02;
const FLAG_MULTIPOINT = 0x01;

function u32(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`BFD ${what} out of range: ${n}`);
  return n;
}

/** The fields a sender chooses; the rest default to zero/false. */
export type BfdControlFields = Pick<
  BfdControlPacket,
  | 'diag'
  | 'state'
  | 'detectMult'
  | 'myDiscriminator'
  | 'yourDiscriminator'
  | 'desiredMinTxUs'
  | 'requiredMinRxUs'
> &
  Partial<
    Pick<BfdControlPacket, 'poll' | 'final' | 'demand' | 'controlPlaneIndependent' | 'requiredMinEchoRxUs'>
  >;

/** Encodes a Control packet without authentication (24 bytes). Throws on out-of-range fields. */
export function encodeBfdControl(p: BfdControlFields): Uint8Array {
  if (p.poll && p.final) throw new RangeError('BFD packet cannot carry both Poll and Final');
  if (!Number.isInteger(p.diag) || p.diag < 0 || p.diag > 31) throw new RangeError(`BFD diag ${p.diag}`);
  if (!Number.isInteger(p.detectMult) || p.detectMult < 1 || p.detectMult > 255)
    throw new RangeError(`BFD detect multiplier ${p.detectMult}`);
  const buf = new Uint8Array(BFD_HEADER_LENGTH);
  const view = new DataView(buf.buffer);
  buf[0] = (BFD_VERSION << 5) | p.diag;
  buf[1] =
    (BFD_STATES.indexOf(p.state) << 6) |
    (p.poll ? FLAG_POLL : 0) |
    (p.final ? FLAG_FINAL : 0) |
    (p.controlPlaneIndependent ? FLAG_CPI : 0) |
    (p.demand ? FLAG_DEMAND : 0);
  buf[2] = p.detectMult;
  buf[3] = BFD_HEADER_LENGTH;
  view.setUint32(4, u32(p.myDiscriminator, 'my discriminator'));
  view.setUint32(8, u32(p.yourDiscriminator, 'your discriminator'));
  view.setUint32(12, u32(p.desiredMinTxUs, 'desired min tx'));
  view.setUint32(16, u32(p.requiredMinRxUs, 'required min rx'));
  view.setUint32(20, u32(p.requiredMinEchoRxUs ?? 0, 'required min echo rx'));
  return buf;
}

/** Decodes the mandatory section; fails only when the bytes cannot hold it. */
export function decodeBfdControl(bytes: Uint8Array): Result<BfdControlPacket, BfdDropReason> {
  if (bytes.length < BFD_HEADER_LENGTH) return err('too-short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const b0 = bytes[0]!;
  const b1 = bytes[1]!;
  return ok({
    version: b0 >> 5,
    diag: b0 & 0x1f,
    state: BFD_STATES[b1 >> 6] as BfdState,
    poll: (b1 & FLAG_POLL) !== 0,
    final: (b1 & FLAG_FINAL) !== 0,
    controlPlaneIndependent: (b1 & FLAG_CPI) !== 0,
    authPresent: (b1 & FLAG_AUTH) !== 0,
    demand: (b1 & FLAG_DEMAND) !== 0,
    multipoint: (b1 & FLAG_MULTIPOINT) !== 0,
    detectMult: bytes[2]!,
    length: bytes[3]!,
    myDiscriminator: view.getUint32(4),
    yourDiscriminator: view.getUint32(8),
    desiredMinTxUs: view.getUint32(12),
    requiredMinRxUs: view.getUint32(16),
    requiredMinEchoRxUs: view.getUint32(20),
  });
}
