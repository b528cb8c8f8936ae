/**
 * @module Sync groups in the daemon: every event for a member goes through
 * src/vrrp/sync-group.ts (`stepMember`), which returns the member's step and those of the
 * members that follow it; tracking faults of members go through `setMemberFault`. Each
 * group state change runs the group's notify scripts as keepalived does: the per-state
 * script as written, then the generic `notify` with "GROUP NAME STATE 0".
 */

import type { Config, NotifyScripts, ScriptCommand } from '../config/model.js';
import type { ScriptRunner } from '../io/script-runner.js';
import { resolveGroup, resolveUser } from '../io/users.js';
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
  readonly runner: ScriptRunner;
  readonly log: (text: string) => void;
  readonly defaultUser?: string;
  readonly defaultGroup?: string;
}

export class SyncGroups {
  readonly #groups = new Map<string, SyncGroup>();
  readonly #notify = new Map<string, NotifyScripts>();
  readonly #memberOf = new Map<string, string>();
  readonly #d: SyncGroupDeps;

  constructor(config: Config, d: SyncGroupDeps) {
    this.#d = d;
    const names = new Set(config.vrrpInstances.map((i) => i.name));
    for (const g of config.vrrpSyncGroups) {
      const members = g.members.map((m) => m.name).filter((n) => names.has(n) && !this.#memberOf.has(n));
      if (members.length === 0) continue;
      this.#groups.set(g.name, createSyncGroup(g.name, members));
      this.#notify.set(g.name, g.notify);
      for (const m of members) this.#memberOf.set(m, g.name);
    }
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

  /** An event for a member (the runtime's feed routes here). */
  feed(member: string, event: VrrpEvent): void {
    const name = this.#memberOf.get(member);
    const g = name === undefined ? undefined : this.#groups.get(name);
    if (g === undefined) return;
    this.#apply(g, stepMember(g, this.#instances(g), member, event, this.#d.nowMs()));
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
    if (r.notify !== null) this.#runNotify(g.name, r.notify);
  }

  #runNotify(group: string, state: SyncGroupState): void {
    const scripts = this.#notify.get(group);
    if (scripts === undefined) return;
    const perState = {
      MASTER: scripts.master,
      BACKUP: scripts.backup,
      FAULT: scripts.fault,
      STOP: scripts.stop,
    }[state];
    if (perState) this.#run(perState, [...perState.argv]);
    if (scripts.any) this.#run(scripts.any, [...scripts.any.argv, 'GROUP', group, state, '0']);
  }

  #run(cmd: ScriptCommand, argv: string[]): void {
    const user = cmd.user ?? this.#d.defaultUser;
    const group = cmd.group ?? this.#d.defaultGroup;
    const uid = user === undefined ? undefined : resolveUser(user);
    const gid = group === undefined ? uid?.gid : resolveGroup(group);
    void this.#d.runner
      .run({
        argv,
        timeoutMs: 15_000,
        ...(uid ? { uid: uid.uid } : {}),
        ...(gid === undefined ? {} : { gid }),
      })
      .then((r) => {
        if (r.kind === 'error') this.#d.log(`Failed to exec ${cmd.text}: ${r.message}`);
      });
  }
}
