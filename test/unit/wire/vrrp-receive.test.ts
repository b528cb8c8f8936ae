/**
 * @module Receive checks against the instance configuration: one row per
 * DropReason of vrrp-receive.ts, plus the accepting rows.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DropReason } from '../../../src/wire/drop-reason.js';
import { ip } from '../../../src/wire/ip.js';
import { authDataFromPassword, computeAhIcv } from '../../../src/wire/vrrp-auth.js';
import { decodeIpv4Advert } from '../../../src/wire/vrrp-ipv4.js';
import { decodeVrrp } from '../../../src/wire/vrrp-packet.js';
import type { InstanceExpectations, ReceivedAdvert } from '../../../src/wire/vrrp-receive.js';
import { checkReceivedAdvert, receivedFromIpv4, withAhLastSequence } from '../../../src/wire/vrrp-receive.js';

const PASS_FRAME = '45c0002800030000ff70cf2b0a640101e00000122133ff01010160db0a64011470612d7061737331';
const UNICAST_FRAME = '45c0002800030000ff70a3d80a6401010a6401022133ff01010160db0a64011470612d7061737331';
const AH_FRAME =
  '45c0004000030000ff33cf500a640101e0000012700400000a64010100000003dc69130c148e6a678c9eb5172133ff010201d2510a6401140000000000000000';
const V6_PAYLOAD = '3133ff010064c8c2fd000100000000000000000000000020';

function rx4(hex: string): ReceivedAdvert {
  const r = decodeIpv4Advert(new Uint8Array(Buffer.from(hex, 'hex')));
  assert.ok(r.ok);
  return receivedFromIpv4(r.value);
}

function rx6(): ReceivedAdvert {
  const source = ip('fe80::aff:fe64:101');
  const destination = ip('ff02::12');
  const r = decodeVrrp(new Uint8Array(Buffer.from(V6_PAYLOAD, 'hex')), { source, destination });
  assert.ok(r.ok);
  return { packet: r.value, source, destination, ttl: 255, ah: null };
}

/** The AH frame with SPI 0x0a640109 and a valid ICV for it. */
function ahWithForeignSpi(): ReceivedAdvert {
  const d = new Uint8Array(Buffer.from(AH_FRAME, 'hex'));
  d[27] = 0x09;
  d.set(
    computeAhIcv(
      d.subarray(0, 20),
      d.subarray(20, 44),
      d.subarray(44),
      authDataFromPassword('pa-pass1'),
      false,
    ),
    32,
  );
  const r = decodeIpv4Advert(d);
  assert.ok(r.ok);
  return receivedFromIpv4(r.value);
}

const PASS_INSTANCE: InstanceExpectations = {
  version: 2,
  family: 'ipv4',
  vrid: 51,
  addresses: [ip('10.100.1.20')],
  checkAddresses: true,
  authType: 1,
  authData: authDataFromPassword('pa-pass1'),
  ahLastSequence: 0,
  adverIntCs: 100,
  unicastPeers: [],
  checkUnicastSource: false,
  dropIfLocalOwner: false,
  localPriority: 254,
};
const AH_INSTANCE: InstanceExpectations = { ...PASS_INSTANCE, authType: 2 };
const UNICAST_INSTANCE: InstanceExpectations = {
  ...PASS_INSTANCE,
  unicastPeers: [{ address: ip('10.100.1.1'), minTtl: 0, maxTtl: 255 }],
  checkUnicastSource: true,
};
const V6_INSTANCE: InstanceExpectations = {
  ...PASS_INSTANCE,
  version: 3,
  family: 'ipv6',
  addresses: [ip('fd00:100::20')],
  authType: 0,
  authData: new Uint8Array(8),
};

type Row = { name: string; rx: () => ReceivedAdvert; want: InstanceExpectations; reason: DropReason | null };

const ROWS: Row[] = [
  { name: 'v2 PASS multicast accepted', rx: () => rx4(PASS_FRAME), want: PASS_INSTANCE, reason: null },
  {
    name: 'v2 AH accepted',
    rx: () => rx4(AH_FRAME),
    want: { ...AH_INSTANCE, ahLastSequence: 2 },
    reason: null,
  },
  { name: 'v2 unicast accepted', rx: () => rx4(UNICAST_FRAME), want: UNICAST_INSTANCE, reason: null },
  { name: 'v3 IPv6 accepted', rx: rx6, want: V6_INSTANCE, reason: null },
  { name: 'hop limit not received', rx: () => ({ ...rx6(), ttl: null }), want: V6_INSTANCE, reason: null },
  {
    name: 'unchecked address list',
    rx: () => rx4(PASS_FRAME),
    want: { ...PASS_INSTANCE, checkAddresses: false, addresses: [] },
    reason: null,
  },
  {
    name: 'owner drop off by default; on for a non-owner does nothing',
    rx: () => rx4(PASS_FRAME),
    want: { ...PASS_INSTANCE, dropIfLocalOwner: true },
    reason: null,
  },
  {
    name: 'VRID 52 instance',
    rx: () => rx4(PASS_FRAME),
    want: { ...PASS_INSTANCE, vrid: 52 },
    reason: 'vrid-mismatch',
  },
  {
    name: 'RFC-strict owner',
    rx: () => rx4(PASS_FRAME),
    want: { ...PASS_INSTANCE, dropIfLocalOwner: true, localPriority: 255 },
    reason: 'local-is-owner',
  },
  {
    name: 'AH instance, no AH',
    rx: () => rx4(PASS_FRAME),
    want: AH_INSTANCE,
    reason: 'ah-presence-mismatch',
  },
  { name: 'PASS instance, AH', rx: () => rx4(AH_FRAME), want: PASS_INSTANCE, reason: 'ah-presence-mismatch' },
  {
    name: 'TTL 254',
    rx: () => ({ ...rx4(PASS_FRAME), ttl: 254 }),
    want: PASS_INSTANCE,
    reason: 'ttl-not-255',
  },
  { name: 'hop limit 1', rx: () => ({ ...rx6(), ttl: 1 }), want: V6_INSTANCE, reason: 'ttl-not-255' },
  {
    name: 'v2 advert, v3 instance',
    rx: () => rx4(PASS_FRAME),
    want: { ...PASS_INSTANCE, version: 3 },
    reason: 'version-mismatch',
  },
  {
    name: 'v3 advert, v2 instance',
    rx: rx6,
    want: { ...V6_INSTANCE, version: 2 },
    reason: 'version-mismatch',
  },
  {
    name: 'auth NONE advert, PASS instance',
    rx: () => {
      const r = rx4(PASS_FRAME);
      return { ...r, packet: { ...r.packet, authType: 0 } };
    },
    want: PASS_INSTANCE,
    reason: 'auth-type-mismatch',
  },
  {
    name: 'wrong password',
    rx: () => rx4(PASS_FRAME),
    want: { ...PASS_INSTANCE, authData: authDataFromPassword('pa-pass2') },
    reason: 'auth-password-mismatch',
  },
  {
    name: 'AH with the wrong key',
    rx: () => rx4(AH_FRAME),
    want: { ...AH_INSTANCE, authData: authDataFromPassword('other') },
    reason: 'ah-icv-mismatch',
  },
  {
    name: 'AH of a unicast instance (TTL zeroed in the ICV)',
    rx: () => rx4(AH_FRAME),
    want: { ...AH_INSTANCE, unicastPeers: [{ address: ip('10.100.1.1'), minTtl: 0, maxTtl: 255 }] },
    reason: 'ah-icv-mismatch',
  },
  { name: 'AH SPI not the source', rx: ahWithForeignSpi, want: AH_INSTANCE, reason: 'ah-spi-mismatch' },
  {
    name: 'AH sequence replayed',
    rx: () => rx4(AH_FRAME),
    want: { ...AH_INSTANCE, ahLastSequence: 3 },
    reason: 'ah-sequence-replay',
  },
  {
    name: 'advert_int 2',
    rx: () => rx4(PASS_FRAME),
    want: { ...PASS_INSTANCE, adverIntCs: 200 },
    reason: 'adver-int-mismatch',
  },
  { name: 'v3 interval differs: no drop', rx: rx6, want: { ...V6_INSTANCE, adverIntCs: 200 }, reason: null },
  {
    name: 'two VIPs configured',
    rx: () => rx4(PASS_FRAME),
    want: { ...PASS_INSTANCE, addresses: [ip('10.100.1.20'), ip('10.100.1.21')] },
    reason: 'address-count-mismatch',
  },
  {
    name: 'multicast advert, unicast instance',
    rx: () => rx4(PASS_FRAME),
    want: UNICAST_INSTANCE,
    reason: 'cast-mismatch',
  },
  {
    name: 'unicast advert, multicast instance',
    rx: () => rx4(UNICAST_FRAME),
    want: PASS_INSTANCE,
    reason: 'cast-mismatch',
  },
  {
    name: 'other VIP configured',
    rx: () => rx4(PASS_FRAME),
    want: { ...PASS_INSTANCE, addresses: [ip('10.100.1.21')] },
    reason: 'address-list-mismatch',
  },
  {
    name: 'source not a unicast peer',
    rx: () => rx4(UNICAST_FRAME),
    want: { ...UNICAST_INSTANCE, unicastPeers: [{ address: ip('10.100.1.3'), minTtl: 0, maxTtl: 255 }] },
    reason: 'unicast-source-not-peer',
  },
  {
    name: 'source check off',
    rx: () => rx4(UNICAST_FRAME),
    want: {
      ...UNICAST_INSTANCE,
      checkUnicastSource: false,
      unicastPeers: [{ address: ip('10.100.1.3'), minTtl: 0, maxTtl: 1 }],
    },
    reason: null,
  },
  {
    name: 'unicast TTL above max_ttl',
    rx: () => rx4(UNICAST_FRAME),
    want: { ...UNICAST_INSTANCE, unicastPeers: [{ address: ip('10.100.1.1'), minTtl: 0, maxTtl: 254 }] },
    reason: 'unicast-ttl-out-of-range',
  },
];

describe('checkReceivedAdvert', () => {
  for (const row of ROWS) {
    test(row.name, () => {
      const rx = row.rx();
      const r = checkReceivedAdvert(rx, row.want);
      if (row.reason === null) {
        assert.ok(r.ok, r.ok ? '' : `${r.error.reason}: ${r.error.detail}`);
        assert.equal(r.value, rx.packet);
      } else {
        assert.equal(r.ok ? 'accepted' : r.error.reason, row.reason);
        if (!r.ok) assert.ok(r.error.detail.length > 0);
      }
    });
  }
  test('an IPv4 advert on an IPv6 instance is a programmer error', () => {
    assert.throws(() => checkReceivedAdvert(rx4(PASS_FRAME), V6_INSTANCE), TypeError);
  });
});

describe('withAhLastSequence', () => {
  test('every field of the base, and the sequence', () => {
    for (const want of [PASS_INSTANCE, AH_INSTANCE, UNICAST_INSTANCE, V6_INSTANCE]) {
      const { ahLastSequence: _, ...base } = want;
      assert.deepEqual(withAhLastSequence(base, 7), { ...want, ahLastSequence: 7 });
    }
  });
});
