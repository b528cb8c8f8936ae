/**
 * @module MD5 against the RFC 1321 §A.5 test suite, HMAC-MD5 against RFC 2104 §A
 * and RFC 2202 §2, and both against node:crypto.
 */

import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { hmacMd5, md5 } from '../../../src/wire/md5.js';

const text = (s: string) => new TextEncoder().encode(s);
const fill = (byte: number, n: number) => new Uint8Array(n).fill(byte);
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const MD5_ROWS: [string, string][] = [
  ['', 'd41d8cd98f00b204e9800998ecf8427e'],
  ['a', '0cc175b9c0f1b6a831c399e269772661'],
  ['abc', '900150983cd24fb0d6963f7d28e17f72'],
  ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
  ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
  ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
  ['1234567890'.repeat(8), '57edf4a22be3c955ac49da2e2107b67a'],
];

const HMAC_ROWS: [string, Uint8Array, Uint8Array, string][] = [
  ['RFC 2104 #1', fill(0x0b, 16), text('Hi There'), '9294727a3638bb1c13f48ef8158bfc9d'],
  ['RFC 2104 #2', text('Jefe'), text('what do ya want for nothing?'), '750c783e6ab0b503eaa86e310a5db738'],
  ['RFC 2104 #3', fill(0xaa, 16), fill(0xdd, 50), '56be34521d144c88dbb8c733f0e8b3f6'],
  [
    'RFC 2202 #4',
    Uint8Array.from({ length: 25 }, (_, i) => i + 1),
    fill(0xcd, 50),
    '697eaf0aca3a3aea3a75164746ffaa79',
  ],
  ['RFC 2202 #5', fill(0x0c, 16), text('Test With Truncation'), '56461ef2342edc00f9bab995690efd4c'],
  [
    'RFC 2202 #6 (key > block)',
    fill(0xaa, 80),
    text('Test Using Larger Than Block-Size Key - Hash Key First'),
    '6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd',
  ],
  [
    'RFC 2202 #7',
    fill(0xaa, 80),
    text('Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data'),
    '6f630fad67cda0ee1fb1f562db3aa53e',
  ],
];

describe('md5', () => {
  for (const [input, digest] of MD5_ROWS) {
    test(`RFC 1321: "${input.slice(0, 20)}"`, () => assert.equal(toHex(md5(text(input))), digest));
  }
  test('every length 0..200 matches node:crypto (padding boundaries 55/56/64)', () => {
    for (let n = 0; n <= 200; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff);
      assert.equal(toHex(md5(data)), createHash('md5').update(data).digest('hex'), `length ${n}`);
    }
  });
});

describe('hmacMd5', () => {
  for (const [name, key, data, mac] of HMAC_ROWS) {
    test(name, () => assert.equal(toHex(hmacMd5(key, data)), mac));
  }
  test('message given in parts equals the concatenation, and matches node:crypto', () => {
    const key = text('pa-pass1');
    const a = fill(1, 20);
    const b = fill(2, 37);
    const expected = createHmac('md5', key).update(a).update(b).digest('hex');
    assert.equal(toHex(hmacMd5(key, a, b)), expected);
  });
});
