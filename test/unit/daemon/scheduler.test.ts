/**
 * The scheduler arms one timer per key on the monotonic clock: re-arming replaces,
 * cancel drops, an early firing is re-armed for the remainder so the callback only runs
 * when due, and lateness is measured. A precise timer waits out a sub-millisecond
 * remainder on loop turns (never a second millisecond timer); a timer with slack fires
 * early within it and is told its deadline; re-arming to a later deadline keeps the
 * pending timer. With a fine (timerfd) timer, a precise timer's last two milliseconds
 * are waited out on it instead of loop turns; one fine timer serves every such entry.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type FineTimer, Scheduler, type TimerApi } from '../../../src/daemon/scheduler.js';

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

/** A clock that stands still until `startAt(t)`, then moves `stepMs` per reading (handling takes time). */
function movingClock(stepMs: number) {
  let now = 0;
  let moving = false;
  return {
    clock: {
      nowMs: () => {
        if (moving) now += stepMs;
        return now;
      },
    },
    startAt(t: number): void {
      now = t;
      moving = true;
    },
  };
}

/** fakes() plus a `soon` queue (setImmediate's role). */
function withSoon() {
  const f = fakes();
  const soon: (() => void)[] = [];
  const timers: TimerApi = {
    ...f.timers,
    soon: (cb) => {
      soon.push(cb);
      return soon.length;
    },
    clearSoon: () => {},
  };
  /** Runs one loop turn's immediates at time `t`. */
  const turn = (t: number) => {
    f.setNow(t);
    const list = soon.splice(0);
    for (const cb of list) cb();
  };
  return { ...f, timers, soon, turn };
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

  test('a precise timer due in under a millisecond waits on loop turns, then fires at its deadline', () => {
    const f = withSoon();
    const s = new Scheduler(f.clock, f.timers);
    const at: number[] = [];
    f.setNow(100);
    s.arm('VI_1/masterDown', 100.078, (t) => at.push(t));
    assert.equal(f.pending.size, 0, 'no setTimeout for 78 µs');
    f.turn(100.03);
    assert.deepEqual(at, []);
    f.turn(100.08);
    assert.deepEqual(at, [100.08]);
    assert.equal(s.size, 0);
  });

  test('a precise timer fired early by Node finishes on loop turns, not another setTimeout', () => {
    const f = withSoon();
    const s = new Scheduler(f.clock, f.timers);
    let n = 0;
    s.arm('k', 10, () => n++);
    f.fireAll(9.4);
    assert.equal(n, 0);
    assert.equal(f.pending.size, 0);
    assert.equal(f.soon.length, 1);
    f.turn(10.001);
    assert.equal(n, 1);
  });

  test('a timer with slack fires early within it and is told its deadline', () => {
    const f = withSoon();
    const s = new Scheduler(f.clock, f.timers);
    const at: number[] = [];
    s.arm('VI_1/adver', 100, (t) => at.push(t), { slackMs: 1 });
    assert.equal([...f.pending.values()][0]!.delay, 100, 'aimed at the deadline');
    f.fireAll(99.4);
    assert.deepEqual(at, [100]);
    assert.equal(f.soon.length, 0, 'no wait');
  });

  test('a timer fired earlier than its slack waits again', () => {
    const f = withSoon();
    const s = new Scheduler(f.clock, f.timers);
    const at: number[] = [];
    s.arm('k', 100, (t) => at.push(t), { slackMs: 1 });
    f.fireAll(97);
    assert.deepEqual(at, []);
    assert.equal([...f.pending.values()][0]!.delay, 3);
    f.fireAll(100.2);
    assert.deepEqual(at, [100.2]);
  });

  test('re-arming to a later deadline keeps the pending timer, which then waits for the rest', () => {
    const f = withSoon();
    const s = new Scheduler(f.clock, f.timers);
    let n = 0;
    s.arm('VI_1/masterDown', 300, () => n++);
    f.setNow(100);
    s.arm('VI_1/masterDown', 400, () => n++);
    f.setNow(200);
    s.arm('VI_1/masterDown', 500, () => n++);
    assert.equal(f.pending.size, 1, 'one timer for three arms');
    assert.equal(s.deadline('VI_1/masterDown'), 500);
    f.fireAll(300);
    assert.equal(n, 0);
    assert.equal([...f.pending.values()][0]!.delay, 200);
    f.fireAll(500);
    assert.equal(n, 1);
  });

  test('re-arming to an earlier deadline replaces the pending timer', () => {
    const f = withSoon();
    const s = new Scheduler(f.clock, f.timers);
    const fired: string[] = [];
    s.arm('k', 300, () => fired.push('late'));
    s.arm('k', 7.8, () => fired.push('early'));
    assert.equal(f.pending.size, 1);
    assert.equal([...f.pending.values()][0]!.delay, 7.8);
    f.fireAll(7.8);
    assert.deepEqual(fired, ['early']);
  });

  test('size counts armed timers; a cancelled or fired key can be armed again', () => {
    const f = withSoon();
    const s = new Scheduler(f.clock, f.timers);
    let n = 0;
    s.arm('a', 10, () => n++);
    s.arm('b', 10, () => n++);
    assert.equal(s.size, 2);
    s.cancel('a');
    assert.equal(s.size, 1);
    f.fireAll(10);
    assert.equal(n, 1);
    assert.equal(s.size, 0);
    s.arm('a', 20, () => n++);
    assert.equal(s.size, 1);
    s.cancelPrefix('a');
    assert.equal(s.size, 0);
    f.fireAll(30);
    assert.equal(n, 1);
  });

  test('every key waits on one Node timer, set to the earliest; one wake-up fires all that are due, earliest first', () => {
    const f = fakes();
    const s = new Scheduler(f.clock, f.timers);
    const fired: string[] = [];
    for (const [k, at] of [
      ['c', 30],
      ['a', 10],
      ['b', 20],
      ['d', 400],
    ] as const)
      s.arm(k, at, () => fired.push(k), { slackMs: 1 });
    assert.equal(f.pending.size, 1, 'one Node timer for four keys');
    assert.equal([...f.pending.values()][0]!.delay, 10);
    f.fireAll(30);
    assert.deepEqual(fired, ['a', 'b', 'c']);
    assert.equal(s.wakeLateness.count, 1, 'one wake-up, recorded');
    // Due at 10, run at 30: 20 ms late (the histogram keeps 3 significant digits).
    assert.ok(Math.abs(s.wakeLateness.max - 20e6) < 20e6 * 0.001, `${s.wakeLateness.max} ns`);
    assert.equal(f.pending.size, 1);
    assert.equal([...f.pending.values()][0]!.delay, 370, 'then set to the next one');
    s.cancel('d');
    assert.equal(f.pending.size, 0, 'nothing waits: no Node timer');
  });

  test('an entry coming due while a wake-up runs is fired in it', () => {
    const f = fakes();
    const s = new Scheduler(f.clock, f.timers);
    const fired: string[] = [];
    s.arm('a', 10, () => {
      fired.push('a');
      f.setNow(12);
    });
    s.arm('b', 12, () => fired.push('b'));
    f.fireAll(10);
    assert.deepEqual(fired, ['a', 'b']);
    assert.equal(f.pending.size, 0);
  });

  test('pushing entries back makes no Node timer: it wakes at the old earliest and is set to the new one', () => {
    const f = fakes();
    const s = new Scheduler(f.clock, f.timers);
    let n = 0;
    s.arm('x', 300, () => n++);
    s.arm('y', 350, () => n++);
    const [handle] = [...f.pending.keys()];
    f.setNow(100);
    s.arm('x', 400, () => n++);
    s.arm('y', 450, () => n++);
    assert.deepEqual([...f.pending.keys()], [handle], 'the same Node timer');
    f.fireAll(300);
    assert.equal(n, 0);
    assert.equal([...f.pending.values()][0]!.delay, 100, 'to x, the earliest now');
    f.fireAll(450);
    assert.equal(n, 2);
  });

  test('timers with slack fired in one wake-up are told one time, never before their deadline', () => {
    const f = fakes();
    const clock = movingClock(1);
    const s = new Scheduler(clock.clock, f.timers);
    const told: number[] = [];
    for (const k of ['a', 'b', 'c']) s.arm(k, 100, (t) => told.push(t), { slackMs: 5 });
    s.arm('later', 103, (t) => told.push(t), { slackMs: 5 });
    clock.startAt(100);
    for (const p of [...f.pending.values()]) p.cb();
    // Woken at 101 (the first read); each told its own reading would be 101, 102, 103.
    assert.deepEqual(told, [101, 101, 101, 103]);
  });

  test('precise timers fired late in one wake-up are told the time it began, never before their deadline', () => {
    const f = fakes();
    const clock = movingClock(1);
    const s = new Scheduler(clock.clock, f.timers);
    const told: number[] = [];
    for (const k of ['a', 'b', 'c']) s.arm(k, 100, (t) => told.push(t));
    s.arm('later', 104, (t) => told.push(t));
    clock.startAt(100);
    for (const p of [...f.pending.values()]) p.cb();
    // Woken at 101; each told its own reading would be 102, 103, 104 (takeovers drifting apart).
    assert.deepEqual(told, [101, 101, 101, 104]);
  });

  test('slackedRun brackets the slacked timers a wake-up fires in a row; a precise one fires outside it', () => {
    const f = fakes();
    const s = new Scheduler(f.clock, f.timers);
    const seen: string[] = [];
    s.slackedRun = { begin: () => seen.push('begin'), end: () => seen.push('end') };
    s.arm('a', 10, () => seen.push('a'), { slackMs: 1 });
    s.arm('b', 11, () => seen.push('b'), { slackMs: 1 });
    s.arm('p', 12, () => seen.push('p'));
    s.arm('c', 13, () => seen.push('c'), { slackMs: 1 });
    f.fireAll(20);
    assert.deepEqual(seen, ['begin', 'a', 'b', 'end', 'p', 'begin', 'c', 'end']);
  });

  describe('with a fine timer', () => {
    /** withSoon() plus one fake fine timer: its current delay (null when clear). */
    function withFine() {
      const f = withSoon();
      const fine = { delay: null as number | null, expire: () => {}, closed: false };
      const timers: TimerApi = {
        ...f.timers,
        fine: (onExpire): FineTimer => {
          fine.expire = onExpire;
          return {
            set: (d) => {
              fine.delay = d;
            },
            clear: () => {
              fine.delay = null;
            },
            close: () => {
              fine.closed = true;
            },
          };
        },
      };
      return { ...f, timers, fine };
    }

    test('a precise timer wakes two milliseconds early from Node and finishes on the fine timer', () => {
      const f = withFine();
      const s = new Scheduler(f.clock, f.timers);
      const fired: number[] = [];
      s.arm('md', 7.8125, (t) => fired.push(t));
      assert.equal([...f.pending.values()][0]!.delay, 5.8125);
      f.fireAll(6.9);
      assert.equal(f.soon.length, 0, 'no spinning on loop turns');
      // The fine timer wakes 0.2 ms before the deadline; the rest is waited out on the CPU.
      assert.ok(f.fine.delay !== null && Math.abs(f.fine.delay - 0.7125) < 1e-9, `${f.fine.delay}`);
      f.setNow(7.8126);
      f.fine.expire();
      assert.deepEqual(fired, [7.8126]);
      assert.equal(f.fine.delay, null, 'nothing left waiting: the fine timer is cleared');
      assert.equal(s.size, 0);
    });

    test('a deadline under three milliseconds away goes to the fine timer at once', () => {
      const f = withFine();
      const s = new Scheduler(f.clock, f.timers);
      const fired: number[] = [];
      s.arm('skew', 0.78, (t) => fired.push(t));
      assert.equal(f.pending.size, 0);
      assert.ok(Math.abs(f.fine.delay! - 0.58) < 1e-9, `${f.fine.delay}`);
      f.setNow(0.8);
      f.fine.expire();
      assert.deepEqual(fired, [0.8]);
    });

    test('a deadline within 0.2 ms is waited out on the CPU once the callback returns, never early', async () => {
      const f = withFine();
      // A clock that moves 10 µs per read, as the real one moves while we wait.
      let now = 0;
      const clock = { nowMs: () => (now += 0.01) };
      const s = new Scheduler(clock, f.timers);
      const fired: number[] = [];
      const armedAt = now;
      s.arm('skew', armedAt + 0.078, (t) => fired.push(t));
      assert.equal(f.fine.delay, null, 'no timerfd wait');
      assert.equal(s.overdue, true);
      assert.deepEqual(fired, [], 'never inside arm()');
      await Promise.resolve();
      assert.equal(fired.length, 1);
      assert.ok(fired[0]! >= armedAt + 0.078, `fired at ${fired[0]}, before the deadline`);
      assert.ok(fired[0]! < armedAt + 0.078 + 0.05);
      assert.equal(s.overdue, false);
    });

    test('fireOverdue() delivers a due timer before the callback returns; the queued delivery then finds nothing', async () => {
      const f = withFine();
      const s = new Scheduler(f.clock, f.timers);
      const fired: number[] = [];
      f.setNow(5);
      s.arm('skew', 4.9, (t) => fired.push(t));
      s.fireOverdue();
      assert.deepEqual(fired, [5]);
      await Promise.resolve();
      assert.deepEqual(fired, [5]);
    });

    test('woken 0.2 ms early, the fine timer waits out the rest on the CPU and fires on time', () => {
      const f = withFine();
      const clock = movingClock(0.01);
      const s = new Scheduler(clock.clock, f.timers);
      const fired: number[] = [];
      s.arm('skew', 0.78, (t) => fired.push(t));
      clock.startAt(0.58);
      f.fine.expire();
      assert.equal(fired.length, 1);
      assert.ok(fired[0]! >= 0.78 && fired[0]! < 0.8, `${fired[0]}`);
    });

    test('with a clock that does not move, a deadline within the CPU wait falls back to the fine timer', async () => {
      const f = withFine();
      const s = new Scheduler(f.clock, f.timers);
      const fired: number[] = [];
      s.arm('skew', 0.078, (t) => fired.push(t));
      await Promise.resolve();
      assert.deepEqual(fired, []);
      assert.equal(f.fine.delay, 0.078);
      f.setNow(0.08);
      f.fine.expire();
      assert.deepEqual(fired, [0.08]);
    });

    test('precise timers due together are told one time, even when their deadline passes while the first is handed over', async () => {
      const f = withFine();
      const clock = movingClock(0.5);
      const s = new Scheduler(clock.clock, f.timers);
      const fired: number[] = [];
      for (let i = 0; i < 10; i++) s.arm(`VI_${i}/masterDown`, 100, (t) => fired.push(t));
      const [node] = [...f.pending.values()];
      assert.equal(node?.delay, 98);
      // Woken 0.5 ms early: the first goes on to the fine timer; the deadline passes
      // while the next ones are looked at (handling takes time).
      clock.startAt(99);
      node.cb();
      await Promise.resolve();
      if (fired.length < 10) f.fine.expire();
      assert.equal(fired.length, 10);
      assert.equal(new Set(fired).size, 1, `told ${[...new Set(fired)].join(', ')}`);
      assert.ok(fired[0]! >= 100);
    });

    test('rehearse() fires nothing of the instances and leaves no timer armed', async () => {
      const f = withFine();
      const s = new Scheduler(f.clock, f.timers);
      const fired: number[] = [];
      s.arm('VI_1/masterDown', 30, (t) => fired.push(t));
      s.rehearse();
      await Promise.resolve();
      assert.deepEqual(fired, []);
      assert.equal(s.size, 1);
      assert.equal(s.deadline('VI_1/masterDown'), 30);
    });

    test('one fine timer serves several entries, earliest first; a cancelled one never fires', () => {
      const f = withFine();
      const s = new Scheduler(f.clock, f.timers);
      const fired: string[] = [];
      s.arm('a', 1.5, () => fired.push('a'));
      s.arm('b', 0.5, () => fired.push('b'));
      s.arm('c', 1.0, () => fired.push('c'));
      assert.ok(Math.abs(f.fine.delay! - 0.3) < 1e-9, 'the earliest, 0.2 ms early');
      s.cancel('c');
      f.setNow(0.5);
      f.fine.expire();
      assert.deepEqual(fired, ['b']);
      assert.ok(Math.abs(f.fine.delay! - 0.8) < 1e-9, 're-set to the next waiting entry');
      f.setNow(1.5);
      f.fine.expire();
      assert.deepEqual(fired, ['b', 'a']);
      assert.equal(f.fine.delay, null);
    });

    test('a deadline already passed when armed fires once the current callback returns, not on the timerfd', async () => {
      const f = withFine();
      const s = new Scheduler(f.clock, f.timers);
      const fired: number[] = [];
      f.setNow(5);
      s.arm('skew', 4.9, (t) => fired.push(t));
      assert.deepEqual(fired, [], 'never inside arm() (the engine is mid-step)');
      assert.equal(f.fine.delay, null);
      await Promise.resolve();
      assert.deepEqual(fired, [5]);
      assert.equal(s.size, 0);
    });

    test('an expiry before an entry is due leaves it waiting (never early)', () => {
      const f = withFine();
      const s = new Scheduler(f.clock, f.timers);
      const fired: number[] = [];
      s.arm('a', 1, (t) => fired.push(t));
      f.setNow(0.5);
      f.fine.expire();
      assert.deepEqual(fired, []);
      assert.ok(Math.abs(f.fine.delay! - 0.3) < 1e-9);
    });

    test('timers with slack never use the fine timer; close() releases it', () => {
      const f = withFine();
      const s = new Scheduler(f.clock, f.timers);
      s.arm('adver', 0.5, () => {}, { slackMs: 1 });
      assert.equal(f.fine.delay, null);
      assert.equal(f.pending.size, 1);
      s.close();
      assert.equal(f.fine.closed, true);
      assert.equal(s.size, 0);
    });
  });
});
