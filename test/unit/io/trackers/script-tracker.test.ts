/**
 * @module The vrrp_script runner with real child processes: a failing script is counted,
 * a hanging script is killed (its whole process group) and counted as timed_out, the next
 * run is skipped while one is still going, and the event loop is never held up.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VrrpScript } from '../../../../src/config/model.js';
import { ScriptTracker } from '../../../../src/io/trackers/script-tracker.js';
import type { TrackerUpdate } from '../../../../src/io/trackers/types.js';

const loc = { file: 'k.conf', line: 1, col: 1 };
const script = (argv: string[], over: Partial<VrrpScript> = {}): VrrpScript => ({
  name: 'chk',
  loc,
  script: { argv, text: argv.join(' '), loc },
  intervalS: 1,
  weight: 0,
  weightReverse: false,
  rise: 1,
  fall: 1,
  initFail: false,
  ...over,
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await sleep(10);
  }
}

test('vrrp_script: exit status 1 is a failure with keepalived log lines', async () => {
  const updates: TrackerUpdate[] = [];
  const t = new ScriptTracker({
    script: script(['/bin/false']),
    onUpdate: (u) => updates.push(u),
    intervalMs: 100,
  });
  assert.deepEqual(t.state, { kind: 'script', status: 'init' });
  t.start();
  await waitFor(() => updates.length >= 1);
  t.stop();
  assert.deepEqual(updates[0]?.state, { kind: 'script', status: 'fail' });
  assert.deepEqual(updates[0]?.logs, [
    'Script `chk` now returning 1',
    'VRRP_Script(chk) failed (exited with status 1)',
  ]);
});

test('vrrp_script: a hanging script is killed with its children, counted timed_out, runs skipped meanwhile, loop never blocked', async () => {
  const updates: TrackerUpdate[] = [];
  const skipped: string[] = [];
  // The shell forks a grandchild sleep: killing only the shell would leave it behind.
  const argv = ['/bin/sh', '-c', 'sleep 30 & wait'];
  const t = new ScriptTracker({
    script: script(argv),
    onUpdate: (u) => updates.push(u),
    intervalMs: 100,
    timeoutMs: 250,
    log: (l) => skipped.push(l),
  });
  let maxLagMs = 0;
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    maxLagMs = Math.max(maxLagMs, now - last - 10);
    last = now;
  }, 10);
  t.start();
  await waitFor(() => updates.length >= 1);
  clearInterval(probe);
  t.stop();
  assert.deepEqual(updates[0]?.logs, ['VRRP_Script(chk) timed_out']);
  assert.deepEqual(updates[0]?.state, { kind: 'script', status: 'fail' });
  assert.ok(t.stats.timedOut >= 1);
  assert.ok(t.stats.skipped >= 1);
  assert.equal(skipped[0], 'Track script chk is already running, expect idle - skipping run');
  // Loop lag is a figure for the benches (bench/vrrp-scripts-jitter.ts), not a pass/fail bar.
  console.log(`# hanging script: event loop lag max ${maxLagMs.toFixed(1)} ms`);
});

test('issue 4: 50 hanging track scripts, spawned and killed by the spawner process, keep the event loop free', async () => {
  const { SpawnerProcess } = await import('../../../../src/io/trackers/script-spawner.js');
  const thread = new SpawnerProcess();
  // The thread starts once, with the daemon; its start-up is not what is measured here.
  await thread.run({ argv: ['/bin/true'], timeoutMs: 1000, graceMs: 100 });
  const trackers = Array.from(
    { length: 50 },
    (_, i) =>
      new ScriptTracker({
        script: { ...script(['/bin/sh', '-c', 'sleep 30 & wait']), name: `s${i}` },
        onUpdate: () => {},
        spawner: thread,
        intervalMs: 100,
        timeoutMs: 300,
      }),
  );
  const lags: number[] = [];
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    lags.push(now - last - 5);
    last = now;
  }, 5);
  for (const t of trackers) t.start();
  await waitFor(() => trackers.every((t) => t.stats.timedOut >= 1), 10_000);
  clearInterval(probe);
  for (const t of trackers) t.stop();
  thread.close();
  lags.sort((a, b) => a - b);
  const p99 = lags[Math.floor(lags.length * 0.99)] ?? 0;
  console.log(
    `# 50 hanging scripts: loop lag p99 ${p99.toFixed(1)} ms, max ${(lags[lags.length - 1] ?? 0).toFixed(1)} ms`,
  );
  // Spawning the same 50 on the main thread stalled the loop for 565 ms here (2 cores,
  // load 2-3); from the thread what is left is CPU contention with the forks. Timing is
  // measured by bench/vrrp-scripts-jitter.ts, not asserted: what must hold is that all 50
  // hang, are killed at their timeout and counted, while the loop keeps turning.
  assert.ok(trackers.every((t) => t.stats.timedOut >= 1));
  assert.ok(lags.length > 10, 'the event loop kept turning while the scripts hung');
});
