/**
 * @module Handling a validated advertisement in BACKUP (RFC 5798 §6.4.2, keepalived
 * `vrrp_state_backup`) and in MASTER (RFC 5798 §6.4.3, keepalived `vrrp_state_master_rx`),
 * plus the one receive check that depends on configuration: VRRPv2 adverts whose interval
 * differs from ours are dropped (RFC 3768 §7.1; keepalived `vrrp_check_packet`).
 */

import { compareAddress } from './address.js';
import { VRRP_PRIO_OWNER } from './constants.js';
import {
  adverIntervalMs,
  armTimer,
  copyState,
  currentMasterDownMs,
  currentSkewMs,
  restartMasterDown,
  type StepContext,
  sendAdvert,
  withTimer,
} from './context.js';
import {
  backupVerdict,
  isV2IntervalMismatch,
  type MasterVerdict,
  masterVerdict,
  yields,
} from './election.js';
import { logLine } from './log.js';
import { transition } from './transitions.js';
import type { ElectionAdvert, InstanceState } from './types.js';

/** RFC 3768 §7.1: "MUST verify that the Adver Interval in the packet is the same as …". */
export function v2IntervalMismatch(inst: InstanceState, advert: ElectionAdvert, ctx: StepContext): boolean {
  const c = inst.config;
  if (!isV2IntervalMismatch(c, advert)) return false;
  ctx.fx.push(logLine.adverIntMismatch(c.name, c.adverIntCs / 100, advert.maxAdverIntCs / 100));
  return true;
}

/** RFC 5798 §6.4.2/§6.4.3: "set Master_Adver_Interval to Adver Interval contained in the ADVERTISEMENT" (v3). */
function learnAdverInt(
  inst: InstanceState,
  advert: ElectionAdvert,
  byNew: boolean,
  ctx: StepContext,
): InstanceState {
  if (inst.config.version !== 3 || inst.masterAdverIntCs === advert.maxAdverIntCs) return inst;
  ctx.fx.push(logLine.adverIntUpdated(inst.config.name, inst.masterAdverIntCs, advert.maxAdverIntCs, byNew));
  return { ...inst, masterAdverIntCs: advert.maxAdverIntCs };
}

/** keepalived preempt_delay bookkeeping on an accepted advert. */
function trackPreemptDelay(inst: InstanceState, advert: ElectionAdvert, ctx: StepContext): InstanceState {
  const c = inst.config;
  if (c.preemptDelayMs <= 0) return inst;
  if (advert.priority >= inst.effectivePriority) {
    if (inst.preemptUntilMs === null) return inst;
    ctx.fx.push(logLine.stopPreemptDelay(c.name));
    return { ...inst, preemptUntilMs: null };
  }
  if (inst.preemptUntilMs !== null) return inst;
  ctx.fx.push(logLine.startPreemptDelay(c.name, c.preemptDelayMs));
  return { ...inst, preemptUntilMs: ctx.nowMs + c.preemptDelayMs };
}

/** BACKUP: priority 0 shortens the timer to Skew_Time; accepted adverts restart it; lower ones are discarded. */
export function backupReceive(inst: InstanceState, advert: ElectionAdvert, ctx: StepContext): InstanceState {
  const name = inst.config.name;
  const verdict = backupVerdict(inst, advert, ctx.nowMs);
  if (verdict === 'priorityZero') {
    // RFC 5798 §6.4.2: "If the Priority is zero, set the Master_Down_Timer to Skew_Time".
    ctx.fx.push(logLine.backupPrioZero(name));
    const next: InstanceState = { ...inst, nextMasterReason: 'priority' };
    return restartMasterDown(next, currentSkewMs(next), ctx);
  }
  if (verdict === 'discardLower') {
    // The Master_Down_Timer keeps running (keepalived recomputes ms_down_timer so sands is unchanged).
    ctx.fx.push(logLine.lowerPrioDiscard(name, advert.priority, advert.source));
    return { ...inst, nextMasterReason: 'preempted', masterAddress: advert.source };
  }
  // The master's address, priority and reason do not enter the preempt delay or
  // Master_Down_Interval: they are set in the one copy that restarts the timer (every
  // accepted advert of every instance comes here).
  let next = learnAdverInt(inst, advert, false, ctx);
  next = trackPreemptDelay(next, advert, ctx);
  const downMs = currentMasterDownMs(next);
  const atMs = ctx.nowMs + downMs;
  ctx.fx.push({ type: 'armTimer', timer: 'masterDown', atMs });
  const accepted = copyState(next);
  // The same master's address is kept as it was: the packet's copy then dies young
  // instead of living in the state until the next advert (V8 promotes what lives that long).
  const prev = inst.masterAddress;
  accepted.masterAddress = prev !== null && compareAddress(prev, advert.source) === 0 ? prev : advert.source;
  accepted.masterPriority = advert.priority;
  accepted.nextMasterReason = 'masterNoResponse';
  accepted.masterDownIntervalMs = downMs;
  accepted.timers = withTimer(next.timers, 'masterDown', atMs);
  return accepted;
}

/**
 * keepalived: a lower-priority master is told off with an advert and (optionally) GARPs.
 *
 * Unlike keepalived, the Adver_Timer keeps its phase: keepalived's dispatcher restarts
 * it after the extra advert, so a master that answers a burst of lower-priority adverts
 * (a peer that came up first with many instances) leaves its instances' timers spread
 * over the time the burst took to read, for good. Kept in phase, instances that started
 * together keep sending together, one batch per interval (README, compatibility notes).
 */
function masterSeesLower(inst: InstanceState, advert: ElectionAdvert, ctx: StepContext): InstanceState {
  const c = inst.config;
  const forcing = !c.lowerPrioNoAdvert;
  ctx.fx.push(logLine.masterRxLower(c.name, advert.source, advert.priority, inst.effectivePriority, forcing));
  if (forcing) sendAdvert(inst, inst.effectivePriority, ctx);
  let next = inst;
  if (c.garp.lowerPrioRepeat > 0 && next.vipsSet) {
    ctx.fx.push({ type: 'sendGarp', repeat: c.garp.lowerPrioRepeat, reason: 'lowerPrio' });
    if (c.garp.lowerPrioDelayMs > 0) {
      next = armTimer(next, 'garpLowerPrio', ctx.nowMs + c.garp.lowerPrioDelayMs, ctx);
    }
  }
  ctx.fx.push({ type: 'notifyMasterRxLowerPri', source: advert.source });
  return next;
}

/** RFC 5798 §6.4.3: yield to a better master and become Backup. */
function masterYields(
  inst: InstanceState,
  advert: ElectionAdvert,
  verdict: MasterVerdict,
  ctx: StepContext,
): InstanceState {
  const c = inst.config;
  const higher = verdict === 'higher';
  ctx.fx.push(
    higher
      ? logLine.masterRxHigher(c.name, advert.source, advert.priority, inst.effectivePriority)
      : logLine.masterRxSameHigherAddr(c.name, advert.source, advert.priority),
  );
  let next = learnAdverInt(inst, advert, true, ctx);
  next = { ...next, masterAddress: advert.source, masterPriority: advert.priority };
  return transition(next, 'BACKUP', higher ? 'higherPriorityAdvert' : 'equalPriorityHigherAddress', ctx);
}

/** keepalived: two owners on one VRID is a configuration error; ours drops to 254. */
function ownerConflict(inst: InstanceState, advert: ElectionAdvert, ctx: StepContext): InstanceState {
  if (inst.effectivePriority !== VRRP_PRIO_OWNER || advert.priority !== VRRP_PRIO_OWNER) return inst;
  ctx.fx.push(logLine.ownerConflict(inst.config.name));
  return { ...inst, effectivePriority: VRRP_PRIO_OWNER - 1, basePriority: VRRP_PRIO_OWNER - 1 };
}

export function masterReceive(inst: InstanceState, advert: ElectionAdvert, ctx: StepContext): InstanceState {
  const c = inst.config;
  let next = inst;
  let verdict = masterVerdict(next.effectivePriority, c.sourceAddress, advert);
  if (verdict === 'priorityZero') {
    // RFC 5798 §6.4.3: "If the Priority is zero, then send an ADVERTISEMENT and reset the Adver_Timer".
    sendAdvert(next, next.effectivePriority, ctx);
    ctx.fx.push(logLine.masterPrioZero(c.name));
    return c.lowerPrioNoAdvert ? next : armTimer(next, 'adver', ctx.nowMs + adverIntervalMs(next), ctx);
  }
  if (c.higherPrioSendAdvert && yields(verdict)) sendAdvert(next, next.effectivePriority, ctx);
  if (verdict === 'ourAddress') {
    ctx.fx.push(logLine.equalPrioOurAddress(c.name));
    return next;
  }
  if (verdict === 'equalLowerAddress' || verdict === 'equalHigherAddress') {
    next = ownerConflict(next, advert, ctx);
    verdict = masterVerdict(next.effectivePriority, c.sourceAddress, advert);
  }
  if (yields(verdict)) return masterYields(next, advert, verdict, ctx);
  return masterSeesLower(next, advert, ctx);
}
