/**
 * vrrp_script checks: start OK (or FAIL with init_fail), `fall` failures to FAIL, `rise`
 * successes to OK, one run at a time, and weights through the tracking verdict.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { VrrpScript } from '../../../src/config/model.js';
import { ScriptTracker } from '../../../src/daemon/script-tracker.js';
import { ScriptRunner, type Spawner } from '../../../src/io/script-runner.js';

const script = (over: Partial<VrrpScript> = {}): VrrpScript => ({
  name: 'chk',
  loc: { file: 'k', line: 1, col: 1 },
  script: { argv: ['/chk'], text: '/chk', loc: { file: 'k', line: 1, col: 1 } },
  intervalS: 1000,
  weight: -30,
  weightReverse: false,
  rise: 2,
  fall: 2,
  initFail: false,
  ...over,
});

function harness(codes: number[], s = script()) {
  const spawner: Spawner = {
    spawn: async () => ({ kind: 'exit', code: codes.shift() ?? 0 }),
    close: () => {},
  };
  const log: string[] = [];
  let changes = 0;
  const t = new ScriptTracker([s], new Set(['chk']), {
    runner: new ScriptRunner(4, spawner),
    log: (x) => log.push(x),
    onChange: () => changes++,
  });
  return { t, log, changes: () => changes };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('ScriptTracker', () => {
  test('one failure is not yet `fall 2`; unknown scripts have no verdict', async () => {
    const h = harness([1]);
    assert.equal(h.t.verdict('chk').ok, true);
    h.t.start();
    await settle();
    await settle();
    assert.deepEqual(h.t.verdict('chk'), { ok: true, weight: -30, reverse: false });
    assert.equal(h.changes(), 0);
    assert.equal(h.t.verdict('other').ok, undefined);
    h.t.stop();
  });

  test('init_fail starts in FAIL; unused scripts are not run', () => {
    const h = harness([], script({ initFail: true }));
    assert.equal(h.t.verdict('chk').ok, false);
    const none = new ScriptTracker([script()], new Set(), {
      runner: new ScriptRunner(1, { spawn: async () => ({ kind: 'exit', code: 0 }), close: () => {} }),
      log: () => {},
      onChange: () => {},
    });
    assert.equal(none.verdict('chk').ok, undefined);
  });

  test('transitions log keepalived lines and call onChange', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const h = harness([1, 1, 0, 0]);
    h.t.start();
    await settle();
    for (let i = 0; i < 3; i++) {
      t.mock.timers.tick(1_000_000);
      await settle();
      await settle();
    }
    assert.deepEqual(h.log, ['VRRP_Script(chk) failed (exited with status 1)', 'VRRP_Script(chk) succeeded']);
    assert.equal(h.changes(), 2);
    assert.equal(h.t.verdict('chk').ok, true);
    h.t.stop();
  });
});
