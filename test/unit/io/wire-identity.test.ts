/**
 * What the daemon puts on the wire equals keepalived 2.2.7's captures
 * (../shared/vectors): adverts from the AdvertSender (IPv4 header with keepalived's id
 * counter, PASS and AH), gratuitous ARP and unsolicited NA frames from the GARP burst.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AdvertSender, type AdvertSenderConfig } from '../../../src/io/advert-sender.js';
import { burstFrames, GarpSender } from '../../../src/io/garp.js';
import { authDataFromPassword, type IpAddress, ip, VRRP_AUTH } from '../../../src/wire/index.js';
import { readPcap } from '../../helpers/pcap.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const frames = (name: string) => readPcap(readFileSync(resolve(repoRoot, '../shared/vectors', name)));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function capture(cfg: AdvertSenderConfig, counters: { ipId?: number; ahSequence?: number }) {
  const sent: { bytes: Uint8Array; dst: IpAddress }[] = [];
  const channel = {
    send: (bytes: Uint8Array, dst: IpAddress) => {
      sent.push({ bytes, dst });
      return true;
    },
  };
  const sender = new AdvertSender(cfg, channel, counters);
  return { sender, sent };
}

const base: AdvertSenderConfig = {
  version: 2,
  family: 'ipv4',
  vrid: 51,
  addresses: [ip('10.100.1.20')],
  authType: VRRP_AUTH.pass,
  authData: authDataFromPassword('pa-pass1'),
  source: ip('10.100.1.1'),
  destinations: [ip('224.0.0.18')],
  unicast: false,
};

function ipIdOf(frame: Uint8Array): number {
  return (frame[14 + 4]! << 8) | frame[14 + 5]!;
}

describe('adverts are byte-identical to keepalived 2.2.7', () => {
  test('VRRPv2 PASS multicast (vrrpv2-pass.pcap frame 1)', () => {
    const f = frames('vrrpv2-pass.pcap')[0]!.data;
    const { sender, sent } = capture(base, { ipId: ipIdOf(f) - 1 });
    assert.ok(sender.send(255, 100));
    assert.equal(hex(sent[0]!.bytes), hex(f.subarray(14)));
  });

  test('VRRPv2 PASS unicast (vrrpv2-unicast.pcap frame 1)', () => {
    const f = frames('vrrpv2-unicast.pcap')[0]!.data;
    const cfg = { ...base, destinations: [ip('10.100.1.2')], unicast: true };
    const { sender, sent } = capture(cfg, { ipId: ipIdOf(f) - 1 });
    sender.send(255, 100);
    assert.equal(hex(sent[0]!.bytes), hex(f.subarray(14)));
    assert.equal(sent[0]!.dst.bytes.join('.'), '10.100.1.2');
  });

  test('VRRPv2 AH (vrrpv2-ah.pcap frame 1, AH sequence 3)', () => {
    const f = frames('vrrpv2-ah.pcap')[0]!.data;
    const cfg = { ...base, authType: VRRP_AUTH.ah };
    const { sender, sent } = capture(cfg, { ipId: ipIdOf(f) - 1, ahSequence: 2 });
    sender.send(255, 100);
    assert.equal(hex(sent[0]!.bytes), hex(f.subarray(14)));
  });

  test('VRRPv3 IPv4 (vrrpv3-ipv4.pcap frame 1)', () => {
    const f = frames('vrrpv3-ipv4.pcap')[0]!.data;
    const cfg = { ...base, version: 3 as const, authType: VRRP_AUTH.none, authData: new Uint8Array(0) };
    const { sender, sent } = capture(cfg, { ipId: ipIdOf(f) - 1 });
    sender.send(255, 100);
    assert.equal(hex(sent[0]!.bytes), hex(f.subarray(14)));
  });

  test('VRRPv3 IPv6 (vrrpv3-ipv6.pcap frame 1): the VRRP message the kernel wraps', () => {
    const f = frames('vrrpv3-ipv6.pcap')[0]!.data;
    const cfg: AdvertSenderConfig = {
      ...base,
      version: 3,
      family: 'ipv6',
      addresses: [ip('fd00:100::20')],
      authType: VRRP_AUTH.none,
      authData: new Uint8Array(0),
      source: ip('fe80::aff:fe64:101'),
      destinations: [ip('ff02::12')],
    };
    const { sender, sent } = capture(cfg, {});
    sender.send(255, 100);
    assert.equal(hex(sent[0]!.bytes), hex(f.subarray(14 + 40)));
  });

  test('the IP id counter skips 0 after 0xffff', () => {
    const { sender, sent } = capture(base, { ipId: 0xffff });
    sender.send(255, 100);
    assert.equal(ipIdOf(new Uint8Array([...new Uint8Array(14), ...sent[0]!.bytes])), 1);
  });
});

describe('GARP / NA bursts', () => {
  const mac1 = Uint8Array.from([2, 0, 0x0a, 0x64, 1, 1]);

  test('a gratuitous ARP equals garp.pcap frame 5', () => {
    const f = frames('garp.pcap')[4]!.data;
    const mac = f.subarray(6, 12);
    const [one] = burstFrames({ ifindex: 1, mac, vips: [ip('10.100.1.20')], router: false }, 1);
    assert.equal(hex(one!.frame), hex(f.subarray(0, 42)));
  });

  test('an unsolicited NA equals unsolicited-na.pcap frame 5', () => {
    const f = frames('unsolicited-na.pcap')[4]!.data;
    const mac = f.subarray(6, 12);
    const [one] = burstFrames({ ifindex: 1, mac, vips: [ip('fd00:100::20')], router: false }, 1);
    assert.equal(hex(one!.frame), hex(f));
    assert.equal(one!.v6, true);
  });

  test('repeat rounds go over every VIP in order', () => {
    const vips = [ip('10.0.0.1'), ip('10.0.0.2')];
    const out = burstFrames({ ifindex: 1, mac: mac1, vips, router: false }, 3);
    assert.equal(out.length, 6);
    const targets = out.map((o) => o.frame.subarray(38, 42).join('.'));
    assert.deepEqual(targets, ['10.0.0.1', '10.0.0.2', '10.0.0.1', '10.0.0.2', '10.0.0.1', '10.0.0.2']);
  });
});

describe('GarpSender pacing', () => {
  test('vrrp_garp_interval spaces the messages of a burst; 0 sends it at once', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const sent: number[] = [];
    const sink = { send: (f: Uint8Array) => sent.push(f.length), close: () => {} };
    const paced = new GarpSender({ garpIntervalUs: 10_000, gnaIntervalUs: 0 }, () => sink);
    const target = {
      ifindex: 1,
      mac: Uint8Array.from([2, 0, 0, 0, 0, 1]),
      vips: [ip('10.0.0.1')],
      router: false,
    };
    paced.burst(target, 3);
    assert.equal(sent.length, 1);
    t.mock.timers.tick(10);
    assert.equal(sent.length, 2);
    t.mock.timers.tick(10);
    assert.equal(sent.length, 3);
    const burst = new GarpSender({ garpIntervalUs: 0, gnaIntervalUs: 0 }, () => sink);
    burst.burst(target, 5);
    assert.equal(sent.length, 8);
    assert.equal(burst.sentArp, 5);
    paced.close();
  });
});
