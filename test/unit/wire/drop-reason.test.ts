/**
 * @module Every DropReason is produced by real code (a record keyed by the union,
 * so the compiler rejects a missing reason), and every reason maps to a counter
 * named after RFC 2787 / RFC 6527 objects or a documented `kts*` name.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DecodeError, DropReason } from '../../../src/wire/drop-reason.js';
import { DROP_COUNTERS, DROP_REASONS } from '../../../src/wire/drop-reason.js';
import { ip } from '../../../src/wire/ip.js';
import { authDataFromPassword } from '../../../src/wire/vrrp-auth.js';
import { decodeIpv4Advert } from '../../../src/wire/vrrp-ipv4.js';
import type { InstanceExpectations, ReceivedAdvert } from '../../../src/wire/vrrp-receive.js';
import { checkReceivedAdvert, receivedFromIpv4 } from '../../../src/wire/vrrp-receive.js';

const PASS = '45c0002800030000ff70cf2b0a640101e00000122133ff01010160db0a64011470612d7061737331';
const AH =
  '45c0004000030000ff33cf500a640101e0000012700400000a64010100000003dc69130c148e6a678c9eb5172133ff010201d2510a6401140000000000000000';

/** Decode a datagram given as hex; the error, or undefined when it decodes. */
function decode(hex: string): DecodeError | undefined {
  const r = decodeIpv4Advert(new Uint8Array(Buffer.from(hex, 'hex')));
  return r.ok ? undefined : r.error;
}

/** IPv4 header with a fresh checksum around a payload (hex). */
function ipv4(protocol: number, payload: string, ttl = 255): string {
  const h = new Uint8Array(20);
  h.set([
    0x45,
    0xc0,
    0,
    20 + payload.length / 2,
    0,
    3,
    0,
    0,
    ttl,
    protocol,
    0,
    0,
    10,
    100,
    1,
    1,
    224,
    0,
    0,
    18,
  ]);
  let s = 0;
  for (let i = 0; i < 20; i += 2) s += (h[i]! << 8) | h[i + 1]!;
  while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
  h[10] = (~s >> 8) & 0xff;
  h[11] = ~s & 0xff;
  return Buffer.from(h).toString('hex') + payload;
}

const WANT: InstanceExpectations = {
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
  checkUnicastSource: true,
  dropIfLocalOwner: false,
  localPriority: 100,
};

function receive(hex: string, want: Partial<InstanceExpectations>, rx: Partial<ReceivedAdvert> = {}) {
  const r = decodeIpv4Advert(new Uint8Array(Buffer.from(hex, 'hex')));
  assert.ok(r.ok);
  const v = checkReceivedAdvert({ ...receivedFromIpv4(r.value), ...rx }, { ...WANT, ...want });
  return v.ok ? undefined : v.error;
}

const UNICAST_PEER = { address: ip('10.100.1.9'), minTtl: 0, maxTtl: 255 };

const PRODUCERS: Record<DropReason, () => DecodeError | undefined> = {
  'ip-truncated': () => decode(PASS.slice(0, 30)),
  'ip-bad-version': () => decode(`55${PASS.slice(2)}`),
  'ip-bad-header-length': () => decode(`43${PASS.slice(2)}`),
  'ip-bad-header-checksum': () => decode(PASS.replace('cf2b', '0000')),
  'ip-total-length-mismatch': () => decode(`${PASS}0000`),
  'ip-bad-protocol': () => decode(ipv4(6, PASS.slice(40))),
  'ah-truncated': () => decode(ipv4(51, AH.slice(40, 60))),
  'ah-bad-length': () => decode(ipv4(51, `7003${AH.slice(44)}`)),
  'ah-bad-next-header': () => decode(ipv4(51, `3304${AH.slice(44)}`)),
  'vrrp-truncated': () => decode(ipv4(112, '2133ff')),
  'vrrp-bad-version': () => decode(ipv4(112, `5${PASS.slice(41)}`)),
  'vrrp-bad-type': () => decode(ipv4(112, `2f${PASS.slice(42)}`)),
  'vrrp-length-mismatch': () => decode(ipv4(112, `${PASS.slice(40)}00000000`)),
  'vrrp-bad-checksum': () => decode(PASS.replace('60db', 'beef')),
  'vrrp-invalid-auth-type': () => decode(ipv4(112, '2133ff01090158db0a64011470612d7061737331')),
  'ttl-not-255': () => receive(PASS, {}, { ttl: 1 }),
  'version-mismatch': () => receive(PASS, { version: 3 }),
  'ah-presence-mismatch': () => receive(PASS, { authType: 2 }),
  'auth-type-mismatch': () => receive(PASS, { authType: 0 }),
  'auth-password-mismatch': () => receive(PASS, { authData: authDataFromPassword('x') }),
  'ah-icv-mismatch': () => receive(AH, { authType: 2, authData: authDataFromPassword('x') }),
  'ah-spi-mismatch': () => receive(AH, { authType: 2 }, { source: ip('10.100.1.7') }),
  'ah-sequence-replay': () => receive(AH, { authType: 2, ahLastSequence: 1000 }),
  'adver-int-mismatch': () => receive(PASS, { adverIntCs: 300 }),
  'vrid-mismatch': () => receive(PASS, { vrid: 1 }),
  'address-count-mismatch': () => receive(PASS, { addresses: [] }),
  'address-list-mismatch': () => receive(PASS, { addresses: [ip('10.100.1.99')] }),
  'cast-mismatch': () => receive(PASS, { unicastPeers: [UNICAST_PEER] }),
  'unicast-source-not-peer': () =>
    receive(PASS, { unicastPeers: [UNICAST_PEER] }, { destination: ip('10.100.1.2') }),
  'unicast-ttl-out-of-range': () =>
    receive(
      PASS,
      { unicastPeers: [{ ...UNICAST_PEER, address: ip('10.100.1.1'), maxTtl: 64 }] },
      { destination: ip('10.100.1.2') },
    ),
  'local-is-owner': () => receive(PASS, { dropIfLocalOwner: true, localPriority: 255 }),
};

/** RFC 2787 VRRP-MIB and RFC 6527 VRRPv3-MIB counter objects. */
const RFC2787 = new Set([
  'vrrpRouterChecksumErrors',
  'vrrpRouterVersionErrors',
  'vrrpRouterVrIdErrors',
  'vrrpStatsAdvertiseIntervalErrors',
  'vrrpStatsAuthFailures',
  'vrrpStatsIpTtlErrors',
  'vrrpStatsInvalidTypePktsRcvd',
  'vrrpStatsAddressListErrors',
  'vrrpStatsInvalidAuthType',
  'vrrpStatsAuthTypeMismatch',
  'vrrpStatsPacketLengthErrors',
]);
const RFC6527 = new Set([
  'vrrpv3RouterChecksumErrors',
  'vrrpv3RouterVersionErrors',
  'vrrpv3RouterVrIdErrors',
  'vrrpv3StatisticsAdvIntervalErrors',
  'vrrpv3StatisticsIpTtlErrors',
  'vrrpv3StatisticsRcvdInvalidTypePackets',
  'vrrpv3StatisticsAddressListErrors',
  'vrrpv3StatisticsPacketLengthErrors',
]);

describe('DropReason', () => {
  for (const reason of DROP_REASONS) {
    test(`${reason} is produced by the receive path`, () => {
      const e = PRODUCERS[reason]();
      assert.ok(e, 'the packet was accepted');
      assert.equal(e.reason, reason, e.detail);
    });
  }
  test('counter names are MIB objects or kts* names', () => {
    for (const [reason, c] of Object.entries(DROP_COUNTERS)) {
      assert.ok(RFC2787.has(c.vrrpMib) || /^kts[A-Z]\w+$/.test(c.vrrpMib), `${reason}: ${c.vrrpMib}`);
      assert.ok(RFC6527.has(c.vrrpv3Mib) || /^kts[A-Z]\w+$/.test(c.vrrpv3Mib), `${reason}: ${c.vrrpv3Mib}`);
    }
  });
  test('reasons are unique', () => assert.equal(new Set(DROP_REASONS).size, DROP_REASONS.length));
});
