/**
 * @module Sync groups in the daemon: every event for a member goes through
 * src/vrrp/sync-group.ts (`stepMember`), which returns the member's step and those of the
 * members that follow it; tracking faults of members go through `setMemberFault`. Each
 * group state change runs the group's notify scripts as keepalived does: the per-state
 * script as written, then the generic `notify` with "GROUP NAME STATE 0", then the FIFO
 * line `GROUP "NAME" STATE 0`. At start-up keepalived notifies groups in BACKUP or FAULT
 * before any instance leaves INIT (vrrp_scheduler.c vrrp_init_state): `announceStart`.
 */

import type { Config, NotifyScripts } from '../config/model.js';
import { type Notifier, notifyCommands } from '../io/notify.js';
import { groupFifoLine } from '../io/notify-fifo-format.js';
import type { StepResult, VrrpEvent } from '../vrrp/index.js';
import {
  createSyncGroup,
  type SyncGroup,
  type SyncGroupState,
  setMemberFault,
  stepMember,
} from '../vrrp/sync-group.js';
import type { InstanceRuntime } from './instance-runtime.js';

export interface SyncGroupDeps {
  readonly runtime: (name: string) => InstanceRuntime | undefined;
  readonly nowMs: () => number;
  readonly notifier: Notifier;
}

export class SyncGroups {
  readonly #groups = new Map<string, SyncGroup>();
  readonly #notify = new Map<string, NotifyScripts>();
  readonly #memberOf = new Map<string, string>();
  readonly #d: SyncGroupDeps;
  /** Set once announceStart ran: the engine's own start-up group notify is then redundant. */
  #announced = false;
  /** holdUntilAnnounced: group notifies wait for announceStart (start-up). */
  #holding = false;
  /**
   * The state each group last notified. Tracking's first verdicts can fault a group before
   * announceStart, which then has nothing left to say: keepalived notifies it once.
   */
  readonly #notified = new Map<string, SyncGroupState>();
  /** Group STOP notifies held until every instance has stopped (keepalived notify_shutdown). */
  #stopping: string[] | null = null;

  /**
   * `previous`: the groups before a reload. A group that stays keeps its state (and its
   * members' own faults and wishes to be MASTER), as keepalived keeps it: a reload must not
   * turn a MASTER group back into BACKUP behind its running members' backs.
   */
  constructor(config: Config, d: SyncGroupDeps, previous?: SyncGroups) {
    this.#d = d;
    const names = new Set(config.vrrpInstances.map((i) => i.name));
    for (const g of config.vrrpSyncGroups) {
      const members = g.members.map((m) => m.name).filter((n) => names.has(n) && !this.#memberOf.has(n));
      if (members.length === 0) continue;
      this.#groups.set(g.name, this.#carried(previous?.group(g.name), g.name, members));
      this.#notify.set(g.name, g.notify);
      for (const m of members) this.#memberOf.set(m, g.name);
    }
  }

  /** A group after a reload: its old state, or one that fits members already running. */
  #carried(old: SyncGroup | undefined, name: string, members: readonly string[]): SyncGroup {
    const fresh = createSyncGroup(name, members);
    if (old !== undefined) {
      const kept = (list: readonly string[]) => list.filter((m) => members.includes(m));
      return { ...fresh, state: old.state, ownFault: kept(old.ownFault), wantMaster: kept(old.wantMaster) };
    }
    const states = members.map((m) => this.#d.runtime(m)?.state.state);
    if (states.includes('FAULT')) return { ...fresh, state: 'FAULT' };
    return states.every((s) => s === 'MASTER') ? { ...fresh, state: 'MASTER' } : fresh;
  }

  /** Every group with its state, in config order. */
  states(): { readonly name: string; readonly state: SyncGroupState; readonly members: readonly string[] }[] {
    return [...this.#groups.values()].map((g) => ({ name: g.name, state: g.state, members: g.members }));
  }

  /** A group as it stands (a reload carries it over). */
  group(name: string): SyncGroup | undefined {
    return this.#groups.get(name);
  }

  groupOf(instance: string): string | undefined {
    return this.#memberOf.get(instance);
  }

  state(group: string): SyncGroupState | undefined {
    return this.#groups.get(group)?.state;
  }

  #instances(g: SyncGroup): Map<string, import('../vrrp/index.js').InstanceState> {
    const out = new Map();
    for (const m of g.members) {
      const rt = this.#d.runtime(m);
      if (rt) out.set(m, rt.state);
    }
    return out;
  }

  /**
   * Before the instances start: notify every group in BACKUP or FAULT, as keepalived does
   * ahead of its instances' own start-up notifies.
   */
  announceStart(): void {
    this.#announced = true;
    this.#holding = false;
    for (const g of this.#groups.values())
      if ((g.state === 'BACKUP' || g.state === 'FAULT') && this.#notified.get(g.name) !== g.state)
        this.#runNotify(g.name, g.state);
  }

  /**
   * Start-up: a group's notify waits for announceStart, so that members that start in
   * FAULT report it before their group does (keepalived 2.2.7 writes `INSTANCE "VI_1"
   * FAULT`, `INSTANCE "VI_2" FAULT`, then `GROUP "G1" FAULT`).
   */
  holdUntilAnnounced(): void {
    this.#holding = !this.#announced;
  }

  /** Shutdown: instances notify STOP first, then the groups (keepalived's order). */
  beginStop(): void {
    this.#stopping ??= [];
  }

  endStop(): void {
    const held = this.#stopping ?? [];
    this.#stopping = null;
    for (const g of held) this.#runNotify(g, 'STOP');
  }

  /** An event for a member (the runtime's feed routes here). */
  feed(member: string, event: VrrpEvent): void {
    const name = this.#memberOf.get(member);
    const g = name === undefined ? undefined : this.#groups.get(name);
    if (g === undefined) return;
    const starting = this.#d.runtime(member)?.state.state === 'INIT';
    const r = stepMember(g, this.#instances(g), member, event, this.#d.nowMs());
    // The start-up notify already went out in announceStart (STOP is never a start-up one).
    const skip =
      this.#announced && starting && r.notify !== 'STOP' && r.notify === g.state && g.state !== 'MASTER';
    this.#apply(g, skip ? { ...r, notify: null } : r);
  }

  /** A member's own tracking fault changed. */
  setFault(group: string, member: string, faulted: boolean, reason: string): void {
    const g = this.#groups.get(group);
    if (g === undefined) return;
    this.#apply(g, setMemberFault(g, this.#instances(g), member, faulted, reason, this.#d.nowMs()));
  }

  #apply(
    g: SyncGroup,
    r: {
      group: SyncGroup;
      steps: readonly { member: string; result: StepResult }[];
      notify: SyncGroupState | null;
    },
  ): void {
    this.#groups.set(g.name, r.group);
    for (const s of r.steps) this.#d.runtime(s.member)?.apply(s.result);
    if (r.notify === 'STOP' && this.#stopping !== null) this.#stopping.push(g.name);
    else if (r.notify !== null && !this.#holding) this.#runNotify(g.name, r.notify);
  }

  #runNotify(group: string, state: SyncGroupState): void {
    this.#notified.set(group, state);
    const scripts = this.#notify.get(group) ?? {};
    const n = this.#d.notifier;
    for (const { command, argv } of notifyCommands(scripts, group, state, 0, 'GROUP')) n.run(command, argv);
    n.fifoLine(groupFifoLine(group, state));
    n.groupAlert?.(group, state); // stubs in tests implement only scripts and FIFO
  }
}
