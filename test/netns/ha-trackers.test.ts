/**
 * @module Trackers against the real system, end to end into the tracking verdict: a
 * vrrp_script that starts failing lowers the priority by its weight (keepalived: "Changing
 * effective priority from 100 to 70"), a track_file value change moves it by value × weight,
 * and a tracked process exiting (a uniquely named copy of sleep, found through /proc)
 * faults the instance. Everything made lives under a per-run temp dir, removed in after().
 */

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Config, TrackRef, VrrpInstance } from '../../src/config/model.js';
import { TrackerSet } from '../../src/io/trackers/index.js';
import { evaluateTracking, resolveBindings, type TrackingVerdict } from '../../src/vrrp/tracking.js';

const loc = { file: 'k.conf', line: 1, col: 1 };
const ref = (name: string): TrackRef => ({ name, reverse: false, loc });
/** comm is at most 15 characters: a short unique process name for this run. */
const PROC_NAME = `kha${process.pid}`.slice(0, 15);

let dir = '';
let sleeper: ChildProcess | null = null;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(cond: () => boolean, what: string, ms = 8000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function config(): Config {
  const inst = {
    name: 'VI_1',
    priority: 100,
    interface: 'lo',
    dontTrackPrimary: true,
    trackInterfaces: [],
    trackScripts: [ref('chk')],
    trackFiles: [ref('tf')],
    trackProcesses: [ref('tp')],
  } as unknown as VrrpInstance;
  return {
    vrrpScripts: [
      {
        name: 'chk',
        loc,
        script: { argv: ['/bin/sh', join(dir, 'chk.sh')], text: 'chk.sh', loc },
        intervalS: 1,
        weight: -30,
        weightReverse: false,
        rise: 1,
        fall: 1,
        initFail: false,
      },
    ],
    vrrpTrackFiles: [{ name: 'tf', loc, file: join(dir, 'tf'), weight: 2, weightReverse: false }],
    vrrpTrackProcesses: [
      {
        name: 'tp',
        loc,
        process: PROC_NAME,
        paramMatch: 'full',
        weight: 0,
        weightReverse: false,
        quorum: 1,
        fullCommand: false,
      },
    ],
    vrrpSyncGroups: [],
    vrrpInstances: [inst],
  } as unknown as Config;
}

describe('trackers into tracking verdicts', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), `kts-${process.pid}-ha-`));
    await writeFile(join(dir, 'rc'), '0');
    await writeFile(join(dir, 'chk.sh'), `#!/bin/sh\nexit $(cat ${join(dir, 'rc')})\n`);
    await writeFile(join(dir, 'tf'), '0\n');
    await copyFile('/bin/sleep', join(dir, PROC_NAME));
    await chmod(join(dir, PROC_NAME), 0o755);
    sleeper = spawn(join(dir, PROC_NAME), ['300'], { stdio: 'ignore' });
  });

  after(async () => {
    sleeper?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  test('a failing script, a file value and an exiting process move priority and fault as keepalived', async () => {
    const cfg = config();
    const inst = cfg.vrrpInstances[0]!;
    const { bindings } = resolveBindings(inst, cfg);
    const verdicts: TrackingVerdict[] = [];
    const logs: string[] = [];
    let set: TrackerSet | null = null;
    const evaluate = () => set && verdicts.push(evaluateTracking(100, bindings, set.states));
    set = new TrackerSet({ config: cfg, links: [], onChange: evaluate, log: (l) => logs.push(l) });
    const last = () => verdicts[verdicts.length - 1];
    try {
      await set.start();
      evaluate();
      await waitFor(
        () => last()?.priority === 100 && set?.states.get('script:chk')?.kind === 'script',
        'first script result',
      );
      assert.deepEqual(last(), { total: 100, priority: 100, faultBy: [], init: false });

      await writeFile(join(dir, 'rc'), '1');
      await waitFor(() => last()?.priority === 70, 'script failure (weight -30)');
      assert.ok(logs.includes('VRRP_Script(chk) failed (exited with status 1)'));

      await writeFile(join(dir, 'tf'), '10\n');
      await waitFor(() => last()?.priority === 90, 'track_file 10 × weight 2');

      sleeper?.kill('SIGTERM');
      await waitFor(() => (last()?.faultBy.length ?? 0) > 0, 'process quorum lost');
      assert.deepEqual(last()?.faultBy, ['process:tp']);
      assert.ok(logs.includes(`Quorum lost for tracked process tp`));
    } finally {
      set.stop();
    }
  });
});
