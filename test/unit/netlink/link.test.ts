/**
 * @module Tests for src/netlink/link.ts against links, events and `ip link` requests
 * recorded from the kernel (test/fixtures/netlink/rtnl.json).
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createMacvlanRequest,
  decodeLink,
  deleteLinkRequest,
  encodeLink,
  encodeMessage,
  fromHex,
  getLinksRequest,
  IF_OPER,
  IFF,
  isLinkUp,
  type Link,
  MACVLAN_MODE,
  RTM,
  setLinkMtuRequest,
  setLinkUpRequest,
  splitMessages,
  toHex,
} from '../../../src/netlink/index.js';
import { command, dump, ipRequest, messages } from './fixture.js';

function links(): Link[] {
  return messages(dump('links').replies)
    .filter((m) => m.header.type === RTM.NEWLINK)
    .map((m) => {
      const r = decodeLink(m);
      assert.ok(r.ok, r.ok ? '' : r.error.reason);
      return r.value;
    });
}

const byName = (name: string): Link => {
  const l = links().find((x) => x.name === name);
  assert.ok(l !== undefined, name);
  return l;
};

describe('links dumped by the kernel', () => {
  it('lists lo, the veth pair and both VMACs with their indexes', () => {
    assert.deepEqual(
      links().map((l) => [l.ifindex, l.name]),
      [
        [1, 'lo'],
        [2, 'kts1'],
        [3, 'kts0'],
        [4, 'kts0.vmac'],
        [5, 'kts0.vmac6'],
      ],
    );
  });
  it('decodes a macvlan VMAC: parent, MAC, mode private, MTU set later, down', () => {
    const l = byName('kts0.vmac');
    assert.equal(toHex(l.address ?? new Uint8Array()), '00005e000133');
    assert.equal(l.parent, 3);
    assert.deepEqual(l.info, { kind: 'macvlan', macvlanMode: MACVLAN_MODE.PRIVATE, macvlanFlags: 0 });
    assert.equal(l.mtu, 1400);
    assert.equal(l.flags & IFF.UP, 0);
    assert.equal(l.operstate, IF_OPER.DOWN);
  });
  it('decodes the bridge-mode VMAC', () => {
    assert.equal(byName('kts0.vmac6').info?.macvlanMode, MACVLAN_MODE.BRIDGE);
  });
  it('sees the veth up and running (IFF_UP | IFF_RUNNING | IFF_LOWER_UP, operstate UP)', () => {
    const l = byName('kts0');
    assert.ok(isLinkUp(l));
    assert.equal(l.operstate, IF_OPER.UP);
    assert.equal(l.info?.kind, 'veth');
    assert.equal(l.parent, 2);
    assert.equal(byName('lo').type, 772);
  });
  it('round-trips every dumped link through encodeLink', () => {
    for (const l of links()) {
      const again = splitMessages(encodeLink(l, { type: RTM.NEWLINK, flags: 0, seq: 1 }));
      assert.ok(again.ok && again.value[0] !== undefined);
      assert.deepEqual(decodeLink(again.value[0]), { ok: true, value: l });
    }
  });
});

describe('link events (RTNLGRP_LINK)', () => {
  it('reports kts0.vmac going up then down', () => {
    const flagsOf = (name: string) =>
      messages(command(name).events)
        .filter((m) => m.header.type === RTM.NEWLINK)
        .map((m) => {
          const r = decodeLink(m);
          assert.ok(r.ok);
          return r.value;
        })
        .filter((l) => l.name === 'kts0.vmac')
        .map((l) => l.flags & IFF.UP);
    assert.ok(flagsOf('link-set-macvlan-up').includes(IFF.UP));
    assert.deepEqual(flagsOf('link-set-macvlan-down').at(-1), 0);
  });
  it('reports the deleted VMAC as RTM_DELLINK', () => {
    const del = messages(command('link-del-macvlan').events).filter((m) => m.header.type === RTM.DELLINK);
    assert.equal(del.length, 1);
    const r = del[0] === undefined ? undefined : decodeLink(del[0]);
    assert.ok(r?.ok);
    assert.equal(r.value.name, 'kts0.vmac6');
  });
});

const mac = (s: string) => fromHex(s);
const builders: { name: string; build: (seq: number) => Uint8Array }[] = [
  { name: 'link-set-up', build: (q) => setLinkUpRequest(3, true, q) },
  { name: 'link-set-macvlan-up', build: (q) => setLinkUpRequest(4, true, q) },
  { name: 'link-set-macvlan-down', build: (q) => setLinkUpRequest(4, false, q) },
  { name: 'link-set-mtu', build: (q) => setLinkMtuRequest(4, 1400, q) },
  { name: 'link-del-macvlan', build: (q) => deleteLinkRequest(5, q) },
  {
    name: 'link-add-macvlan-private',
    build: (q) =>
      createMacvlanRequest(
        { name: 'kts0.vmac', parent: 3, address: mac('00005e000133'), mode: MACVLAN_MODE.PRIVATE },
        q,
      ),
  },
  {
    name: 'link-add-macvlan-bridge',
    build: (q) =>
      createMacvlanRequest(
        { name: 'kts0.vmac6', parent: 3, address: mac('00005e000233'), mode: MACVLAN_MODE.BRIDGE },
        q,
      ),
  },
];

describe('link requests are byte-identical to what `ip link` sends', () => {
  for (const b of builders) {
    it(b.name, () => {
      const { bytes, seq } = ipRequest(b.name);
      assert.equal(toHex(b.build(seq)), toHex(bytes));
    });
  }
  it('dump request', () => {
    assert.equal(toHex(getLinksRequest(1)), dump('links').request);
  });
  it('asserts a 6-byte MAC for macvlans', () => {
    assert.throws(
      () => createMacvlanRequest({ name: 'x', parent: 1, address: new Uint8Array(5), mode: 1 }, 1),
      RangeError,
    );
  });
});

const bad = [
  {
    name: 'ifinfomsg cut',
    type: RTM.NEWLINK,
    payload: '00000100 02000000',
    reason: 'family-header-truncated',
  },
  { name: 'not a link message', type: RTM.NEWADDR, payload: '', reason: 'unexpected-type' },
  {
    name: 'IFLA_MTU of 2 bytes',
    type: RTM.NEWLINK,
    payload: '00000100 02000000 00000000 00000000 06000400 dc05 0000',
    reason: 'attr-size',
  },
  {
    name: 'macvlan mode of 1 byte',
    type: RTM.NEWLINK,
    payload:
      '00000100 02000000 00000000 00000000 1c001200 0b000100 6d6163766c616e00 0c000200 05000100 01000000',
    reason: 'attr-size',
  },
] as const;

describe('malformed link messages', () => {
  for (const t of bad) {
    it(t.name, () => {
      const m = splitMessages(encodeMessage({ type: t.type, flags: 0, seq: 1 }, fromHex(t.payload)));
      assert.ok(m.ok && m.value[0] !== undefined);
      const r = decodeLink(m.value[0]);
      assert.equal(r.ok ? 'ok' : r.error.reason, t.reason);
    });
  }
});
