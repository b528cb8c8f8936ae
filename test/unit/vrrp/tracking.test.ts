/**
 * @module Tracking weights as keepalived 2.2.7 applies them (vrrp_track.c, vrrp.c
 * `vrrp_complete_instance`): tables of {binding, tracker state} → {delta, fault, init},
 * then whole-instance verdicts, the engine events between verdicts, and the sync-group /
 * address-owner restrictions with keepalived's log lines.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrackRef } from '../../../src/config/model.js';
import {
  contribution,
  evaluateTracking,
  resolveBindings,
  type TrackBinding,
  type TrackerKey,
  type TrackerState,
  trackingEvents,
} from '../../../src/vrrp/tracking.js';

const loc = { file: 'k.conf', line: 1, col: 1 };
const b = (kind: TrackBinding['kind'], weight: number, reverse = false): TrackBinding => ({
  kind,
  name: 'x',
  weight,
  reverse,
  source: 'instance',
});
const script = (status: 'init' | 'ok' | 'fail'): TrackerState => ({ kind: 'script', status });
const iface = (up: boolean): TrackerState => ({ kind: 'interface', up });
const file = (value: number): TrackerState => ({ kind: 'file', value });
const proc = (quorum: boolean): TrackerState => ({ kind: 'process', quorum });

type Row = [
  name: string,
  binding: TrackBinding,
  state: TrackerState,
  delta: number,
  fault: boolean,
  init?: boolean,
];

const ROWS: Row[] = [
  ['script weight 0: failing faults the instance', b('script', 0), script('fail'), 0, true],
  ['script weight 0: OK does not', b('script', 0), script('ok'), 0, false],
  [
    'script weight 0 reverse: OK faults ("down when the script is up")',
    b('script', 0, true),
    script('ok'),
    0,
    true,
  ],
  ['script weight 0 reverse: failing does not', b('script', 0, true), script('fail'), 0, false],
  [
    'script weight 0 before its first result holds the instance in INIT',
    b('script', 0),
    script('init'),
    0,
    false,
    true,
  ],
  ['script positive weight adds when OK', b('script', 20), script('ok'), 20, false],
  ['script positive weight adds nothing when failing', b('script', 20), script('fail'), 0, false],
  ['script negative weight subtracts when failing', b('script', -30), script('fail'), -30, false],
  ['script negative weight changes nothing when OK', b('script', -30), script('ok'), 0, false],
  ['script positive weight reverse subtracts when OK', b('script', 20, true), script('ok'), -20, false],
  ['script negative weight reverse adds when failing', b('script', -30, true), script('fail'), 30, false],
  ['weighted script before its first result adds nothing', b('script', 20), script('init'), 0, false],
  ['interface weight 0: down faults', b('interface', 0), iface(false), 0, true],
  ['interface weight 0 reverse: up faults', b('interface', 0, true), iface(true), 0, true],
  ['interface positive weight adds when up', b('interface', 10), iface(true), 10, false],
  ['interface negative weight subtracts when down', b('interface', -10), iface(false), -10, false],
  [
    'interface negative weight reverse adds when down (observed: 100 to 110)',
    b('interface', -10, true),
    iface(false),
    10,
    false,
  ],
  [
    'interface positive weight reverse subtracts when up (observed: 100 to 90)',
    b('interface', 10, true),
    iface(true),
    -10,
    false,
  ],
  [
    'interface positive weight reverse adds nothing when down (observed: 90 to 100)',
    b('interface', 10, true),
    iface(false),
    0,
    false,
  ],
  ['process weight 0 without quorum faults', b('process', 0), proc(false), 0, true],
  ['process weight 0 reverse with quorum faults', b('process', 0, true), proc(true), 0, true],
  ['process positive weight adds with quorum', b('process', 5), proc(true), 5, false],
  ['process negative weight subtracts without quorum', b('process', -5), proc(false), -5, false],
  ['file weight 0: non-zero value faults', b('file', 0), file(3), 0, true],
  ['file weight 0: zero value is OK', b('file', 0), file(0), 0, false],
  ['file weight 0 reverse: zero value faults', b('file', 0, true), file(0), 0, true],
  ['file value times weight is added', b('file', 2), file(-20), -40, false],
  ['file value times weight reverse', b('file', 2, true), file(-20), 40, false],
  ['file result capped at 253', b('file', 10), file(100), 253, false],
  ['file result -253 still only lowers priority', b('file', 1), file(-253), -253, false],
  ['file result <= -254 faults', b('file', 1), file(-254), 0, true],
  ['file large weight times negative value faults', b('file', 5), file(-60), 0, true],
];

for (const [name, binding, state, delta, fault, init = false] of ROWS) {
  test(`keepalived vrrp_track.c: ${name}`, () => {
    assert.deepEqual(contribution(binding, state), { delta, fault, init });
  });
}

const key = (k: string): TrackerKey => k as TrackerKey;

test('keepalived vrrp_set_effective_priority: total clamped to 1..254', () => {
  const binds = [
    { ...b('script', 100), name: 'a' },
    { ...b('script', 100), name: 'b' },
  ];
  const ok = new Map([
    [key('script:a'), script('ok')],
    [key('script:b'), script('ok')],
  ]);
  assert.equal(evaluateTracking(100, binds, ok).priority, 254);
  assert.equal(evaluateTracking(100, binds, ok).total, 300);
  const neg = [{ ...b('script', -200), name: 'a' }];
  assert.equal(evaluateTracking(100, neg, new Map([[key('script:a'), script('fail')]])).priority, 1);
});

test('keepalived: an address owner (255) keeps 255 whatever the weights', () => {
  const v = evaluateTracking(255, [{ ...b('interface', -50), name: 'x' }], new Map());
  assert.equal(v.priority, 255);
});

test('keepalived: faults from several trackers are all reported; unknown trackers use safe defaults', () => {
  const binds = [
    { ...b('interface', 0), name: 'eth9' },
    { ...b('script', 0), name: 'chk' },
    { ...b('file', 0), name: 'f' },
  ];
  const v = evaluateTracking(100, binds, new Map([[key('script:chk'), script('fail')]]));
  assert.deepEqual(v.faultBy, ['interface:eth9', 'script:chk']);
  assert.equal(v.init, false);
});

test('keepalived 2.2.7 (observed): a rising fault is reported alone, the priority follows at the next change', () => {
  const ok = { total: 120, priority: 120, faultBy: [], init: false } as const;
  const faulted = { total: 100, priority: 100, faultBy: ['file:tf' as TrackerKey], init: false };
  assert.deepEqual(trackingEvents(false, 120, faulted), [{ type: 'fault', reason: 'file:tf' }]);
  // the script then fails while in FAULT: "Changing effective priority from 120 to 70"
  assert.deepEqual(trackingEvents(true, 120, { ...faulted, total: 70, priority: 70 }), [
    { type: 'priorityChanged', priority: 70 },
  ]);
  assert.deepEqual(trackingEvents(true, 70, { ...ok, total: 353, priority: 254 }), [
    { type: 'priorityChanged', priority: 254 },
    { type: 'faultCleared', reason: 'tracking' },
  ]);
  assert.deepEqual(trackingEvents(false, 120, ok), []);
});

const ref = (name: string, weight?: number, reverse = false): TrackRef => ({
  name,
  reverse,
  loc,
  ...(weight === undefined ? {} : { weight }),
});
const defs = {
  vrrpScripts: [
    { name: 'chk', loc, intervalS: 1, weight: -20, weightReverse: false, rise: 1, fall: 1, initFail: false },
  ],
  vrrpTrackFiles: [{ name: 'tf', loc, weight: 1, weightReverse: false }],
  vrrpTrackProcesses: [
    { name: 'tp', loc, paramMatch: 'full', weight: 5, weightReverse: true, quorum: 1, fullCommand: false },
  ] as const,
};
const inst = {
  name: 'VI_1',
  priority: 100,
  interface: 'eth0',
  dontTrackPrimary: false,
  trackInterfaces: [ref('eth1'), ref('eth2', 10)],
  trackScripts: [ref('chk')],
  trackFiles: [ref('tf')],
  trackProcesses: [ref('tp')],
};

test('keepalived: track_* weights default to the tracker own weight and reverse; interface to 0; primary tracked', () => {
  const { bindings, warnings } = resolveBindings(inst, defs);
  const summary = bindings.map((x) => `${x.kind}:${x.name}:${x.weight}:${x.reverse}:${x.source}`);
  assert.deepEqual(summary, [
    'interface:eth1:0:false:instance',
    'interface:eth2:10:false:instance',
    'script:chk:-20:false:instance',
    'file:tf:1:false:instance',
    'process:tp:5:true:instance',
    'interface:eth0:0:false:primary',
  ]);
  assert.deepEqual(warnings, []);
});

test('keepalived dont_track_primary: the instance interface is not tracked', () => {
  const { bindings } = resolveBindings({ ...inst, dontTrackPrimary: true }, defs);
  assert.equal(
    bindings.some((x) => x.source === 'primary'),
    false,
  );
});

const group = (over: Partial<{ syncGroupTrackingWeight: boolean; globalTracking: boolean }> = {}) => ({
  config: {
    name: 'G',
    loc,
    members: [],
    notify: {},
    trackInterfaces: [ref('eth5', -7)],
    trackScripts: [],
    trackFiles: [],
    trackProcesses: [],
    globalTracking: false,
    syncGroupTrackingWeight: false,
    ...over,
  },
  hasOwnerMember: false,
});

test('keepalived vrrp_complete_instance: in a sync group weights are ignored, with its log lines', () => {
  const { bindings, warnings } = resolveBindings(inst, defs, group());
  const summary = bindings.map((x) => `${x.kind}:${x.name}:${x.weight}:${x.source}`);
  assert.deepEqual(summary, [
    'interface:eth1:0:instance',
    'interface:eth2:0:instance',
    'file:tf:0:instance',
    'interface:eth5:-7:group',
    'interface:eth0:0:primary',
  ]);
  assert.deepEqual(warnings, [
    '(VI_1) ignoring weight of tracked interface eth2 due to SYNC group',
    '(VI_1) ignoring tracked script chk with weights due to SYNC group',
    '(VI_1) ignoring weight from tracked file tf due to SYNC group - specify weight 0',
    '(VI_1) ignoring tracked process tp with weights due to SYNC group',
  ]);
});

test('keepalived sync_group_tracking_weight / global_tracking keep member weights', () => {
  for (const over of [{ syncGroupTrackingWeight: true }, { globalTracking: true }]) {
    const { bindings, warnings } = resolveBindings(inst, defs, group(over));
    assert.equal(bindings.find((x) => x.name === 'chk')?.weight, -20);
    assert.deepEqual(warnings, []);
  }
});

test('keepalived sync_group_tracking_init: a group with an owner member clears the group weights', () => {
  const { bindings } = resolveBindings(inst, defs, { ...group(), hasOwnerMember: true });
  assert.equal(bindings.find((x) => x.name === 'eth5')?.weight, 0);
});

test('keepalived: an address owner drops weighted trackers (interfaces untracked)', () => {
  const { bindings, warnings } = resolveBindings({ ...inst, priority: 255 }, defs);
  assert.deepEqual(
    bindings.map((x) => `${x.kind}:${x.name}:${x.weight}`),
    ['interface:eth1:0', 'file:tf:0', 'interface:eth0:0'],
  );
  assert.equal(warnings[0], '(VI_1) ignoring tracked interface eth2 due to address owner');
  assert.equal(warnings[1], '(VI_1) ignoring tracked script chk with weights due to address_owner');
});
