/**
 * The timerfd timer (native/timer.c, src/native/timer-fd.ts): it expires after the
 * fractional delay it was given and never before it, re-setting replaces the deadline,
 * clearing stops it, and while disarmed it does not hold the process open.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TimerFd } from '../../../src/native/timer-fd.js';
import { nativeUnavailable, runSnippet } from './helpers.js';

const unavailable = nativeUnavailable(false);

function expiry(timer: (onExpire: () => void) => TimerFd, delays: number[]): Promise<number[]> {
  return new Promise((resolve) => {
    const seen: number[] = [];
    let started = 0;
    const t = timer(() => {
      seen.push(performance.now() - started);
      if (seen.length === delays.length) {
        t.close();
        resolve(seen);
      } else next();
    });
    const next = () => {
      started = performance.now();
      t.set(delays[seen.length]!);
    };
    next();
  });
}

describe('TimerFd', { skip: unavailable ?? false }, () => {
  test('expires after sub-millisecond and multi-millisecond delays, never early', async () => {
    const delays = [0.078, 0.3, 0.9, 2.5];
    const seen = await expiry((cb) => new TimerFd(cb), delays);
    seen.forEach((ms, i) => {
      assert.ok(ms >= delays[i]!, `expired after ${ms.toFixed(3)} ms, set to ${delays[i]} ms`);
    });
    console.log(
      `expiry (set -> fired, ms): ${seen.map((v, i) => `${delays[i]} -> ${v.toFixed(3)}`).join(', ')}`,
    );
  });

  test('re-setting replaces the deadline; clear stops it', async () => {
    let fired = 0;
    const t = new TimerFd(() => fired++);
    t.set(5);
    t.set(30);
    await new Promise((r) => setTimeout(r, 15));
    assert.equal(fired, 0, 'the first deadline was replaced');
    t.clear();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(fired, 0, 'cleared');
    t.set(0);
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(fired, 1);
    t.close();
  });

  test('a disarmed timer does not keep the process alive; an armed one does until it fires', () => {
    const r = runSnippet(`
      import { TimerFd } from NATIVE;
      const idle = new TimerFd(() => {});
      const t0 = performance.now();
      const armed = new TimerFd(() => console.log('fired ' + (performance.now() - t0 >= 50)));
      armed.set(50);
      void idle;
    `);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'fired true', 'exits right after the armed timer fired');
  });
});
