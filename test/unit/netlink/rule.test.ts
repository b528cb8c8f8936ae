/**
 * @module Tests for src/netlink/rule.ts against rules and `ip rule` requests recorded from
 * the kernel (test/fixtures/netlink/rtnl.json).
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AF,
  decodeRule,
  encodeMessage,
  encodeRule,
  FR_ACT,
  fromHex,
  RTM,
  type Rule,
  splitMessages,
} from '../../../src/netlink/index.js';
import { command, dump, messages, v4, v6 } from './fixture.js';

function rules(name: string): Rule[] {
  return messages(dump(name).replies)
    .filter((m) => m.header.type === RTM.NEWRULE)
    .map((m) => {
      const r = decodeRule(m);
      assert.ok(r.ok, r.ok ? '' : r.error.reason);
      return r.value;
    });
}

const UNSET = 0xffffffff;
const base = { dstLen: 0, srcLen: 0, tos: 0, flags: 0, protocol: 0, suppressPrefixLen: UNSET } as const;
const expected: { name: string; dump: string; priority: number; value: Rule }[] = [
  {
    name: 'from 192.0.2.0/24 table 100',
    dump: 'rules-v4',
    priority: 100,
    value: {
      ...base,
      family: AF.INET,
      srcLen: 24,
      src: v4('192.0.2.0'),
      table: 100,
      action: FR_ACT.TO_TBL,
      priority: 100,
    },
  },
  {
    name: 'fwmark 0x10/0xff table 1000 (FRA_TABLE)',
    dump: 'rules-v4',
    priority: 101,
    value: {
      ...base,
      family: AF.INET,
      fwmark: 0x10,
      fwmask: 0xff,
      table: 1000,
      action: FR_ACT.TO_TBL,
      priority: 101,
    },
  },
  {
    name: 'iif / oif names',
    dump: 'rules-v4',
    priority: 102,
    value: {
      ...base,
      family: AF.INET,
      iifname: 'kts0',
      oifname: 'kts1',
      table: 100,
      action: FR_ACT.TO_TBL,
      priority: 102,
    },
  },
  {
    name: 'uid range, ip proto, port ranges',
    dump: 'rules-v4',
    priority: 103,
    value: {
      ...base,
      family: AF.INET,
      table: 100,
      action: FR_ACT.TO_TBL,
      priority: 103,
      uidRange: { start: 100, end: 200 },
      ipProto: 6,
      sportRange: { start: 1000, end: 2000 },
      dportRange: { start: 80, end: 80 },
    },
  },
  {
    name: 'to 198.51.100.0/24 goto 110',
    dump: 'rules-v4',
    priority: 104,
    value: {
      ...base,
      family: AF.INET,
      dstLen: 24,
      dst: v4('198.51.100.0'),
      table: 0,
      action: FR_ACT.GOTO,
      goto: 110,
      priority: 104,
    },
  },
  {
    name: 'blackhole',
    dump: 'rules-v4',
    priority: 105,
    value: { ...base, family: AF.INET, table: 0, action: FR_ACT.BLACKHOLE, priority: 105 },
  },
  {
    name: 'l3mdev',
    dump: 'rules-v4',
    priority: 106,
    value: { ...base, family: AF.INET, table: 0, action: FR_ACT.TO_TBL, l3mdev: 1, priority: 106 },
  },
  {
    name: 'table main suppress_prefixlength 0',
    dump: 'rules-v4',
    priority: 110,
    value: {
      ...base,
      family: AF.INET,
      table: 254,
      action: FR_ACT.TO_TBL,
      suppressPrefixLen: 0,
      priority: 110,
    },
  },
  {
    name: 'IPv6 from 2001:db8::/64',
    dump: 'rules-v6',
    priority: 100,
    value: {
      ...base,
      family: AF.INET6,
      srcLen: 64,
      src: v6('20010db8000000000000000000000000'),
      table: 100,
      action: FR_ACT.TO_TBL,
      priority: 100,
    },
  },
];

describe('rules dumped by the kernel', () => {
  for (const t of expected) {
    it(t.name, () => {
      assert.deepEqual(
        rules(t.dump).find((r) => r.priority === t.priority),
        t.value,
      );
    });
  }
  it('includes the kernel default rules (priority 0 has no FRA_PRIORITY)', () => {
    const all = rules('rules-v4');
    assert.deepEqual(
      all.filter((r) => r.protocol === 2).map((r) => [r.priority, r.table]),
      [
        [undefined, 255],
        [32766, 254],
        [32767, 253],
      ],
    );
  });
  it('round-trips every dumped rule through encodeRule', () => {
    for (const r of [...rules('rules-v4'), ...rules('rules-v6')]) {
      const m = splitMessages(encodeRule(r, { type: RTM.NEWRULE, flags: 0, seq: 1 }));
      assert.ok(m.ok && m.value[0] !== undefined);
      assert.deepEqual(decodeRule(m.value[0]), { ok: true, value: r });
    }
  });
  it('sees rule events on RTNLGRP_IPV4_RULE', () => {
    const ev = messages(command('rule-del').events).filter((m) => m.header.type === RTM.DELRULE);
    const r = ev[0] === undefined ? undefined : decodeRule(ev[0]);
    assert.ok(r?.ok);
    assert.equal(r.value.priority, 101);
  });
});

const hdr = '02000000 64000001 00000000';
const bad = [
  { name: 'fib_rule_hdr cut', payload: '02000000 6400', reason: 'family-header-truncated' },
  { name: 'unknown family', payload: '07000000 64000001 00000000', reason: 'address-family' },
  { name: 'IPv4 src length 33', payload: '02002100 64000001 00000000', reason: 'attr-value' },
  { name: 'uid range of 4 bytes', payload: `${hdr} 08001400 64000000`, reason: 'attr-size' },
  { name: 'port range of 8 bytes', payload: `${hdr} 0c001700 e803d007 00000000`, reason: 'attr-size' },
  {
    name: 'IPv6 FRA_SRC in an IPv4 rule',
    payload: `${hdr} 14000200 ${'00'.repeat(16)}`,
    reason: 'attr-size',
  },
] as const;

describe('malformed rule messages', () => {
  for (const t of bad) {
    it(t.name, () => {
      const m = splitMessages(encodeMessage({ type: RTM.NEWRULE, flags: 0, seq: 1 }, fromHex(t.payload)));
      assert.ok(m.ok && m.value[0] !== undefined);
      const r = decodeRule(m.value[0]);
      assert.equal(r.ok ? 'ok' : r.error.reason, t.reason);
    });
  }
});
