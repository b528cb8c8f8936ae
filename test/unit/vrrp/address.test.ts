/**
 * @module Address comparison (RFC 5798 §6.4.3 tie-break) and log formatting.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareAddress, formatAddress } from '../../../src/vrrp/index.js';

test('RFC 5798 §6.4.3 primary addresses compare as unsigned big-endian integers', () => {
  assert.ok(compareAddress(Uint8Array.of(10, 0, 0, 2), Uint8Array.of(10, 0, 0, 1)) > 0);
  assert.ok(compareAddress(Uint8Array.of(9, 255, 255, 255), Uint8Array.of(10, 0, 0, 0)) < 0);
  assert.ok(compareAddress(Uint8Array.of(192, 0, 0, 1), Uint8Array.of(10, 0, 0, 1)) > 0);
  assert.equal(compareAddress(Uint8Array.of(1, 2, 3, 4), Uint8Array.of(1, 2, 3, 4)), 0);
});

test('IPv4 and IPv6 addresses print as inet_ntop does (RFC 5952)', () => {
  assert.equal(formatAddress(Uint8Array.of(10, 77, 0, 1)), '10.77.0.1');
  const v6 = (words: number[]) => Uint8Array.from(words.flatMap((w) => [w >> 8, w & 0xff]));
  assert.equal(formatAddress(v6([0xfe80, 0, 0, 0, 0, 0, 0, 1])), 'fe80::1');
  assert.equal(formatAddress(v6([0, 0, 0, 0, 0, 0, 0, 0])), '::');
  assert.equal(formatAddress(v6([0x2001, 0xdb8, 0, 1, 0, 0, 0, 1])), '2001:db8:0:1::1');
  assert.equal(formatAddress(v6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1])), '2001:db8::1:0:0:1');
  assert.equal(formatAddress(v6([0x2001, 0xdb8, 1, 2, 3, 4, 5, 0])), '2001:db8:1:2:3:4:5:0');
});
