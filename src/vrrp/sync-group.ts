/**
 * @module Sync groups (`vrrp_sync_group`): members change state together, as keepalived
 * 2.2.7's vrrp_sync.c and vrrp_scheduler.c `try_up_instance` / vrrp_track.c
 * `down_instance` do it:
 *
 * - FAULT: the first member with a fault of its own puts every member in FAULT (a MASTER
 *   leaves master, sending priority 0); the group stays FAULT until no member has a fault
 *   of its own, then every member leaves FAULT (to BACKUP) — "Syncing instances to FAULT /
 *   BACKUP state".
 * - MASTER: a member may only become MASTER if the group is MASTER already or every other
 *   member wants MASTER too (`vrrp_sync_can_goto_master`: "prefer backup state to avoid
 *   thrashing"); otherwise it stays BACKUP and restarts its Master_Down_Timer with the full
 *   interval. When one goes MASTER, the others follow ("Syncing instances to MASTER state").
 * - BACKUP: when a MASTER member drops to BACKUP, every other member leaves MASTER too.
 * - Each group state change runs the group's notify scripts (`send_group_notifies`).
 *
 * `stepMember` wraps the engine's `step` for one member and returns every member's step
 * results; `setMemberFault` is the entry for tracking verdicts of members. Pure.
 */

import { currentMasterDownMs, restartMasterDown, type StepContext } from './context.js';
import { step } from './fsm.js';
import { reduceStats } from './stats.js';
import { transition } from './transitions.js';
import type { InstanceState, StepResult, VrrpEffect, VrrpEvent, VrrpState } from './types.js';

/** The group's own state (keepalived `vgroup->state`). */
export type SyncGroupState = 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP';

export interface SyncGroup {
  readonly name: string;
  /** Member instance names, in config order. */
  readonly members: readonly string[];
  readonly state: SyncGroupState;
  /** Members held in BACKUP while wanting MASTER (keepalived `wantstate == MASTER`). */
  readonly wantMaster: readonly string[];
  /** Members with a fault of their own (keepalived `num_member_fault`). */
  readonly ownFault: readonly string[];
}

/**
 * A new group. keepalived starts a group in BACKUP unless every member is an address
 * owner configured `state MASTER` (vrrp_sync.c `vrrp_sync_set_group`).
 */
export function createSyncGroup(
  name: string,
  members: readonly string[],
  allOwnersMaster = false,
): SyncGroup {
  return { name, members, state: allOwnersMaster ? 'MASTER' : 'BACKUP', wantMaster: [], ownFault: [] };
}

/** One member's step result, in the order to perform the effects. */
export interface MemberStep {
  readonly member: string;
  readonly result: StepResult;
}

/**
 * What a group step did. keepalived's group line ("VRRP_Group(G) Syncing instances to
 * MASTER state") is a `log` effect placed where keepalived prints it: after the member
 * that moved first, before the members that follow (observed with keepalived 2.2.7).
 */
export interface GroupStepResult {
  readonly group: SyncGroup;
  readonly steps: readonly MemberStep[];
  /**
   * Run the group's notify scripts for this state after every step's effects (keepalived:
   * the generic `notify` gets "GROUP NAME STATE 0"; at start-up once every member has left
   * INIT; STOP when the first member stops).
   */
  readonly notify: SyncGroupState | null;
}

type Instances = ReadonlyMap<string, InstanceState>;

function transitionOf(effects: readonly VrrpEffect[]): { from: VrrpState; to: VrrpState } | null {
  let last: { from: VrrpState; to: VrrpState } | null = null;
  for (const e of effects) if (e.type === 'notify') last = { from: e.from, to: e.to };
  return last;
}

const without = (list: readonly string[], name: string): string[] => list.filter((n) => n !== name);
const withName = (list: readonly string[], name: string): string[] =>
  list.includes(name) ? [...list] : [...list, name];

/** keepalived `vrrp_sync_can_goto_master`. */
export function canGoMaster(group: SyncGroup, member: string, instances: Instances): boolean {
  if (group.state === 'MASTER') return true;
  return group.members.every(
    (m) => m === member || group.wantMaster.includes(m) || instances.get(m)?.state === 'MASTER',
  );
}

/** Stay BACKUP wanting MASTER: restart Master_Down_Timer with the full interval. */
function hold(inst: InstanceState, nowMs: number): StepResult {
  const ctx: StepContext = { nowMs, fx: [] };
  const next = restartMasterDown(inst, currentMasterDownMs(inst), ctx);
  return { instance: next, effects: ctx.fx };
}

/**
 * Force a member into `to` as keepalived's sync functions do (goto_master,
 * leave_master, leave_fault). The engine has no cause for "synced", so the transition
 * carries the cause keepalived's own path would have had.
 */
export function syncTransition(inst: InstanceState, to: 'MASTER' | 'BACKUP', nowMs: number): StepResult {
  if (inst.state === to || inst.state === 'STOP' || inst.state === 'INIT' || inst.state === 'FAULT') {
    return { instance: inst, effects: [] };
  }
  const ctx: StepContext = { nowMs, fx: [] };
  const cause = to === 'MASTER' ? 'masterDownTimer' : 'higherPriorityAdvert';
  const reason = to === 'MASTER' ? 'masterNoResponse' : inst.nextMasterReason;
  const next = transition({ ...inst, nextMasterReason: reason }, to, cause, ctx);
  const ev: VrrpEvent = { type: 'timer', timer: 'masterDown' };
  return { instance: { ...next, stats: reduceStats(inst, ev, ctx.fx) }, effects: ctx.fx };
}

function follow(
  group: SyncGroup,
  origin: string,
  instances: Instances,
  to: 'MASTER' | 'BACKUP',
  nowMs: number,
): MemberStep[] {
  const steps: MemberStep[] = [];
  for (const m of group.members) {
    const inst = instances.get(m);
    if (m === origin || inst === undefined || inst.state === to) continue;
    const result = syncTransition(inst, to, nowMs);
    if (result.effects.length > 0) steps.push({ member: m, result });
  }
  return steps;
}

/**
 * Feed `event` to `member` under the group's rules. The returned steps start with the
 * member's own (possibly held) step, followed by the steps of the members that follow it.
 */
export function stepMember(
  group: SyncGroup,
  instances: Instances,
  member: string,
  event: VrrpEvent,
  nowMs: number,
): GroupStepResult {
  const inst = instances.get(member);
  if (inst === undefined) return { group, steps: [], notify: null };
  const result = step(inst, event, nowMs);
  const t = transitionOf(result.effects);
  if (t === null) {
    // A BACKUP that hears a master (its Master_Down_Timer re-armed) no longer wants MASTER.
    const heard = event.type === 'advert' && result.instance.state === 'BACKUP';
    const g = heard ? { ...group, wantMaster: without(group.wantMaster, member) } : group;
    return { group: g, steps: [{ member, result }], notify: null };
  }
  if (t.from === 'INIT' || t.to === 'STOP') return startOrStop(group, instances, member, result, t.to);
  if (t.to === 'MASTER' && t.from === 'BACKUP' && !canGoMaster(group, member, instances)) {
    const g = { ...group, wantMaster: withName(group.wantMaster, member) };
    return { group: g, steps: [{ member, result: hold(inst, nowMs) }], notify: null };
  }
  return afterTransition(group, instances, member, result, t.to, nowMs);
}

function afterTransition(
  group: SyncGroup,
  instances: Instances,
  member: string,
  result: StepResult,
  to: VrrpState,
  nowMs: number,
): GroupStepResult {
  const own: MemberStep = { member, result };
  const wantMaster = to === 'MASTER' ? group.wantMaster : without(group.wantMaster, member);
  if ((to !== 'MASTER' && to !== 'BACKUP') || group.state === to || group.state === 'FAULT') {
    return { group: { ...group, wantMaster }, steps: [own], notify: null };
  }
  const updated = new Map(instances).set(member, result.instance);
  const steps = withGroupLog([own, ...follow(group, member, updated, to, nowMs)], group.name, to);
  return { group: { ...group, state: to, wantMaster: to === 'MASTER' ? [] : wantMaster }, steps, notify: to };
}

/** Start-up: the group notifies its state once no member is in INIT; STOP at the first stop. */
function startOrStop(
  group: SyncGroup,
  instances: Instances,
  member: string,
  result: StepResult,
  to: VrrpState,
): GroupStepResult {
  const steps = [{ member, result }];
  if (to === 'STOP') {
    if (group.state === 'STOP') return { group, steps, notify: null };
    return { group: { ...group, state: 'STOP', wantMaster: [] }, steps, notify: 'STOP' };
  }
  const updated = new Map(instances).set(member, result.instance);
  const started = group.members.every((m) => updated.get(m)?.state !== 'INIT');
  return { group, steps, notify: started ? group.state : null };
}

/** Insert keepalived's group line after the first step's effects. */
function withGroupLog(steps: MemberStep[], name: string, to: SyncGroupState): MemberStep[] {
  const line: VrrpEffect = {
    type: 'log',
    detail: false,
    text: `VRRP_Group(${name}) Syncing instances to ${to} state`,
  };
  const [first, ...rest] = steps;
  if (first === undefined) return steps;
  const r = first.result;
  return [{ member: first.member, result: { ...r, effects: [...r.effects, line] } }, ...rest];
}

/**
 * A member's own fault changed (its tracking verdict, or its interface). The first fault
 * in the group faults every member; the last one cleared brings every member back
 * (keepalived `down_instance` / `try_up_instance` with `num_member_fault`).
 */
export function setMemberFault(
  group: SyncGroup,
  instances: Instances,
  member: string,
  faulted: boolean,
  reason: string,
  nowMs: number,
): GroupStepResult {
  const had = group.ownFault.length > 0;
  const ownFault = faulted ? withName(group.ownFault, member) : without(group.ownFault, member);
  const has = ownFault.length > 0;
  const g0: SyncGroup = { ...group, ownFault, wantMaster: [] };
  if (had === has) return { group: { ...group, ownFault }, steps: [], notify: null };
  const event: VrrpEvent = has ? { type: 'fault', reason } : { type: 'faultCleared', reason };
  const steps: MemberStep[] = [];
  // The member whose fault changed moves first, then the others (keepalived's order).
  for (const m of [member, ...group.members.filter((x) => x !== member)]) {
    const inst = instances.get(m);
    if (inst === undefined) continue;
    const result = step(inst, event, nowMs);
    if (result.effects.length > 0 || result.instance !== inst) steps.push({ member: m, result });
  }
  const state: SyncGroupState = has ? 'FAULT' : 'BACKUP';
  return { group: { ...g0, state }, steps: withGroupLog(steps, group.name, state), notify: state };
}
