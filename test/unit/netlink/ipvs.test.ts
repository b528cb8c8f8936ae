/**
 * @module Tests for src/netlink/ipvs.ts. This kernel has no IPVS, so expected bytes are
 * written by hand from include/uapi/linux/ip_vs.h and keepalived's libipvs attribute order
 * (family id 0x20 as the qemu lab's Debian kernel assigns it). The live test runs in the lab.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AF,
  decodeIpvs,
  delDestRequest,
  encodeMessage,
  flushRequest,
  fromHex,
  getConfigRequest,
  getDaemonsRequest,
  getDestsRequest,
  getInfoRequest,
  getServicesRequest,
  IP_VS_CONN_F,
  IP_VS_STATE,
  IP_VS_SVC_F,
  IPPROTO,
  IPVS_CMD,
  type IpvsService,
  ipvsVersionString,
  newDaemonRequest,
  newDestRequest,
  newServiceRequest,
  setConfigRequest,
  splitMessages,
  toHex,
  zeroRequest,
} from '../../../src/netlink/index.js';
import { v4, v6 } from './fixture.js';

const FAM = 0x20;
const h = (hex: string) => hex.replace(/\s+/g, '');

/** A TLV for hand-built kernel replies: little-endian length and type, payload, padding. */
function tlv(type: number, payloadHex: string): string {
  const p = h(payloadHex);
  const len = 4 + p.length / 2;
  const le16 = (n: number) =>
    (n & 0xff).toString(16).padStart(2, '0') + (n >> 8).toString(16).padStart(2, '0');
  return le16(len) + le16(type) + p + '00'.repeat((4 - (len % 4)) % 4);
}

const vs: IpvsService = { af: AF.INET, protocol: IPPROTO.TCP, addr: v4('192.0.2.100'), port: 80 };
const svcNest = h(
  `30000180 06000100 0200 0000 06000200 0600 0000 14000300 c0000264 ${'00'.repeat(12)} 06000400 0050 0000`,
);

const requests = [
  {
    name: 'NEW_SERVICE tcp 192.0.2.100:80 wlc',
    build: () =>
      newServiceRequest(
        FAM,
        { ...vs, schedName: 'wlc', flags: { flags: 0, mask: 0xffffffff }, timeout: 0, netmask: 0xffffffff },
        1,
      ),
    hex: `68000000 2000 0500 01000000 00000000 01010000
          54000180 06000100 0200 0000 06000200 0600 0000 14000300 c0000264 ${'00'.repeat(12)}
          06000400 0050 0000 08000600 776c6300 0c000700 00000000 ffffffff
          08000800 00000000 08000900 ffffffff`,
  },
  {
    name: 'NEW_SERVICE fwmark 7, IPv6, rr, persistent 300 s, /128',
    build: () =>
      newServiceRequest(
        FAM,
        {
          af: AF.INET6,
          fwmark: 7,
          schedName: 'rr',
          flags: { flags: IP_VS_SVC_F.PERSISTENT, mask: 0xffffffff },
          timeout: 300,
          netmask: 128,
        },
        2,
      ),
    hex: `4c000000 2000 0500 02000000 00000000 01010000
          38000180 06000100 0a00 0000 08000500 07000000 07000600 727200 00
          0c000700 01000000 ffffffff 08000800 2c010000 08000900 80000000`,
  },
  {
    name: 'NEW_SERVICE persistence granularity 255.255.255.0 in network order',
    build: () => newServiceRequest(FAM, { af: AF.INET, fwmark: 1, netmask: 0xffffff00 }, 3),
    hex: `30000000 2000 0500 03000000 00000000 01010000
          1c000180 06000100 0200 0000 08000500 01000000 08000900 ffffff00`,
  },
  {
    name: 'NEW_DEST 10.0.0.1:8080 masq weight 1',
    build: () =>
      newDestRequest(
        FAM,
        vs,
        {
          af: AF.INET,
          addr: v4('10.0.0.1'),
          port: 8080,
          fwdMethod: IP_VS_CONN_F.MASQ,
          weight: 1,
          uThreshold: 0,
          lThreshold: 0,
        },
        4,
      ),
    hex: `8c000000 2000 0500 04000000 00000000 05010000 ${svcNest}
          48000280 06000b00 0200 0000 14000100 0a000001 ${'00'.repeat(12)} 06000200 1f90 0000
          08000300 00000000 08000400 01000000 08000500 00000000 08000600 00000000`,
  },
  {
    name: 'NEW_DEST tunnel GUE port 6080 with checksum',
    build: () =>
      newDestRequest(
        FAM,
        vs,
        {
          af: AF.INET,
          addr: v4('10.0.0.2'),
          port: 80,
          fwdMethod: IP_VS_CONN_F.TUNNEL,
          weight: 3,
          tunType: 1,
          tunPort: 6080,
          tunFlags: 1,
        },
        5,
      ),
    hex: `94000000 2000 0500 05000000 00000000 05010000 ${svcNest}
          50000280 06000b00 0200 0000 14000100 0a000002 ${'00'.repeat(12)} 06000200 0050 0000
          08000300 02000000 08000400 03000000 05000d00 01000000 06000e00 17c0 0000 06000f00 0100 0000`,
  },
  {
    name: 'DEL_DEST IPv6',
    build: () =>
      delDestRequest(
        FAM,
        { af: AF.INET6, fwmark: 9 },
        { af: AF.INET6, addr: v6('20010db8000000000000000000000002'), port: 0 },
        6,
      ),
    hex: `50000000 2000 0500 06000000 00000000 07010000 14000180 06000100 0a00 0000 08000500 09000000
          28000280 06000b00 0a00 0000 14000100 20010db8000000000000000000000002 06000200 0000 0000`,
  },
  {
    name: 'GET_SERVICE dump',
    build: () => getServicesRequest(FAM, 7),
    hex: '14000000 2000 0103 07000000 00000000 04010000',
  },
  {
    name: 'GET_DEST dump of a service',
    build: () => getDestsRequest(FAM, vs, 8),
    hex: `44000000 2000 0103 08000000 00000000 08010000 ${svcNest}`,
  },
  {
    name: 'GET_INFO',
    build: () => getInfoRequest(FAM, 9),
    hex: '14000000 2000 0500 09000000 00000000 0f010000',
  },
  {
    name: 'GET_CONFIG',
    build: () => getConfigRequest(FAM, 10),
    hex: '14000000 2000 0500 0a000000 00000000 0d010000',
  },
  {
    name: 'SET_CONFIG timeouts tcp 900 tcpfin 120 udp 300',
    build: () => setConfigRequest(FAM, { tcp: 900, tcpFin: 120, udp: 300 }, 11),
    hex: `2c000000 2000 0500 0b000000 00000000 0c010000 08000400 84030000 08000500 78000000 08000600 2c010000`,
  },
  {
    name: 'NEW_DAEMON master on eth0 syncid 5',
    build: () => newDaemonRequest(FAM, { state: IP_VS_STATE.MASTER, mcastIfn: 'eth0', syncId: 5 }, 12),
    hex: `34000000 2000 0500 0c000000 00000000 09010000
          20000380 08000100 01000000 09000200 65746830 00000000 08000300 05000000`,
  },
  {
    name: 'NEW_DAEMON backup with IPv4 group, port, ttl',
    build: () =>
      newDaemonRequest(
        FAM,
        {
          state: IP_VS_STATE.BACKUP,
          mcastIfn: 'eth0',
          syncId: 1,
          mcastPort: 8848,
          mcastTtl: 2,
          mcastGroup: v4('224.0.0.81'),
        },
        13,
      ),
    hex: `4c000000 2000 0500 0d000000 00000000 09010000
          38000380 08000100 02000000 09000200 65746830 00000000 08000300 01000000
          06000700 9022 0000 05000800 02000000 08000500 e0000051`,
  },
  {
    name: 'GET_DAEMON dump',
    build: () => getDaemonsRequest(FAM, 14),
    hex: '14000000 2000 0103 0e000000 00000000 0b010000',
  },
  {
    name: 'ZERO all',
    build: () => zeroRequest(FAM, undefined, 15),
    hex: '14000000 2000 0500 0f000000 00000000 10010000',
  },
  {
    name: 'ZERO one service',
    build: () => zeroRequest(FAM, vs, 16),
    hex: `44000000 2000 0500 10000000 00000000 10010000 ${svcNest}`,
  },
  { name: 'FLUSH', build: () => flushRequest(FAM, 17), hex: '14000000 2000 0500 11000000 00000000 11010000' },
];

describe('IPVS requests match ip_vs.h layouts and libipvs order', () => {
  for (const t of requests) {
    it(t.name, () => assert.equal(toHex(t.build()), h(t.hex)));
  }
});

function reply(cmd: number, attrsHex: string) {
  const m = splitMessages(
    encodeMessage(
      { type: FAM, flags: 2, seq: 1 },
      fromHex(`${cmd.toString(16).padStart(2, '0')}010000${h(attrsHex)}`),
    ),
  );
  assert.ok(m.ok && m.value[0] !== undefined);
  return m.value[0];
}

const stats32 =
  [1, 2, 3].map((t) => tlv(t, '05000000')).join('') + tlv(4, '0010000000000000') + tlv(5, '0020000000000000');
const stats64 = [1, 2, 3].map((t) => tlv(t, '0700000000000000')).join('') + tlv(4, '0010000001000000');
const kernelService = [
  tlv(1, '0200'),
  tlv(2, '0600'),
  tlv(3, `c0000264${'00'.repeat(12)}`),
  tlv(4, '0050'),
  tlv(6, '776c6300'),
  tlv(7, '02000000 ffffffff'),
  tlv(8, '00000000'),
  tlv(9, 'ffffffff'),
  tlv(10, stats32),
  tlv(12, stats64),
].join('');

describe('IPVS replies as the kernel builds them', () => {
  it('service dump entry: 16-byte address cut to 4, stats64 preferred', () => {
    const r = decodeIpvs(reply(IPVS_CMD.NEW_SERVICE, tlv(1, kernelService)));
    assert.ok(r.ok, r.ok ? '' : r.error.reason);
    const s = r.value.service;
    assert.ok(s !== undefined);
    assert.equal(toHex(s.addr ?? new Uint8Array()), 'c0000264');
    assert.deepEqual(
      [s.af, s.protocol, s.port, s.schedName, s.timeout, s.netmask],
      [2, 6, 80, 'wlc', 0, 0xffffffff],
    );
    assert.deepEqual(s.flags, { flags: IP_VS_SVC_F.HASHED, mask: 0xffffffff });
    assert.equal(s.stats?.conns, 7n);
    assert.equal(s.stats?.inbytes, 0x100001000n);
    assert.equal(s.stats?.cps, 0n);
  });
  it('service with only legacy STATS widens them to bigint', () => {
    const svc = [tlv(1, '0200'), tlv(5, '01000000'), tlv(10, stats32)].join('');
    const r = decodeIpvs(reply(IPVS_CMD.NEW_SERVICE, tlv(1, svc)));
    assert.ok(r.ok);
    assert.equal(r.value.service?.stats?.conns, 5n);
    assert.equal(r.value.service?.stats?.outbytes, 0x2000n);
  });
  it('destination with ADDR_FAMILY and connection counters', () => {
    const dest = [
      tlv(1, `0a000001${'00'.repeat(12)}`),
      tlv(2, '1f90'),
      tlv(3, '00000000'),
      tlv(4, '01000000'),
      tlv(5, '00000000'),
      tlv(6, '00000000'),
      tlv(7, '03000000'),
      tlv(8, '04000000'),
      tlv(9, '00000000'),
      tlv(11, '0200'),
    ].join('');
    const r = decodeIpvs(reply(IPVS_CMD.NEW_DEST, tlv(2, dest)));
    assert.ok(r.ok, r.ok ? '' : r.error.reason);
    assert.deepEqual(r.value.dest, {
      af: 2,
      addr: v4('10.0.0.1'),
      port: 8080,
      fwdMethod: 0,
      weight: 1,
      uThreshold: 0,
      lThreshold: 0,
      activeConns: 3,
      inactConns: 4,
      persistConns: 0,
    });
  });
  it('destination without ADDR_FAMILY takes the caller-supplied family', () => {
    const dest = tlv(1, `0a000001${'00'.repeat(12)}`) + tlv(2, '0050');
    const r = decodeIpvs(reply(IPVS_CMD.NEW_DEST, tlv(2, dest)), { destAf: AF.INET });
    assert.ok(r.ok);
    assert.equal(toHex(r.value.dest?.addr ?? new Uint8Array()), '0a000001');
  });
  it('GET_INFO reply: version 1.2.1, table size 4096', () => {
    const r = decodeIpvs(reply(IPVS_CMD.SET_INFO, tlv(1, '01020100') + tlv(2, '00100000')));
    assert.ok(r.ok);
    assert.deepEqual(r.value, { cmd: IPVS_CMD.SET_INFO, info: { version: 0x010201, connTabSize: 4096 } });
    assert.equal(ipvsVersionString(0x010201), '1.2.1');
  });
  it('GET_CONFIG reply: timeouts', () => {
    const r = decodeIpvs(
      reply(IPVS_CMD.SET_CONFIG, tlv(4, '84030000') + tlv(5, '78000000') + tlv(6, '2c010000')),
    );
    assert.ok(r.ok);
    assert.deepEqual(r.value.timeouts, { tcp: 900, tcpFin: 120, udp: 300 });
  });
  it('GET_DAEMON reply', () => {
    const d =
      tlv(1, '01000000') +
      tlv(2, '6574683000') +
      tlv(3, '05000000') +
      tlv(4, 'dc05') +
      tlv(7, '9022') +
      tlv(8, '01') +
      tlv(5, 'e0000051');
    const r = decodeIpvs(reply(IPVS_CMD.NEW_DAEMON, tlv(3, d)));
    assert.ok(r.ok);
    assert.deepEqual(r.value.daemon, {
      state: 1,
      mcastIfn: 'eth0',
      syncId: 5,
      syncMaxlen: 1500,
      mcastPort: 8848,
      mcastTtl: 1,
      mcastGroup: v4('224.0.0.81'),
    });
  });
});

const bad = [
  {
    name: 'service without AF',
    cmd: IPVS_CMD.NEW_SERVICE,
    attrs: tlv(1, tlv(5, '01000000')),
    reason: 'attr-missing',
  },
  {
    name: 'service FLAGS of 4 bytes',
    cmd: IPVS_CMD.NEW_SERVICE,
    attrs: tlv(1, tlv(1, '0200') + tlv(7, '00000000')),
    reason: 'attr-size',
  },
  {
    name: 'IPv6 service with a 4-byte address',
    cmd: IPVS_CMD.NEW_SERVICE,
    attrs: tlv(1, tlv(1, '0a00') + tlv(3, 'c0000264')),
    reason: 'attr-size',
  },
  {
    name: 'service AF of 4 bytes',
    cmd: IPVS_CMD.NEW_SERVICE,
    attrs: tlv(1, tlv(1, '02000000')),
    reason: 'attr-size',
  },
  {
    name: 'destination without port',
    cmd: IPVS_CMD.NEW_DEST,
    attrs: tlv(2, tlv(1, '0a000001')),
    reason: 'attr-missing',
  },
  {
    name: 'destination without address',
    cmd: IPVS_CMD.NEW_DEST,
    attrs: tlv(2, tlv(2, '0050')),
    reason: 'attr-missing',
  },
  {
    name: 'daemon without state',
    cmd: IPVS_CMD.NEW_DAEMON,
    attrs: tlv(3, tlv(3, '01000000')),
    reason: 'attr-missing',
  },
  {
    name: 'stats counter of 3 bytes',
    cmd: IPVS_CMD.NEW_SERVICE,
    attrs: tlv(1, tlv(1, '0200') + tlv(12, tlv(1, '010203'))),
    reason: 'attr-size',
  },
] as const;

describe('malformed IPVS messages', () => {
  for (const t of bad) {
    it(t.name, () => {
      const r = decodeIpvs(reply(t.cmd, t.attrs));
      assert.equal(r.ok ? 'ok' : r.error.reason, t.reason);
    });
  }
  it('a message shorter than genlmsghdr', () => {
    const m = splitMessages(encodeMessage({ type: FAM, flags: 0, seq: 1 }, Uint8Array.of(1, 1)));
    assert.ok(m.ok && m.value[0] !== undefined);
    const r = decodeIpvs(m.value[0]);
    assert.equal(r.ok ? 'ok' : r.error.reason, 'family-header-truncated');
  });
  it('asserts 4- or 16-byte addresses when encoding', () => {
    assert.throws(() => newServiceRequest(FAM, { af: AF.INET, addr: new Uint8Array(5) }, 1), RangeError);
  });
});
