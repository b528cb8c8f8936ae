/**
 * @module Tests for src/netlink/message.ts: nlmsghdr tables, batches, and the kernel's
 * recorded ACKs / errors with extended ACK (test/fixtures/netlink/rtnl.json).
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeAck,
  decodeDone,
  decodeHeader,
  encodeAck,
  encodeMessage,
  fromHex,
  NLM_F,
  NLMSG,
  parseBatch,
  RTM,
  splitMessages,
  toHex,
} from '../../../src/netlink/index.js';
import { ack, dump, messages, recording } from './fixture.js';

const headers = [
  {
    name: 'RTM_GETLINK dump request',
    hex: '20000000 1200 0103 01000000 00000000',
    value: { length: 32, type: RTM.GETLINK, flags: NLM_F.REQUEST | NLM_F.DUMP, seq: 1, pid: 0 },
  },
  {
    name: 'NLMSG_DONE from the kernel',
    hex: '14000000 0300 0200 05000000 00000000',
    value: { length: 20, type: NLMSG.DONE, flags: NLM_F.MULTI, seq: 5, pid: 0 },
  },
  {
    name: 'pid and seq at their maximum',
    hex: '10000000 ffff ffff ffffffff ffffffff',
    value: { length: 16, type: 0xffff, flags: 0xffff, seq: 0xffffffff, pid: 0xffffffff },
  },
] as const;

const badHeaders = [
  { name: 'fewer than 16 bytes', hex: '10000000 1200 0100 01000000 000000', reason: 'header-truncated' },
  { name: 'length below the header', hex: '0f000000 1200 0100 01000000 00000000', reason: 'message-length' },
  { name: 'length past the buffer', hex: '14000000 1200 0100 01000000 00000000', reason: 'message-length' },
] as const;

describe('nlmsghdr', () => {
  for (const t of headers) {
    it(`decodes ${t.name}`, () => {
      const r = decodeHeader(fromHex(t.hex.padEnd(t.value.length * 2 + 20, '0')));
      assert.ok(r.ok);
      assert.deepEqual(r.value, t.value);
    });
  }
  for (const t of badHeaders) {
    it(`rejects ${t.name}`, () => {
      const r = decodeHeader(fromHex(t.hex));
      assert.deepEqual(r.ok ? undefined : r.error.reason, t.reason);
    });
  }
  it('encodes length, type, flags, seq, pid and pads the payload', () => {
    const b = encodeMessage(
      { type: RTM.GETLINK, flags: NLM_F.REQUEST, seq: 7, pid: 9 },
      Uint8Array.of(1, 2, 3),
    );
    assert.equal(toHex(b), '13000000120001000700000009000000' + '01020300');
  });
  it('asserts header preconditions', () => {
    assert.throws(() => encodeMessage({ type: 0x10000, flags: 0, seq: 0 }, new Uint8Array(0)), RangeError);
    assert.throws(() => encodeMessage({ type: 1, flags: 0, seq: -1 }, new Uint8Array(0)), RangeError);
  });
});

describe('batches', () => {
  it('splits several messages, the last one unpadded', () => {
    const a = encodeMessage({ type: 16, flags: 0, seq: 1 }, Uint8Array.of(1));
    const b = encodeMessage({ type: 17, flags: 0, seq: 2 }, Uint8Array.of(2)).subarray(0, 17);
    const r = splitMessages(new Uint8Array([...a, ...b]));
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.map((m) => [m.header.type, m.offset, toHex(m.payload)]),
      [
        [16, 0, '01'],
        [17, 20, '02'],
      ],
    );
  });
  it('rejects a batch whose second message is cut', () => {
    const a = encodeMessage({ type: 16, flags: 0, seq: 1 }, new Uint8Array(4));
    const r = splitMessages(new Uint8Array([...a, 0x20, 0, 0, 0]));
    assert.deepEqual(r.ok ? undefined : r.error, { reason: 'header-truncated', offset: 20 });
  });
  it('classifies every recorded dump datagram and ends each dump with NLMSG_DONE errno 0', () => {
    for (const d of recording.dumps) {
      const items = d.replies.flatMap((hex) => {
        const r = parseBatch(fromHex(hex));
        assert.ok(r.ok, `${d.name}: ${r.ok ? '' : r.error.reason}`);
        return r.value;
      });
      const last = items[items.length - 1];
      assert.equal(last?.kind, 'done', d.name);
      if (last?.kind === 'done') assert.equal(last.done.errno, 0);
      assert.ok(
        items.slice(0, -1).every((i) => i.kind === 'data' && (i.message.header.flags & NLM_F.MULTI) !== 0),
      );
    }
  });
  it('decodes an empty NLMSG_DONE payload as errno 0', () => {
    const m = splitMessages(encodeMessage({ type: NLMSG.DONE, flags: 0, seq: 1 }, new Uint8Array(0)));
    assert.ok(m.ok && m.value[0] !== undefined);
    assert.deepEqual(decodeDone(m.value[0]), { ok: true, value: { errno: 0, extack: {} } });
  });
  it('counts the messages of the recorded link dump', () => {
    assert.equal(messages(dump('links').replies).length, 6);
  });
});

const recordedAcks = [
  { name: 'ack-ok', errno: 0, seq: 10, requestType: RTM.NEWADDR, echoed: 0, extack: {} },
  {
    name: 'error-eexist',
    errno: 17,
    seq: 11,
    requestType: RTM.NEWADDR,
    echoed: 24,
    extack: { message: 'ipv4: Address already assigned' },
  },
  {
    name: 'error-extack-unknown-kind',
    errno: 95,
    seq: 12,
    requestType: RTM.NEWLINK,
    echoed: 48,
    extack: { message: 'Unknown device type' },
  },
  {
    name: 'error-extack-capped',
    errno: 95,
    seq: 13,
    requestType: RTM.NEWLINK,
    echoed: 0,
    extack: { message: 'Unknown device type' },
  },
] as const;

const offsetErrors = [
  { name: 'error-offs-link-mtu', attrType: 4 },
  { name: 'error-offs-route-oif', attrType: 4 },
] as const;

describe('extended ACK offsets recorded from the kernel', () => {
  for (const t of offsetErrors) {
    it(`${t.name}: ERANGE, a message, and NLMSGERR_ATTR_OFFS at the bad attribute`, () => {
      const rec = ack(t.name);
      const [m] = messages(rec.replies);
      assert.ok(m !== undefined);
      const r = decodeAck(m);
      assert.ok(r.ok, r.ok ? '' : r.error.reason);
      assert.equal(r.value.errno, 34);
      assert.equal(r.value.extack.message, 'Attribute failed policy validation');
      assert.ok(r.value.extack.policy !== undefined && r.value.extack.policy.length > 0);
      const offset = r.value.extack.offset;
      assert.ok(offset !== undefined);
      const req = fromHex(rec.request);
      const dv = new DataView(req.buffer);
      assert.equal(dv.getUint16(offset + 2, true), t.attrType);
      assert.equal(dv.getUint16(offset, true), 6);
    });
  }
});

describe('NLMSG_ERROR recorded from the kernel', () => {
  for (const t of recordedAcks) {
    it(t.name, () => {
      const [m, ...rest] = messages(ack(t.name).replies);
      assert.ok(m !== undefined && rest.length === 0);
      assert.equal(m.header.type, NLMSG.ERROR);
      const r = decodeAck(m);
      assert.ok(r.ok, r.ok ? '' : r.error.reason);
      assert.equal(r.value.errno, t.errno);
      assert.equal(r.value.request.seq, t.seq);
      assert.equal(r.value.request.type, t.requestType);
      assert.equal(r.value.requestPayload.length, t.echoed);
      assert.deepEqual(r.value.extack, t.extack);
      if (t.echoed > 0) assert.equal(toHex(r.value.requestPayload), ack(t.name).request.slice(32));
    });
  }
  it('re-encodes the capped and uncapped errors byte for byte', () => {
    for (const name of ['error-extack-unknown-kind', 'error-extack-capped']) {
      const rec = ack(name);
      const [m] = messages(rec.replies);
      assert.ok(m !== undefined);
      const a = decodeAck(m);
      assert.ok(a.ok);
      const capped = (m.header.flags & NLM_F.CAPPED) !== 0;
      const out = encodeAck(
        { seq: m.header.seq, pid: m.header.pid },
        { errno: a.value.errno, request: fromHex(rec.request), capped, extack: a.value.extack },
      );
      assert.equal(toHex(out), rec.replies[0]);
    }
  });
  it('rejects an error whose echoed request overruns the payload', () => {
    const bad = encodeMessage(
      { type: NLMSG.ERROR, flags: 0, seq: 1 },
      fromHex('efffffff 40000000 10000500 01000000 00000000'),
    );
    const m = splitMessages(bad);
    assert.ok(m.ok && m.value[0] !== undefined);
    const r = decodeAck(m.value[0]);
    assert.equal(r.ok ? undefined : r.error.reason, 'message-length');
  });
  it('rejects an error payload shorter than nlmsgerr', () => {
    const m = splitMessages(encodeMessage({ type: NLMSG.ERROR, flags: 0, seq: 1 }, new Uint8Array(8)));
    assert.ok(m.ok && m.value[0] !== undefined);
    const r = decodeAck(m.value[0]);
    assert.equal(r.ok ? undefined : r.error.reason, 'family-header-truncated');
  });
});
