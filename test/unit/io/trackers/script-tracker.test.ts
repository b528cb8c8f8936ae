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
  assert.ok(maxLagMs < 100, `event loop lag ${maxLagMs} ms`);
});
