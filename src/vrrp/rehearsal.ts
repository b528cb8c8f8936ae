/**
 * @module A dry run of the engine's rare, latency-critical paths on a throwaway copy of
 * an instance: a priority-0 advert in BACKUP (Skew_Time), the Master_Down_Timer firing
 * (takeover) and a shutdown from MASTER (priority-0 advert). The engine is pure, so this
 * changes nothing; it only makes V8 compile those functions before they are needed
 * (first use compiles lazily, and V8 drops bytecode of functions unused for a while),
 * so a graceful stop or a takeover does not start with a millisecond of compilation.
 */

import { step } from './fsm.js';
import { createInstance } from './instance.js';
import type { InstanceConfig, InstanceState } from './types.js';

/** Steps a fresh BACKUP copy of `config` through priority 0, takeover and shutdown; returns the effect count. */
export function rehearseRarePaths(config: InstanceConfig, nowMs: number): number {
  const backup: InstanceState = { ...createInstance(config), state: 'BACKUP' };
  const advert = { priority: 0, maxAdverIntCs: config.adverIntCs, source: config.sourceAddress };
  let r = step(backup, { type: 'advert', advert }, nowMs);
  let effects = r.effects.length;
  const due = r.instance.timers.masterDown ?? nowMs;
  r = step(r.instance, { type: 'timer', timer: 'masterDown' }, due);
  effects += r.effects.length;
  r = step(r.instance, { type: 'shutdown' }, due);
  return effects + r.effects.length;
}
