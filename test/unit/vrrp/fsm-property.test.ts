/**
 * @module Properties of `step` over arbitrary event sequences (fast-check): it never
 * throws, never mutates its input, and keeps the state/timer/VIP invariants of RFC 5798
 * §6.4 (a MASTER holds the VIPs and runs the Adver_Timer, a BACKUP runs the
 * Master_Down_Timer, FAULT and STOP run nothing).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createInstance, type InstanceState, step, type VrrpEvent } from '../../../src/vrrp/index.js';
import { config } from './fixtures.js';

const address = fc
  .constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.9')
  .map((s) => Uint8Array.from(s.split('.').map(Number)));

const event: fc.Arbitrary<VrrpEvent> = fc.oneof(
  fc.constant<VrrpEvent>({ type: 'start' }),
  fc.constant<VrrpEvent>({ type: 'shutdown' }),
  fc
    .constantFrom('adver', 'masterDown', 'garpMasterDelay', 'garpLowerPrio' as const)
    .map((timer): VrrpEvent => ({ type: 'timer', timer })),
  fc
    .record({
      priority: fc.integer({ min: 0, max: 255 }),
      maxAdverIntCs: fc.constantFrom(50, 100),
      source: address,
    })
    .map((advert): VrrpEvent => ({ type: 'advert', advert })),
  fc.constant<VrrpEvent>({ type: 'fault', reason: 'p' }),
  fc.constant<VrrpEvent>({ type: 'faultCleared', reason: 'p' }),
  fc.integer({ min: -10, max: 300 }).map((priority): VrrpEvent => ({ type: 'priorityChanged', priority })),
);

function snapshot(i: InstanceState): string {
  return JSON.stringify(i, (_k, v) => (v instanceof Uint8Array ? Array.from(v) : v));
}

function checkInvariants(i: InstanceState): void {
  assert.equal(i.vipsSet, i.state === 'MASTER', 'VIPs are set exactly in MASTER');
  if (i.state === 'MASTER') assert.notEqual(i.timers.adver, null);
  if (i.state === 'BACKUP') assert.notEqual(i.timers.masterDown, null);
  if (i.state !== 'MASTER') assert.equal(i.timers.adver, null);
  if (i.state !== 'BACKUP') assert.equal(i.timers.masterDown, null);
  if (i.state === 'FAULT' || i.state === 'STOP') assert.ok(Object.values(i.timers).every((t) => t === null));
  assert.ok(i.effectivePriority >= 1 && i.effectivePriority <= 255);
}

test('RFC 5798 §6.4 invariants hold for any event sequence; step is pure', () => {
  fc.assert(
    fc.property(
      fc.record({
        version: fc.constantFrom(2, 3 as const),
        preempt: fc.boolean(),
        delay: fc.constantFrom(0, 1500),
      }),
      fc.array(fc.tuple(event, fc.integer({ min: 0, max: 2000 })), { maxLength: 60 }),
      (opts, events) => {
        let inst = createInstance(
          config({ version: opts.version, preempt: opts.preempt, preemptDelayMs: opts.delay }),
        );
        let now = 0;
        for (const [e, dt] of events) {
          now += dt;
          // Timer events fire when due, so sequences explore real timeouts too.
          if (e.type === 'timer') now = Math.max(now, inst.timers[e.timer] ?? now);
          const before = snapshot(inst);
          const r = step(inst, e, now);
          assert.equal(snapshot(inst), before, 'input instance not mutated');
          for (const fx of r.effects) {
            if (fx.type === 'armTimer') {
              assert.ok(fx.atMs >= now, 'timers are never armed in the past');
              assert.equal(r.instance.timers[fx.timer], fx.atMs, 'recorded deadline = last arm');
            }
            if (fx.type === 'sendAdvert') {
              assert.ok(
                fx.priority === 0 ||
                  fx.priority === r.instance.effectivePriority ||
                  fx.priority === inst.effectivePriority,
              );
            }
          }
          inst = r.instance;
          checkInvariants(inst);
        }
      },
    ),
    { numRuns: 300 },
  );
});
