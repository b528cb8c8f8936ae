/**
 * @module Sync groups as keepalived 2.2.7's vrrp_sync.c moves them: FAULT spreads and is
 * only left when no member has a fault of its own, MASTER only when every member wants it
 * (`vrrp_sync_can_goto_master`), and a member dropping to BACKUP takes the others along.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InstanceState, VrrpEvent } from '../../../src/vrrp/index.js';
import {
  createSyncGroup,
  type GroupStepResult,
  type SyncGroup,
  setMemberFault,
  stepMember,
} from '../../../src/vrrp/sync-group.js';
import { advert, config, Driver, logs, ofType } from './fixtures.js';

function allLogs(r: GroupStepResult, detail = true): string[] {
  return r.steps.flatMap((s) => logs(s.result.effects, detail));
}

class Pair {
  group: SyncGroup = createSyncGroup('G', ['VI_1', 'VI_2']);
  insts = new Map<string, InstanceState>();
  last: GroupStepResult | null = null;

  constructor(master = false) {
    this.insts.set('VI_1', new Driver(config({ name: 'VI_1', vrid: 1 })).started(0, master).inst);
    this.insts.set('VI_2', new Driver(config({ name: 'VI_2', vrid: 2 })).started(0, master).inst);
    if (master) this.group = { ...this.group, state: 'MASTER' };
  }

  apply(r: GroupStepResult): GroupStepResult {
    this.group = r.group;
    for (const s of r.steps) this.insts.set(s.member, s.result.instance);
    this.last = r;
    return r;
  }

  feed(member: string, event: VrrpEvent, nowMs: number): GroupStepResult {
    return this.apply(stepMember(this.group, this.insts, member, event, nowMs));
  }

  fault(member: string, on: boolean, nowMs: number): GroupStepResult {
    return this.apply(setMemberFault(this.group, this.insts, member, on, 'script:chk', nowMs));
  }

  states(): string[] {
    return [...this.insts.values()].map((i) => i.state);
  }
}

test('keepalived vrrp_sync_fault: one member FAULT puts every member in FAULT, a MASTER sends priority 0', () => {
  const p = new Pair(true);
  const r = p.fault('VI_1', true, 5000);
  assert.deepEqual(p.states(), ['FAULT', 'FAULT']);
  assert.equal(r.notify, 'FAULT');
  assert.deepEqual(allLogs(r, false), [
    '(VI_1) Entering FAULT STATE',
    'VRRP_Group(G) Syncing instances to FAULT state',
    '(VI_2) Entering FAULT STATE',
  ]);
  const vi2 = r.steps.find((s) => s.member === 'VI_2');
  assert.ok(vi2);
  assert.ok(ofType(vi2.result.effects, 'sendAdvert').some((a) => a.priority === 0));
  assert.ok(ofType(vi2.result.effects, 'removeVips').length > 0);
});

test('keepalived try_up_instance: the group leaves FAULT only when no member has a fault of its own', () => {
  const p = new Pair();
  p.fault('VI_1', true, 100);
  p.fault('VI_2', true, 200);
  const mid = p.fault('VI_1', false, 300);
  assert.deepEqual(p.states(), ['FAULT', 'FAULT']);
  assert.equal(mid.notify, null);
  const r = p.fault('VI_2', false, 400);
  assert.deepEqual(p.states(), ['BACKUP', 'BACKUP']);
  assert.equal(r.notify, 'BACKUP');
  // keepalived 2.2.7 (observed): "(VI_1) Entering BACKUP STATE", the group line, then VI_2
  assert.deepEqual(allLogs(r, false), [
    '(VI_2) Entering BACKUP STATE',
    'VRRP_Group(G) Syncing instances to BACKUP state',
    '(VI_1) Entering BACKUP STATE',
  ]);
  assert.equal(p.group.state, 'BACKUP');
});

test('keepalived vrrp_sync_can_goto_master: a member alone wanting MASTER stays BACKUP and restarts its down timer', () => {
  const p = new Pair();
  const at = p.insts.get('VI_1')?.timers.masterDown ?? 0;
  const r = p.feed('VI_1', { type: 'timer', timer: 'masterDown' }, at);
  assert.deepEqual(p.states(), ['BACKUP', 'BACKUP']);
  assert.deepEqual(p.group.wantMaster, ['VI_1']);
  const armed = ofType(r.steps[0]?.result.effects ?? [], 'armTimer');
  assert.equal(armed[0]?.timer, 'masterDown');
  assert.equal(armed[0]?.atMs, at + 3609.375);
  assert.deepEqual(logs(r.steps[0]?.result.effects ?? []), []);
});

test('keepalived vrrp_sync_master: when every member wants MASTER the last one takes the others along', () => {
  const p = new Pair();
  const at = p.insts.get('VI_1')?.timers.masterDown ?? 0;
  p.feed('VI_1', { type: 'timer', timer: 'masterDown' }, at);
  const r = p.feed('VI_2', { type: 'timer', timer: 'masterDown' }, at + 1);
  assert.deepEqual(p.states(), ['MASTER', 'MASTER']);
  assert.equal(r.notify, 'MASTER');
  // keepalived 2.2.7 (observed): "(VI_2) Entering MASTER STATE", the group line, "(VI_1) Entering MASTER STATE"
  const lines = allLogs(r, false).filter((l) => /STATE|Group/.test(l));
  assert.deepEqual(lines, [
    '(VI_2) Entering MASTER STATE',
    'VRRP_Group(G) Syncing instances to MASTER state',
    '(VI_1) Entering MASTER STATE',
  ]);
  assert.deepEqual(
    r.steps.map((s) => s.member),
    ['VI_2', 'VI_1'],
  );
  assert.ok(ofType(r.steps[1]?.result.effects ?? [], 'addVips').length > 0);
  assert.deepEqual(p.group.wantMaster, []);
});

test('keepalived: a member that hears a master again no longer wants MASTER', () => {
  const p = new Pair();
  const at = p.insts.get('VI_1')?.timers.masterDown ?? 0;
  p.feed('VI_1', { type: 'timer', timer: 'masterDown' }, at);
  p.feed('VI_1', advert(200), at + 10);
  assert.deepEqual(p.group.wantMaster, []);
  const at2 = p.insts.get('VI_2')?.timers.masterDown ?? 0;
  p.feed('VI_2', { type: 'timer', timer: 'masterDown' }, at2);
  assert.deepEqual(p.states(), ['BACKUP', 'BACKUP']);
});

test('keepalived vrrp_sync_backup: a MASTER member dropping to BACKUP takes the others out of MASTER', () => {
  const p = new Pair(true);
  const r = p.feed('VI_1', advert(200), 5000);
  assert.deepEqual(p.states(), ['BACKUP', 'BACKUP']);
  assert.equal(r.notify, 'BACKUP');
  const vi2 = r.steps.find((s) => s.member === 'VI_2');
  assert.ok(vi2);
  assert.ok(ofType(vi2.result.effects, 'removeVips').length > 0);
  // RFC 5798 §6.4.3: leaving MASTER for BACKUP sends no priority-0 advert
  assert.equal(
    ofType(vi2.result.effects, 'sendAdvert').some((a) => a.priority === 0),
    false,
  );
});

test('sync group: events that change no state pass straight through', () => {
  const p = new Pair(true);
  const r = p.feed('VI_1', advert(50), 5000);
  assert.equal(r.notify, null);
  assert.equal(r.steps.length, 1);
  assert.deepEqual(p.states(), ['MASTER', 'MASTER']);
});

test('keepalived 2.2.7 (observed): the group notifies BACKUP once every member has started, STOP at the first stop', () => {
  const group = createSyncGroup('G', ['VI_1', 'VI_2']);
  const insts = new Map<string, InstanceState>([
    ['VI_1', new Driver(config({ name: 'VI_1', vrid: 1 })).inst],
    ['VI_2', new Driver(config({ name: 'VI_2', vrid: 2 })).inst],
  ]);
  const a = stepMember(group, insts, 'VI_1', { type: 'start' }, 0);
  insts.set('VI_1', a.steps[0]!.result.instance);
  assert.equal(a.notify, null);
  const b = stepMember(a.group, insts, 'VI_2', { type: 'start' }, 0);
  insts.set('VI_2', b.steps[0]!.result.instance);
  assert.equal(b.notify, 'BACKUP');
  const c = stepMember(b.group, insts, 'VI_1', { type: 'shutdown' }, 10);
  insts.set('VI_1', c.steps[0]!.result.instance);
  assert.equal(c.notify, 'STOP');
  const d = stepMember(c.group, insts, 'VI_2', { type: 'shutdown' }, 10);
  assert.equal(d.notify, null);
});
