/**
 * @module Tests for src/netlink/struct.ts (fixed headers as data) and the byte helpers.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bytesEqual,
  decodeBody,
  decodeStruct,
  encodeBody,
  encodeStruct,
  fromHex,
  structSize,
  toHex,
} from '../../../src/netlink/index.js';

const layout = [
  ['a', 'u8'],
  ['p', 'pad8'],
  ['b', 'u16'],
  ['c', 's32'],
  ['d', 'u32'],
  ['q', 'pad16'],
] as const;

const table = [
  { name: 'zeros', hex: '00000000 00000000 00000000 0000', value: { a: 0, b: 0, c: 0, d: 0 } },
  {
    name: 'host order, negative s32',
    hex: '01000201 ffffffff 78563412 0000',
    value: { a: 1, b: 0x102, c: -1, d: 0x12345678 },
  },
  {
    name: 'padding ignored on decode',
    hex: '07ff0000 00000000 00000000 ffff',
    value: { a: 7, b: 0, c: 0, d: 0 },
  },
] as const;

describe('struct layouts', () => {
  it('sizes', () => assert.equal(structSize(layout), 14));
  for (const t of table) {
    it(`decodes ${t.name}`, () => {
      assert.deepEqual(decodeStruct(layout, fromHex(t.hex)), { ok: true, value: t.value });
    });
  }
  it('encodes with zero padding', () => {
    assert.equal(
      toHex(encodeStruct(layout, { a: 1, b: 0x102, c: -1, d: 0x12345678 })),
      '01000201ffffffff785634120000',
    );
  });
  it('rejects a short buffer with its offset', () => {
    assert.deepEqual(decodeStruct(layout, new Uint8Array(13), 40), {
      ok: false,
      error: { reason: 'family-header-truncated', offset: 40 },
    });
  });
  it('honours byteOffset of subarrays', () => {
    const buf = fromHex('aaaa 05000600 07000000 08000000 0000');
    const r = decodeStruct(layout, buf.subarray(2));
    assert.deepEqual(r, { ok: true, value: { a: 5, b: 6, c: 7, d: 8 } });
  });
  it('asserts field ranges', () => {
    assert.throws(() => encodeStruct(layout, { a: 256, b: 0, c: 0, d: 0 }), RangeError);
    assert.throws(() => encodeStruct(layout, { a: 0, b: 0, c: 0x80000000, d: 0 }), RangeError);
  });
  it('body: header padded to 4 bytes, then attributes', () => {
    const l = [['x', 'u8']] as const;
    const s = { y: { type: 1, kind: 'u8' } } as const;
    const b = encodeBody(l, s, { x: 9 }, { y: 3 });
    assert.equal(toHex(b), '09000000' + '0500010003000000');
    assert.deepEqual(decodeBody(l, s, b), { ok: true, value: { hdr: { x: 9 }, attrs: { y: 3 } } });
  });
});

describe('byte helpers', () => {
  it('hex both ways and equality', () => {
    assert.equal(toHex(fromHex('00 ff 10')), '00ff10');
    assert.throws(() => fromHex('abc'), RangeError);
    assert.throws(() => fromHex('zz'), RangeError);
    assert.ok(bytesEqual(fromHex('0102'), Uint8Array.of(1, 2)));
    assert.ok(!bytesEqual(fromHex('0102'), Uint8Array.of(1, 3)));
    assert.ok(!bytesEqual(fromHex('01'), Uint8Array.of(1, 2)));
  });
});
