/**
 * @module Tests for src/netlink/route.ts against routes and `ip route` requests recorded
 * from the kernel (test/fixtures/netlink/rtnl.json).
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AF,
  decodeAttrs,
  decodeRoute,
  encodeMessage,
  encodeRoute,
  fromHex,
  type Route,
  RT_SCOPE,
  RTM,
  RTN,
  RTPROT,
  splitMessages,
  toHex,
} from '../../../src/netlink/index.js';
import { command, dump, messages, v4, v6 } from './fixture.js';

function routes(name: string): Route[] {
  return messages(dump(name).replies)
    .filter((m) => m.header.type === RTM.NEWROUTE)
    .map((m) => {
      const r = decodeRoute(m);
      assert.ok(r.ok, r.ok ? '' : r.error.reason);
      return r.value;
    });
}

const find = (list: Route[], dst: string, len: number) => {
  const hit = list.find((r) => r.dst !== undefined && toHex(r.dst) === dst && r.dstLen === len);
  assert.ok(hit !== undefined, `${dst}/${len}`);
  return hit;
};

const base = { srcLen: 0, tos: 0, flags: 0 } as const;
const expected: { name: string; dump: string; dst: string; len: number; value: Route }[] = [
  {
    name: 'via gateway, metric, table 100, proto static',
    dump: 'routes-v4',
    dst: 'c6336400',
    len: 24,
    value: {
      ...base,
      family: AF.INET,
      dstLen: 24,
      table: 100,
      protocol: RTPROT.STATIC,
      scope: RT_SCOPE.UNIVERSE,
      type: RTN.UNICAST,
      dst: v4('198.51.100.0'),
      gateway: v4('192.0.2.1'),
      priority: 100,
      oif: 3,
    },
  },
  {
    name: 'table 1000 (RTA_TABLE) with prefsrc and metrics mtu/advmss',
    dump: 'routes-v4',
    dst: 'cb007100',
    len: 24,
    value: {
      ...base,
      family: AF.INET,
      dstLen: 24,
      table: 1000,
      protocol: RTPROT.BOOT,
      scope: RT_SCOPE.LINK,
      type: RTN.UNICAST,
      dst: v4('203.0.113.0'),
      prefsrc: v4('192.0.2.10'),
      oif: 3,
      metrics: { mtu: 1400, advmss: 1360 },
    },
  },
  {
    name: 'multipath with weights 1 and 2',
    dump: 'routes-v4',
    dst: '0a630000',
    len: 16,
    value: {
      ...base,
      family: AF.INET,
      dstLen: 16,
      table: 100,
      protocol: RTPROT.BOOT,
      scope: RT_SCOPE.UNIVERSE,
      type: RTN.UNICAST,
      dst: v4('10.99.0.0'),
      multipath: [
        { ifindex: 3, flags: 0, weight: 1, gateway: v4('192.0.2.1') },
        { ifindex: 3, flags: 0, weight: 2, gateway: v4('192.0.2.2') },
      ],
    },
  },
  {
    name: 'IPv6 via gateway in table 100',
    dump: 'routes-v6',
    dst: '20010db8000200000000000000000000',
    len: 64,
    value: {
      ...base,
      family: AF.INET6,
      dstLen: 64,
      table: 100,
      protocol: RTPROT.BOOT,
      scope: RT_SCOPE.UNIVERSE,
      type: RTN.UNICAST,
      dst: v6('20010db8000200000000000000000000'),
      gateway: v6('20010db8000000000000000000000001'),
      oif: 3,
      priority: 1024,
      pref: 0,
    },
  },
];

describe('routes dumped by the kernel', () => {
  for (const t of expected) {
    it(t.name, () => assert.deepEqual(find(routes(t.dump), t.dst, t.len), t.value));
  }
  it('decodes RTA_VIA: an IPv4 route via an IPv6 link-local gateway', () => {
    const r = find(routes('routes-v4'), 'cb007100', 25);
    assert.deepEqual(r.via, { family: AF.INET6, addr: v6('fe800000000000000000000000000001') });
    assert.equal(r.gateway, undefined);
  });
  it('decodes RTA_ENCAP_TYPE / RTA_ENCAP (encap ip id 5 dst 192.0.2.1)', () => {
    const r = find(routes('routes-v4'), 'c63364c8', 32);
    assert.equal(r.encap?.type, 2);
    const attrs = decodeAttrs(
      { id: { type: 1, kind: 'binary' }, dst: { type: 2, kind: 'ipv4' } } as const,
      r.encap?.data ?? new Uint8Array(),
    );
    assert.ok(attrs.ok);
    assert.equal(toHex(attrs.value.id ?? new Uint8Array()), '0000000000000005');
    assert.deepEqual(attrs.value.dst, v4('192.0.2.1'));
  });
  it('decodes blackhole, unreachable and prohibit types', () => {
    const all = routes('routes-v4');
    assert.equal(find(all, 'c6336480', 25).type, RTN.BLACKHOLE);
    assert.equal(find(all, 'cb007180', 25).type, RTN.UNREACHABLE);
    assert.equal(find(all, 'cb007140', 26).type, RTN.PROHIBIT);
  });
  it('decodes the kernel local table (type local, scope host)', () => {
    const local = find(routes('routes-v4'), 'c000020a', 32);
    assert.equal(local.table, 255);
    assert.equal(local.type, RTN.LOCAL);
    assert.equal(local.scope, RT_SCOPE.HOST);
  });
  it('round-trips every dumped route through encodeRoute', () => {
    for (const r of [...routes('routes-v4'), ...routes('routes-v6')]) {
      const m = splitMessages(encodeRoute(r, { type: RTM.NEWROUTE, flags: 0, seq: 1 }));
      assert.ok(m.ok && m.value[0] !== undefined);
      assert.deepEqual(decodeRoute(m.value[0]), { ok: true, value: r });
    }
  });
  it('sees route events on RTNLGRP_IPV4_ROUTE', () => {
    const ev = messages(command('route-del').events).filter((m) => m.header.type === RTM.DELROUTE);
    assert.equal(ev.length, 1);
  });
});

const hdr = '02180000 64040001 00000000';
const bad = [
  { name: 'rtmsg cut', payload: '02180000 6404', reason: 'family-header-truncated' },
  { name: 'unknown family', payload: '07180000 64040001 00000000', reason: 'address-family' },
  { name: 'IPv4 dst length 33', payload: '02210000 64040001 00000000', reason: 'attr-value' },
  { name: 'IPv4 gateway of 16 bytes', payload: `${hdr} 14000500 ${'00'.repeat(16)}`, reason: 'attr-size' },
  {
    name: 'nexthop shorter than rtnexthop',
    payload: `${hdr} 0c000900 04000000 03000000`,
    reason: 'nexthop-length',
  },
  {
    name: 'nexthop overrunning RTA_MULTIPATH',
    payload: `${hdr} 0c000900 10000000 03000000`,
    reason: 'nexthop-length',
  },
  {
    name: 'IPv6 gateway inside an IPv4 nexthop',
    payload: `${hdr} 20000900 1c000000 03000000 14000500 ${'00'.repeat(16)}`,
    reason: 'attr-size',
  },
  { name: 'RTA_VIA of 1 byte', payload: `${hdr} 05001200 0a000000`, reason: 'attr-size' },
  { name: 'RTA_VIA IPv6 with 4 bytes', payload: `${hdr} 0a001200 0a00 c0000201 0000`, reason: 'attr-size' },
  { name: 'metric of 2 bytes', payload: `${hdr} 0c000800 06000200 7805 0000`, reason: 'attr-size' },
] as const;

describe('malformed route messages', () => {
  for (const t of bad) {
    it(t.name, () => {
      const m = splitMessages(encodeMessage({ type: RTM.NEWROUTE, flags: 0, seq: 1 }, fromHex(t.payload)));
      assert.ok(m.ok && m.value[0] !== undefined);
      const r = decodeRoute(m.value[0]);
      assert.equal(r.ok ? 'ok' : r.error.reason, t.reason);
    });
  }
});
