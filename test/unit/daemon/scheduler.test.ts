/**
 * The scheduler arms one timer per key on the monotonic clock: re-arming replaces,
 * cancel drops, an early firing is re-armed for the remainder so the callback only runs
 * when due, and lateness is measured.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Scheduler, type TimerApi } from '../../../src/daemon/scheduler.js';

function fakes() {
  let now = 0;
  const pending = new Map<number, { cb: () => void; delay: number }>();
  let next = 1;
  const timers: TimerApi = {
    set: (cb, delay) => {
      pending.set(next, { cb, delay });
      return next++;
    },
    clear: (h) => {
      pending.delete(h as number);
    },
  };
  const clock = { nowMs: () => now };
  /** Fires every pending timer after moving the clock to `t`. */
  const fireAll = (t: number) => {
    now = t;
    const list = [...pending.entries()];
    pending.clear();
    for (const [, p] of list) p.cb();
  };
  return { timers, clock, pending, fireAll, setNow: (t: number) => (now = t) };
}

describe('Scheduler', () => {
  test('fires at the deadline with the computed delay', () => {
    const f = fakes();
    const s = new Scheduler(f.clock, f.timers);
    const fired: string[] = [];
    s.arm('VI_1/adver', 1000.4, () => fired.push('adver'));
    assert.equal([...f.pending.values()][0]!.delay, 1000.4);
    f.fireAll(1001);
    assert.deepEqual(fired, ['adver']);
    assert.equal(s.size, 0);
    assert.ok(Math.abs(s.maxLateMs - 0.6) < 1e-9);
  });

  test('an early firing re-arms for the remainder', () => {
    const f = fakes();
    const s = new Scheduler(f.clock, f.timers);
    let n = 0;
    s.arm('k', 1000, () => n++);
    f.fireAll(999.5);
    assert.equal(n, 0);
    assert.equal(f.pending.size, 1);
    assert.equal([...f.pending.values()][0]!.delay, 0.5);
    f.fireAll(1000);
    assert.equal(n, 1);
  });

  test('a firing a microsecond early is re-armed, never delivered (regression: lost adver timers)', () => {
    const f = fakes();
    const s = new Scheduler(f.clock, f.timers);
    let n = 0;
    s.arm('k', 100, () => n++);
    f.fireAll(99.999);
    assert.equal(n, 0);
    assert.equal(s.deadline('k'), 100);
    f.fireAll(100);
    assert.equal(n, 1);
  });

  test('re-arming replaces, cancel drops', () => {
    const f = fakes();
    const s = new Scheduler(f.clock, f.timers);
    const fired: string[] = [];
    s.arm('k', 10, () => fired.push('first'));
    s.arm('k', 20, () => fired.push('second'));
    assert.equal(f.pending.size, 1);
    s.arm('j', 5, () => fired.push('j'));
    s.cancel('j');
    f.fireAll(30);
    assert.deepEqual(fired, ['second']);
    assert.equal(s.deadline('k'), null);
  });
});
