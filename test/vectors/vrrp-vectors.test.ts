/**
 * @module Real keepalived 2.2.7 captures (../shared/vectors): decode every frame,
 * check it against the README's tables and configs, and re-encode it from the
 * configuration byte for byte (whole IPv4 datagram; IPv6 VRRP payload, since
 * the kernel builds that IPv6 header; whole Ethernet frame for ARP and NA).
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeArpFrame, encodeArpFrame, gratuitousArp, isGratuitous } from '../../src/wire/arp.js';
import { decodeIpv6Header } from '../../src/wire/ethernet.js';
import { formatIp, ip, VRRP_GROUP_IPV4, VRRP_GROUP_IPV6 } from '../../src/wire/ip.js';
import { formatMac, mac, multicastMac } from '../../src/wire/mac.js';
import { decodeNaFrame, encodeNaFrame, unsolicitedNa } from '../../src/wire/ndisc.js';
import { authDataFromPassword, VRRP_AUTH } from '../../src/wire/vrrp-auth.js';
import { decodeIpv4Advert, encodeIpv4Advert } from '../../src/wire/vrrp-ipv4.js';
import type { VrrpPacket } from '../../src/wire/vrrp-packet.js';
import { decodeVrrp, encodeVrrp } from '../../src/wire/vrrp-packet.js';
import { readPcap } from '../helpers/pcap.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const vectorsDir = resolve(repoRoot, '../shared/vectors');

/** The lab of the README: node addresses, MACs and configured priorities. */
const NODES = [
  { v4: '10.100.1.1', ll: 'fe80::aff:fe64:101', mac: '02:00:0a:64:01:01', priority: 255 },
  { v4: '10.100.1.2', ll: 'fe80::aff:fe64:102', mac: '02:00:0a:64:01:02', priority: 254 },
];
const VIP4 = ip('10.100.1.20');
const VIP6 = ip('fd00:100::20');
const PASS = authDataFromPassword('pa-pass1');

/** Per file: the config that produced it. */
const FILES: Record<string, { version: 2 | 3; auth: 0 | 1 | 2; unicast: boolean; frames: number }> = {
  'vrrpv2-pass.pcap': { version: 2, auth: VRRP_AUTH.pass, unicast: false, frames: 8 },
  'vrrpv2-ah.pcap': { version: 2, auth: VRRP_AUTH.ah, unicast: false, frames: 8 },
  'vrrpv3-ipv4.pcap': { version: 3, auth: VRRP_AUTH.none, unicast: false, frames: 8 },
  'vrrpv3-ipv6.pcap': { version: 3, auth: VRRP_AUTH.none, unicast: false, frames: 8 },
  'vrrpv2-unicast.pcap': { version: 2, auth: VRRP_AUTH.pass, unicast: true, frames: 8 },
  'priority0-shutdown.pcap': { version: 2, auth: VRRP_AUTH.pass, unicast: false, frames: 8 },
  'garp.pcap': { version: 2, auth: VRRP_AUTH.pass, unicast: false, frames: 20 },
  'unsolicited-na.pcap': { version: 3, auth: VRRP_AUTH.none, unicast: false, frames: 20 },
};

/** What the README's summary table lists for a VRRP frame (AH sequence only for AH). */
type Seen = { src: string; dst: string; prio: number; cksum: number; ahSeq?: number };

/** The README's summary table: first packet of each kind. */
const SUMMARY: ({ file: string; frame: number } & Seen)[] = [
  { file: 'vrrpv2-pass.pcap', frame: 1, src: '10.100.1.1', dst: '224.0.0.18', prio: 255, cksum: 0x60db },
  {
    file: 'vrrpv2-ah.pcap',
    frame: 1,
    src: '10.100.1.1',
    dst: '224.0.0.18',
    prio: 255,
    cksum: 0xd251,
    ahSeq: 3,
  },
  { file: 'vrrpv3-ipv4.pcap', frame: 1, src: '10.100.1.1', dst: '224.0.0.18', prio: 255, cksum: 0xd7fa },
  {
    file: 'vrrpv3-ipv6.pcap',
    frame: 1,
    src: 'fe80::aff:fe64:101',
    dst: 'ff02::12',
    prio: 255,
    cksum: 0xc8c2,
  },
  { file: 'vrrpv2-unicast.pcap', frame: 1, src: '10.100.1.1', dst: '10.100.1.2', prio: 255, cksum: 0x60db },
  {
    file: 'priority0-shutdown.pcap',
    frame: 1,
    src: '10.100.1.1',
    dst: '224.0.0.18',
    prio: 255,
    cksum: 0x60db,
  },
  { file: 'priority0-shutdown.pcap', frame: 4, src: '10.100.1.1', dst: '224.0.0.18', prio: 0, cksum: 0x5fdc },
  {
    file: 'priority0-shutdown.pcap',
    frame: 5,
    src: '10.100.1.2',
    dst: '224.0.0.18',
    prio: 254,
    cksum: 0x61db,
  },
  { file: 'garp.pcap', frame: 1, src: '10.100.1.1', dst: '224.0.0.18', prio: 255, cksum: 0x60db },
  { file: 'garp.pcap', frame: 3, src: '10.100.1.1', dst: '224.0.0.18', prio: 0, cksum: 0x5fdc },
  { file: 'garp.pcap', frame: 4, src: '10.100.1.2', dst: '224.0.0.18', prio: 254, cksum: 0x61db },
  {
    file: 'unsolicited-na.pcap',
    frame: 1,
    src: 'fe80::aff:fe64:101',
    dst: 'ff02::12',
    prio: 255,
    cksum: 0xc8c2,
  },
  {
    file: 'unsolicited-na.pcap',
    frame: 3,
    src: 'fe80::aff:fe64:101',
    dst: 'ff02::12',
    prio: 0,
    cksum: 0xc7c3,
  },
  {
    file: 'unsolicited-na.pcap',
    frame: 4,
    src: 'fe80::aff:fe64:102',
    dst: 'ff02::12',
    prio: 254,
    cksum: 0xc9c1,
  },
];

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const u16 = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;

function nodeBySource(source: string) {
  const node = NODES.find((n) => n.v4 === source || n.ll === source);
  assert.ok(node, `unknown source ${source}`);
  return node;
}

/** The advert a node's config produces; priority 0 only when the capture shows the shutdown advert. */
function configuredPacket(file: string, family: 'ipv4' | 'ipv6', priority: number): VrrpPacket {
  const cfg = FILES[file]!;
  return {
    version: cfg.version,
    family,
    vrid: 51,
    priority,
    maxAdverIntCs: 100, // advert_int 1
    addresses: [family === 'ipv4' ? VIP4 : VIP6],
    authType: cfg.auth,
    // v2 over IPv4 carries 8 bytes of auth data: the password for PASS, zeros for AH.
    authData:
      family === 'ipv6' || cfg.version === 3
        ? new Uint8Array(0)
        : cfg.auth === VRRP_AUTH.pass
          ? PASS
          : new Uint8Array(8),
  };
}

function checkIpv4Vrrp(file: string, frame: Uint8Array): Seen {
  const cfg = FILES[file]!;
  const datagram = frame.subarray(14);
  const r = decodeIpv4Advert(datagram);
  assert.ok(r.ok, r.ok ? '' : r.error.detail);
  const { ip: h, ah, vrrp } = r.value;
  const src = formatIp(h.source);
  const node = nodeBySource(src);
  assert.deepEqual([h.tos, h.ttl, h.flags, h.fragmentOffset], [0xc0, 255, 0, 0]);
  assert.equal(h.protocol, cfg.auth === VRRP_AUTH.ah ? 51 : 112);
  const dst = cfg.unicast ? NODES.find((n) => n !== node)!.v4 : '224.0.0.18';
  assert.equal(formatIp(h.destination), dst);
  if (!cfg.unicast) assert.equal(hex(frame.subarray(0, 6)), hex(multicastMac(VRRP_GROUP_IPV4).bytes));
  assert.equal(hex(frame.subarray(6, 12)), hex(mac(node.mac).bytes));
  assert.ok(vrrp.priority === node.priority || vrrp.priority === 0, `priority ${vrrp.priority}`);
  assert.deepEqual(vrrp, configuredPacket(file, 'ipv4', vrrp.priority));
  if (cfg.auth === VRRP_AUTH.ah) {
    assert.ok(ah);
    assert.equal(ah.spi, 0x0a640101); // README: SPI = source address
    // keepalived increments its IP id and AH sequence counters together for every advert.
    assert.equal(ah.sequence, h.identification);
  } else assert.equal(ah, null);
  const encoded = encodeIpv4Advert(configuredPacket(file, 'ipv4', vrrp.priority), {
    identification: h.identification, // keepalived's running IP id counter
    source: ip(node.v4),
    destination: ip(dst),
    ah: ah ? { sequence: ah.sequence, key: PASS, zeroTtlInIcv: cfg.unicast } : undefined,
  });
  assert.equal(hex(encoded), hex(datagram));
  const vrrpAt = h.headerLength + (ah ? 24 : 0);
  const seen: Seen = { src, dst, prio: vrrp.priority, cksum: u16(datagram, vrrpAt + 6) };
  return ah ? { ...seen, ahSeq: ah.sequence } : seen;
}

function checkIpv6Vrrp(file: string, frame: Uint8Array): Seen {
  const h6 = decodeIpv6Header(frame.subarray(14));
  assert.ok(h6.ok);
  const { source, destination, hopLimit, trafficClass } = h6.value;
  assert.deepEqual([hopLimit, trafficClass, formatIp(destination)], [255, 0xc0, 'ff02::12']);
  assert.equal(hex(frame.subarray(0, 6)), hex(multicastMac(VRRP_GROUP_IPV6).bytes));
  const payload = frame.subarray(54, 54 + h6.value.payloadLength);
  const r = decodeVrrp(payload, { source, destination });
  assert.ok(r.ok, r.ok ? '' : r.error.detail);
  const node = nodeBySource(formatIp(source));
  assert.ok(r.value.priority === node.priority || r.value.priority === 0);
  assert.deepEqual(r.value, configuredPacket(file, 'ipv6', r.value.priority));
  const encoded = encodeVrrp(configuredPacket(file, 'ipv6', r.value.priority), { source, destination });
  assert.equal(hex(encoded), hex(payload));
  return {
    src: formatIp(source),
    dst: formatIp(destination),
    prio: r.value.priority,
    cksum: u16(payload, 6),
  };
}

function checkNa(frame: Uint8Array): null {
  const r = decodeNaFrame(frame);
  assert.ok(r.ok, r.ok ? '' : r.error.detail);
  const { advert, ipv6, ethernet } = r.value;
  assert.deepEqual([advert.router, advert.solicited, advert.override], [false, false, true]);
  assert.equal(formatIp(advert.target), 'fd00:100::20');
  assert.equal(formatIp(ipv6.source), 'fd00:100::20');
  assert.equal(formatIp(ipv6.destination), 'ff02::1');
  assert.equal(ipv6.hopLimit, 255);
  assert.equal(formatMac(ethernet.source), '02:00:0a:64:01:02');
  assert.ok(advert.targetLinkLayer);
  assert.equal(formatMac(advert.targetLinkLayer), '02:00:0a:64:01:02');
  assert.equal(u16(frame, 56), 0x4cf8); // README frame 5 checksum
  assert.equal(hex(encodeNaFrame(unsolicitedNa(mac('02:00:0a:64:01:02'), VIP6, false))), hex(frame));
  return null;
}

function checkArp(frame: Uint8Array): null {
  const r = decodeArpFrame(frame);
  assert.ok(r.ok, r.ok ? '' : r.error.detail);
  const { arp } = r.value;
  assert.equal(arp.operation, 1);
  assert.ok(isGratuitous(arp));
  assert.equal(formatIp(arp.senderIp), '10.100.1.20');
  assert.equal(formatMac(arp.targetMac), 'ff:ff:ff:ff:ff:ff');
  assert.equal(hex(encodeArpFrame(gratuitousArp(mac('02:00:0a:64:01:02'), VIP4))), hex(frame));
  return null;
}

/** Dispatch on EtherType / next header; VRRP frames report what the summary table lists. */
function checkFrame(file: string, n: number, data: Uint8Array): { kind: string; seen: Seen | null } {
  const etherType = u16(data, 12);
  if (etherType === 0x0800) return { kind: 'vrrp4', seen: checkIpv4Vrrp(file, data) };
  if (etherType === 0x0806) return { kind: 'arp', seen: checkArp(data) };
  if (etherType === 0x86dd && data[20] === 112) return { kind: 'vrrp6', seen: checkIpv6Vrrp(file, data) };
  if (etherType === 0x86dd && data[20] === 58) return { kind: 'na', seen: checkNa(data) };
  return assert.fail(`frame ${n}: unexpected EtherType 0x${etherType.toString(16)}`);
}

describe('keepalived 2.2.7 captures', () => {
  const files = readdirSync(vectorsDir).filter((f) => f.endsWith('.pcap'));
  test('every capture listed in the README is present', () => {
    assert.deepEqual(files.sort(), Object.keys(FILES).sort());
  });
  for (const file of files) {
    test(`${file}: decode, check and re-encode every frame`, () => {
      const frames = readPcap(readFileSync(join(vectorsDir, file)));
      assert.equal(frames.length, FILES[file]!.frames);
      const kinds = new Map<string, number>();
      for (const f of frames) {
        const { kind, seen } = checkFrame(file, f.number, f.data);
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        const row = SUMMARY.find((s) => s.file === file && s.frame === f.number);
        if (row) {
          const { file: _f, frame: _n, ...expected } = row;
          assert.deepEqual(seen, expected);
        }
      }
      if (file === 'garp.pcap') assert.deepEqual(Object.fromEntries(kinds), { vrrp4: 10, arp: 10 });
      if (file === 'unsolicited-na.pcap') assert.deepEqual(Object.fromEntries(kinds), { vrrp6: 10, na: 10 });
    });
  }
});
