/**
 * @module Tests for src/netlink/rtnl.ts: recorded dumps and multicast notifications decoded
 * as typed events through the message-type table.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeRtnlBatch,
  encodeMessage,
  fromHex,
  RTM,
  RTNLGRP,
  type RtnlEvent,
  rtnlGroupsMask,
} from '../../../src/netlink/index.js';
import { command, dump, recording } from './fixture.js';

function events(datagrams: readonly string[]): RtnlEvent[] {
  return datagrams.flatMap((hex) => {
    const r = decodeRtnlBatch(fromHex(hex));
    assert.ok(r.ok, r.ok ? '' : r.error.reason);
    return r.value.map((x) => x.event);
  });
}

describe('rtnetlink datagrams as events', () => {
  it('decodes every recorded dump and notification', () => {
    for (const c of recording.commands) events(c.events);
    for (const d of recording.dumps) {
      const ev = events(d.replies);
      assert.equal(ev.at(-1)?.kind, 'done', d.name);
    }
  });
  it('tags each dump with its kind', () => {
    const kinds = (name: string) => new Set(events(dump(name).replies).map((e) => e.kind));
    assert.deepEqual(kinds('links'), new Set(['link', 'done']));
    assert.deepEqual(kinds('addrs'), new Set(['address', 'done']));
    assert.deepEqual(kinds('routes-v4'), new Set(['route', 'done']));
    assert.deepEqual(kinds('rules-v6'), new Set(['rule', 'done']));
  });
  it('reports a VIP addition and a link deletion with their op', () => {
    const added = events(command('addr-add-v4-label-brd').events).filter((e) => e.kind === 'address');
    assert.ok(added.some((e) => e.op === 'new' && e.address.label === 'kts0:vip'));
    const gone = events(command('link-del-macvlan').events).filter(
      (e) => e.kind === 'link' && e.op === 'del',
    );
    assert.deepEqual(
      gone.map((e) => (e.kind === 'link' ? e.link.name : '')),
      ['kts0.vmac6'],
    );
  });
  it('keeps unknown message types as "other"', () => {
    const r = decodeRtnlBatch(encodeMessage({ type: 68, flags: 0, seq: 3 }, new Uint8Array(12)));
    assert.deepEqual(r, { ok: true, value: [{ seq: 3, event: { kind: 'other', type: 68 } }] });
  });
  it('rejects the whole datagram when one message is malformed', () => {
    const good = fromHex(dump('links').replies[0] ?? '');
    const bad = encodeMessage({ type: RTM.NEWADDR, flags: 0, seq: 9 }, fromHex('07180000 03000000'));
    const both = new Uint8Array([...good, ...bad]);
    const r = decodeRtnlBatch(both);
    assert.deepEqual(r.ok ? undefined : r.error, { reason: 'address-family', offset: good.length + 16 });
  });
  it('builds the legacy bind() group mask', () => {
    assert.equal(rtnlGroupsMask([RTNLGRP.LINK, RTNLGRP.IPV4_IFADDR, RTNLGRP.IPV6_IFADDR]), 0x111);
    assert.equal(rtnlGroupsMask([32]), 0x80000000);
    assert.throws(() => rtnlGroupsMask([33]), RangeError);
  });
});
