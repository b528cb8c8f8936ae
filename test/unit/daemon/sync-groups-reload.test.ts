/**
 * @module A reload keeps the sync groups' state: keepalived 2.2.7 wrote `GROUP "G1"
 * MASTER 0` after reloading a config whose G1 was MASTER (fifo_write_vrrp_states_on_reload,
 * test/netns/ha-notify-fifo.test.ts); keepalived-ts rebuilt the group as a fresh BACKUP
 * one, so it reported BACKUP and, worse, judged its members' next moves from the wrong
 * state. A group new to the config takes the state its running members are in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Config } from '../../../src/config/model.js';
import type { InstanceRuntime } from '../../../src/daemon/instance-runtime.js';
import { SyncGroups } from '../../../src/daemon/sync-groups.js';
import type { Notifier } from '../../../src/io/notify.js';
import { reloadStateLines } from '../../../src/io/notify-fifo-format.js';
import type { InstanceState, StepResult } from '../../../src/vrrp/index.js';
import { config, Driver } from '../vrrp/fixtures.js';

const loc = { file: 'k.conf', line: 1, col: 1 };
const notifier = { run: () => {}, fifoLine: () => {} } as unknown as Notifier;

/** Runtimes holding real engine states; `states` overrides the state name only. */
function setup(states: Record<string, InstanceState['state']>, groupNames = ['G1']) {
  const runtimes = new Map(
    Object.entries(states).map(([name, stateName], i) => {
      let state: InstanceState = { ...new Driver(config({ name, vrid: 51 + i })).inst, state: stateName };
      const rt = {
        get state() {
          return state;
        },
        apply: (r: StepResult) => {
          state = r.instance;
        },
      };
      return [name, rt as unknown as InstanceRuntime];
    }),
  );
  const cfg = {
    vrrpInstances: Object.keys(states).map((name) => ({ name })),
    vrrpSyncGroups: groupNames.map((name) => ({
      name,
      members: Object.keys(states).map((m) => ({ name: m, loc })),
      notify: {},
    })),
  } as unknown as Config;
  return (previous?: SyncGroups) =>
    new SyncGroups(cfg, { runtime: (n) => runtimes.get(n), nowMs: () => 0, notifier }, previous);
}

test('a group that stays keeps its state and its members own faults across a reload', () => {
  const make = setup({ VI_1: 'BACKUP', VI_2: 'BACKUP' });
  const before = make();
  before.setFault('G1', 'VI_1', true, 'file:tf');
  assert.equal(before.state('G1'), 'FAULT');
  const after = make(before);
  assert.equal(after.state('G1'), 'FAULT');
  assert.deepEqual(after.group('G1')?.ownFault, ['VI_1']);
  // The fault the old group knew ends in the new one: the group leaves FAULT.
  after.setFault('G1', 'VI_1', false, 'tracking');
  assert.equal(after.state('G1'), 'BACKUP');
});

test('a group new to the config takes its running members state', () => {
  assert.equal(setup({ VI_1: 'MASTER', VI_2: 'MASTER' })().state('G1'), 'MASTER');
  assert.equal(setup({ VI_1: 'MASTER', VI_2: 'FAULT' })().state('G1'), 'FAULT');
  assert.equal(setup({ VI_1: 'INIT', VI_2: 'INIT' })().state('G1'), 'BACKUP');
});

test('states() lists the groups in config order', () => {
  const g = setup({ VI_1: 'MASTER' }, ['G2', 'G1'])();
  assert.deepEqual(
    g.states().map((s) => s.name),
    ['G2'], // an instance belongs to the first group naming it
  );
});

test('fifo_write_vrrp_states_on_reload lines: groups, then instances not MASTER, in config order', () => {
  // What keepalived 2.2.7 wrote after a SIGHUP (strace of its FIFO writes).
  const lines = reloadStateLines(
    [
      { name: 'G2', state: 'FAULT' },
      { name: 'G1', state: 'BACKUP' },
      { name: 'G3', state: 'MASTER' },
    ],
    [
      { name: 'VI_0', state: 'BACKUP', priority: 110 },
      { name: 'VI_5', state: 'MASTER', priority: 80 },
      { name: 'VI_6', state: 'FAULT', priority: 90 },
      { name: 'VI_7', state: 'INIT', priority: 90 },
    ],
  );
  assert.deepEqual(lines, [
    'GROUP "G2" FAULT 0\n',
    'GROUP "G1" BACKUP 0\n',
    'GROUP "G3" MASTER 0\n',
    'INSTANCE "VI_0" BACKUP 110\n',
    'INSTANCE "VI_6" FAULT 90\n',
  ]);
});
