/**
 * @module Tests for src/netlink/addr.ts against addresses, events and `ip addr` requests
 * recorded from the kernel (test/fixtures/netlink/rtnl.json).
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Address,
  AF,
  addAddressRequest,
  decodeAddress,
  deleteAddressRequest,
  encodeAddress,
  encodeMessage,
  fromHex,
  getAddressesRequest,
  IFA_F,
  RT_SCOPE,
  RTM,
  splitMessages,
  toHex,
} from '../../../src/netlink/index.js';
import { command, dump, ipRequest, messages, v4, v6 } from './fixture.js';

function decodeAll(hex: readonly string[], type: number = RTM.NEWADDR): Address[] {
  return messages(hex)
    .filter((m) => m.header.type === type)
    .map((m) => {
      const r = decodeAddress(m);
      assert.ok(r.ok, r.ok ? '' : r.error.reason);
      return r.value;
    });
}

const expected: { name: string; value: Address }[] = [
  {
    name: 'IPv4 with label and broadcast',
    value: {
      family: AF.INET,
      ifindex: 3,
      prefixLen: 24,
      scope: RT_SCOPE.UNIVERSE,
      flags: IFA_F.PERMANENT,
      local: v4('192.0.2.10'),
      address: v4('192.0.2.10'),
      label: 'kts0:vip',
      broadcast: v4('192.0.2.255'),
    },
  },
  {
    name: 'IPv4 /32 scope link',
    value: {
      family: AF.INET,
      ifindex: 3,
      prefixLen: 32,
      scope: RT_SCOPE.LINK,
      flags: IFA_F.PERMANENT,
      local: v4('192.0.2.11'),
      address: v4('192.0.2.11'),
      label: 'kts0',
    },
  },
  {
    name: 'IPv6 nodad',
    value: {
      family: AF.INET6,
      ifindex: 3,
      prefixLen: 64,
      scope: RT_SCOPE.UNIVERSE,
      flags: IFA_F.PERMANENT | IFA_F.NODAD,
      address: v6('20010db8000000000000000000000010'),
    },
  },
  {
    name: 'IPv6 nodad noprefixroute (flags beyond 8 bits, from IFA_FLAGS)',
    value: {
      family: AF.INET6,
      ifindex: 3,
      prefixLen: 64,
      scope: RT_SCOPE.UNIVERSE,
      flags: IFA_F.PERMANENT | IFA_F.NODAD | IFA_F.NOPREFIXROUTE,
      address: v6('20010db8000100000000000000000001'),
    },
  },
];

describe('addresses dumped by the kernel', () => {
  const all = decodeAll(dump('addrs').replies);
  for (const t of expected) {
    it(t.name, () => {
      const hit = all.find(
        (a) => toHex(a.address ?? new Uint8Array()) === toHex(t.value.address ?? new Uint8Array()),
      );
      assert.deepEqual(hit, t.value);
    });
  }
  it('includes the kernel-made link-local addresses with IFA_PROTO', () => {
    const ll = all.filter((a) => a.family === AF.INET6 && a.scope === RT_SCOPE.LINK);
    assert.equal(ll.length, 2);
    assert.ok(ll.every((a) => a.proto === 3 && a.prefixLen === 64));
  });
  it('round-trips every dumped address through encodeAddress', () => {
    for (const a of all) {
      const m = splitMessages(encodeAddress(a, { type: RTM.NEWADDR, flags: 0, seq: 1 }));
      assert.ok(m.ok && m.value[0] !== undefined);
      assert.deepEqual(decodeAddress(m.value[0]), { ok: true, value: a });
    }
  });
});

describe('address events (RTNLGRP_IPV4_IFADDR / IPV6_IFADDR)', () => {
  it('announces the new IPv4 VIP with its label', () => {
    const ev = decodeAll(command('addr-add-v4-label-brd').events);
    assert.ok(ev.some((a) => a.label === 'kts0:vip' && a.prefixLen === 24));
  });
  it('announces the new IPv6 address with IFA_F_NODAD', () => {
    const ev = decodeAll(command('addr-add-v6-nodad').events);
    assert.equal(ev.length, 1);
    assert.equal((ev[0]?.flags ?? 0) & IFA_F.NODAD, IFA_F.NODAD);
  });
  it('announces the deletion as RTM_DELADDR', () => {
    const ev = decodeAll(command('addr-del-v4').events, RTM.DELADDR);
    assert.deepEqual(
      ev.map((a) => toHex(a.local ?? new Uint8Array())),
      ['c000020b'],
    );
  });
});

const builders: { name: string; build: (seq: number) => Uint8Array }[] = [
  {
    name: 'addr-add-v4-label-brd',
    build: (q) =>
      addAddressRequest(
        {
          family: AF.INET,
          ifindex: 3,
          local: v4('192.0.2.10'),
          prefixLen: 24,
          broadcast: v4('192.0.2.255'),
          label: 'kts0:vip',
        },
        q,
      ),
  },
  {
    name: 'addr-add-v4-scope-link',
    build: (q) =>
      addAddressRequest(
        { family: AF.INET, ifindex: 3, local: v4('192.0.2.11'), prefixLen: 32, scope: RT_SCOPE.LINK },
        q,
      ),
  },
  {
    name: 'addr-add-v6-nodad',
    build: (q) =>
      addAddressRequest(
        {
          family: AF.INET6,
          ifindex: 3,
          local: v6('20010db8000000000000000000000010'),
          prefixLen: 64,
          flags: IFA_F.NODAD,
        },
        q,
      ),
  },
  {
    name: 'addr-add-v6-nodad-noprefixroute',
    build: (q) =>
      addAddressRequest(
        {
          family: AF.INET6,
          ifindex: 3,
          local: v6('20010db8000100000000000000000001'),
          prefixLen: 64,
          flags: IFA_F.NODAD | IFA_F.NOPREFIXROUTE,
        },
        q,
      ),
  },
  {
    name: 'addr-del-v4',
    build: (q) =>
      deleteAddressRequest({ family: AF.INET, ifindex: 3, local: v4('192.0.2.11'), prefixLen: 32 }, q),
  },
];

describe('address requests are byte-identical to what `ip addr` sends', () => {
  for (const b of builders) {
    it(b.name, () => {
      const { bytes, seq } = ipRequest(b.name);
      assert.equal(toHex(b.build(seq)), toHex(bytes));
    });
  }
  it('dump request', () => {
    assert.equal(toHex(getAddressesRequest(AF.UNSPEC, 2)), dump('addrs').request);
  });
  it('asserts address sizes match the family', () => {
    assert.throws(() =>
      addAddressRequest({ family: AF.INET6, ifindex: 1, local: v4('192.0.2.1'), prefixLen: 24 }, 1),
    );
    assert.throws(() =>
      addAddressRequest({ family: 7, ifindex: 1, local: v4('192.0.2.1'), prefixLen: 24 }, 1),
    );
  });
});

const bad = [
  { name: 'ifaddrmsg cut', payload: '02180000', reason: 'family-header-truncated' },
  { name: 'unknown family', payload: '07180000 03000000', reason: 'address-family' },
  { name: 'prefix longer than the address', payload: '02210000 03000000', reason: 'attr-value' },
  {
    name: 'IPv4 message with an IPv6 IFA_ADDRESS',
    payload: `02180000 03000000 14000100 ${'00'.repeat(16)}`,
    reason: 'attr-size',
  },
  { name: 'IFA_FLAGS of 2 bytes', payload: '02180000 03000000 06000800 0202 0000', reason: 'attr-size' },
  {
    name: 'attribute overruns the message',
    payload: '02180000 03000000 10000100 c000020a',
    reason: 'attr-length',
  },
] as const;

describe('malformed address messages', () => {
  for (const t of bad) {
    it(t.name, () => {
      const m = splitMessages(encodeMessage({ type: RTM.NEWADDR, flags: 0, seq: 1 }, fromHex(t.payload)));
      assert.ok(m.ok && m.value[0] !== undefined);
      const r = decodeAddress(m.value[0]);
      assert.equal(r.ok ? 'ok' : r.error.reason, t.reason);
    });
  }
});
