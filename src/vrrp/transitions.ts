/**
 * @module State changes. Every transition runs, in keepalived's order: the target's
 * pre-announce action (MASTER advertises before logging, vrrp.c `vrrp_state_master_tx`),
 * the "Entering … STATE" log line, the exit action of the old state, the entry action of
 * the new one, then a notify effect carrying the cause. Entry and exit actions live in
 * tables indexed by state (STYLE rule 9, FRR `vrrp_change_state_handlers`).
 */

import { VRRP_PRIO_STOP } from './constants.js';
import {
  adverIntervalMs,
  armTimer,
  cancelAllTimers,
  cancelTimer,
  currentMasterDownMs,
  restartMasterDown,
  type StepContext,
  sendAdvert,
} from './context.js';
import { logLine } from './log.js';
import type { InstanceState, TransitionCause, VrrpEffect, VrrpState } from './types.js';

type Action = (inst: InstanceState, other: VrrpState, ctx: StepContext) => InstanceState;

interface EntryRow {
  /** Effects before the log line. */
  readonly announce: Action;
  /** The "Entering … STATE" line, given the state we come from. */
  readonly log: (name: string, from: VrrpState) => VrrpEffect | null;
  readonly enter: Action;
}

const none: Action = (inst) => inst;

/** RFC 5798 §6.4.1 / §6.4.3: the new master advertises at once (keepalived: before GARPs). */
const announceMaster: Action = (inst, _from, ctx) => {
  sendAdvert(inst, inst.effectivePriority, ctx);
  return inst;
};

/** RFC 5798 §6.4.2 entry to Backup: Master_Down_Timer = Master_Down_Interval. */
const enterBackup: Action = (inst, from, ctx) => {
  const fresh = from === 'INIT' || from === 'FAULT';
  const next: InstanceState = {
    ...inst,
    preemptUntilMs: null,
    masterAdverIntCs: fresh ? inst.config.adverIntCs : inst.masterAdverIntCs,
  };
  return restartMasterDown(next, currentMasterDownMs(next), ctx);
};

/** RFC 5798 §6.4.1 entry to Master: VIPs up, GARP burst, Adver_Timer = Advertisement_Interval. */
const enterMaster: Action = (inst, _from, ctx) => {
  const c = inst.config;
  // keepalived resets Master_Adver_Interval only under --log-detail (a quirk); we always do.
  if (c.version === 3 && inst.masterAdverIntCs !== c.adverIntCs) {
    ctx.fx.push(logLine.adverIntRestored(c.name, inst.masterAdverIntCs, c.adverIntCs));
  }
  ctx.fx.push(logLine.settingVips(c.name), { type: 'addVips', accept: c.accept });
  if (c.garp.masterRepeat > 0)
    ctx.fx.push({ type: 'sendGarp', repeat: c.garp.masterRepeat, reason: 'master' });
  let next: InstanceState = {
    ...inst,
    masterAdverIntCs: c.adverIntCs,
    vipsSet: true,
    masterAddress: c.sourceAddress,
    masterPriority: inst.effectivePriority,
    garpRefreshDueMs: c.garp.masterRefreshMs > 0 ? ctx.nowMs + c.garp.masterRefreshMs : null,
  };
  if (c.garp.masterDelayMs > 0)
    next = armTimer(next, 'garpMasterDelay', ctx.nowMs + c.garp.masterDelayMs, ctx);
  return armTimer(next, 'adver', ctx.nowMs + adverIntervalMs(next), ctx);
};

const ENTRY: Readonly<Record<VrrpState, EntryRow>> = {
  INIT: { announce: none, log: () => null, enter: none },
  BACKUP: {
    announce: none,
    log: (n, from) => (from === 'INIT' ? logLine.enteringBackupInit(n) : logLine.enteringBackup(n)),
    enter: enterBackup,
  },
  MASTER: { announce: announceMaster, log: (n) => logLine.enteringMaster(n), enter: enterMaster },
  FAULT: {
    announce: none,
    log: (n, from) => (from === 'INIT' ? logLine.enteringFaultInit(n) : logLine.enteringFault(n)),
    enter: none,
  },
  STOP: { announce: none, log: () => null, enter: none },
};

/** keepalived `vrrp_restore_interface`: optional priority-0 advert, then VIPs down. */
function releaseVips(inst: InstanceState, sendStop: boolean, ctx: StepContext): InstanceState {
  const next = inst;
  if (sendStop) {
    sendAdvert(inst, VRRP_PRIO_STOP, ctx);
    ctx.fx.push(logLine.sentPrioZero(inst.config.name));
  }
  if (!next.vipsSet) return next;
  ctx.fx.push(logLine.removingVips(inst.config.name), { type: 'removeVips', accept: inst.config.accept });
  return { ...next, vipsSet: false };
}

/**
 * Leaving MASTER (keepalived `vrrp_state_leave_master`): to FAULT it sends priority 0
 * twice (once in the FAULT branch, once in `vrrp_restore_interface`); on shutdown once;
 * to BACKUP not at all (RFC 5798 §6.4.3).
 */
const exitMaster: Action = (inst, to, ctx) => {
  if (to === 'FAULT') sendAdvert(inst, VRRP_PRIO_STOP, ctx);
  let next = releaseVips(inst, to !== 'BACKUP', ctx);
  next = { ...next, garpRefreshDueMs: null };
  return cancelAllTimers(next, ctx);
};

const exitBackup: Action = (inst, _to, ctx) => cancelTimer(inst, 'masterDown', ctx);

const EXIT: Readonly<Record<VrrpState, Action>> = {
  INIT: none,
  BACKUP: exitBackup,
  MASTER: exitMaster,
  FAULT: none,
  STOP: none,
};

/** Move `inst` to `to`, emitting keepalived's effects in keepalived's order. */
export function transition(
  inst: InstanceState,
  to: VrrpState,
  cause: TransitionCause,
  ctx: StepContext,
): InstanceState {
  const from = inst.state;
  const row = ENTRY[to];
  let next = row.announce(inst, from, ctx);
  const line = row.log(inst.config.name, from);
  if (line) ctx.fx.push(line);
  next = EXIT[from](next, to, ctx);
  next = row.enter({ ...next, state: to }, from, ctx);
  ctx.fx.push({ type: 'notify', from, to, cause });
  return { ...next, lastTransition: { from, to, cause, atMs: ctx.nowMs } };
}
