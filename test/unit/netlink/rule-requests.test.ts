/**
 * @module Rule request builders against the bytes `ip rule` sent, recorded by
 * test/fixtures/netlink/record.py: identical byte for byte, sequence number included.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AF,
  addRuleRequest,
  decodeRule,
  deleteRuleRequest,
  FR_ACT,
  getRulesRequest,
  splitMessages,
  toHex,
} from '../../../src/netlink/index.js';
import { dump, ipRequest, v4, v6 } from './fixture.js';

const builders: { name: string; build: (seq: number) => Uint8Array }[] = [
  {
    name: 'rule-add-from-table',
    build: (q) =>
      addRuleRequest({ family: AF.INET, srcLen: 24, src: v4('192.0.2.0'), table: 100, priority: 100 }, q),
  },
  {
    name: 'rule-add-fwmark-mask',
    build: (q) =>
      addRuleRequest({ family: AF.INET, fwmark: 0x10, fwmask: 0xff, table: 1000, priority: 101 }, q),
  },
  {
    name: 'rule-add-iif-oif',
    build: (q) =>
      addRuleRequest({ family: AF.INET, iifname: 'kts0', oifname: 'kts1', table: 100, priority: 102 }, q),
  },
  {
    name: 'rule-add-uid-proto-ports',
    build: (q) =>
      addRuleRequest(
        {
          family: AF.INET,
          uidRange: { start: 100, end: 200 },
          ipProto: 6,
          sportRange: { start: 1000, end: 2000 },
          dportRange: { start: 80, end: 80 },
          table: 100,
          priority: 103,
        },
        q,
      ),
  },
  {
    name: 'rule-add-to-goto',
    build: (q) =>
      addRuleRequest(
        {
          family: AF.INET,
          dstLen: 24,
          dst: v4('198.51.100.0'),
          action: FR_ACT.GOTO,
          goto: 110,
          priority: 104,
        },
        q,
      ),
  },
  {
    name: 'rule-add-blackhole',
    build: (q) => addRuleRequest({ family: AF.INET, action: FR_ACT.BLACKHOLE, priority: 105 }, q),
  },
  { name: 'rule-add-l3mdev', build: (q) => addRuleRequest({ family: AF.INET, l3mdev: 1, priority: 106 }, q) },
  {
    name: 'rule-add-v6-from',
    build: (q) =>
      addRuleRequest(
        {
          family: AF.INET6,
          srcLen: 64,
          src: v6('20010db8000000000000000000000000'),
          table: 100,
          priority: 100,
        },
        q,
      ),
  },
  { name: 'rule-del', build: (q) => deleteRuleRequest({ family: AF.INET, priority: 101 }, q) },
];

describe('rule requests are byte-identical to what `ip rule` sends', () => {
  for (const b of builders) {
    it(b.name, () => {
      const { bytes, seq } = ipRequest(b.name);
      assert.equal(toHex(b.build(seq)), toHex(bytes));
    });
  }
  it('suppress_prefixlength: same attributes as ip, FRA_PRIORITY last', () => {
    const { bytes, seq } = ipRequest('rule-add-suppress');
    const ours = addRuleRequest({ family: AF.INET, table: 254, suppressPrefixLen: 0, priority: 110 }, seq);
    const decode = (b: Uint8Array) => {
      const m = splitMessages(b);
      assert.ok(m.ok && m.value[0] !== undefined);
      return decodeRule(m.value[0]);
    };
    assert.deepEqual(decode(ours), decode(bytes));
  });
  it('dump requests', () => {
    assert.equal(toHex(getRulesRequest(AF.INET, 5)), dump('rules-v4').request);
    assert.equal(toHex(getRulesRequest(AF.INET6, 6)), dump('rules-v6').request);
  });
});
