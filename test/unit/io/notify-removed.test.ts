/**
 * An instance removed by a reload: keepalived 2.2.7 reports its end as FAULT (DELETED
 * with a notify_deleted script) to the scripts and the FIFO, not as STOP (observed with
 * keepalived 2.2.7: `INSTANCE "VI_2" FAULT 90` after SIGHUP without VI_2). Kept
 * instances still report STOP.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ScriptCommand } from '../../../src/config/model.js';
import { Notifier, notifyCommands } from '../../../src/io/notify.js';
import type { ScriptResult, ScriptRun } from '../../../src/io/script-runner.js';
import { ScriptRunner } from '../../../src/io/script-runner.js';

const cmd = (...argv: string[]): ScriptCommand => ({
  argv,
  text: argv.join(' '),
  loc: { file: 'k', line: 1, col: 1 },
});

function recorder(): { notifier: Notifier; runs: string[]; lines: string[] } {
  const runs: string[] = [];
  const lines: string[] = [];
  const spawner = {
    spawn: async (r: ScriptRun): Promise<ScriptResult> => {
      runs.push(r.argv.join(' '));
      return { kind: 'exit', code: 0 };
    },
    close: () => {},
  };
  const notifier = new Notifier({
    runner: new ScriptRunner(4, spawner),
    timeoutMs: 1000,
    log: () => {},
    fifo: { write: (l) => lines.push(l) },
  });
  return { notifier, runs, lines };
}

describe('removed instances', () => {
  test('STOP becomes FAULT; with notify_deleted, DELETED and its script', async () => {
    const plain = recorder();
    plain.notifier.markRemoved();
    plain.notifier.notify({ fault: cmd('/f'), stop: cmd('/s'), any: cmd('/n') }, 'VI_2', 'STOP', 90);
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(plain.lines, ['INSTANCE "VI_2" FAULT 90\n']);
    assert.deepEqual(plain.runs.sort(), ['/f', '/n INSTANCE VI_2 FAULT 90']);

    const del = recorder();
    del.notifier.markRemoved();
    del.notifier.notify({ deleted: cmd('/d'), any: cmd('/n') }, 'VI_2', 'STOP', 90);
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(del.lines, ['INSTANCE "VI_2" DELETED 90\n']);
    assert.deepEqual(del.runs.sort(), ['/d', '/n INSTANCE VI_2 DELETED 90']);
  });

  test('a kept instance stops as STOP', () => {
    const kept = recorder();
    kept.notifier.notify({}, 'VI_1', 'STOP', 100);
    assert.deepEqual(kept.lines, ['INSTANCE "VI_1" STOP 100\n']);
    assert.deepEqual(
      notifyCommands({ deleted: cmd('/d'), stop: cmd('/s') }, 'VI_1', 'STOP', 100).map((c) => c.argv),
      [['/s']],
    );
  });
});
