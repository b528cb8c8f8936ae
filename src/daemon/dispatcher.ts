/**
 * @module Performs one instance's engine effects through ports the daemon
 * provides (sockets, netlink, timers, scripts, log). No protocol decisions here: the
 * engine decided; this only maps each effect to its port. Ports are an interface so
 * tests record effects with fakes.
 */

import type { InstanceState, TimerName, VrrpEffect } from '../vrrp/index.js';

/** What one instance can do to the world. */
export interface EffectPorts {
  sendAdvert(priority: number, adverIntCs: number): void;
  armTimer(timer: TimerName, atMs: number): void;
  cancelTimer(timer: TimerName): void;
  addVips(): void;
  removeVips(): void;
  sendGarp(repeat: number): void;
  /** A state change to MASTER, BACKUP, FAULT or STOP, with the priority to report. */
  notify(state: 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP', priority: number): void;
  notifyMasterRxLowerPri(source: Uint8Array): void;
  log(text: string, detail: boolean): void;
  /** Writes the lines logged so far now, before slower effects (optional: tests). */
  flushLog?(): void;
  /**
   * Sends now the adverts a wake-up has queued so far (the daemon corks its channels while
   * it fires Adver_Timers together): called before a step's log lines and slower effects,
   * so that no advert waits behind them. Optional: tests.
   */
  sendQueuedAdverts?(): void;
  /** The engine's clock (src/io/clock.ts); without it a step's timers always go before its log lines. */
  nowMs?(): number;
}

/**
 * A timer due within this is armed before the step's log lines are written: it may be due
 * before they are (a takeover after priority 0 is Skew_Time away, 78 µs at 0.01 s). A step
 * whose timers are all further off writes its lines first, as keepalived does: a MASTER
 * yielding to a better advert logs "Entering BACKUP STATE" before anything else.
 */
const TIMERS_FIRST_WITHIN_MS = 20;

/** Whether `effects` have log lines and no timer due within TIMERS_FIRST_WITHIN_MS. */
function linesBeforeTimers(effects: readonly VrrpEffect[], ports: EffectPorts): boolean {
  // Most steps (an advert sent or received) log nothing: no clock read for them.
  if (ports.nowMs === undefined || !effects.some(isLogLine)) return false;
  const soon = ports.nowMs() + TIMERS_FIRST_WITHIN_MS;
  return !effects.some((e) => e.type === 'armTimer' && e.atMs < soon);
}

const isLogLine = (e: VrrpEffect): boolean => e.type === 'log';

/**
 * Performs `effects` (produced by a step that left the instance as `after`). Adverts and
 * timers go first, in engine order; then the log lines, then VIPs, GARP and notify, in
 * engine order: a priority-0 advert's Skew_Time (78 µs at 0.01 s) must not start after
 * its log line is formatted and written, nor a takeover's advert wait for one. Adverts
 * queued under a cork leave before the lines and slower effects of any step: a master
 * continued after SIGSTOP found its Adver_Timer and its GARP timer due together, and its
 * advert went out behind the five GARPs (~0.15 ms here; keepalived sends it first).
 */
export function dispatchEffects(
  effects: readonly VrrpEffect[],
  after: InstanceState,
  ports: EffectPorts,
): void {
  if (linesBeforeTimers(effects, ports)) {
    dispatchLinesFirst(effects, after, ports);
    return;
  }
  dispatchUrgent(effects, ports);
  dispatchRest(effects, after, ports);
}

/**
 * A step without a timer due soon: its adverts, then its log lines, written at once, then
 * its timers, VIPs, GARP and notify, each in engine order. A yielding MASTER's line went
 * out 0.1-0.4 ms later behind the scheduler's cancel and re-arm work (cold after an idle
 * second; keepalived logs first).
 */
function dispatchLinesFirst(effects: readonly VrrpEffect[], after: InstanceState, ports: EffectPorts): void {
  for (const e of effects) if (e.type === 'sendAdvert') ports.sendAdvert(e.priority, e.adverIntCs);
  ports.sendQueuedAdverts?.();
  for (const e of effects) if (e.type === 'log') ports.log(e.text, e.detail);
  ports.flushLog?.();
  for (const e of effects) {
    if (e.type === 'armTimer') ports.armTimer(e.timer, e.atMs);
    else if (e.type === 'cancelTimer') ports.cancelTimer(e.timer);
  }
  dispatchSlower(effects, after, ports);
}

/** The adverts and timers of a step, in engine order. */
export function dispatchUrgent(effects: readonly VrrpEffect[], ports: EffectPorts): void {
  for (const e of effects) {
    if (e.type === 'sendAdvert') ports.sendAdvert(e.priority, e.adverIntCs);
    else if (e.type === 'armTimer') ports.armTimer(e.timer, e.atMs);
    else if (e.type === 'cancelTimer') ports.cancelTimer(e.timer);
  }
}

/**
 * Everything else of a step, in engine order: its log lines first, written at once, then
 * VIPs, GARP and notify. A line reaches the console as keepalived's does, before the
 * netlink work (a VIP removal took 0.2-0.4 ms here), not when the task ends.
 */
export function dispatchRest(effects: readonly VrrpEffect[], after: InstanceState, ports: EffectPorts): void {
  let lines = false;
  let slower = false;
  for (const e of effects) {
    if (e.type === 'log') lines = true;
    else if (e.type !== 'sendAdvert' && e.type !== 'armTimer' && e.type !== 'cancelTimer') slower = true;
  }
  if (!lines && !slower) return;
  ports.sendQueuedAdverts?.();
  if (lines) for (const e of effects) if (e.type === 'log') ports.log(e.text, e.detail);
  if (!slower) return;
  ports.flushLog?.();
  dispatchSlower(effects, after, ports);
}

/** VIPs, GARP and notify of a step, in engine order. */
function dispatchSlower(effects: readonly VrrpEffect[], after: InstanceState, ports: EffectPorts): void {
  for (const e of effects) {
    switch (e.type) {
      case 'sendAdvert':
      case 'armTimer':
      case 'cancelTimer':
      case 'log':
        break;
      case 'addVips':
        ports.addVips();
        break;
      case 'removeVips':
        ports.removeVips();
        break;
      case 'sendGarp':
        ports.sendGarp(e.repeat);
        break;
      case 'notify':
        if (e.to !== 'INIT') ports.notify(e.to, after.effectivePriority);
        break;
      case 'notifyMasterRxLowerPri':
        ports.notifyMasterRxLowerPri(e.source);
        break;
    }
  }
}

/** Where a step's due timers are found and fired (the daemon's Scheduler). */
export interface OverdueTimers {
  readonly overdue: boolean;
  fireOverdue(): void;
}

interface HeldStep {
  readonly effects: readonly VrrpEffect[];
  readonly after: InstanceState;
  readonly ports: EffectPorts;
}

/**
 * Performs steps' effects so that a timer a step armed in the past runs before that
 * step's slower effects: a backup given priority 0 arms its Master_Down_Timer for
 * Skew_Time (78 µs at 0.01 s), less than it takes to handle the advert, so the takeover
 * (its advert first) must not wait for the priority-0 step's log line. Such a step's
 * slower effects, and those of every step taken until the overdue timers have fired,
 * are held and performed in step order once they have. The timers fire when the current
 * callback returns (a socket drain is not re-entered: what the kernel has queued is
 * read first, as keepalived does before it declares a master down).
 */
export class EffectSequencer {
  readonly #timers: OverdueTimers;
  /** Steps whose slower effects wait for the overdue timers; null when none wait. */
  #held: HeldStep[] | null = null;

  constructor(timers: OverdueTimers) {
    this.#timers = timers;
  }

  perform(effects: readonly VrrpEffect[], after: InstanceState, ports: EffectPorts): void {
    // Nothing waits and nothing this step arms can be due before its lines are written.
    if (this.#held === null && !this.#timers.overdue && linesBeforeTimers(effects, ports)) {
      dispatchLinesFirst(effects, after, ports);
      return;
    }
    dispatchUrgent(effects, ports);
    if (this.#held !== null) {
      this.#held.push({ effects, after, ports });
      return;
    }
    if (!this.#timers.overdue) {
      dispatchRest(effects, after, ports);
      return;
    }
    this.#held = [{ effects, after, ports }];
    queueMicrotask(this.#release);
  }

  readonly #release = (): void => {
    try {
      this.#timers.fireOverdue();
    } finally {
      const held = this.#held ?? [];
      this.#held = null;
      for (const h of held) dispatchRest(h.effects, h.after, h.ports);
    }
  };
}
