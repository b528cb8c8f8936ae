/**
 * @module Checker scheduling with keepalived 2.2.7's semantics, as a pure state machine:
 * time is passed in (ms, any monotonic origin) and the next due time is returned.
 *
 * - The first check runs after a random warmup delay in [0, warmup] (keepalived's
 *   default warmup is delay_loop; `warmup 0` starts at once).
 * - A checker starts up, or down with `alpha`.
 * - Success: the checker is up; the next check is `delay_loop` later.
 * - Failure of a checker that is up: the next `retry` attempts run `delay_before_retry`
 *   apart; when they have all failed too the checker goes down and the next check is
 *   `delay_loop` later. So a dead server is down within delay_loop + retry x
 *   (delay_before_retry + connect_timeout).
 * - Failure of a checker that is down: stays down; next check after `delay_loop`.
 * - A checker that has never run and fails (alpha off) is taken down after its retries
 *   like one that is up, since it starts up.
 */
import type { CheckResult, ScheduleParams } from './types.js';

/** Runtime state of one checker. */
export interface CheckerState {
  readonly up: boolean;
  readonly hasRun: boolean;
  /** Retries used since the last success or transition. */
  readonly retryIt: number;
  /** Absolute time (ms) of the next check. */
  readonly dueMs: number;
  /** Dynamic weight from the last successful check (misc_dynamic), if any. */
  readonly weight?: number;
}

export type Transition = 'up' | 'down' | undefined;

export interface StepOutput {
  readonly state: CheckerState;
  /** Set when the checker's up/down state changed with this result. */
  readonly transition: Transition;
  /** True when this failure was absorbed by a retry. */
  readonly retrying: boolean;
}

/** `random` is in [0, 1): injected so tests are deterministic. */
export function initialCheckerState(p: ScheduleParams, nowMs: number, random: number): CheckerState {
  const warm = p.warmupMs > 0 ? Math.floor(random * (p.warmupMs + 1)) : 0;
  return { up: !p.alpha, hasRun: false, retryIt: 0, dueMs: nowMs + warm };
}

/** Applies one check result finishing at `nowMs`. */
export function stepChecker(p: ScheduleParams, s: CheckerState, r: CheckResult, nowMs: number): StepOutput {
  if (r.ok) {
    const weight = r.weight;
    const state: CheckerState = {
      up: true,
      hasRun: true,
      retryIt: 0,
      dueMs: nowMs + p.delayLoopMs,
      ...(weight === undefined ? {} : { weight }),
    };
    return { state, transition: s.up ? undefined : 'up', retrying: false };
  }
  if (!s.up) {
    return {
      state: { up: false, hasRun: true, retryIt: 0, dueMs: nowMs + p.delayLoopMs },
      transition: undefined,
      retrying: false,
    };
  }
  if (s.retryIt < p.retry) {
    return {
      state: { ...s, hasRun: true, retryIt: s.retryIt + 1, dueMs: nowMs + p.delayBeforeRetryMs },
      transition: undefined,
      retrying: true,
    };
  }
  return {
    state: { up: false, hasRun: true, retryIt: 0, dueMs: nowMs + p.delayLoopMs },
    transition: 'down',
    retrying: false,
  };
}

/** Worst-case time from a server dying to it being marked down (ms), ignoring warmup. */
export function worstDetectionMs(p: ScheduleParams, connectTimeoutMs: number): number {
  return p.delayLoopMs + connectTimeoutMs + p.retry * (p.delayBeforeRetryMs + connectTimeoutMs);
}

/** A real server is up when every checker is up (keepalived: no failed checkers). */
export function realServerUp(states: readonly CheckerState[]): boolean {
  return states.every((s) => s.up);
}

/**
 * The real server's effective weight: the configured weight, or with dynamic checkers,
 * configured + sum of (dynamic - configured) — keepalived's "increased by (exit status - 2
 * - rs configured weight)" rule, which for one dynamic checker is the dynamic weight.
 */
export function realServerWeight(configured: number, states: readonly CheckerState[]): number {
  let w = configured;
  for (const s of states) if (s.weight !== undefined) w += s.weight - configured;
  return Math.max(0, Math.min(65535, w));
}
