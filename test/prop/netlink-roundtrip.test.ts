/**
 * @module Round-trip properties of the netlink codecs: decode(encode(x)) = x for attribute
 * schemas, nlmsghdr, links, addresses, routes, rules, controller families and IPVS
 * messages (10,000 runs each).
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  concatBytes,
  decodeAddress,
  decodeAttrs,
  decodeHeader,
  decodeIpvs,
  decodeLink,
  decodeRoute,
  decodeRule,
  encodeAddress,
  encodeAttrs,
  encodeIpvs,
  encodeLink,
  encodeMessage,
  encodeRoute,
  encodeRule,
  type NlMessage,
  parseBatch,
  RTM,
  splitMessages,
} from '../../src/netlink/index.js';
import {
  address,
  bytes,
  ipvsMessage,
  link,
  name,
  RUNS,
  rec,
  route,
  rule,
  s32,
  u8,
  u16,
  u32,
  u64,
} from './netlink-arb.js';

function only(b: Uint8Array): NlMessage {
  const m = splitMessages(b);
  assert.ok(m.ok && m.value.length === 1 && m.value[0] !== undefined);
  return m.value[0];
}

const inner = { id: { type: 1, kind: 'u32' }, name: { type: 2, kind: 'string' } } as const;
const schema = {
  a8: { type: 1, kind: 'u8' },
  a16: { type: 2, kind: 'u16' },
  a32: { type: 3, kind: 'u32' },
  s32: { type: 4, kind: 's32' },
  a64: { type: 5, kind: 'u64' },
  port: { type: 6, kind: 'be16' },
  mask: { type: 7, kind: 'be32' },
  str: { type: 8, kind: 'string' },
  chars: { type: 9, kind: 'chars' },
  bin: { type: 10, kind: 'binary' },
  v4: { type: 11, kind: 'ipv4' },
  v6: { type: 12, kind: 'ipv6' },
  ip: { type: 13, kind: 'ip' },
  flag: { type: 14, kind: 'flag' },
  nest: { type: 15, kind: 'nested', schema: inner },
  list: { type: 16, kind: 'array', schema: inner, flagNested: true },
} as const;
const innerArb = rec({ id: u32, name: name(20) }, { requiredKeys: [] });
const valuesArb = rec(
  {
    a8: u8,
    a16: u16,
    a32: u32,
    s32,
    a64: u64,
    port: u16,
    mask: u32,
    str: name(40),
    chars: name(40),
    bin: fc.uint8Array({ maxLength: 64 }),
    v4: bytes(4),
    v6: bytes(16),
    ip: fc.oneof(bytes(4), bytes(16)),
    flag: fc.constant(true as const),
    nest: innerArb,
    list: fc.array(innerArb, { maxLength: 4 }),
  },
  { requiredKeys: [] },
);

describe('netlink round trips', () => {
  test('attributes: decodeAttrs(encodeAttrs(v)) = v', () => {
    fc.assert(
      fc.property(valuesArb, (v) => {
        assert.deepEqual(decodeAttrs(schema, encodeAttrs(schema, v)), { ok: true, value: v });
      }),
      RUNS,
    );
  });
  test('nlmsghdr and batches: every message comes back with its header and payload', () => {
    const msg = rec({
      type: fc.integer({ min: 16, max: 0xffff }),
      flags: u16,
      seq: u32,
      pid: u32,
      payload: fc.uint8Array({ maxLength: 64 }),
    });
    fc.assert(
      fc.property(fc.array(msg, { minLength: 1, maxLength: 5 }), (ms) => {
        const wire = ms.map((m) => encodeMessage(m, m.payload));
        const all = concatBytes(wire);
        const r = splitMessages(all);
        assert.ok(r.ok);
        assert.deepEqual(
          r.value.map((x) => [x.header.type, x.header.flags, x.header.seq, x.header.pid, [...x.payload]]),
          ms.map((m) => [m.type, m.flags, m.seq, m.pid, [...m.payload]]),
        );
        assert.equal(decodeHeader(all).ok, true);
        assert.equal(parseBatch(all).ok, true);
      }),
      RUNS,
    );
  });
  test('links', () => {
    fc.assert(
      fc.property(link, (l) => {
        assert.deepEqual(decodeLink(only(encodeLink(l, { type: RTM.NEWLINK, flags: 0, seq: 1 }))), {
          ok: true,
          value: l,
        });
      }),
      RUNS,
    );
  });
  test('addresses', () => {
    fc.assert(
      fc.property(address, (a) => {
        assert.deepEqual(decodeAddress(only(encodeAddress(a, { type: RTM.NEWADDR, flags: 0, seq: 1 }))), {
          ok: true,
          value: a,
        });
      }),
      RUNS,
    );
  });
  test('routes', () => {
    fc.assert(
      fc.property(route, (r) => {
        assert.deepEqual(decodeRoute(only(encodeRoute(r, { type: RTM.NEWROUTE, flags: 0, seq: 1 }))), {
          ok: true,
          value: r,
        });
      }),
      RUNS,
    );
  });
  test('rules', () => {
    fc.assert(
      fc.property(rule, (r) => {
        assert.deepEqual(decodeRule(only(encodeRule(r, { type: RTM.NEWRULE, flags: 0, seq: 1 }))), {
          ok: true,
          value: r,
        });
      }),
      RUNS,
    );
  });
  test('IPVS messages', () => {
    fc.assert(
      fc.property(ipvsMessage, u16, (m, family) => {
        assert.deepEqual(decodeIpvs(only(encodeIpvs(family, m, { flags: 0, seq: 1 }))), {
          ok: true,
          value: m,
        });
      }),
      RUNS,
    );
  });
});
