/**
 * @module A dry run of the engine's rare, latency-critical paths on a throwaway copy of
 * an instance: a priority-0 advert in BACKUP (Skew_Time), the Master_Down_Timer firing
 * (takeover), a MASTER yielding to a better one and a MASTER answering a worse one (a
 * frozen master resuming: the single master again), its GARP delays, and a shutdown from MASTER
 * (priority-0 advert). The engine is pure, so this changes nothing; it only makes V8
 * compile those functions before they are needed
 * (first use compiles lazily, and V8 drops bytecode of functions unused for a while),
 * so a graceful stop or a takeover does not start with a millisecond of compilation.
 */

import { step } from './fsm.js';
import { createInstance } from './instance.js';
import type { InstanceConfig, InstanceState } from './types.js';

/** The best possible master: priority 255 from the highest address of the family. */
const BETTER_V4 = Uint8Array.of(255, 255, 255, 255);
const BETTER_V6 = new Uint8Array(16).fill(255);

/**
 * Steps a fresh BACKUP copy of `config` through priority 0 and takeover, then the MASTER
 * it became through a better and a worse master's advert and through a shutdown; returns
 * the effect count.
 */
export function rehearseRarePaths(config: InstanceConfig, nowMs: number): number {
  const backup: InstanceState = { ...createInstance(config), state: 'BACKUP' };
  const advert = { priority: 0, maxAdverIntCs: config.adverIntCs, source: config.sourceAddress };
  let r = step(backup, { type: 'advert', advert }, nowMs);
  let effects = r.effects.length;
  const due = r.instance.timers.masterDown ?? nowMs;
  r = step(r.instance, { type: 'timer', timer: 'masterDown' }, due);
  effects += r.effects.length;
  const master = r.instance;
  const source = config.family === 'ipv4' ? BETTER_V4 : BETTER_V6;
  const better = { priority: 255, maxAdverIntCs: config.adverIntCs, source };
  r = step(master, { type: 'advert', advert: better }, due);
  effects += r.effects.length;
  const worse = { priority: 1, maxAdverIntCs: config.adverIntCs, source: config.sourceAddress };
  r = step(master, { type: 'advert', advert: worse }, due);
  effects += r.effects.length;
  // The GARP delays a takeover or a worse advert armed (a master continued after SIGSTOP
  // finds them due with its Adver_Timer).
  for (const after of [master, r.instance]) {
    for (const timer of ['garpMasterDelay', 'garpLowerPrio'] as const) {
      const at = after.timers[timer];
      if (at !== null) effects += step(after, { type: 'timer', timer }, at).effects.length;
    }
  }
  r = step(master, { type: 'shutdown' }, due);
  return effects + r.effects.length;
}
