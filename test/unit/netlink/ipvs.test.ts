/**
 * @module Tests for decodeIpvs (src/netlink/ipvs.ts) on replies built by hand as the kernel's
 * ip_vs_ctl.c builds them (16-byte addresses, nests without NLA_F_NESTED, STATS and STATS64),
 * and on malformed ones. This kernel has no IPVS; the live test runs in the qemu lab.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AF,
  decodeIpvs,
  decodeIpvsBatch,
  encodeMessage,
  fromHex,
  IP_VS_SVC_F,
  IPVS_CMD,
  ipvsVersionString,
  newServiceRequest,
  splitMessages,
  toHex,
} from '../../../src/netlink/index.js';
import { v4 } from './fixture.js';

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

describe('decodeIpvsBatch', () => {
  it('decodes a GET_DEST dump datagram: two destinations then NLMSG_DONE', () => {
    const dest = (last: string) =>
      tlv(2, tlv(1, `0a0000${last}${'00'.repeat(12)}`) + tlv(2, '0050') + tlv(11, '0200'));
    const m1 = encodeMessage({ type: FAM, flags: 2, seq: 8 }, fromHex(`05010000${dest('01')}`));
    const m2 = encodeMessage({ type: FAM, flags: 2, seq: 8 }, fromHex(`05010000${dest('02')}`));
    const done = encodeMessage({ type: 3, flags: 2, seq: 8 }, new Uint8Array(4));
    const r = decodeIpvsBatch(new Uint8Array([...m1, ...m2, ...done]), FAM);
    assert.ok(r.ok, r.ok ? '' : r.error.reason);
    assert.deepEqual(
      r.value.map((i) => (i.kind === 'message' ? toHex(i.value.dest?.addr ?? new Uint8Array()) : i.kind)),
      ['0a000001', '0a000002', 'done'],
    );
  });
  it('rejects the datagram when one destination is malformed', () => {
    const bad = encodeMessage({ type: FAM, flags: 2, seq: 8 }, fromHex(`05010000${tlv(2, tlv(2, '0050'))}`));
    const r = decodeIpvsBatch(bad, FAM);
    assert.equal(r.ok ? 'ok' : r.error.reason, 'attr-missing');
  });
});

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
