/**
 * @module keepalived's vrrp_script rise/fall counting, checked against keepalived 2.2.7's
 * own log for `rise 2 fall 2` (run here in a namespace): the first success at start logs
 * "succeeded" at once, two failures log "failed (exited with status 1)", two successes
 * "succeeded" again.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  countScriptRun,
  createScriptCounter,
  type ScriptOutcome,
  scriptStatus,
} from '../../../../src/io/trackers/script-counter.js';

const ok: ScriptOutcome = { kind: 'exit', code: 0 };
const bad: ScriptOutcome = { kind: 'exit', code: 1 };

function run(rise: number, fall: number, initFail: boolean, outcomes: ScriptOutcome[]) {
  let c = createScriptCounter(rise, fall, initFail);
  const out: { status: string; changed: boolean; logs: readonly string[] }[] = [];
  for (const o of outcomes) {
    const s = countScriptRun(c, 'chk', o);
    c = s.counter;
    const st = scriptStatus(c);
    out.push({ status: st.kind === 'script' ? st.status : '', changed: s.changed, logs: s.logs });
  }
  return out;
}

test('keepalived 2.2.7 (observed) rise 2 fall 2: first success decides, then two failures, then two successes', () => {
  const r = run(2, 2, false, [ok, bad, bad, ok, ok]);
  assert.deepEqual(
    r.map((x) => x.status),
    ['ok', 'ok', 'fail', 'fail', 'ok'],
  );
  assert.deepEqual(
    r.flatMap((x) => x.logs),
    [
      'VRRP_Script(chk) succeeded',
      'Script `chk` now returning 1',
      'VRRP_Script(chk) failed (exited with status 1)',
      'Script `chk` now returning 0',
      'VRRP_Script(chk) succeeded',
    ],
  );
  assert.deepEqual(
    r.map((x) => x.changed),
    [true, false, true, false, true],
  );
});

test('keepalived vrrp_init_script: before any result the script is in init', () => {
  assert.deepEqual(scriptStatus(createScriptCounter(3, 3, false)), { kind: 'script', status: 'init' });
});

test('keepalived: the first result is a failure even with rise 3 ("failed" logged at once)', () => {
  const r = run(3, 3, false, [bad]);
  assert.equal(r[0]?.status, 'fail');
  assert.deepEqual(r[0]?.logs, [
    'Script `chk` now returning 1',
    'VRRP_Script(chk) failed (exited with status 1)',
  ]);
});

test('keepalived init_fail: starts failed, needs rise successes', () => {
  assert.deepEqual(scriptStatus(createScriptCounter(2, 1, true)), { kind: 'script', status: 'fail' });
  const r = run(2, 1, true, [ok, ok]);
  assert.deepEqual(
    r.map((x) => x.status),
    ['fail', 'ok'],
  );
});

test('keepalived: a timed-out run is a failure logged "timed_out"; a foreign signal "failed (due to signal N)"', () => {
  const r = run(1, 1, false, [ok, { kind: 'timedOut' }, ok, { kind: 'signal', signal: 9 }]);
  assert.deepEqual(
    r.flatMap((x) => x.logs),
    [
      'VRRP_Script(chk) succeeded',
      'VRRP_Script(chk) timed_out',
      'VRRP_Script(chk) succeeded',
      'VRRP_Script(chk) failed (due to signal 9)',
    ],
  );
});

test('keepalived: failures below fall only count down; a success restores the top', () => {
  const r = run(1, 3, false, [ok, bad, bad, ok, bad, bad, bad]);
  assert.deepEqual(
    r.map((x) => x.status),
    ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'fail'],
  );
});
