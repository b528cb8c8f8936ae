/**
 * @module The tracking coordinator: link changes become engine events for a standalone
 * instance (a weighted track_interface moves its priority, an unweighted one faults it),
 * and fault edges of sync-group members are routed to the group, with keepalived's
 * "ignoring weight ... due to SYNC group" line at construction.
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
  dontTrackPrimary: false,
  trackInterfaces: track,
  trackScripts: [],
  trackFiles: [],
  trackProcesses: [],
});

const config = {
  global: {},
  vrrpScripts: [],
  vrrpTrackFiles: [],
  vrrpTrackProcesses: [],
  vrrpInstances: [
    inst('VI_1', 'eth0', [ref('up1', -20)]),
    inst('VI_2', 'eth1', [ref('up2', 10)]),
    inst('VI_3', 'eth2', []),
  ],
  vrrpSyncGroups: [
    {
      name: 'G',
      loc,
      members: [
        { name: 'VI_2', loc },
        { name: 'VI_3', loc },
      ],
      notify: {},
      trackInterfaces: [],
      trackScripts: [],
      trackFiles: [],
      trackProcesses: [],
      globalTracking: false,
      syncGroupTrackingWeight: false,
    },
  ],
} as unknown as Config;

test('coordinator: standalone events, sync-group faults routed to the group', () => {
  const events: [string, readonly VrrpEvent[]][] = [];
  const faults: string[] = [];
  const logs: string[] = [];
  const prio = new Map([
    ['VI_1', 100],
    ['VI_2', 100],
    ['VI_3', 100],
  ]);
  const links = ['eth0', 'eth1', 'eth2', 'up1', 'up2'].map((name) => ({ name, up: true }));
  const c = new TrackingCoordinator(config, links, {
    enginePriority: (n) => prio.get(n) ?? 0,
    onEvents: (n, e) => events.push([n, e]),
    onFault: (g, n, f, r) => faults.push(`${g}/${n}/${f}/${r}`),
    log: (l) => logs.push(l),
  });
  assert.deepEqual(logs, ['(VI_2) ignoring weight of tracked interface up2 due to SYNC group']);
  c.evaluateAll();
  assert.deepEqual(events, []);
  c.handleLinkChange(9, 'up1', false);
  assert.deepEqual(events, [['VI_1', [{ type: 'priorityChanged', priority: 80 }]]]);
  assert.ok(logs.includes('Netlink reports up1 down'));
  c.handleLinkChange(10, 'up2', false);
  assert.deepEqual(faults, ['G/VI_2/true/interface:up2']);
  c.handleLinkChange(10, 'up2', true);
  assert.deepEqual(faults, ['G/VI_2/true/interface:up2', 'G/VI_2/false/tracking']);
  c.handleLinkChange(1, 'eth0', false);
  assert.deepEqual(events[events.length - 1], ['VI_1', [{ type: 'fault', reason: 'interface:eth0' }]]);
});
