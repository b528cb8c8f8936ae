/** CheckRunner: bounded concurrency, hard deadlines even for checkers that ignore their signal, throws as failures, stop. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CheckRunner, monotonicMs } from '../../../src/check/runner.js';
import type { CheckFn, CheckSpec, LeanCheckFn, Probe, ProbeHost } from '../../../src/check/types.js';

const spec = (id: string, delayLoopMs = 50, retry = 0): CheckSpec => ({
  id,
  type: 'TCP_CHECK',
  endpoint: { family: 4, address: '127.0.0.1', port: 1 },
  connectTimeoutMs: 100,
  schedule: { delayLoopMs, retry, delayBeforeRetryMs: 10, warmupMs: 0, alpha: false },
  kind: { kind: 'tcp' },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('check/runner', () => {
  test('never more than `concurrency` checks in flight', async () => {
    let now = 0;
    let peak = 0;
    const fn: CheckFn = async () => {
      now++;
      peak = Math.max(peak, now);
      await sleep(20);
      now--;
      return { ok: true };
    };
    const runner = new CheckRunner({ concurrency: 5, onChange: () => {} });
    for (let i = 0; i < 40; i++) runner.add(spec(`c${i}`), fn);
    await sleep(300);
    runner.stop();
    assert.equal(peak, 5);
    assert.ok(runner.checksRun >= 40, `${runner.checksRun}`);
  });

  test('a checker that never settles and one that throws both count as failures and free their slot', async () => {
    const changes: string[] = [];
    const runner = new CheckRunner({
      concurrency: 1,
      hardTimeoutMs: () => 50,
      onChange: (s, _st, r, t) => changes.push(`${s.id} ${t} ${r.ok ? '' : r.reason}`),
    });
    runner.add(spec('hang', 1000), () => new Promise(() => {}));
    runner.add(spec('throw', 1000), () => {
      throw new Error('boom');
    });
    await sleep(1000);
    runner.stop();
    assert.deepEqual(changes.sort(), ['hang down timeout', 'throw down connect-error']);
  });

  test('stop() aborts checks in flight and arms nothing more', async () => {
    let aborted = false;
    let runs = 0;
    const runner = new CheckRunner({ onChange: () => {} });
    runner.add(spec('a', 10), (_s, signal) => {
      runs++;
      return new Promise((resolve) =>
        signal.addEventListener('abort', () => {
          aborted = true;
          resolve({ ok: false, reason: 'timeout', detail: 'aborted' });
        }),
      );
    });
    await sleep(30);
    runner.stop();
    await sleep(50);
    assert.equal(aborted, true);
    assert.equal(runs, 1);
  });

  test('a paused runner starts nothing until resume(); warmups count from resume()', async () => {
    let runs = 0;
    const runner = new CheckRunner({ paused: true, onChange: () => {} });
    runner.add(spec('p', 1000), async () => {
      runs++;
      return { ok: true };
    });
    await sleep(60);
    assert.equal(runs, 0);
    const due = runner.state('p')!.dueMs;
    runner.resume();
    assert.ok(runner.state('p')!.dueMs >= due + 55, 'the first check moved by the pause');
    await sleep(30);
    runner.stop();
    assert.equal(runs, 1);
  });

  test('lean probes are not held back by the concurrency cap; a probe past its deadline is cancelled', async () => {
    const hosts: ProbeHost[] = [];
    let cancelled = 0;
    const fn: LeanCheckFn = Object.assign(async () => ({ ok: true }) as const, {
      probe: (_s: CheckSpec, host: ProbeHost): Probe => ({
        start: () => hosts.push(host),
        cancel: () => cancelled++,
      }),
    });
    const results: string[] = [];
    const runner = new CheckRunner({
      concurrency: 1,
      onChange: () => {},
      onResult: (_s, r) => results.push(r.ok ? 'ok' : `${r.reason}: ${r.detail}`),
    });
    for (let i = 0; i < 3; i++) runner.add(spec(`lean${i}`, 10_000), fn);
    await sleep(20);
    assert.equal(runner.inFlight, 3);
    hosts[0]!.done({ ok: true });
    await sleep(150);
    runner.stop();
    assert.deepEqual(results, ['ok', 'timeout: no answer within 100 ms', 'timeout: no answer within 100 ms']);
    assert.equal(cancelled, 2);
  });

  test('checks due within one timer grid step start in one wake-up, never before they are due', async () => {
    const starts: { at: number; due: number; wakeUp: number }[] = [];
    // A wake-up is one timer callback: starts made in it see the same count, because the
    // microtask that closes it runs only once the callback returns (a clock reading would
    // split a slow wake-up that crosses a millisecond).
    let wakeUp = 0;
    let inWakeUp = false;
    const fn: LeanCheckFn = Object.assign(async () => ({ ok: true }) as const, {
      probe: (s: CheckSpec): Probe => ({
        start: () => {
          if (!inWakeUp) {
            wakeUp++;
            inWakeUp = true;
            queueMicrotask(() => {
              inWakeUp = false;
            });
          }
          starts.push({ at: monotonicMs(), due: runner.state(s.id)!.dueMs, wakeUp });
        },
        cancel: () => {},
      }),
    });
    // delay_loop 1 s: a 50 ms grid. Ten first checks due 0, 4, ..., 36 ms after add().
    let i = 0;
    const runner = new CheckRunner({ onChange: () => {}, random: () => i++ / 10 / 1.001 });
    const long = (id: string): CheckSpec => ({
      ...spec(id, 1000),
      connectTimeoutMs: 5000,
      schedule: { delayLoopMs: 1000, retry: 0, delayBeforeRetryMs: 1000, warmupMs: 40, alpha: false },
    });
    for (let k = 0; k < 10; k++) runner.add(long(`g${k}`), fn);
    await sleep(150);
    runner.stop();
    assert.equal(starts.length, 10);
    // One per grid step they span (two at most); libuv's millisecond clock may wake the
    // runner a little early, which costs one more wake-up rather than an early start.
    const wakeUps = new Set(starts.map((s) => s.wakeUp)).size;
    assert.ok(wakeUps <= 3, `${wakeUps} wake-ups for 10 checks due within 40 ms`);
    for (const s of starts) assert.ok(s.at >= s.due - 1, `started ${s.due - s.at} ms early`);
  });

  test('a probe deadline is never cut short by the grid', async () => {
    const started = new Map<string, number>();
    const took: number[] = [];
    const fn: LeanCheckFn = Object.assign(async () => ({ ok: true }) as const, {
      probe: (s: CheckSpec): Probe => ({
        start: () => started.set(s.id, performance.now()),
        cancel: () => {},
      }),
    });
    const runner = new CheckRunner({
      onChange: () => {},
      onResult: (s) => took.push(performance.now() - started.get(s.id)!),
    });
    for (let k = 0; k < 5; k++) runner.add(spec(`d${k}`, 10_000), fn);
    await sleep(250);
    runner.stop();
    assert.equal(took.length, 5);
    for (const t of took) assert.ok(t >= 99, `timed out after ${t} ms (connect_timeout 100 ms)`);
  });
});
