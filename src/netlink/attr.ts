/**
 * @module Netlink attributes (struct nlattr, netlink.h): TLVs of a 4-byte header
 * `{u16 nla_len, u16 nla_type}` and a payload padded to 4 bytes, possibly nested.
 *
 * Attributes are described by schemas that are data, as in BIRD's `nl_want_attrs`: a
 * `Schema` maps field names to `{type, kind}`, and one generic decoder / encoder walks it.
 * Decoding skips attribute types the schema does not name (newer kernels add attributes),
 * keeps the last of duplicated ones (as the kernel's nla_parse does) and never throws.
 * Encoding writes fields in the schema's key order and asserts its preconditions.
 */

import { ok, type Result } from '../wire/result.js';
import { decodeScalar, encodeScalar } from './attr-scalar.js';
import { assertInt, concatBytes, view } from './bytes.js';
import { NLA_F } from './constants.js';
import { fail, type NetlinkDecodeError } from './decode-error.js';

/** Size of struct nlattr, bytes. */
export const NLA_HDRLEN = 4;

/** Rounds a length up to netlink's 4-byte alignment (NLA_ALIGN / NLMSG_ALIGN). */
export function align4(n: number): number {
  return (n + 3) & ~3;
}

/**
 * Payload kinds. Integers are host order (little-endian) except `be16`/`be32` (network
 * order), and must be exactly their size. `string` is NUL-terminated on the wire; `chars`
 * is a string written without the NUL (NLA_STRING as iproute2 writes IFLA_INFO_KIND); both
 * decode with or without one. `ipv4`/`ipv6` are exactly 4/16 bytes, `ip` either. `flag` has
 * no payload. `binary` is any bytes. Beyond these scalars, `nested` holds attributes of
 * another schema and `array` holds nested attributes (types 1..n) each holding attributes
 * of that schema (CTRL_ATTR_MCAST_GROUPS).
 */
export type ScalarKind =
  | 'u8'
  | 'u16'
  | 'u32'
  | 's32'
  | 'u64'
  | 'be16'
  | 'be32'
  | 'string'
  | 'chars'
  | 'binary'
  | 'ipv4'
  | 'ipv6'
  | 'ip'
  | 'flag';

/**
 * One attribute of a schema: its nla_type and payload kind. `flagNested` sets NLA_F_NESTED
 * when encoding (libnl and iproute2's rta_nest do for some nests); on a `binary` spec it
 * marks a nest whose payload is kept raw.
 */
export type AttrSpec =
  | { readonly type: number; readonly kind: ScalarKind; readonly flagNested?: boolean }
  | {
      readonly type: number;
      readonly kind: 'nested' | 'array';
      readonly schema: Schema;
      readonly flagNested?: boolean;
    };

/** Field name → attribute description. Key order is the encoding order. */
export type Schema = { readonly [field: string]: AttrSpec };

type KindValue = {
  u8: number;
  u16: number;
  u32: number;
  s32: number;
  u64: bigint;
  be16: number;
  be32: number;
  string: string;
  chars: string;
  binary: Uint8Array;
  ipv4: Uint8Array;
  ipv6: Uint8Array;
  ip: Uint8Array;
  flag: true;
};

/** The decoded value type of one attribute spec. */
export type SpecValue<A> = A extends { kind: 'nested'; schema: infer S extends Schema }
  ? AttrValues<S>
  : A extends { kind: 'array'; schema: infer S extends Schema }
    ? readonly AttrValues<S>[]
    : A extends { kind: infer K extends keyof KindValue }
      ? KindValue[K]
      : never;

/** Decoded attributes of a schema: every field optional (absent attribute). */
export type AttrValues<S extends Schema> = { -readonly [K in keyof S]?: SpecValue<S[K]> };

/** One attribute as found on the wire. `offset` is that of its nlattr header. */
export type RawAttr = {
  readonly type: number;
  readonly nested: boolean;
  readonly payload: Uint8Array;
  readonly offset: number;
};

/**
 * Splits a buffer into attributes. `base` is added to reported offsets so errors point into
 * the enclosing message. The last attribute may lack its padding.
 */
export function readAttrs(bytes: Uint8Array, base = 0): Result<RawAttr[], NetlinkDecodeError> {
  const out: RawAttr[] = [];
  const dv = view(bytes);
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < NLA_HDRLEN) return fail('attr-truncated', base + at);
    const len = dv.getUint16(at, true);
    const rawType = dv.getUint16(at + 2, true);
    if (len < NLA_HDRLEN || len > bytes.length - at)
      return fail('attr-length', base + at, rawType & NLA_F.TYPE_MASK);
    out.push({
      type: rawType & NLA_F.TYPE_MASK,
      nested: (rawType & NLA_F.NESTED) !== 0,
      payload: bytes.subarray(at + NLA_HDRLEN, at + len),
      offset: base + at,
    });
    at = Math.min(bytes.length, at + align4(len));
  }
  return ok(out);
}

type Index = ReadonlyMap<number, readonly [string, AttrSpec]>;
const indexCache = new WeakMap<Schema, Index>();

function indexOf(schema: Schema): Index {
  let idx = indexCache.get(schema);
  if (idx === undefined) {
    idx = new Map(Object.entries(schema).map(([field, spec]) => [spec.type, [field, spec] as const]));
    indexCache.set(schema, idx);
  }
  return idx;
}

/** Decodes attributes by a schema. Unknown types are skipped; a bad known one fails. */
export function decodeAttrs<S extends Schema>(
  schema: S,
  bytes: Uint8Array,
  base = 0,
): Result<AttrValues<S>, NetlinkDecodeError> {
  const raw = readAttrs(bytes, base);
  if (!raw.ok) return raw;
  const idx = indexOf(schema);
  const out: Record<string, unknown> = {};
  for (const a of raw.value) {
    const hit = idx.get(a.type);
    if (hit === undefined) continue;
    const [field, spec] = hit;
    const inner = a.offset + NLA_HDRLEN;
    if (spec.kind === 'nested' || spec.kind === 'array') {
      const r =
        spec.kind === 'nested'
          ? decodeAttrs(spec.schema, a.payload, inner)
          : decodeArray(spec.schema, a.payload, inner);
      if (!r.ok) return r;
      out[field] = r.value;
      continue;
    }
    const v = decodeScalar(spec.kind, a.payload);
    if (v === undefined) return fail('attr-size', a.offset, a.type);
    out[field] = v;
  }
  return ok(out as AttrValues<S>);
}

function decodeArray<S extends Schema>(
  schema: S,
  bytes: Uint8Array,
  base: number,
): Result<AttrValues<S>[], NetlinkDecodeError> {
  const raw = readAttrs(bytes, base);
  if (!raw.ok) return raw;
  const out: AttrValues<S>[] = [];
  for (const a of raw.value) {
    const r = decodeAttrs(schema, a.payload, a.offset + NLA_HDRLEN);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return ok(out);
}

/** Encodes one attribute: header, payload, padding. `type` may carry NLA_F_* bits. */
export function encodeAttr(type: number, payload: Uint8Array): Uint8Array {
  const len = NLA_HDRLEN + payload.length;
  assertInt(len, NLA_HDRLEN, 0xffff, 'nla_len');
  const out = new Uint8Array(align4(len));
  const dv = view(out);
  dv.setUint16(0, len, true);
  dv.setUint16(2, type, true);
  out.set(payload, NLA_HDRLEN);
  return out;
}

/** Encodes the present fields of `values` in schema key order. A `flag` field set to false is omitted. */
export function encodeAttrs<S extends Schema>(schema: S, values: AttrValues<S>): Uint8Array {
  const parts: Uint8Array[] = [];
  const vals = values as Record<string, unknown>;
  for (const [field, spec] of Object.entries(schema)) {
    const v = vals[field];
    if (v === undefined || v === false) continue;
    const type = spec.type | (spec.flagNested === true ? NLA_F.NESTED : 0);
    if (spec.kind === 'nested' || spec.kind === 'array') {
      const payload =
        spec.kind === 'nested'
          ? encodeAttrs(spec.schema, v as AttrValues<Schema>)
          : concatBytes(
              (v as AttrValues<Schema>[]).map((e, i) => encodeAttr(i + 1, encodeAttrs(spec.schema, e))),
            );
      parts.push(encodeAttr(type, payload));
    } else {
      parts.push(encodeAttr(type, encodeScalar(spec.kind, v, field)));
    }
  }
  return concatBytes(parts);
}
