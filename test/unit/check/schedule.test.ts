/** Checker scheduling: keepalived's retry / delay_before_retry / warmup / alpha rules, as tables. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  initialCheckerState,
  realServerUp,
  realServerWeight,
  stepChecker,
  worstDetectionMs,
} from '../../../src/check/schedule.js';
import { fail, pass, type ScheduleParams } from '../../../src/check/types.js';

const P: ScheduleParams = {
  delayLoopMs: 6000,
  retry: 2,
  delayBeforeRetryMs: 1000,
  warmupMs: 0,
  alpha: false,
};
const F = fail('refused', 'x');

/** Runs a sequence of results (ok/fail) and returns (dueMs delta, up, transition) per step. */
function run(p: ScheduleParams, seq: readonly boolean[]) {
  let s = initialCheckerState(p, 0, 0);
  let now = s.dueMs;
  return seq.map((ok) => {
    const out = stepChecker(p, s, ok ? pass : F, now);
    const row = { delay: out.state.dueMs - now, up: out.state.up, t: out.transition };
    s = out.state;
    now = s.dueMs;
    return row;
  });
}

describe('check/schedule', () => {
  const cases: {
    name: string;
    p: ScheduleParams;
    seq: boolean[];
    want: { delay: number; up: boolean; t?: string }[];
  }[] = [
    {
      name: 'up server: retry x failures absorbed at delay_before_retry, then down at delay_loop',
      p: P,
      seq: [true, false, false, false, false],
      want: [
        { delay: 6000, up: true },
        { delay: 1000, up: true },
        { delay: 1000, up: true },
        { delay: 6000, up: false, t: 'down' },
        { delay: 6000, up: false },
      ],
    },
    {
      name: 'one success resets the retry count',
      p: P,
      seq: [false, true, false, false],
      want: [
        { delay: 1000, up: true },
        { delay: 6000, up: true },
        { delay: 1000, up: true },
        { delay: 1000, up: true },
      ],
    },
    {
      name: 'a down server comes back on its first success',
      p: { ...P, retry: 0 },
      seq: [false, false, true],
      want: [
        { delay: 6000, up: false, t: 'down' },
        { delay: 6000, up: false },
        { delay: 6000, up: true, t: 'up' },
      ],
    },
    {
      name: 'alpha: starts down, failures do not retry, first success brings it up',
      p: { ...P, alpha: true },
      seq: [false, true],
      want: [
        { delay: 6000, up: false },
        { delay: 6000, up: true, t: 'up' },
      ],
    },
  ];
  for (const c of cases)
    test(c.name, () => {
      assert.deepEqual(
        run(c.p, c.seq),
        c.want.map((w) => ({ delay: w.delay, up: w.up, t: w.t })),
      );
    });

  test('warmup draws the first due time from [0, warmup]', () => {
    const p = { ...P, warmupMs: 5000 };
    assert.equal(initialCheckerState(p, 100, 0).dueMs, 100);
    assert.equal(initialCheckerState(p, 100, 0.999999).dueMs, 5100);
    assert.equal(initialCheckerState(P, 100, 0.7).dueMs, 100);
    assert.equal(initialCheckerState({ ...P, alpha: true }, 0, 0).up, false);
  });

  test('worst detection time is delay_loop + (retry + 1) timeouts + retry x delay_before_retry', () => {
    assert.equal(worstDetectionMs(P, 500), 6000 + 500 + 2 * 1500);
  });

  test('real server: up when all checkers are up; dynamic weights add their difference', () => {
    const up = { up: true, hasRun: true, retryIt: 0, dueMs: 0 };
    assert.equal(realServerUp([up, up]), true);
    assert.equal(realServerUp([up, { ...up, up: false }]), false);
    assert.equal(realServerUp([]), true);
    assert.equal(realServerWeight(5, [up]), 5);
    assert.equal(realServerWeight(5, [{ ...up, weight: 8 }]), 8);
    assert.equal(
      realServerWeight(5, [
        { ...up, weight: 8 },
        { ...up, weight: 3 },
      ]),
      6,
    );
    assert.equal(realServerWeight(1, [{ ...up, weight: 253 }]), 253);
  });

  test('misc_dynamic weight changes are carried in the state', () => {
    const s = initialCheckerState(P, 0, 0);
    const out = stepChecker(P, s, { ok: true, weight: 10 }, 0);
    assert.equal(out.state.weight, 10);
    assert.equal(out.transition, undefined);
  });
});
