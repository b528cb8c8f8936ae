/**
 * @module Two routers, each with a sync group of two instances (VRID 1 on segment 0, VRID 2
 * on segment 1), in virtual time through the pure engine and src/vrrp/sync-group.ts:
 *
 * - A (150) and B (100) settle with A MASTER of both;
 * - a fault of one member on A (its tracked file) moves both VIPs to B;
 * - keepalived's "prefer backup state to avoid thrashing": when only segment 1 between A
 *   and B breaks, B's VRID 2 wants MASTER but its VRID 1 still hears A, so B stays BACKUP
 *   for both (never a master on VRID 1 besides A) instead of splitting the group.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createInstance,
  type InstanceState,
  type VrrpEffect,
  type VrrpEvent,
} from '../../../src/vrrp/index.js';
import {
  createSyncGroup,
  type GroupStepResult,
  type SyncGroup,
  setMemberFault,
  stepMember,
} from '../../../src/vrrp/sync-group.js';
import { config, ip4 } from './fixtures.js';

type Node = { name: string; group: SyncGroup; insts: Map<string, InstanceState> };
type Pending = { at: number; node: Node; member: string; event: VrrpEvent };

class Sim {
  now = 0;
  queue: Pending[] = [];
  /** Segments that do not deliver: 'VI_1' or 'VI_2'. */
  cut = new Set<string>();
  readonly nodes: Node[];

  constructor() {
    this.nodes = [this.#node('A', 150, '10.0.0.1'), this.#node('B', 100, '10.0.0.2')];
    for (const n of this.nodes) for (const m of ['VI_1', 'VI_2']) this.feed(n, m, { type: 'start' });
  }

  #node(name: string, priority: number, src: string): Node {
    const insts = new Map<string, InstanceState>();
    for (const [m, vrid] of [
      ['VI_1', 1],
      ['VI_2', 2],
    ] as const) {
      insts.set(m, createInstance(config({ name: m, vrid, priority, sourceAddress: ip4(src) })));
    }
    return { name, group: createSyncGroup('G', ['VI_1', 'VI_2']), insts };
  }

  feed(n: Node, member: string, event: VrrpEvent): void {
    this.#apply(n, stepMember(n.group, n.insts, member, event, this.now));
  }

  fault(n: Node, member: string, on: boolean): void {
    this.#apply(n, setMemberFault(n.group, n.insts, member, on, 'file:tf', this.now));
  }

  #apply(n: Node, r: GroupStepResult): void {
    n.group = r.group;
    for (const s of r.steps) {
      n.insts.set(s.member, s.result.instance);
      for (const e of s.result.effects) this.#effect(n, s.member, e);
    }
  }

  #effect(n: Node, member: string, e: VrrpEffect): void {
    if (e.type === 'armTimer')
      this.queue.push({ at: e.atMs, node: n, member, event: { type: 'timer', timer: e.timer } });
    if (e.type !== 'sendAdvert' || this.cut.has(member)) return;
    const src = n.insts.get(member)!.config.sourceAddress;
    for (const peer of this.nodes) {
      if (peer === n) continue;
      const advert = { priority: e.priority, maxAdverIntCs: e.adverIntCs, source: src };
      this.queue.push({ at: this.now + 1, node: peer, member, event: { type: 'advert', advert } });
    }
  }

  run(untilMs: number, check: () => void = () => {}): void {
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at);
      const next = this.queue[0];
      if (next === undefined || next.at > untilMs) break;
      this.queue.shift();
      this.now = Math.max(this.now, next.at);
      this.feed(next.node, next.member, next.event);
      check();
    }
    this.now = untilMs;
  }

  states(): string {
    return this.nodes
      .map((n) => `${n.name}:${[...n.insts.values()].map((i) => i.state).join(',')}`)
      .join(' ');
  }
}

test('keepalived sync groups on two routers: A masters both, a member fault moves both to B', () => {
  const sim = new Sim();
  sim.run(10_000);
  assert.equal(sim.states(), 'A:MASTER,MASTER B:BACKUP,BACKUP');
  sim.fault(sim.nodes[0]!, 'VI_1', true);
  sim.run(20_000);
  assert.equal(sim.states(), 'A:FAULT,FAULT B:MASTER,MASTER');
  sim.fault(sim.nodes[0]!, 'VI_1', false);
  sim.run(30_000);
  assert.equal(sim.states(), 'A:MASTER,MASTER B:BACKUP,BACKUP');
});

test('keepalived vrrp_sync_can_goto_master: a one-segment partition does not split the group or thrash', () => {
  const sim = new Sim();
  sim.run(10_000);
  sim.cut.add('VI_2');
  let vi1Masters = 0;
  sim.run(60_000, () => {
    const both = sim.nodes.filter((n) => n.insts.get('VI_1')?.state === 'MASTER').length;
    vi1Masters = Math.max(vi1Masters, both);
  });
  assert.equal(vi1Masters, 1, 'never two masters for VRID 1');
  assert.equal(sim.states(), 'A:MASTER,MASTER B:BACKUP,BACKUP');
  assert.deepEqual(sim.nodes[1]!.group.wantMaster, ['VI_2']);
});
