/**
 * @module Fixed family headers (ifinfomsg, ifaddrmsg, rtmsg, fib_rule_hdr, genlmsghdr) as
 * data: a `StructLayout` lists fields in wire order with their integer kind, and one codec
 * walks it. `body` decodes "family header + attributes", the shape of every netlink family
 * message after the nlmsghdr.
 */

import { ok, type Result } from '../wire/result.js';
import { type AttrValues, decodeAttrs, encodeAttrs, type Schema } from './attr.js';
import { assertInt, concatBytes, view } from './bytes.js';
import { fail, type NetlinkDecodeError } from './decode-error.js';

/** Integer kinds of header fields, host order; `pad8`/`pad16` are reserved bytes (written 0). */
export type FieldKind = 'u8' | 'u16' | 'u32' | 's32' | 'pad8' | 'pad16';

/** Field name → kind, in wire order, packed (these headers have no implicit padding). */
export type StructLayout = ReadonlyArray<readonly [string, FieldKind]>;

const SIZE: Record<FieldKind, number> = { u8: 1, pad8: 1, u16: 2, pad16: 2, u32: 4, s32: 4 };

/** Field names of a layout that carry a value (not padding). */
type ValueFields<L extends StructLayout> = {
  [I in keyof L]: L[I] extends readonly [infer N extends string, infer K]
    ? K extends 'pad8' | 'pad16'
      ? never
      : N
    : never;
}[number];

/** Decoded header: one number per non-padding field. */
export type StructValue<L extends StructLayout> = { -readonly [N in ValueFields<L>]: number };

/** Size of a layout, bytes. */
export function structSize(layout: StructLayout): number {
  return layout.reduce((n, [, k]) => n + SIZE[k], 0);
}

/** Decodes a header at the start of `bytes`; `base` is the offset reported on failure. */
export function decodeStruct<L extends StructLayout>(
  layout: L,
  bytes: Uint8Array,
  base = 0,
): Result<StructValue<L>, NetlinkDecodeError> {
  if (bytes.length < structSize(layout)) return fail('family-header-truncated', base);
  const dv = view(bytes);
  const out: Record<string, number> = {};
  let at = 0;
  for (const [name, kind] of layout) {
    if (kind === 'u8') out[name] = dv.getUint8(at);
    else if (kind === 'u16') out[name] = dv.getUint16(at, true);
    else if (kind === 'u32') out[name] = dv.getUint32(at, true);
    else if (kind === 's32') out[name] = dv.getInt32(at, true);
    at += SIZE[kind];
  }
  return ok(out as StructValue<L>);
}

/** Encodes a header; every non-padding field must be present and in range. */
export function encodeStruct<L extends StructLayout>(layout: L, value: StructValue<L>): Uint8Array {
  const out = new Uint8Array(structSize(layout));
  const dv = view(out);
  const v = value as Record<string, number>;
  let at = 0;
  for (const [name, kind] of layout) {
    const n = v[name] ?? 0;
    if (kind === 'u8') {
      assertInt(n, 0, 0xff, name);
      dv.setUint8(at, n);
    } else if (kind === 'u16') {
      assertInt(n, 0, 0xffff, name);
      dv.setUint16(at, n, true);
    } else if (kind === 'u32') {
      assertInt(n, 0, 0xffffffff, name);
      dv.setUint32(at, n, true);
    } else if (kind === 's32') {
      assertInt(n, -0x80000000, 0x7fffffff, name);
      dv.setInt32(at, n, true);
    }
    at += SIZE[kind];
  }
  return out;
}

/** A family message body: fixed header then attributes. */
export type Body<L extends StructLayout, S extends Schema> = {
  readonly hdr: StructValue<L>;
  readonly attrs: AttrValues<S>;
};

/** Decodes "header + attributes"; `base` is the payload's offset in the datagram. */
export function decodeBody<L extends StructLayout, S extends Schema>(
  layout: L,
  schema: S,
  payload: Uint8Array,
  base = 0,
): Result<Body<L, S>, NetlinkDecodeError> {
  const hdr = decodeStruct(layout, payload, base);
  if (!hdr.ok) return hdr;
  const size = (structSize(layout) + 3) & ~3;
  const attrs = decodeAttrs(schema, payload.subarray(Math.min(size, payload.length)), base + size);
  if (!attrs.ok) return attrs;
  return ok({ hdr: hdr.value, attrs: attrs.value });
}

/** Encodes "header + attributes" (the header padded to 4 bytes). */
export function encodeBody<L extends StructLayout, S extends Schema>(
  layout: L,
  schema: S,
  hdr: StructValue<L>,
  attrs: AttrValues<S>,
): Uint8Array {
  const h = encodeStruct(layout, hdr);
  const pad = new Uint8Array(((h.length + 3) & ~3) - h.length);
  return concatBytes([h, pad, encodeAttrs(schema, attrs)]);
}
