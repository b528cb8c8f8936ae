/**
 * @module The per-step context: the time of the event and the list of effects being
 * built. Only `step` creates one; handlers append to it and return the next (immutable)
 * instance. Also the small timer and advert helpers every handler shares.
 */

import { masterDownIntervalMs, skewTimeMs } from './timers.js';
import type { InstanceState, TimerName, VrrpEffect } from './types.js';

export interface StepContext {
  readonly nowMs: number;
  readonly fx: VrrpEffect[];
}

/** Arm (or re-arm) a timer: record its deadline and emit the effect. */
export function armTimer(
  inst: InstanceState,
  timer: TimerName,
  atMs: number,
  ctx: StepContext,
): InstanceState {
  ctx.fx.push({ type: 'armTimer', timer, atMs });
  return { ...inst, timers: { ...inst.timers, [timer]: atMs } };
}

/** Cancel a timer if it is armed. */
export function cancelTimer(inst: InstanceState, timer: TimerName, ctx: StepContext): InstanceState {
  if (inst.timers[timer] === null) return inst;
  ctx.fx.push({ type: 'cancelTimer', timer });
  return { ...inst, timers: { ...inst.timers, [timer]: null } };
}

/** Cancel every armed timer. */
export function cancelAllTimers(inst: InstanceState, ctx: StepContext): InstanceState {
  let next = inst;
  for (const t of TIMER_NAMES) next = cancelTimer(next, t, ctx);
  return next;
}

export const TIMER_NAMES: readonly TimerName[] = ['adver', 'masterDown', 'garpMasterDelay', 'garpLowerPrio'];

/** Emit one advertisement with the given priority (0 = stop participating). */
export function sendAdvert(inst: InstanceState, priority: number, ctx: StepContext): void {
  ctx.fx.push({ type: 'sendAdvert', priority, adverIntCs: inst.config.adverIntCs });
}

/** Advertisement_Interval in ms (RFC 5798 §6.1). */
export function adverIntervalMs(inst: InstanceState): number {
  return inst.config.adverIntCs * 10;
}

/** Master_Down_Interval in ms for the current effective priority and Master_Adver_Interval. */
export function currentMasterDownMs(inst: InstanceState): number {
  const c = inst.config;
  return masterDownIntervalMs(c.version, inst.effectivePriority, inst.masterAdverIntCs, c.downTimerAdverts);
}

/** Skew_Time in ms for the current effective priority and Master_Adver_Interval. */
export function currentSkewMs(inst: InstanceState): number {
  return skewTimeMs(inst.config.version, inst.effectivePriority, inst.masterAdverIntCs);
}

/** (Re)start the Master_Down_Timer from now with the given interval (keepalived `ms_down_timer`). */
export function restartMasterDown(inst: InstanceState, intervalMs: number, ctx: StepContext): InstanceState {
  const next = { ...inst, masterDownIntervalMs: intervalMs };
  return armTimer(next, 'masterDown', ctx.nowMs + intervalMs, ctx);
}
