/**
 * @module Table tests for the Ethernet frame decoders: gratuitous ARP and
 * unsolicited Neighbour Advertisement ({name, hex, value | reason}).
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeArpFrame, encodeArpFrame, gratuitousArp, isGratuitous } from '../../../src/wire/arp.js';
import { finish, ipv6PseudoHeaderSum, sum16 } from '../../../src/wire/checksum.js';
import type { FrameDropReason } from '../../../src/wire/ethernet.js';
import { decodeIpv6Header, encodeIpv6Header, FRAME_DROP_REASONS } from '../../../src/wire/ethernet.js';
import { formatIp, ip, ipFromBytes } from '../../../src/wire/ip.js';
import { formatMac, mac } from '../../../src/wire/mac.js';
import { decodeNaFrame, encodeNaFrame, unsolicitedNa } from '../../../src/wire/ndisc.js';

const bytes = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** garp.pcap frame 5. */
const GARP = 'ffffffffffff02000a64010208060001080006040001' + '02000a6401020a640114ffffffffffff0a640114';
/** unsolicited-na.pcap frame 5. */
const NA =
  '333300000001' +
  '02000a64010286dd' +
  '6000000000203aff' +
  'fd000100000000000000000000000020' +
  'ff020000000000000000000000000001' +
  '88004cf820000000fd000100000000000000000000000020020102000a640102';

type Row = { name: string; hex: string; reason?: FrameDropReason };

/** Every reason some row below expects (checked against FRAME_DROP_REASONS at the end). */
const seen = new Set<string>();

describe('decodeArpFrame', () => {
  const rows: Row[] = [
    { name: 'keepalived GARP (garp.pcap frame 5)', hex: GARP },
    { name: 'with Ethernet padding to 60 bytes', hex: GARP + '00'.repeat(18) },
    { name: 'reply', hex: GARP.replace('06040001', '06040002') },
    { name: '13 bytes', hex: GARP.slice(0, 26), reason: 'frame-truncated' },
    { name: 'IPv4 EtherType', hex: GARP.replace('0806', '0800'), reason: 'frame-bad-ethertype' },
    { name: '41 bytes', hex: GARP.slice(0, 82), reason: 'frame-truncated' },
    { name: 'hardware type 6', hex: GARP.replace('08060001', '08060006'), reason: 'arp-unsupported-format' },
    {
      name: 'protocol IPv6',
      hex: GARP.replace('0001080006', '000186dd06'),
      reason: 'arp-unsupported-format',
    },
    {
      name: 'hardware length 8',
      hex: GARP.replace('06040001', '08040001'),
      reason: 'arp-unsupported-format',
    },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const r = decodeArpFrame(bytes(row.hex));
      if (row.reason) seen.add(row.reason);
      if (row.reason) return assert.equal(r.ok ? 'ok' : r.error.reason, row.reason);
      assert.ok(r.ok, r.ok ? '' : r.error.detail);
      assert.equal(toHex(encodeArpFrame(r.value)), row.hex.slice(0, 84));
    });
  }
  test('gratuitousArp builds the keepalived frame', () => {
    const frame = gratuitousArp(mac('02:00:0a:64:01:02'), ip('10.100.1.20'));
    assert.ok(isGratuitous(frame.arp));
    assert.equal(toHex(encodeArpFrame(frame)), GARP);
    assert.throws(() => gratuitousArp(mac('02:00:0a:64:01:02'), ip('fd00::1')), TypeError);
  });
});

/** Replace the ICMPv6 checksum of an NA frame hex so only the intended defect remains. */
function reChecksum(hex: string): string {
  const b = bytes(hex);
  const icmp = b.subarray(54);
  icmp[2] = 0;
  icmp[3] = 0;
  const c = finish(
    sum16(
      icmp,
      ipv6PseudoHeaderSum(ipFromBytes(b.subarray(22, 38)), ipFromBytes(b.subarray(38, 54)), 58, icmp.length),
    ),
  );
  icmp[2] = c >> 8;
  icmp[3] = c & 0xff;
  return toHex(b);
}

describe('decodeNaFrame', () => {
  const rows: Row[] = [
    { name: 'keepalived unsolicited NA (unsolicited-na.pcap frame 5)', hex: NA },
    { name: 'no options', hex: reChecksum(NA.replace('6000000000203aff', '6000000000183aff').slice(0, -16)) },
    { name: '13 bytes', hex: NA.slice(0, 26), reason: 'frame-truncated' },
    { name: 'ARP EtherType', hex: NA.replace('86dd', '0806'), reason: 'frame-bad-ethertype' },
    { name: 'IPv6 header cut at 30 bytes', hex: NA.slice(0, 88), reason: 'frame-truncated' },
    {
      name: 'IP version 4',
      hex: NA.replace('6000000000203aff', '4000000000203aff'),
      reason: 'ipv6-bad-version',
    },
    {
      name: 'payload length 40',
      hex: NA.replace('6000000000203aff', '6000000000283aff'),
      reason: 'ipv6-payload-truncated',
    },
    {
      name: 'next header UDP',
      hex: NA.replace('6000000000203aff', '60000000002011ff'),
      reason: 'ipv6-bad-next-header',
    },
    {
      name: 'payload length 20',
      hex: NA.replace('6000000000203aff', '6000000000143aff'),
      reason: 'icmpv6-truncated',
    },
    { name: 'checksum off by one', hex: NA.replace('88004cf8', '88004cf9'), reason: 'icmpv6-bad-checksum' },
    {
      name: 'type 135 (solicitation)',
      hex: reChecksum(NA.replace('88004cf8', '87004cf8')),
      reason: 'ndisc-not-neighbour-advert',
    },
    {
      name: 'code 1',
      hex: reChecksum(NA.replace('88004cf8', '88014cf8')),
      reason: 'ndisc-not-neighbour-advert',
    },
    {
      name: 'hop limit 64',
      hex: NA.replace('6000000000203aff', '6000000000203a40'),
      reason: 'ndisc-bad-hop-limit',
    },
    {
      name: 'option length 0',
      hex: reChecksum(NA.replace('020102000a640102', '020002000a640102')),
      reason: 'ndisc-bad-option',
    },
    {
      name: 'option length 2 overruns',
      hex: reChecksum(NA.replace('020102000a640102', '020202000a640102')),
      reason: 'ndisc-bad-option',
    },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const r = decodeNaFrame(bytes(row.hex));
      if (row.reason) seen.add(row.reason);
      if (row.reason) return assert.equal(r.ok ? 'ok' : r.error.reason, row.reason);
      assert.ok(r.ok, r.ok ? '' : r.error.detail);
      assert.equal(toHex(encodeNaFrame(r.value)), row.hex);
    });
  }
  test('unsolicitedNa builds the keepalived frame; router flag when forwarding', () => {
    assert.equal(
      toHex(encodeNaFrame(unsolicitedNa(mac('02:00:0a:64:01:02'), ip('fd00:100::20'), false))),
      NA,
    );
    const routed = decodeNaFrame(
      encodeNaFrame(unsolicitedNa(mac('02:00:0a:64:01:02'), ip('fd00:100::20'), true)),
    );
    assert.ok(routed.ok);
    assert.deepEqual([routed.value.advert.router, routed.value.advert.override], [true, true]);
    assert.equal(formatMac(routed.value.advert.targetLinkLayer!), '02:00:0a:64:01:02');
    assert.throws(() => unsolicitedNa(mac('02:00:0a:64:01:02'), ip('10.0.0.1'), false), TypeError);
  });
  test('IPv6 header round trip with traffic class and flow label', () => {
    const h = {
      trafficClass: 0xc0,
      flowLabel: 0xf9806,
      payloadLength: 24,
      nextHeader: 112,
      hopLimit: 255,
      source: ip('fe80::aff:fe64:101'),
      destination: ip('ff02::12'),
    };
    const enc = encodeIpv6Header(h);
    assert.equal(toHex(enc.subarray(0, 8)), '6c0f9806001870ff');
    const r = decodeIpv6Header(new Uint8Array([...enc, ...new Uint8Array(24)]));
    assert.ok(r.ok);
    assert.deepEqual(r.value, h);
    assert.equal(formatIp(r.value.source), 'fe80::aff:fe64:101');
  });
});

test('every FrameDropReason has a row', () => {
  assert.deepEqual([...seen].sort(), [...FRAME_DROP_REASONS].sort());
});
