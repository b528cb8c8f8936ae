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
  const next = copyState(inst);
  next.timers = withTimer(inst.timers, timer, atMs);
  return next;
}

/** Cancel a timer if it is armed. */
export function cancelTimer(inst: InstanceState, timer: TimerName, ctx: StepContext): InstanceState {
  if (inst.timers[timer] === null) return inst;
  ctx.fx.push({ type: 'cancelTimer', timer });
  const next = copyState(inst);
  next.timers = withTimer(inst.timers, timer, null);
  return next;
}

export type MutableState = { -readonly [K in keyof InstanceState]: InstanceState[K] };

/**
 * A copy of `inst` for the caller to fill in before anyone else sees it, spelt out field
 * by field: V8 then lays every field out in the object (152 bytes). A spread copy keeps
 * most fields in a separate property array (`{ ...inst, field }` is built through the
 * runtime, and a bare `{ ...inst }` clones whatever layout its source had): about twice
 * the memory, on every advert of every instance. TypeScript flags a field left out here.
 */
export function copyState(inst: InstanceState): MutableState {
  return {
    config: inst.config,
    state: inst.state,
    effectivePriority: inst.effectivePriority,
    basePriority: inst.basePriority,
    masterAdverIntCs: inst.masterAdverIntCs,
    masterDownIntervalMs: inst.masterDownIntervalMs,
    timers: inst.timers,
    preemptUntilMs: inst.preemptUntilMs,
    masterAddress: inst.masterAddress,
    masterPriority: inst.masterPriority,
    faulted: inst.faulted,
    garpRefreshDueMs: inst.garpRefreshDueMs,
    vipsSet: inst.vipsSet,
    nextMasterReason: inst.nextMasterReason,
    lastTransition: inst.lastTransition,
    stats: inst.stats,
  };
}

/**
 * `timers` with one deadline replaced. Spelt out rather than `{ ...timers, [name]: at }`:
 * a computed key after a spread is defined through the runtime, and this runs on every
 * advert of every instance (a literal of four named fields is one small allocation).
 */
export function withTimer(
  timers: InstanceState['timers'],
  timer: TimerName,
  atMs: number | null,
): InstanceState['timers'] {
  return {
    adver: timer === 'adver' ? atMs : timers.adver,
    masterDown: timer === 'masterDown' ? atMs : timers.masterDown,
    garpMasterDelay: timer === 'garpMasterDelay' ? atMs : timers.garpMasterDelay,
    garpLowerPrio: timer === 'garpLowerPrio' ? atMs : timers.garpLowerPrio,
  };
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
  const atMs = ctx.nowMs + intervalMs;
  ctx.fx.push({ type: 'armTimer', timer: 'masterDown', atMs });
  // One copy of the state, not one for the interval and another for the timer.
  const next = copyState(inst);
  next.masterDownIntervalMs = intervalMs;
  next.timers = withTimer(inst.timers, 'masterDown', atMs);
  return next;
}
