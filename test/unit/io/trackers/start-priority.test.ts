/**
 * @module At start keepalived 2.2.7 sets the effective priority from every tracker even
 * when one of them holds the instance in FAULT (corpus 098: a sync group tracking
 * eth1/eth2/eth4 with weights 64/32/16 and a process that does not run: keepalived logs
 * "entering FAULT state" and then "Changing effective priority from 100 to 212").
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Config, TrackRef } from '../../../../src/config/model.js';
import { TrackingCoordinator } from '../../../../src/io/trackers/coordinator.js';
import type { VrrpEvent } from '../../../../src/vrrp/index.js';

const loc = { file: 'k.conf', line: 1, col: 1 };
const ref = (name: string, weight?: number): TrackRef => ({
  name,
  reverse: false,
  loc,
  ...(weight === undefined ? {} : { weight }),
});
const inst = (name: string, iface: string, track: TrackRef[]) => ({
  name,
  priority: 100,
  interface: iface,
  dontTrackPrimary: true,
  trackInterfaces: track,
  trackScripts: [],
  trackFiles: [],
  trackProcesses: [],
});
const group = (members: string[], track: TrackRef[]) => ({
  name: 'G',
  loc,
  members: members.map((name) => ({ name, loc })),
  notify: {},
  trackInterfaces: track,
  trackScripts: [],
  trackFiles: [],
  trackProcesses: [],
  globalTracking: false,
  syncGroupTrackingWeight: true,
});

function start(config: Config, links: { name: string; up: boolean }[]) {
  const events: string[] = [];
  const c = new TrackingCoordinator(config, links, {
    enginePriority: () => 100,
    onEvents: (n, es: readonly VrrpEvent[]) => {
      for (const e of es)
        events.push(`${n} ${e.type}${e.type === 'priorityChanged' ? ` ${e.priority}` : ''}`);
    },
    onFault: (g, n, f) => events.push(`${g}/${n} fault=${f}`),
    log: () => {},
  });
  c.evaluateAll();
  return { c, events };
}

test('a sync-group member faulted at start still gets its tracked priority, after the fault', () => {
  const config = {
    global: {},
    vrrpScripts: [],
    vrrpTrackFiles: [],
    vrrpTrackProcesses: [],
    vrrpInstances: [inst('ABC', 'eth1', [])],
    vrrpSyncGroups: [group(['ABC'], [ref('eth1', 64), ref('eth2', 32), ref('down0')])],
  } as unknown as Config;
  const links = [
    { name: 'eth1', up: true },
    { name: 'eth2', up: true },
    { name: 'down0', up: false },
  ];
  const { events } = start(config, links);
  assert.deepEqual(events, ['G/ABC fault=true', 'ABC priorityChanged 196']);
});

test('a standalone instance faulted at start gets fault then its tracked priority', () => {
  const config = {
    global: {},
    vrrpScripts: [],
    vrrpTrackFiles: [],
    vrrpTrackProcesses: [],
    vrrpInstances: [inst('VI_1', 'eth0', [ref('eth0', 20), ref('down0')])],
    vrrpSyncGroups: [],
  } as unknown as Config;
  const { events } = start(config, [
    { name: 'eth0', up: true },
    { name: 'down0', up: false },
  ]);
  assert.deepEqual(events, ['VI_1 fault', 'VI_1 priorityChanged 120']);
});

test('a fault rising after start still comes alone (keepalived 2.2.7, observed)', () => {
  const config = {
    global: {},
    vrrpScripts: [],
    vrrpTrackFiles: [],
    vrrpTrackProcesses: [],
    vrrpInstances: [inst('VI_1', 'eth0', [ref('eth0', 20), ref('down0')])],
    vrrpSyncGroups: [],
  } as unknown as Config;
  const { c, events } = start(config, [
    { name: 'eth0', up: true },
    { name: 'down0', up: true },
  ]);
  assert.deepEqual(events, ['VI_1 priorityChanged 120']);
  c.handleLinkChange(7, 'down0', false);
  assert.deepEqual(events.slice(1), ['VI_1 fault']);
});
