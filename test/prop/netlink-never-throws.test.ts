/**
 * @module Every netlink decoder returns a Result on arbitrary bytes and never throws:
 * random datagrams, random payloads behind a valid header of the right type, and recorded
 * kernel datagrams with random bytes overwritten (10,000 runs each).
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  decodeAck,
  decodeAddress,
  decodeAttrs,
  decodeDone,
  decodeFamily,
  decodeGenlBatch,
  decodeIpvs,
  decodeIpvsBatch,
  decodeLink,
  decodeRoute,
  decodeRtnlBatch,
  decodeRule,
  encodeMessage,
  fromHex,
  GENL_ID_CTRL,
  ipvsCmdSchema,
  linkSchema,
  NLMSG,
  type NlMessage,
  parseBatch,
  RTM,
  routeSchema,
  splitMessages,
} from '../../src/netlink/index.js';
import { RUNS } from './netlink-arb.js';

type Decoder = (m: NlMessage) => { ok: boolean };
const decoders: [string, number, Decoder][] = [
  ['link', RTM.NEWLINK, decodeLink],
  ['address', RTM.NEWADDR, decodeAddress],
  ['route', RTM.NEWROUTE, decodeRoute],
  ['rule', RTM.NEWRULE, decodeRule],
  ['genl family', GENL_ID_CTRL, decodeFamily],
  ['ipvs', 0x20, (m) => decodeIpvs(m)],
  ['ack', NLMSG.ERROR, decodeAck],
  ['done', NLMSG.DONE, decodeDone],
];

/** Decodes a datagram every way we know; returns how many decoders answered. */
function decodeEveryWay(b: Uint8Array): number {
  let answered = 0;
  assert.equal(typeof parseBatch(b).ok, 'boolean');
  assert.equal(typeof decodeRtnlBatch(b).ok, 'boolean');
  assert.equal(typeof decodeIpvsBatch(b, 0x20).ok, 'boolean');
  assert.equal(typeof decodeGenlBatch(b, GENL_ID_CTRL, decodeFamily).ok, 'boolean');
  const msgs = splitMessages(b);
  if (!msgs.ok) return answered;
  for (const m of msgs.value) {
    for (const [, , decode] of decoders) {
      assert.equal(typeof decode(m).ok, 'boolean');
      answered++;
    }
  }
  return answered;
}

const recorded: Uint8Array[] = (() => {
  const path = new URL('../../../test/fixtures/netlink/rtnl.json', import.meta.url);
  const fx = JSON.parse(readFileSync(path, 'utf8')) as {
    commands: { events: string[] }[];
    dumps: { replies: string[] }[];
    acks: { replies: string[] }[];
    genl: { replies: string[] }[];
  };
  const hex = [
    ...fx.commands.flatMap((c) => c.events),
    ...fx.dumps.flatMap((d) => d.replies),
    ...fx.acks.flatMap((a) => a.replies),
    ...fx.genl.flatMap((g) => g.replies),
  ];
  return hex.map(fromHex);
})();

describe('netlink decoders never throw', () => {
  test('on arbitrary datagrams', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (b) => {
        decodeEveryWay(b);
      }),
      RUNS,
    );
  });
  for (const [what, type, decode] of decoders) {
    test(`${what}: arbitrary payload behind a valid nlmsghdr`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 300 }),
          fc.integer({ min: 0, max: 0xffff }),
          (payload, flags) => {
            const m = splitMessages(encodeMessage({ type, flags, seq: 1 }, payload));
            assert.ok(m.ok && m.value[0] !== undefined);
            assert.equal(typeof decode(m.value[0]).ok, 'boolean');
          },
        ),
        RUNS,
      );
    });
  }
  test('attribute schemas on arbitrary TLV streams', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        for (const s of [linkSchema, routeSchema, ipvsCmdSchema])
          assert.equal(typeof decodeAttrs(s, b).ok, 'boolean');
      }),
      RUNS,
    );
  });
  test('recorded kernel datagrams with bytes overwritten', () => {
    assert.ok(recorded.length > 50);
    const mutation = fc.record({
      pick: fc.nat(),
      edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      cut: fc.option(fc.nat()),
    });
    fc.assert(
      fc.property(mutation, ({ pick, edits, cut }) => {
        const src = recorded[pick % recorded.length] ?? new Uint8Array();
        const b = src.slice(0, cut === null ? src.length : cut % (src.length + 1));
        for (const [at, v] of edits) if (b.length > 0) b[at % b.length] = v;
        decodeEveryWay(b);
      }),
      RUNS,
    );
  });
  test('recorded datagrams decode cleanly before mutation', () => {
    for (const b of recorded) assert.ok(parseBatch(b).ok);
  });
});
