/**
 * @module keepalived's rise/fall counting for a vrrp_script (vrrp_scheduler.c
 * `vrrp_script_child_thread`, `vrrp_init_script`), pure. `result` runs 0..rise+fall-1 and
 * the script is OK while result ≥ rise. A fresh script starts at rise-1 ("one success is
 * enough") and its first result, success or failure, decides; `init_fail` starts at 0.
 * Each success climbs by one until rise, then jumps to the top; each failure steps down
 * by one until rise, then drops to 0. Only the crossings report a change, with
 * keepalived's log line.
 */

import type { TrackerState } from '../../vrrp/tracking.js';

/** How one run ended, as keepalived classifies it. */
export type ScriptOutcome =
  | { readonly kind: 'exit'; readonly code: number }
  /** Killed by us after its timeout (SIGTERM, then SIGKILL). */
  | { readonly kind: 'timedOut' }
  /** Killed by a signal we did not send. */
  | { readonly kind: 'signal'; readonly signal: number };

export interface ScriptCounter {
  readonly rise: number;
  readonly fall: number;
  readonly result: number;
  /** No result yet (keepalived SCRIPT_INIT_STATE_INIT). */
  readonly init: boolean;
  /** Last exit status, for "Script `NAME` now returning N" (keepalived starts at 0). */
  readonly lastStatus: number;
}

export function createScriptCounter(rise: number, fall: number, initFail: boolean): ScriptCounter {
  const r = Math.max(1, rise);
  return { rise: r, fall: Math.max(1, fall), result: initFail ? 0 : r - 1, init: !initFail, lastStatus: 0 };
}

/** The tracker state the counter stands for. */
export function scriptStatus(c: ScriptCounter): TrackerState {
  return { kind: 'script', status: c.init ? 'init' : c.result >= c.rise ? 'ok' : 'fail' };
}

export interface CounterStep {
  readonly counter: ScriptCounter;
  /** The OK/failed state flipped (or the first result arrived): re-evaluate tracking. */
  readonly changed: boolean;
  /** keepalived's log lines for this run. */
  readonly logs: readonly string[];
}

/** Count one run of script `name`. */
export function countScriptRun(c: ScriptCounter, name: string, outcome: ScriptOutcome): CounterStep {
  const logs: string[] = [];
  let lastStatus = c.lastStatus;
  if (outcome.kind === 'exit') {
    if (outcome.code !== lastStatus) logs.push(`Script \`${name}\` now returning ${outcome.code}`);
    lastStatus = outcome.code;
  }
  const success = outcome.kind === 'exit' && outcome.code === 0;
  const top = c.rise + c.fall - 1;
  let result = c.result;
  let changed = false;
  if (success) {
    if (result < c.rise - 1) result++;
    else if (result !== top) {
      if (result < c.rise) {
        logs.push(`VRRP_Script(${name}) succeeded`);
        changed = true;
      }
      result = top;
    }
  } else if (result > c.rise) {
    result--;
  } else {
    if (result === c.rise || c.init) {
      logs.push(`VRRP_Script(${name}) ${failureText(outcome)}`);
      changed = true;
    }
    result = 0;
  }
  return { counter: { ...c, result, lastStatus, init: false }, changed: changed || c.init, logs };
}

function failureText(o: ScriptOutcome): string {
  if (o.kind === 'timedOut') return 'timed_out';
  if (o.kind === 'signal') return `failed (due to signal ${o.signal})`;
  return `failed (exited with status ${o.code})`;
}
