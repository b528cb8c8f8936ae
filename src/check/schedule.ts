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

/** A checker's state as the runner keeps it: one object per checker, updated in place. */
export interface LiveCheckerState {
  up: boolean;
  hasRun: boolean;
  retryIt: number;
  dueMs: number;
  weight: number | undefined;
}

/** What `advanceChecker` did, as bits: the transition, a retry, a new dynamic weight. */
export const STEP_UP = 1;
export const STEP_DOWN = 2;
export const STEP_RETRYING = 4;
export const STEP_WEIGHT = 8;

/** A live copy of `s` (the runner's own object for a checker). */
export function liveCheckerState(s: CheckerState): LiveCheckerState {
  return { up: s.up, hasRun: s.hasRun, retryIt: s.retryIt, dueMs: s.dueMs, weight: s.weight };
}

/**
 * Applies one check result (passed or not, with a dynamic weight) finishing at `nowMs`
 * to `s` in place, allocating nothing (the runner does this for every check); returns
 * the STEP_* bits. `stepChecker` is the same rule as a pure function.
 */
export function advanceChecker(
  p: ScheduleParams,
  s: LiveCheckerState,
  ok: boolean,
  weight: number | undefined,
  nowMs: number,
): number {
  const wasUp = s.up;
  const oldWeight = s.weight;
  let bits = 0;
  s.hasRun = true;
  if (ok) {
    s.up = true;
    s.retryIt = 0;
    s.dueMs = nowMs + p.delayLoopMs;
    s.weight = weight;
    if (!wasUp) bits = STEP_UP;
  } else if (wasUp && s.retryIt < p.retry) {
    s.retryIt++;
    s.dueMs = nowMs + p.delayBeforeRetryMs;
    bits = STEP_RETRYING;
  } else {
    s.up = false;
    s.retryIt = 0;
    s.dueMs = nowMs + p.delayLoopMs;
    s.weight = undefined;
    if (wasUp) bits = STEP_DOWN;
  }
  return s.weight === oldWeight ? bits : bits | STEP_WEIGHT;
}

/** Applies one check result finishing at `nowMs` (pure: `advanceChecker` on a copy). */
export function stepChecker(p: ScheduleParams, s: CheckerState, r: CheckResult, nowMs: number): StepOutput {
  const live = liveCheckerState(s);
  const bits = advanceChecker(p, live, r.ok, r.ok ? r.weight : undefined, nowMs);
  const { weight, ...rest } = live;
  return {
    state: weight === undefined ? rest : live,
    transition: (bits & STEP_UP) !== 0 ? 'up' : (bits & STEP_DOWN) !== 0 ? 'down' : undefined,
    retrying: (bits & STEP_RETRYING) !== 0,
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
