/**
 * @module Reload as a diff (STYLE rule 4): the old and new configs compared per
 * `vrrp_instance` by name, source locations ignored. An unchanged instance is kept
 * running untouched; a changed one is restarted (shutdown — priority 0 if MASTER, VIPs
 * removed, notify_stop — then started from the new config); new ones start; removed ones
 * stop. A change in global_defs restarts every instance. In-place updates (e.g. a new
 * priority without a restart) are not done yet: they restart.
 */

import type { Config, VrrpInstance } from '../config/model.js';

export interface ReloadPlan {
  readonly keep: readonly string[];
  readonly restart: readonly string[];
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

/** JSON of a config value without its source locations. */
export function comparable(value: unknown): string {
  return JSON.stringify(value, (k, v) => (k === 'loc' || k === 'interfaceLoc' ? undefined : v));
}

export function diffConfigs(old: Config, next: Config): ReloadPlan {
  const globalChanged = comparable(old.global) !== comparable(next.global);
  const before = new Map<string, VrrpInstance>(old.vrrpInstances.map((i) => [i.name, i]));
  const after = new Set(next.vrrpInstances.map((i) => i.name));
  const keep: string[] = [];
  const restart: string[] = [];
  const add: string[] = [];
  for (const i of next.vrrpInstances) {
    const o = before.get(i.name);
    if (o === undefined) add.push(i.name);
    else if (globalChanged || comparable(o) !== comparable(i)) restart.push(i.name);
    else keep.push(i.name);
  }
  const remove = old.vrrpInstances.map((i) => i.name).filter((n) => !after.has(n));
  return { keep, restart, add, remove };
}
