/**
 * @module Tests for src/netlink/attr.ts: schema-driven attribute decode/encode, as tables of
 * {name, hex, value | reason}.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  align4,
  decodeAttrs,
  encodeAttr,
  encodeAttrs,
  fromHex,
  NLA_F,
  readAttrs,
  toHex,
} from '../../../src/netlink/index.js';

const inner = {
  id: { type: 1, kind: 'u32' },
  name: { type: 2, kind: 'string' },
} as const;

const schema = {
  a8: { type: 1, kind: 'u8' },
  a16: { type: 2, kind: 'u16' },
  a32: { type: 3, kind: 'u32' },
  s32: { type: 4, kind: 's32' },
  a64: { type: 5, kind: 'u64' },
  port: { type: 6, kind: 'be16' },
  mask: { type: 7, kind: 'be32' },
  str: { type: 8, kind: 'string' },
  bin: { type: 9, kind: 'binary' },
  v4: { type: 10, kind: 'ipv4' },
  v6: { type: 11, kind: 'ipv6' },
  ip: { type: 12, kind: 'ip' },
  flag: { type: 13, kind: 'flag' },
  nest: { type: 14, kind: 'nested', schema: inner },
  list: { type: 15, kind: 'array', schema: inner },
  fnest: { type: 16, kind: 'nested', schema: inner, flagNested: true },
} as const;

const valid = [
  { name: 'u8 with padding', hex: '05000100 2a000000', value: { a8: 42 } },
  { name: 'u16 host order', hex: '06000200 3412 0000', value: { a16: 0x1234 } },
  { name: 'u32 host order', hex: '08000300 78563412', value: { a32: 0x12345678 } },
  { name: 's32 negative', hex: '08000400 ffffffff', value: { s32: -1 } },
  { name: 'u64', hex: '0c000500 0100000000000080', value: { a64: 0x8000000000000001n } },
  { name: 'be16 network order', hex: '06000600 0050 0000', value: { port: 80 } },
  { name: 'be32 network order', hex: '08000700 ffffff00', value: { mask: 0xffffff00 } },
  { name: 'string NUL-terminated', hex: '09000800 6b747330 00000000', value: { str: 'kts0' } },
  { name: 'string without NUL', hex: '08000800 6b747330', value: { str: 'kts0' } },
  { name: 'empty string', hex: '05000800 00000000', value: { str: '' } },
  { name: 'binary', hex: '07000900 010203 00', value: { bin: Uint8Array.of(1, 2, 3) } },
  { name: 'ipv4', hex: '08000a00 c000020a', value: { v4: Uint8Array.of(192, 0, 2, 10) } },
  { name: 'ip of 4 bytes', hex: '08000c00 c000020a', value: { ip: Uint8Array.of(192, 0, 2, 10) } },
  { name: 'flag', hex: '04000d00', value: { flag: true } },
  {
    name: 'nested without NLA_F_NESTED',
    hex: '18000e00 08000100 07000000 09000200 6b747330 00000000',
    value: { nest: { id: 7, name: 'kts0' } },
  },
  { name: 'nested with NLA_F_NESTED', hex: '0c001080 08000100 07000000', value: { fnest: { id: 7 } } },
  {
    name: 'array of nests',
    hex: '1c000f00 0c000100 08000100 01000000 0c000200 08000100 02000000',
    value: { list: [{ id: 1 }, { id: 2 }] },
  },
  { name: 'unknown attribute skipped', hex: '08006300 01020304 05000100 07000000', value: { a8: 7 } },
  { name: 'duplicate: last wins', hex: '05000100 01000000 05000100 02000000', value: { a8: 2 } },
  { name: 'last attribute without padding', hex: '05000100 2a', value: { a8: 42 } },
  { name: 'empty buffer', hex: '', value: {} },
] as const;

const invalid = [
  { name: 'header cut', hex: '0500', reason: 'attr-truncated', offset: 0 },
  { name: 'length below header', hex: '02000100', reason: 'attr-length', offset: 0 },
  { name: 'length past end', hex: '0c000300 01000000', reason: 'attr-length', offset: 0 },
  { name: 'u32 of 3 bytes', hex: '07000300 010203 00', reason: 'attr-size', offset: 0 },
  { name: 'u8 of 2 bytes', hex: '06000100 0102 0000', reason: 'attr-size', offset: 0 },
  { name: 'ipv4 of 16 bytes', hex: `14000a00 ${'00'.repeat(16)}`, reason: 'attr-size', offset: 0 },
  { name: 'ip of 5 bytes', hex: '09000c00 0102030405 000000', reason: 'attr-size', offset: 0 },
  { name: 'flag with payload', hex: '05000d00 01000000', reason: 'attr-size', offset: 0 },
  { name: 'bad attribute inside nest', hex: '0c000e00 07000100 010203 00', reason: 'attr-size', offset: 4 },
  { name: 'second attribute truncated', hex: '05000100 01000000 0800', reason: 'attr-truncated', offset: 8 },
] as const;

describe('netlink attributes: decode tables', () => {
  for (const t of valid) {
    it(t.name, () => {
      const r = decodeAttrs(schema, fromHex(t.hex));
      assert.ok(r.ok, r.ok ? '' : r.error.reason);
      assert.deepEqual(r.value, t.value);
    });
  }
  for (const t of invalid) {
    it(`rejects: ${t.name}`, () => {
      const r = decodeAttrs(schema, fromHex(t.hex));
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.error.reason, t.reason);
        assert.equal(r.error.offset, t.offset);
      }
    });
  }
});

describe('netlink attributes: encode', () => {
  const canonical = valid.filter(
    (t) => !/without NUL|unknown|duplicate|without padding|without NLA_F/.test(t.name),
  );
  for (const t of canonical) {
    it(`encodes ${t.name} byte for byte`, () => {
      assert.equal(toHex(encodeAttrs(schema, t.value)), t.hex.replace(/\s+/g, ''));
    });
  }
  it('writes fields in schema order whatever the object order', () => {
    assert.equal(toHex(encodeAttrs(schema, { a16: 1, a8: 2 })), '050001000200000006000200' + '01000000');
  });
  it('omits undefined fields and false flags', () => {
    assert.equal(encodeAttrs(schema, { a8: undefined }).length, 0);
    assert.equal(
      encodeAttrs({ f: { type: 1, kind: 'flag' } } as const, { f: false as unknown as true }).length,
      0,
    );
  });
  it('asserts preconditions', () => {
    assert.throws(() => encodeAttrs(schema, { a8: 256 }), RangeError);
    assert.throws(() => encodeAttrs(schema, { a32: -1 }), RangeError);
    assert.throws(() => encodeAttrs(schema, { v4: new Uint8Array(16) }), RangeError);
    assert.throws(() => encodeAttrs(schema, { a16: 1.5 }), RangeError);
    assert.throws(() => encodeAttr(1, new Uint8Array(0x10000)), RangeError);
  });
});

describe('netlink attributes: readAttrs and helpers', () => {
  it('reports types without flag bits, the nested bit, and offsets from base', () => {
    const r = readAttrs(fromHex('08000180 01000000 05000240 07000000'), 100);
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.map((a) => [a.type, a.nested, a.offset, a.payload.length]),
      [
        [1, true, 100, 4],
        [2, false, 108, 1],
      ],
    );
    assert.equal(NLA_F.TYPE_MASK & 0x4002, 2);
  });
  it('align4', () => {
    assert.deepEqual([0, 1, 4, 5, 7, 8].map(align4), [0, 4, 4, 8, 8, 8]);
  });
});
