/**
 * track_bfd in the pure tracking evaluation (keepalived 2.2.7 vrrp_track.c semantics):
 * weight 0 faults the instance while the session is not Up, a positive weight is added
 * while Up, a negative one subtracted while not Up, `reverse` flips it, and the
 * bfd_instance's own `weight` is the default of a track_bfd line without one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  evaluateTracking,
  resolveBindings,
  type TrackerKey,
  type TrackerState,
  trackerKey,
} from '../../../src/vrrp/tracking.js';

const defs = (weight: number) => ({
  vrrpScripts: [],
  vrrpTrackFiles: [],
  vrrpTrackProcesses: [],
  bfdInstances: [
    {
      name: 'B',
      loc: { file: 'k.conf', line: 1, column: 1 },
      minRxMs: 10,
      minTxMs: 10,
      idleTxMs: 1000,
      multiplier: 5,
      passive: false,
      weight,
    },
  ],
});

function instance(ref: { weight?: number; reverse?: boolean }) {
  return {
    name: 'VI',
    priority: 100,
    dontTrackPrimary: true,
    trackInterfaces: [],
    trackScripts: [],
    trackFiles: [],
    trackProcesses: [],
    trackBfds: [
      {
        name: 'B',
        reverse: ref.reverse ?? false,
        ...(ref.weight === undefined ? {} : { weight: ref.weight }),
      },
    ],
  };
}

const states = (up: boolean | undefined) =>
  new Map<TrackerKey, TrackerState>(up === undefined ? [] : [[trackerKey('bfd', 'B'), { kind: 'bfd', up }]]);

function verdict(ref: { weight?: number; reverse?: boolean }, bfdWeight: number, up: boolean | undefined) {
  const { bindings } = resolveBindings(instance(ref) as never, defs(bfdWeight) as never);
  return evaluateTracking(100, bindings, states(up));
}

test('weight 0: the instance is faulted until the session is Up (unknown counts as down)', () => {
  assert.deepEqual(verdict({}, 0, undefined).faultBy, ['bfd:B']);
  assert.deepEqual(verdict({}, 0, false).faultBy, ['bfd:B']);
  assert.deepEqual(verdict({}, 0, true).faultBy, []);
  assert.deepEqual(verdict({ reverse: true }, 0, true).faultBy, ['bfd:B']);
});

test('weights: positive added while Up, negative subtracted while down, reverse flips', () => {
  assert.equal(verdict({ weight: 20 }, 0, true).priority, 120);
  assert.equal(verdict({ weight: 20 }, 0, false).priority, 100);
  assert.equal(verdict({ weight: -30 }, 0, false).priority, 70);
  assert.equal(verdict({ weight: -30 }, 0, true).priority, 100);
  assert.equal(verdict({ weight: 20, reverse: true }, 0, true).priority, 80);
});

test("a track_bfd line without weight takes the bfd_instance's weight", () => {
  assert.equal(verdict({}, 15, true).priority, 115);
  assert.deepEqual(verdict({}, 15, false).faultBy, []);
});

test("a sync-group member's weighted track_bfd is dropped with keepalived's message", () => {
  const group = {
    config: {
      name: 'G',
      members: [{ name: 'VI' }],
      trackInterfaces: [],
      trackScripts: [],
      trackFiles: [],
      trackProcesses: [],
      syncGroupTrackingWeight: false,
      globalTracking: false,
    },
    hasOwnerMember: false,
  };
  const r = resolveBindings(instance({ weight: 20 }) as never, defs(0) as never, group as never);
  assert.deepEqual(r.warnings, ['(VI) ignoring tracked bfd B with weight 20 due to SYNC group']);
  assert.equal(
    r.bindings.some((b) => b.kind === 'bfd'),
    false,
  );
});
