/**
 * @module Tests for src/netlink/genl.ts: the nlctrl controller's replies recorded from the
 * kernel (family lookup by name, unknown family, dump of all families).
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeAck,
  decodeFamily,
  decodeGenlBatch,
  encodeFamily,
  encodeMessage,
  fromHex,
  GENL_ID_CTRL,
  type GenlFamily,
  getFamiliesRequest,
  getFamilyRequest,
  NLMSG,
  splitMessages,
  toHex,
} from '../../../src/netlink/index.js';
import { genl, messages } from './fixture.js';

function families(name: string): GenlFamily[] {
  return messages(genl(name).replies)
    .filter((m) => m.header.type === GENL_ID_CTRL)
    .map((m) => {
      const r = decodeFamily(m);
      assert.ok(r.ok, r.ok ? '' : r.error.reason);
      return r.value;
    });
}

describe('CTRL_CMD_GETFAMILY recorded from the kernel', () => {
  it('builds the same request as the recorder', () => {
    assert.equal(toHex(getFamilyRequest('nlctrl', 20)), genl('getfamily-nlctrl').request);
    assert.equal(toHex(getFamilyRequest('IPVS', 21)), genl('getfamily-ipvs').request);
    assert.equal(toHex(getFamiliesRequest(22)), genl('getfamily-dump').request);
  });
  it('resolves nlctrl: id 0x10, version 2, multicast group "notify"', () => {
    const [f] = families('getfamily-nlctrl');
    assert.ok(f !== undefined);
    assert.equal(f.id, GENL_ID_CTRL);
    assert.equal(f.name, 'nlctrl');
    assert.equal(f.version, 2);
    assert.deepEqual(f.mcastGroups, [{ name: 'notify', id: 16 }]);
    assert.ok(f.ops.length > 0);
  });
  it('answers ENOENT for IPVS on this kernel (no ip_vs)', () => {
    const [m] = messages(genl('getfamily-ipvs').replies);
    assert.ok(m !== undefined && m.header.type === NLMSG.ERROR);
    const r = decodeAck(m);
    assert.ok(r.ok);
    assert.equal(r.value.errno, 2);
    assert.equal(r.value.request.seq, 21);
  });
  it('decodes every family of the dump, each with a distinct id', () => {
    const all = families('getfamily-dump');
    assert.ok(all.length >= 3);
    assert.equal(new Set(all.map((f) => f.id)).size, all.length);
    assert.ok(all.some((f) => f.name === 'nlctrl'));
  });
  it('round-trips recorded families through encodeFamily', () => {
    for (const f of families('getfamily-dump')) {
      const m = splitMessages(encodeFamily(f, { flags: 0, seq: 1 }));
      assert.ok(m.ok && m.value[0] !== undefined);
      assert.deepEqual(decodeFamily(m.value[0]), { ok: true, value: f });
    }
  });
});

const bad = [
  { name: 'genlmsghdr cut', type: GENL_ID_CTRL, payload: '0301', reason: 'family-header-truncated' },
  { name: 'not the controller', type: 0x20, payload: '01010000', reason: 'unexpected-type' },
  {
    name: 'no family id',
    type: GENL_ID_CTRL,
    payload: '01020000 0b000200 6e6c6374726c0000',
    reason: 'attr-missing',
  },
  {
    name: 'no family name',
    type: GENL_ID_CTRL,
    payload: '01020000 06000100 1000 0000',
    reason: 'attr-missing',
  },
  {
    name: 'family id of 4 bytes',
    type: GENL_ID_CTRL,
    payload: '01020000 08000100 10000000',
    reason: 'attr-size',
  },
  {
    name: 'bad multicast group entry',
    type: GENL_ID_CTRL,
    payload: '01020000 10000700 0c000100 07000200 010203 00',
    reason: 'attr-size',
  },
] as const;

describe('decodeGenlBatch', () => {
  it('decodes the recorded family dump whole, ending with NLMSG_DONE', () => {
    const items = genl('getfamily-dump').replies.flatMap((hex) => {
      const r = decodeGenlBatch(fromHex(hex), GENL_ID_CTRL, decodeFamily);
      assert.ok(r.ok, r.ok ? '' : r.error.reason);
      return r.value;
    });
    assert.equal(items.at(-1)?.kind, 'done');
    assert.ok(items.slice(0, -1).every((i) => i.kind === 'message' && i.seq === 22));
  });
  it('reports the ENOENT for IPVS as an ack item', () => {
    const r = decodeGenlBatch(fromHex(genl('getfamily-ipvs').replies[0] ?? ''), 0x20, decodeFamily);
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.map((i) => (i.kind === 'ack' ? [i.kind, i.seq, i.ack.errno] : [i.kind])),
      [['ack', 21, 2]],
    );
  });
  it('keeps messages of other families as "other"', () => {
    const r = decodeGenlBatch(
      encodeMessage({ type: 0x30, flags: 0, seq: 4 }, new Uint8Array(4)),
      0x20,
      decodeFamily,
    );
    assert.deepEqual(r, { ok: true, value: [{ kind: 'other', seq: 4, type: 0x30 }] });
  });
});

describe('malformed controller messages', () => {
  for (const t of bad) {
    it(t.name, () => {
      const m = splitMessages(encodeMessage({ type: t.type, flags: 0, seq: 1 }, fromHex(t.payload)));
      assert.ok(m.ok && m.value[0] !== undefined);
      const r = decodeFamily(m.value[0]);
      assert.equal(r.ok ? 'ok' : r.error.reason, t.reason);
    });
  }
});
