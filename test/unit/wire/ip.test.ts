/**
 * @module IP address values: parse/format tables (RFC 4291 §2.2, RFC 5952), compare, predicates;
 * MAC values and the VRRP virtual MACs (RFC 5798 §7.3); the RFC 1071 checksum.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { finish, internetChecksum, ipv6PseudoHeaderSum, sum16 } from '../../../src/wire/checksum.js';
import {
  compareIp,
  formatIp,
  ip,
  ipFromBytes,
  isLinkLocalIpv6,
  isMulticast,
  parseIp,
} from '../../../src/wire/ip.js';
import { formatMac, mac, macEquals, multicastMac, parseMac, vrrpVirtualMac } from '../../../src/wire/mac.js';

const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('parseIp / formatIp', () => {
  const rows: [string, string | null, string?][] = [
    // [input, bytes hex or null for error, canonical text if different]
    ['10.100.1.20', '0a640114'],
    ['0.0.0.0', '00000000'],
    ['255.255.255.255', 'ffffffff'],
    ['224.0.0.18', 'e0000012'],
    ['256.1.1.1', null],
    ['1.2.3', null],
    ['1.2.3.4.5', null],
    ['01.2.3.4', null],
    ['1.2.3.', null],
    ['a.b.c.d', null],
    ['', null],
    ['fd00:100::20', 'fd000100000000000000000000000020'],
    ['fe80::aff:fe64:101', 'fe80000000000000' + '0aff:fe64:0101'.replaceAll(':', '').padStart(16, '0')],
    ['::', '0'.repeat(32)],
    ['::1', `${'0'.repeat(30)}01`],
    ['1::', `0001${'0'.repeat(28)}`],
    ['FF02::12', `ff02${'0'.repeat(26)}12`, 'ff02::12'],
    ['2001:db8:0:0:1:0:0:1', '20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
    ['2001:db8::0:1', '20010db8000000000000000000000001', '2001:db8::1'],
    ['2001:0db8:0:1:1:1:1:1', '20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'],
    ['::ffff:10.1.2.3', '00000000000000000000ffff0a010203'],
    ['1:2:3:4:5:6:1.2.3.4', '00010002000300040005000601020304', '1:2:3:4:5:6:102:304'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ['1:2:3:4:5:6:7:8:9', null],
    ['1::2::3', null],
    [':1::', null],
    ['1:2:3:4:5:6:7::8', null],
    ['12345::', null],
    ['::g', null],
    ['::1.2.3.256', null],
  ];
  for (const [text, hex, canonical] of rows) {
    test(`'${text}'`, () => {
      const r = parseIp(text);
      if (hex === null) {
        assert.equal(r.ok, false);
        return;
      }
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.equal(toHex(r.value.bytes), hex);
      assert.equal(
        formatIp(r.value),
        canonical ?? text.toLowerCase().replace('::ffff:10.1.2.3', '::ffff:a01:203'),
      );
    });
  }
});

describe('address helpers', () => {
  test('compareIp orders numerically, IPv4 first', () => {
    const sorted = ['10.0.0.10', '10.0.0.9', '::1', '9.255.255.255', 'fe80::1']
      .map(ip)
      .sort(compareIp)
      .map(formatIp);
    assert.deepEqual(sorted, ['9.255.255.255', '10.0.0.9', '10.0.0.10', '::1', 'fe80::1']);
    assert.equal(compareIp(ip('10.0.0.1'), ip('10.0.0.1')), 0);
  });
  test('predicates', () => {
    assert.ok(isMulticast(ip('224.0.0.18')) && isMulticast(ip('239.1.1.1')) && !isMulticast(ip('240.0.0.1')));
    assert.ok(isMulticast(ip('ff02::12')) && !isMulticast(ip('fe80::1')));
    assert.ok(isLinkLocalIpv6(ip('fe80::aff:fe64:101')) && !isLinkLocalIpv6(ip('fd00::1')));
  });
  test('ipFromBytes copies and checks the length', () => {
    const b = Uint8Array.of(10, 0, 0, 1);
    const a = ipFromBytes(b);
    b[0] = 11;
    assert.equal(formatIp(a), '10.0.0.1');
    assert.throws(() => ipFromBytes(new Uint8Array(5)), RangeError);
    assert.throws(() => ip('nope'), TypeError);
  });
});

describe('MAC', () => {
  test('parse/format', () => {
    assert.equal(formatMac(mac('02-00-0A-64-01-01')), '02:00:0a:64:01:01');
    for (const bad of ['02:00:0a:64:01', '02:00:0a:64:01:0g', '0200.0a64.0101', ''])
      assert.equal(parseMac(bad).ok, false);
    assert.ok(macEquals(mac('ff:ff:ff:ff:ff:ff'), mac('FF:FF:FF:FF:FF:FF')));
  });
  test('RFC 5798 §7.3 virtual MACs', () => {
    assert.equal(formatMac(vrrpVirtualMac(51, 'ipv4')), '00:00:5e:00:01:33');
    assert.equal(formatMac(vrrpVirtualMac(255, 'ipv6')), '00:00:5e:00:02:ff');
    assert.throws(() => vrrpVirtualMac(0, 'ipv4'), RangeError);
  });
  test('multicast MACs (RFC 1112 §6.4, RFC 2464 §7)', () => {
    assert.equal(formatMac(multicastMac(ip('224.0.0.18'))), '01:00:5e:00:00:12');
    assert.equal(formatMac(multicastMac(ip('239.129.2.3'))), '01:00:5e:01:02:03');
    assert.equal(formatMac(multicastMac(ip('ff02::12'))), '33:33:00:00:00:12');
  });
});

describe('RFC 1071 checksum', () => {
  test('RFC 1071 §3 example sum', () => {
    const data = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    assert.equal(finish(sum16(data)), ~0xddf2 & 0xffff);
  });
  test('odd length pads with zero; a checksummed message sums to 0', () => {
    assert.equal(internetChecksum(Uint8Array.of(0x01)), internetChecksum(Uint8Array.of(0x01, 0x00)));
    const hdr = Buffer.from('45c0002800030000ff70cf2b0a640101e0000012', 'hex');
    assert.equal(internetChecksum(new Uint8Array(hdr)), 0);
  });
  test('IPv6 pseudo-header carries a 32-bit length', () => {
    const a = ipv6PseudoHeaderSum(ip('::1'), ip('::2'), 112, 0x10001);
    assert.equal(a - ipv6PseudoHeaderSum(ip('::1'), ip('::2'), 112, 0), 2);
  });
});
