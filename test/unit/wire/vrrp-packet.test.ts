/**
 * @module Table tests for the VRRP message codec: {name, hex, context, value | reason}.
 * Valid rows are decoded and re-encoded to the same hex; invalid rows name their reason.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DropReason } from '../../../src/wire/drop-reason.js';
import { ip } from '../../../src/wire/ip.js';
import { authDataFromPassword } from '../../../src/wire/vrrp-auth.js';
import type { VrrpChecksumContext, VrrpPacket } from '../../../src/wire/vrrp-packet.js';
import { decodeVrrp, encodeVrrp, vrrpMessageLength } from '../../../src/wire/vrrp-packet.js';

const V4: VrrpChecksumContext = { source: ip('10.100.1.1'), destination: ip('224.0.0.18') };
const V4_NO_PSEUDO: VrrpChecksumContext = { ...V4, checksumWithIpv4PseudoHeader: false };
const V4_UNICAST: VrrpChecksumContext = { source: ip('10.100.1.1'), destination: ip('10.100.1.2') };
const V6: VrrpChecksumContext = { source: ip('fe80::aff:fe64:101'), destination: ip('ff02::12') };
const VIP4 = ip('10.100.1.20');
const VIP6 = ip('fd00:100::20');
const NONE = new Uint8Array(0);

type Row = {
  name: string;
  hex: string;
  ctx: VrrpChecksumContext;
  value?: VrrpPacket;
  reason?: DropReason;
  /** The row decodes but does not re-encode to the same bytes (ignored fields). */
  lossy?: boolean;
};

const v3 = (p: Partial<VrrpPacket>): VrrpPacket => ({
  version: 3,
  family: 'ipv4',
  vrid: 51,
  priority: 255,
  maxAdverIntCs: 100,
  addresses: [VIP4],
  authType: 0,
  authData: NONE,
  ...p,
});

const ROWS: Row[] = [
  {
    name: 'v2 PASS (vrrpv2-pass.pcap frame 1)',
    hex: '2133ff01010160db0a64011470612d7061737331',
    ctx: V4,
    value: v3({ version: 2, authType: 1, authData: authDataFromPassword('pa-pass1') }),
  },
  {
    name: 'v2 AH payload (vrrpv2-ah.pcap frame 1)',
    hex: '2133ff010201d2510a6401140000000000000000',
    ctx: V4,
    value: v3({ version: 2, authType: 2, authData: new Uint8Array(8) }),
  },
  {
    name: 'v2 no auth, adver int 0',
    hex: '2133ff010000d4520a6401140000000000000000',
    ctx: V4,
    value: v3({ version: 2, maxAdverIntCs: 0, authData: new Uint8Array(8) }),
  },
  { name: 'v3 IPv4 (vrrpv3-ipv4.pcap frame 1)', hex: '3133ff010064d7fa0a640114', ctx: V4, value: v3({}) },
  {
    name: 'v3 IPv4 two addresses, 2 s',
    hex: '3133fe0200c8cd180a6401140a640115',
    ctx: V4,
    value: v3({ priority: 254, maxAdverIntCs: 200, addresses: [VIP4, ip('10.100.1.21')] }),
  },
  {
    name: 'v3 IPv4 no addresses',
    hex: '31330a000064d878',
    ctx: V4,
    value: v3({ priority: 10, addresses: [] }),
  },
  {
    name: 'v3 IPv4 checksum without pseudo-header (FRR knob off)',
    hex: '3133ff010064c3ee0a640114',
    ctx: V4_NO_PSEUDO,
    value: v3({}),
  },
  { name: 'v3 IPv4 unicast pseudo-header', hex: '3133ff010064aca70a640114', ctx: V4_UNICAST, value: v3({}) },
  {
    name: 'v3 reserved bits ignored on receive (RFC 5798 §5.2.6)',
    hex: '3133ff01f064e7f90a640114',
    ctx: V4,
    value: v3({}),
    lossy: true,
  },
  {
    name: 'v3 IPv6 (vrrpv3-ipv6.pcap frame 1)',
    hex: '3133ff010064c8c2fd000100000000000000000000000020',
    ctx: V6,
    value: v3({ family: 'ipv6', addresses: [VIP6] }),
  },
  {
    name: 'v3 IPv6 two addresses',
    hex: '3133640200646590fd000100000000000000000000000020fd000100000000000000000000000021',
    ctx: V6,
    value: v3({ family: 'ipv6', priority: 100, addresses: [VIP6, ip('fd00:100::21')] }),
  },
  {
    name: 'v2 IPv6 (keepalived: no auth data)',
    hex: '213300010001d826fd000100000000000000000000000020',
    ctx: V6,
    value: v3({ version: 2, family: 'ipv6', priority: 0, addresses: [VIP6] }),
  },
  { name: 'empty', hex: '', ctx: V4, reason: 'vrrp-truncated' },
  { name: '7 bytes', hex: '2133ff01010160', ctx: V4, reason: 'vrrp-truncated' },
  { name: 'version 1', hex: '1133ff01010160db0a64011470612d7061737331', ctx: V4, reason: 'vrrp-bad-version' },
  { name: 'version 4', hex: '4133ff010064d7fa0a640114', ctx: V4, reason: 'vrrp-bad-version' },
  { name: 'type 2', hex: '3233ff010064d7fa0a640114', ctx: V4, reason: 'vrrp-bad-type' },
  { name: 'type 0', hex: '2033ff01010160db0a64011470612d7061737331', ctx: V4, reason: 'vrrp-bad-type' },
  { name: 'count 2, one address', hex: '3133ff020064d7fa0a640114', ctx: V4, reason: 'vrrp-length-mismatch' },
  { name: 'trailing byte', hex: '3133ff010064d7fa0a64011400', ctx: V4, reason: 'vrrp-length-mismatch' },
  { name: 'v2 without auth data', hex: '2133ff01010160db0a640114', ctx: V4, reason: 'vrrp-length-mismatch' },
  {
    name: 'v3 IPv4 address on IPv6',
    hex: '3133ff010064d7fa0a640114',
    ctx: V6,
    reason: 'vrrp-length-mismatch',
  },
  {
    name: 'v2 checksum off by one',
    hex: '2133ff01010160dc0a64011470612d7061737331',
    ctx: V4,
    reason: 'vrrp-bad-checksum',
  },
  {
    name: 'v3 checked without pseudo-header',
    hex: '3133ff010064d7fa0a640114',
    ctx: V4_NO_PSEUDO,
    reason: 'vrrp-bad-checksum',
  },
  {
    name: 'v3 other destination',
    hex: '3133ff010064d7fa0a640114',
    ctx: V4_UNICAST,
    reason: 'vrrp-bad-checksum',
  },
  {
    name: 'v3 IPv6 other source',
    hex: '3133ff010064c8c2fd000100000000000000000000000020',
    ctx: { ...V6, source: ip('fe80::aff:fe64:102') },
    reason: 'vrrp-bad-checksum',
  },
  {
    name: 'v2 auth type 3',
    hex: '2133ff0103015edb0a64011470612d7061737331',
    ctx: V4,
    reason: 'vrrp-invalid-auth-type',
  },
];

describe('decodeVrrp / encodeVrrp', () => {
  for (const row of ROWS) {
    test(row.name, () => {
      const bytes = Buffer.from(row.hex, 'hex');
      const r = decodeVrrp(new Uint8Array(bytes), row.ctx);
      if (row.reason) {
        assert.equal(r.ok, false);
        if (!r.ok) {
          assert.equal(r.error.reason, row.reason);
          assert.ok(r.error.detail.length > 0);
        }
        return;
      }
      assert.ok(r.ok, r.ok ? '' : `${r.error.reason}: ${r.error.detail}`);
      assert.deepEqual(r.value, row.value);
      if (!row.lossy) assert.equal(Buffer.from(encodeVrrp(row.value!, row.ctx)).toString('hex'), row.hex);
    });
  }

  test('decode honours byteOffset of a sub-array', () => {
    const buf = Buffer.from(`ffff${ROWS[3]!.hex}ff`, 'hex');
    const r = decodeVrrp(new Uint8Array(buf.buffer, buf.byteOffset + 2, buf.length - 3), V4);
    assert.ok(r.ok);
  });

  test('message lengths', () => {
    assert.equal(vrrpMessageLength(2, 'ipv4', 1), 20);
    assert.equal(vrrpMessageLength(3, 'ipv4', 1), 12);
    assert.equal(vrrpMessageLength(3, 'ipv6', 2), 40);
    assert.equal(vrrpMessageLength(2, 'ipv6', 1), 24);
  });

  const bad: [string, Partial<VrrpPacket>, VrrpChecksumContext?][] = [
    ['VRID 0', { vrid: 0 }],
    ['VRID 256', { vrid: 256 }],
    ['priority 256', { priority: 256 }],
    ['v3 interval 4096 cs', { maxAdverIntCs: 4096 }],
    ['v2 interval not whole seconds', { version: 2, maxAdverIntCs: 150, authData: new Uint8Array(8) }],
    ['v3 with auth', { authType: 1 }],
    ['v2 IPv4 auth data of 7 bytes', { version: 2, authData: new Uint8Array(7) }],
    ['IPv6 address in IPv4 packet', { addresses: [VIP6] }],
    ['IPv6 context for IPv4 packet', {}, V6],
    ['256 addresses', { addresses: new Array(256).fill(VIP4) }],
  ];
  for (const [name, patch, ctx] of bad) {
    test(`encode asserts: ${name}`, () => {
      assert.throws(() => encodeVrrp(v3(patch), ctx ?? V4), /must|family|authentication|bytes/);
    });
  }
});
