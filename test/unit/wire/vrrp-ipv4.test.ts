/**
 * @module Table tests for the IPv4 header codec and whole IPv4 VRRP datagrams
 * (IPv4 header [+ AH] + VRRP): {name, hex, value | reason}.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DropReason } from '../../../src/wire/drop-reason.js';
import { ip } from '../../../src/wire/ip.js';
import { decodeIpv4Header, encodeIpv4Header, nextIdentification } from '../../../src/wire/ipv4-header.js';
import { authDataFromPassword } from '../../../src/wire/vrrp-auth.js';
import { decodeIpv4Advert, encodeIpv4Advert } from '../../../src/wire/vrrp-ipv4.js';

const PASS_FRAME = '45c0002800030000ff70cf2b0a640101e00000122133ff01010160db0a64011470612d7061737331';
const AH_FRAME =
  '45c0004000030000ff33cf500a640101e0000012700400000a64010100000003dc69130c148e6a678c9eb517' +
  '2133ff010201d2510a6401140000000000000000';
const V3_FRAME = '45c0002000030000ff70cf330a640101e00000123133ff010064d7fa0a640114';

const bytes = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

type Row = { name: string; hex: string; reason?: DropReason; check?: (v: unknown) => void };

const HEADER_ROWS: Row[] = [
  { name: 'keepalived v2 PASS header', hex: PASS_FRAME },
  {
    name: 'with a 4-byte option (router alert)',
    hex: '46c0002c00030000ff703a230a640101e000001294040000' + PASS_FRAME.slice(40),
  },
  { name: 'DF set', hex: '45c0002800034000ff708f2b0a640101e0000012' + PASS_FRAME.slice(40) },
  { name: '19 bytes', hex: PASS_FRAME.slice(0, 38), reason: 'ip-truncated' },
  { name: 'version 6', hex: `65${PASS_FRAME.slice(2)}`, reason: 'ip-bad-version' },
  { name: 'IHL 4', hex: `44${PASS_FRAME.slice(2)}`, reason: 'ip-bad-header-length' },
  { name: 'IHL 15 beyond datagram', hex: `4f${PASS_FRAME.slice(2, 60)}`, reason: 'ip-bad-header-length' },
  {
    name: 'header checksum off by one',
    hex: PASS_FRAME.replace('cf2b', 'cf2c'),
    reason: 'ip-bad-header-checksum',
  },
  {
    name: 'total length 41 for 40 bytes',
    hex: '45c0002900030000ff70cf2a0a640101e00000122133ff01010160db0a64011470612d7061737331',
    reason: 'ip-total-length-mismatch',
  },
  { name: 'one trailing byte', hex: PASS_FRAME + '00', reason: 'ip-total-length-mismatch' },
];

describe('decodeIpv4Header', () => {
  for (const row of HEADER_ROWS) {
    test(row.name, () => {
      const r = decodeIpv4Header(bytes(row.hex));
      if (row.reason) return assert.equal(r.ok ? 'ok' : r.error.reason, row.reason);
      assert.ok(r.ok, r.ok ? '' : r.error.detail);
      const h = r.value;
      const again = encodeIpv4Header(h, h.totalLength - h.headerLength);
      assert.equal(toHex(again), row.hex.slice(0, h.headerLength * 2));
    });
  }

  test('fields of keepalived header', () => {
    const r = decodeIpv4Header(bytes(PASS_FRAME));
    assert.ok(r.ok);
    assert.deepEqual(
      { ...r.value, source: undefined, destination: undefined, options: undefined },
      {
        headerLength: 20,
        tos: 0xc0,
        totalLength: 40,
        identification: 3,
        flags: 0,
        fragmentOffset: 0,
        ttl: 255,
        protocol: 112,
        headerChecksum: 0xcf2b,
        source: undefined,
        destination: undefined,
        options: undefined,
      },
    );
  });

  test('keepalived id counter skips 0', () => {
    assert.deepEqual([0, 1, 0xfffe, 0xffff].map(nextIdentification), [1, 2, 0xffff, 1]);
  });

  test('encoder asserts', () => {
    const f = { identification: 1, protocol: 112, source: ip('10.0.0.1'), destination: ip('224.0.0.18') };
    assert.throws(() => encodeIpv4Header(f, 70000), RangeError);
    assert.throws(() => encodeIpv4Header({ ...f, identification: -1 }, 0), RangeError);
    assert.throws(() => encodeIpv4Header({ ...f, source: ip('::1') }, 0), TypeError);
    assert.throws(() => encodeIpv4Header({ ...f, options: new Uint8Array(3) }, 0), RangeError);
  });
});

const ADVERT_ROWS: Row[] = [
  { name: 'v2 PASS', hex: PASS_FRAME },
  { name: 'v2 AH', hex: AH_FRAME },
  { name: 'v3', hex: V3_FRAME },
  { name: 'IPv4 error surfaces', hex: PASS_FRAME.slice(0, 20), reason: 'ip-truncated' },
  {
    name: 'protocol 17',
    hex: '45c0002800030000ff11cf8a0a640101e00000122133ff01010160db0a64011470612d7061737331',
    reason: 'ip-bad-protocol',
  },
  {
    name: 'AH of 10 bytes',
    hex: '45c0001e00030000ff33cf720a640101e0000012700400000a6401010000',
    reason: 'ah-truncated',
  },
  { name: 'AH payload len 5', hex: AH_FRAME.replace('70040000', '70050000'), reason: 'ah-bad-length' },
  { name: 'AH next header TCP', hex: AH_FRAME.replace('70040000', '06040000'), reason: 'ah-bad-next-header' },
  {
    name: 'AH then 5 bytes of VRRP',
    hex: '45c0003100030000ff33cf5f0a640101e0000012700400000a64010100000003dc69130c148e6a678c9eb5172133ff0102',
    reason: 'vrrp-truncated',
  },
  {
    name: 'VRRP checksum error surfaces',
    hex: PASS_FRAME.replace('60db', '60dc'),
    reason: 'vrrp-bad-checksum',
  },
];

describe('decodeIpv4Advert', () => {
  for (const row of ADVERT_ROWS) {
    test(row.name, () => {
      const r = decodeIpv4Advert(bytes(row.hex));
      if (row.reason) return assert.equal(r.ok ? 'ok' : r.error.reason, row.reason);
      assert.ok(r.ok, r.ok ? '' : r.error.detail);
      const { ip: h, ah, vrrp } = r.value;
      const again = encodeIpv4Advert(vrrp, {
        identification: h.identification,
        source: h.source,
        destination: h.destination,
        ah: ah
          ? { sequence: ah.sequence, key: authDataFromPassword('pa-pass1'), zeroTtlInIcv: false }
          : undefined,
      });
      assert.equal(toHex(again), row.hex);
    });
  }

  test('v3 pseudo-header destination override (keepalived unicast checksum compat)', () => {
    const r = decodeIpv4Advert(bytes(V3_FRAME));
    assert.ok(r.ok);
    const unicast = encodeIpv4Advert(r.value.vrrp, {
      identification: 3,
      source: ip('10.100.1.1'),
      destination: ip('10.100.1.2'),
      pseudoHeaderDestination: ip('224.0.0.18'),
    });
    assert.equal(toHex(unicast).slice(40), V3_FRAME.slice(40)); // same VRRP checksum as multicast
    assert.equal(decodeIpv4Advert(unicast).ok, false);
    assert.ok(decodeIpv4Advert(unicast, { pseudoHeaderDestination: ip('224.0.0.18') }).ok);
  });

  test('encoder rejects an IPv6 packet', () => {
    const r = decodeIpv4Advert(bytes(V3_FRAME));
    assert.ok(r.ok);
    const v6 = { ...r.value.vrrp, family: 'ipv6' as const, addresses: [ip('fd00::1')] };
    assert.throws(() =>
      encodeIpv4Advert(v6, { identification: 1, source: ip('10.0.0.1'), destination: ip('224.0.0.18') }),
    );
  });
});
