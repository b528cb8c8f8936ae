/**
 * @module Payload codecs of scalar attribute kinds (see `ScalarKind` in attr.ts): fixed-size
 * integers in host or network order, strings, addresses, flags and raw bytes. Decoding
 * returns `undefined` for a payload of the wrong size; encoding asserts its preconditions.
 */

import type { ScalarKind } from './attr.js';
import { assertInt, concatBytes, view } from './bytes.js';

/** Payload size of the fixed-size kinds, bytes. */
const FIXED: Partial<Record<ScalarKind, number>> = {
  u8: 1,
  u16: 2,
  be16: 2,
  u32: 4,
  s32: 4,
  be32: 4,
  u64: 8,
};
const utf8 = new TextDecoder('utf-8');
const utf8enc = new TextEncoder();

/** A scalar payload as a value, or undefined when its size does not fit the kind. */
export function decodeScalar(kind: ScalarKind, p: Uint8Array): unknown {
  const fixed = FIXED[kind];
  if (fixed !== undefined && p.length !== fixed) return undefined;
  const dv = view(p);
  switch (kind) {
    case 'u8':
      return p[0];
    case 'u16':
      return dv.getUint16(0, true);
    case 'be16':
      return dv.getUint16(0, false);
    case 'u32':
      return dv.getUint32(0, true);
    case 'be32':
      return dv.getUint32(0, false);
    case 's32':
      return dv.getInt32(0, true);
    case 'u64':
      return dv.getBigUint64(0, true);
    case 'string':
    case 'chars': {
      const nul = p.indexOf(0);
      return utf8.decode(nul < 0 ? p : p.subarray(0, nul));
    }
    case 'ipv4':
      return p.length === 4 ? p.slice() : undefined;
    case 'ipv6':
      return p.length === 16 ? p.slice() : undefined;
    case 'ip':
      return p.length === 4 || p.length === 16 ? p.slice() : undefined;
    case 'flag':
      return p.length === 0 ? true : undefined;
    case 'binary':
      return p.slice();
  }
}

function int(size: number, write: (dv: DataView) => void): Uint8Array {
  const b = new Uint8Array(size);
  write(view(b));
  return b;
}

/** A value as a scalar payload; throws RangeError when it does not fit the kind. */
export function encodeScalar(kind: ScalarKind, v: unknown, field: string): Uint8Array {
  const num = v as number;
  switch (kind) {
    case 'u8':
      assertInt(num, 0, 0xff, field);
      return Uint8Array.of(num);
    case 'u16':
    case 'be16':
      assertInt(num, 0, 0xffff, field);
      return int(2, (dv) => dv.setUint16(0, num, kind === 'u16'));
    case 'u32':
    case 'be32':
      assertInt(num, 0, 0xffffffff, field);
      return int(4, (dv) => dv.setUint32(0, num, kind === 'u32'));
    case 's32':
      assertInt(num, -0x80000000, 0x7fffffff, field);
      return int(4, (dv) => dv.setInt32(0, num, true));
    case 'u64':
      if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffffffffffn)
        throw new RangeError(`netlink: ${field} must be a u64 bigint`);
      return int(8, (dv) => dv.setBigUint64(0, v, true));
    case 'string':
      return concatBytes([utf8enc.encode(String(v)), Uint8Array.of(0)]);
    case 'chars':
      return utf8enc.encode(String(v));
    case 'flag':
      return new Uint8Array(0);
    default: {
      const b = v as Uint8Array;
      const want = kind === 'ipv4' ? [4] : kind === 'ipv6' ? [16] : kind === 'ip' ? [4, 16] : undefined;
      if (!(b instanceof Uint8Array) || (want !== undefined && !want.includes(b.length))) {
        throw new RangeError(
          `netlink: ${field} must be a Uint8Array of ${want?.join(' or ') ?? 'any'} bytes`,
        );
      }
      return b;
    }
  }
}
