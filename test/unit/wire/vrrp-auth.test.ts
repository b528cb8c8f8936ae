/**
 * @module keepalived's VRRPv2 authentication: PASS data, AH header table, and
 * the HMAC-MD5-96 ICV checked against vrrpv2-ah.pcap.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DropReason } from '../../../src/wire/drop-reason.js';
import {
  AH_HEADER_LENGTH,
  authDataFromPassword,
  computeAhIcv,
  decodeAhHeader,
  encodeAhHeader,
  nextAhSequence,
  verifyAhIcv,
} from '../../../src/wire/vrrp-auth.js';

const bytes = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** vrrpv2-ah.pcap frames 1-3 (IPv4 datagrams). */
const AH_DATAGRAMS = [
  '45c0004000030000ff33cf500a640101e0000012700400000a64010100000003dc69130c148e6a678c9eb5172133ff010201d2510a6401140000000000000000',
  '45c0004000040000ff33cf4f0a640101e0000012700400000a64010100000004c8edf8f37e6bdfb22116d0d62133ff010201d2510a6401140000000000000000',
  '45c0004000050000ff33cf4e0a640101e0000012700400000a64010100000005fab87acac9886f9d7b89fb172133ff010201d2510a6401140000000000000000',
];

const KEY = authDataFromPassword('pa-pass1');

describe('authDataFromPassword', () => {
  const rows: [string, string][] = [
    ['pa-pass1', '70612d7061737331'],
    ['abc', '6162630000000000'],
    ['longer-than-8', '6c6f6e6765722d74'],
    ['', '0000000000000000'],
  ];
  for (const [password, hex] of rows)
    test(`'${password}'`, () => assert.equal(toHex(authDataFromPassword(password)), hex));
});

test('keepalived AH sequence counter cycles past 0xfffffffd', () => {
  assert.deepEqual([0, 2, 0xfffffffc, 0xfffffffd, 0xfffffffe].map(nextAhSequence), [
    1,
    3,
    0xfffffffd,
    0xfffffffe,
    null,
  ]);
});

describe('decodeAhHeader', () => {
  const rows: { name: string; hex: string; reason?: DropReason }[] = [
    { name: 'keepalived AH (frame 1)', hex: AH_DATAGRAMS[0]!.slice(40, 88) },
    { name: '23 bytes', hex: AH_DATAGRAMS[0]!.slice(40, 86), reason: 'ah-truncated' },
    {
      name: 'payload len 6 (SHA-1-96 layout)',
      hex: `7006${AH_DATAGRAMS[0]!.slice(44, 88)}`,
      reason: 'ah-bad-length',
    },
    { name: 'next header 17', hex: `1104${AH_DATAGRAMS[0]!.slice(44, 88)}`, reason: 'ah-bad-next-header' },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const r = decodeAhHeader(bytes(row.hex));
      if (row.reason) return assert.equal(r.ok ? 'ok' : r.error.reason, row.reason);
      assert.ok(r.ok);
      assert.deepEqual(r.value, {
        nextHeader: 112,
        spi: 0x0a640101,
        sequence: 3,
        icv: bytes('dc69130c148e6a678c9eb517'),
      });
      assert.equal(toHex(encodeAhHeader(r.value)), row.hex);
    });
  }
  test('encoder asserts the ICV length', () => {
    assert.throws(
      () => encodeAhHeader({ nextHeader: 112, spi: 1, sequence: 1, icv: new Uint8Array(16) }),
      RangeError,
    );
  });
});

describe('HMAC-MD5-96 ICV as keepalived 2.2.7 computes it', () => {
  AH_DATAGRAMS.forEach((hex, i) => {
    test(`vrrpv2-ah.pcap frame ${i + 1}`, () => {
      const d = bytes(hex);
      const icv = computeAhIcv(d.subarray(0, 20), d.subarray(20, 44), d.subarray(44), KEY, false);
      assert.equal(toHex(icv), hex.slice(64, 88));
      assert.ok(verifyAhIcv(d, 20, KEY, false));
    });
  });

  test('mutable fields do not matter: TOS, flags/offset, header checksum', () => {
    const d = bytes(AH_DATAGRAMS[0]!);
    d[1] = 0x00;
    d[6] = 0x40;
    d[10] = 0x12;
    assert.ok(verifyAhIcv(d, 20, KEY, false));
  });

  test('TTL counts unless unicast (zeroTtl)', () => {
    const d = bytes(AH_DATAGRAMS[0]!);
    d[8] = 64;
    assert.equal(verifyAhIcv(d, 20, KEY, false), false);
    const icvUnicast = computeAhIcv(d.subarray(0, 20), d.subarray(20, 44), d.subarray(44), KEY, true);
    d.set(icvUnicast, 32);
    assert.ok(verifyAhIcv(d, 20, KEY, true));
  });

  test('wrong password, changed priority, or short datagram fail', () => {
    assert.equal(verifyAhIcv(bytes(AH_DATAGRAMS[0]!), 20, authDataFromPassword('pa-pass2'), false), false);
    const d = bytes(AH_DATAGRAMS[0]!);
    d[46] = 254;
    assert.equal(verifyAhIcv(d, 20, KEY, false), false);
    assert.equal(verifyAhIcv(d.subarray(0, 30), 20, KEY, false), false);
    assert.equal(AH_HEADER_LENGTH, 24);
  });
});
