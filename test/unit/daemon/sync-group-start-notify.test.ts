/**
 * @module A sync group that tracking faults before its instances start is notified once,
 * as keepalived 2.2.7 does (corpus 098: a tracked process that does not run faults the
 * group at start; keepalived runs the group's notify with "GROUP GROUP FAULT 0" once,
 * keepalived-ts ran it twice: on the fault and again in announceStart).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Config } from '../../../src/config/model.js';
import type { InstanceRuntime } from '../../../src/daemon/instance-runtime.js';
import { SyncGroups } from '../../../src/daemon/sync-groups.js';
import type { Notifier } from '../../../src/io/notify.js';
import type { InstanceState, StepResult } from '../../../src/vrrp/index.js';
import { config, Driver } from '../vrrp/fixtures.js';

const loc = { file: 'k.conf', line: 1, col: 1 };

function groups() {
  const calls: string[] = [];
  const notifier = {
    run: (_c: unknown, argv: readonly string[]) => calls.push(argv.join(' ')),
    fifoLine: (line: string) => calls.push(`fifo ${line.trimEnd()}`),
  } as unknown as Notifier;
  let state: InstanceState = new Driver(config({ name: 'ABC', vrid: 51 })).inst;
  const runtime = {
    get state() {
      return state;
    },
    apply: (r: StepResult) => {
      state = r.instance;
    },
  } as unknown as InstanceRuntime;
  const cfg = {
    vrrpInstances: [{ name: 'ABC' }],
    vrrpSyncGroups: [
      {
        name: 'GROUP',
        members: [{ name: 'ABC', loc }],
        notify: { any: { argv: ['/notify.sh'], text: '/notify.sh', loc } },
      },
    ],
  } as unknown as Config;
  const g = new SyncGroups(cfg, { runtime: () => runtime, nowMs: () => 0, notifier });
  return { g, calls };
}

test('a group faulted by tracking before start-up is notified FAULT once', () => {
  const { g, calls } = groups();
  g.setFault('GROUP', 'ABC', true, 'process:app');
  g.announceStart();
  assert.deepEqual(calls, ['/notify.sh GROUP GROUP FAULT 0', 'fifo GROUP "GROUP" FAULT 0']);
});

test('a group not faulted at start-up is still announced BACKUP', () => {
  const { g, calls } = groups();
  g.announceStart();
  assert.deepEqual(calls, ['/notify.sh GROUP GROUP BACKUP 0', 'fifo GROUP "GROUP" BACKUP 0']);
});

test('held until announced: a group faulted at start-up is notified at announceStart, not before', () => {
  const { g, calls } = groups();
  g.holdUntilAnnounced();
  g.setFault('GROUP', 'ABC', true, 'interface:eth1');
  assert.deepEqual(calls, []); // its members report FAULT first (the daemon starts them before announcing)
  g.announceStart();
  assert.deepEqual(calls, ['/notify.sh GROUP GROUP FAULT 0', 'fifo GROUP "GROUP" FAULT 0']);
  g.setFault('GROUP', 'ABC', false, 'tracking');
  assert.equal(calls.length, 4, 'after announceStart, notifies are no longer held');
});
