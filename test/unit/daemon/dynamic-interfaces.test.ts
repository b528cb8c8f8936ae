/**
 * The interface table following rtnetlink (interfaces.ts `applyRtnlEvent`: links added,
 * re-created with a new ifindex, renamed, deleted; primary IPv4 and IPv6 link-local
 * addresses coming and going) and the pure rules of dynamic-interfaces.ts: which
 * interfaces a config needs, when a fresh plan binds differently from a running one,
 * when an instance's source address is gone, and VIPs never taken as a source.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/model.js';
import {
  missingInterfaces,
  planMoved,
  sourceAddressGone,
  withoutVips,
} from '../../../src/daemon/dynamic-interfaces.js';
import { planInstance } from '../../../src/daemon/instance-config.js';
import { applyRtnlEvent, type InterfaceInfo } from '../../../src/io/interfaces.js';
import { AF, IFA_F, type Link, type RtnlEvent } from '../../../src/netlink/index.js';
import { memoryFs } from '../../helpers/memory-fs.js';

const UP = 0x1 | 0x40 | 0x10000; // IFF_UP | IFF_RUNNING | IFF_LOWER_UP

function link(op: 'new' | 'del', ifindex: number, name: string, flags = UP): RtnlEvent {
  const l: Link = { family: 0, type: 1, ifindex, flags, change: 0xffffffff, name };
  return { kind: 'link', op, link: l };
}

function addr(op: 'new' | 'del', ifindex: number, bytes: number[], flags = 0): RtnlEvent {
  const family = bytes.length === 4 ? AF.INET : AF.INET6;
  const a = Uint8Array.from(bytes);
  return {
    kind: 'address',
    op,
    address: { family, ifindex, prefixLen: 24, scope: 0, flags, local: a, address: a },
  };
}

const LL = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9];

describe('applyRtnlEvent', () => {
  test('a link appears, gets addresses, goes, and comes back with a new ifindex', () => {
    const t = new Map<string, InterfaceInfo>();
    assert.equal(applyRtnlEvent(t, link('new', 5, 'eth0', 0))?.kind, 'added');
    assert.equal(t.get('eth0')?.up, false);
    assert.equal(applyRtnlEvent(t, addr('new', 5, [10, 0, 0, 1]))?.kind, 'changed');
    assert.equal(
      applyRtnlEvent(t, addr('new', 5, [10, 0, 0, 9], IFA_F.SECONDARY)),
      null,
      'secondaries are not sources',
    );
    assert.equal(applyRtnlEvent(t, addr('new', 5, LL))?.kind, 'changed');
    assert.equal(applyRtnlEvent(t, link('new', 5, 'eth0'))?.kind, 'changed');
    assert.deepEqual(
      {
        up: t.get('eth0')?.up,
        v4: t.get('eth0')?.ipv4.map((b) => [...b]),
        ll: t.get('eth0')?.ipv6LinkLocal.length,
      },
      { up: true, v4: [[10, 0, 0, 1]], ll: 1 },
    );
    assert.equal(applyRtnlEvent(t, addr('del', 5, [10, 0, 0, 1]))?.kind, 'changed');
    assert.equal(t.get('eth0')?.ipv4.length, 0);
    assert.equal(applyRtnlEvent(t, link('del', 5, 'eth0'))?.kind, 'deleted');
    assert.equal(t.has('eth0'), false);
    const back = applyRtnlEvent(t, link('new', 8, 'eth0'));
    assert.equal(back?.kind, 'added');
    assert.equal(t.get('eth0')?.ifindex, 8);
    assert.equal(t.get('eth0')?.ipv4.length, 0, 'a re-created link starts without addresses');
  });

  test('a name seen again with another ifindex (its deletion missed) is added, a rename drops the old name', () => {
    const t = new Map<string, InterfaceInfo>();
    applyRtnlEvent(t, link('new', 5, 'eth0'));
    assert.equal(applyRtnlEvent(t, link('new', 9, 'eth0'))?.kind, 'added');
    assert.equal(t.get('eth0')?.ifindex, 9);
    applyRtnlEvent(t, link('new', 9, 'lan0'));
    assert.deepEqual([...t.keys()], ['lan0']);
  });

  test('events for unknown interfaces and other kinds change nothing', () => {
    const t = new Map<string, InterfaceInfo>();
    assert.equal(applyRtnlEvent(t, addr('new', 3, [10, 0, 0, 1])), null);
    assert.equal(applyRtnlEvent(t, link('del', 3, 'x')), null);
    assert.equal(t.size, 0);
  });
});

function load(text: string): Config {
  const { config } = loadConfig('k.conf', { fs: memoryFs({ '/c/k.conf': text }), configId: 'n1', cwd: '/c' });
  assert.ok(config);
  return config;
}

const CONF = `vrrp_instance VI_1 {
 interface eth0
 virtual_router_id 51
 priority 200
 track_interface {
  trk0
 }
 virtual_ipaddress {
  10.0.0.100/24
  10.9.9.9/32 dev lan1
 }
}
`;

function iface(name: string, ifindex: number, v4: number[][]): InterfaceInfo {
  return {
    ifindex,
    name,
    up: true,
    mac: new Uint8Array(6),
    ipv4: v4.map((a) => Uint8Array.from(a)),
    ipv6LinkLocal: [],
  };
}

describe('dynamic interface rules', () => {
  const config = load(CONF);
  const inst = config.vrrpInstances[0]!;

  test('every interface an instance names is required: its own, tracked and VIP devs', () => {
    const t = new Map([['eth0', iface('eth0', 2, [[10, 0, 0, 1]])]]);
    assert.deepEqual(missingInterfaces(config, t), ['trk0', 'lan1']);
    const vmac = load(
      CONF.replace(' priority 200', ' priority 200\n use_vmac\n').replace('dev lan1', 'dev vrrp.51'),
    );
    assert.deepEqual(missingInterfaces(vmac, t), ['trk0'], 'the VMAC the daemon makes is not required');
  });

  test('a plan on a re-created interface, or with another source address, has moved', () => {
    const before = new Map([
      ['eth0', iface('eth0', 2, [[10, 0, 0, 1]])],
      ['lan1', iface('lan1', 3, [])],
    ]);
    const running = planInstance(inst, config, before);
    assert.equal(planMoved(running, planInstance(inst, config, before)), false);
    const recreated = new Map(before).set('eth0', iface('eth0', 12, [[10, 0, 0, 1]]));
    assert.equal(planMoved(running, planInstance(inst, config, recreated)), true);
    const vipDev = new Map(before).set('lan1', iface('lan1', 13, []));
    assert.equal(planMoved(running, planInstance(inst, config, vipDev)), true, 'a VIP dev re-created');
    const readdressed = new Map(before).set('eth0', iface('eth0', 2, [[10, 0, 0, 5]]));
    assert.equal(planMoved(running, planInstance(inst, config, readdressed)), true);
  });

  test('the source address gone from the interface, and VIPs are not sources', () => {
    const t = new Map([
      ['eth0', iface('eth0', 2, [[10, 0, 0, 1]])],
      ['lan1', iface('lan1', 3, [])],
    ]);
    const plan = planInstance(inst, config, t);
    assert.equal(sourceAddressGone(plan, t.get('eth0')!), false);
    assert.equal(sourceAddressGone(plan, iface('eth0', 2, [[10, 0, 0, 7]])), true);
    // The VIP left alone on eth0 (its primary now) is not offered as a source.
    const onlyVip = new Map(t).set('eth0', iface('eth0', 2, [[10, 0, 0, 100]]));
    const fresh = planInstance(inst, config, withoutVips(onlyVip, plan.vips));
    assert.notEqual(fresh.problem, null);
    assert.notEqual(
      planInstance(inst, config, onlyVip).problem,
      fresh.problem,
      'without the filter the VIP would be the source',
    );
  });
});
