/**
 * @module The VRRP state machine: `step(instance, event, nowMs)` returns the next
 * instance and the effects to perform (DESIGN principle 2, STYLE rule 9). One handler per
 * event type; state changes go through transitions.ts, adverts through receive.ts.
 */

import {
  OWNER_START_DOWN_TIMER_US,
  US_PER_MS,
  VRRP_PRIO_MAX_TRACKED,
  VRRP_PRIO_MIN_TRACKED,
  VRRP_PRIO_OWNER,
  VRRP_PRIO_STOP,
} from './constants.js';
import {
  adverIntervalMs,
  armTimer,
  copyState,
  currentMasterDownMs,
  type StepContext,
  sendAdvert,
  withTimer,
} from './context.js';
import { logLine } from './log.js';
import { backupReceive, masterReceive, v2IntervalMismatch } from './receive.js';
import { reduceStats } from './stats.js';
import { transition } from './transitions.js';
import type { InstanceState, StepResult, TimerName, VrrpEvent } from './types.js';

type Handler<K extends VrrpEvent['type']> = (
  inst: InstanceState,
  event: Extract<VrrpEvent, { type: K }>,
  ctx: StepContext,
) => InstanceState;

/**
 * RFC 5798 §6.4.1 Initialize, as keepalived's `vrrp_init_state`: an address owner
 * configured `state MASTER` enters BACKUP silently with a 1 µs Master_Down_Timer, so it
 * becomes MASTER at once; every other instance logs "Entering BACKUP STATE (init)" and
 * waits a full Master_Down_Interval, even with `state MASTER`.
 */
const onStart: Handler<'start'> = (inst, _e, ctx) => {
  if (inst.state !== 'INIT') return inst;
  const c = inst.config;
  if (inst.faulted || c.priority !== VRRP_PRIO_OWNER || c.initialState !== 'MASTER') {
    // keepalived `vrrp_restore_interface` at init: clear VIPs a previous run may have left.
    ctx.fx.push(logLine.removingVips(c.name), { type: 'removeVips', accept: c.accept });
  }
  if (inst.faulted) return transition(inst, 'FAULT', 'start', ctx);
  if (c.priority === VRRP_PRIO_OWNER && c.initialState === 'MASTER') {
    const intervalMs = OWNER_START_DOWN_TIMER_US / US_PER_MS;
    const next: InstanceState = {
      ...inst,
      state: 'BACKUP',
      nextMasterReason: 'preempted',
      masterDownIntervalMs: intervalMs,
      lastTransition: { from: 'INIT', to: 'BACKUP', cause: 'start', atMs: ctx.nowMs },
    };
    return armTimer(next, 'masterDown', ctx.nowMs + intervalMs, ctx);
  }
  return transition({ ...inst, nextMasterReason: 'masterNoResponse' }, 'BACKUP', 'start', ctx);
};

/** keepalived shutdown: a MASTER sends priority 0 (RFC 5798 §6.4.3 Shutdown) and drops its VIPs. */
const onShutdown: Handler<'shutdown'> = (inst, _e, ctx) =>
  inst.state === 'STOP' ? inst : transition(inst, 'STOP', 'shutdown', ctx);

/**
 * The advert a shutdown step sends first, as its priority (0, from MASTER: see
 * transitions.ts `exitMaster`), or null: lets the daemon put it on the wire the moment
 * SIGTERM arrives, before the step itself is taken.
 */
export function shutdownAdvertPriority(inst: InstanceState): number | null {
  return inst.state === 'MASTER' ? VRRP_PRIO_STOP : null;
}

/** Master_Down_Timer fired in BACKUP: RFC 5798 §6.4.2 "transition to the Master state". */
function onMasterDown(inst: InstanceState, ctx: StepContext): InstanceState {
  if (inst.state !== 'BACKUP') return inst;
  ctx.fx.push(logLine.receiveTimeout(inst.config.name));
  return transition(inst, 'MASTER', 'masterDownTimer', ctx);
}

/** Adver_Timer fired in MASTER: RFC 5798 §6.4.3 send an advert, plus keepalived's GARP refresh. */
function onAdver(inst: InstanceState, ctx: StepContext): InstanceState {
  if (inst.state !== 'MASTER') return inst;
  sendAdvert(inst, inst.effectivePriority, ctx);
  let next = inst;
  const g = inst.config.garp;
  if (next.garpRefreshDueMs !== null && ctx.nowMs > next.garpRefreshDueMs) {
    ctx.fx.push({ type: 'sendGarp', repeat: g.masterRefreshRepeat, reason: 'refresh' });
    next = { ...next, garpRefreshDueMs: ctx.nowMs + g.masterRefreshMs };
  }
  return armTimer(next, 'adver', ctx.nowMs + adverIntervalMs(next), ctx);
}

function onGarpTimer(inst: InstanceState, timer: TimerName, ctx: StepContext): InstanceState {
  if (inst.state !== 'MASTER' || !inst.vipsSet) return inst;
  const g = inst.config.garp;
  if (timer === 'garpMasterDelay')
    ctx.fx.push({ type: 'sendGarp', repeat: g.masterRepeat, reason: 'masterDelay' });
  else ctx.fx.push({ type: 'sendGarp', repeat: g.lowerPrioRepeat, reason: 'lowerPrioDelay' });
  return inst;
}

/** A timer event is honoured only if that timer is armed and due; stale firings are ignored. */
const onTimer: Handler<'timer'> = (inst, e, ctx) => {
  const at = inst.timers[e.timer];
  if (at === null || ctx.nowMs < at) return inst;
  // A MASTER's Adver_Timer is re-armed by onAdver, which copies the state once: clearing
  // it first would cost a second copy on every advert sent.
  if (e.timer === 'adver' && inst.state === 'MASTER') return onAdver(inst, ctx);
  const next = copyState(inst);
  next.timers = withTimer(inst.timers, e.timer, null);
  if (e.timer === 'masterDown') return onMasterDown(next, ctx);
  if (e.timer === 'adver') return onAdver(next, ctx);
  return onGarpTimer(next, e.timer, ctx);
};

/** keepalived ignores adverts in INIT and FAULT (`vrrp_dispatcher_read`). */
const onAdvert: Handler<'advert'> = (inst, e, ctx) => {
  if (inst.state !== 'BACKUP' && inst.state !== 'MASTER') return inst;
  if (v2IntervalMismatch(inst, e.advert, ctx)) return inst;
  return inst.state === 'BACKUP' ? backupReceive(inst, e.advert, ctx) : masterReceive(inst, e.advert, ctx);
};

/** Link or tracking failure (keepalived `down_instance`). */
const onFault: Handler<'fault'> = (inst, _e, ctx) => {
  if (inst.state === 'STOP') return inst;
  const next: InstanceState = { ...inst, faulted: true };
  if (inst.state === 'BACKUP' || inst.state === 'MASTER') return transition(next, 'FAULT', 'fault', ctx);
  return next;
};

/** Recovery (keepalived `try_up_instance`): leaving FAULT always goes to BACKUP. */
const onFaultCleared: Handler<'faultCleared'> = (inst, _e, ctx) => {
  if (inst.state === 'STOP') return inst;
  const next: InstanceState = { ...inst, faulted: false };
  if (inst.state !== 'FAULT') return next;
  return transition({ ...next, nextMasterReason: 'masterNoResponse' }, 'BACKUP', 'faultCleared', ctx);
};

/**
 * Tracking changed the priority (keepalived `vrrp_set_effective_priority`): an owner never
 * changes; others are clamped to 1..254; a BACKUP whose priority rises pulls its running
 * Master_Down_Timer in by the shrink of Master_Down_Interval.
 */
const onPriorityChanged: Handler<'priorityChanged'> = (inst, e, ctx) => {
  if (inst.basePriority === VRRP_PRIO_OWNER || inst.state === 'STOP') return inst;
  const prio = Math.min(VRRP_PRIO_MAX_TRACKED, Math.max(VRRP_PRIO_MIN_TRACKED, Math.trunc(e.priority)));
  if (prio === inst.effectivePriority) return inst;
  ctx.fx.push(logLine.priorityChange(inst.config.name, inst.effectivePriority, prio));
  const oldDownMs = inst.masterDownIntervalMs;
  let next: InstanceState = { ...inst, effectivePriority: prio };
  next = { ...next, masterDownIntervalMs: currentMasterDownMs(next) };
  const at = next.timers.masterDown;
  const shrinkMs = oldDownMs - next.masterDownIntervalMs;
  // Only ever pull the timer in: after a priority-0 advert the running interval is Skew_Time.
  if (next.state === 'BACKUP' && prio > inst.effectivePriority && at !== null && shrinkMs > 0) {
    next = armTimer(next, 'masterDown', Math.max(ctx.nowMs, at - shrinkMs), ctx);
  }
  return next;
};

function dispatch(inst: InstanceState, event: VrrpEvent, ctx: StepContext): InstanceState {
  switch (event.type) {
    case 'start':
      return onStart(inst, event, ctx);
    case 'shutdown':
      return onShutdown(inst, event, ctx);
    case 'timer':
      return onTimer(inst, event, ctx);
    case 'advert':
      return onAdvert(inst, event, ctx);
    case 'fault':
      return onFault(inst, event, ctx);
    case 'faultCleared':
      return onFaultCleared(inst, event, ctx);
    case 'priorityChanged':
      return onPriorityChanged(inst, event, ctx);
  }
}

/** The engine: pure, total, deterministic. */
export function step(instance: InstanceState, event: VrrpEvent, nowMs: number): StepResult {
  const ctx: StepContext = { nowMs, fx: [] };
  const next = dispatch(instance, event, ctx);
  if (next === instance && ctx.fx.length === 0) return { instance, effects: [] };
  const stats = reduceStats(instance, event, ctx.fx);
  if (next === instance) {
    const counted = copyState(next);
    counted.stats = stats;
    return { instance: counted, effects: ctx.fx };
  }
  // `next` was built by this step and nobody else holds it yet: completing it in place
  // saves a copy of the whole state on every advert.
  (next as { stats: InstanceState['stats'] }).stats = stats;
  return { instance: next, effects: ctx.fx };
}
