/**
 * @module Effective priority changes from tracking (keepalived
 * `vrrp_set_effective_priority`), config normalisation (`vrrp_complete_instance`) and
 * counters.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeConfig } from '../../../src/vrrp/index.js';
import { advert, armed, config, Driver, logs } from './fixtures.js';

test('RFC 5798 §6.1 keepalived: priority change is logged and carried by the next advert', () => {
  const d = new Driver(config()).started(0, true);
  const fx = d.at(5000, { type: 'priorityChanged', priority: 80 });
  assert.deepEqual(logs(fx), ['(VI_1) Changing effective priority from 100 to 80']);
  const t = d.inst.timers.adver ?? 0;
  const adv = d.at(t, { type: 'timer', timer: 'adver' });
  assert.deepEqual(adv[0], { type: 'sendAdvert', priority: 80, adverIntCs: 100 });
});

test('RFC 5798 §6.1 a BACKUP whose priority rises pulls its Master_Down_Timer in by the smaller Skew_Time', () => {
  const d = new Driver(config()).started(0);
  const fx = d.at(10, { type: 'priorityChanged', priority: 228 });
  // old skew 609.375 ms, new skew (256-228)/256 s = 109.375 ms
  assert.equal(armed(fx, 'masterDown'), 3609.375 - 500);
});

test('RFC 5798 §6.4.2 a priority rise never extends a Skew_Time timer set by a priority-0 advert', () => {
  const d = new Driver(config()).started(0);
  d.at(100, advert(0));
  const fx = d.at(200, { type: 'priorityChanged', priority: 200 });
  assert.equal(armed(fx, 'masterDown'), undefined);
  assert.equal(d.inst.timers.masterDown, 100 + 609.375);
});

test('RFC 5798 §6.1 keepalived: a falling priority does not move the running Master_Down_Timer', () => {
  const d = new Driver(config()).started(0);
  const fx = d.at(10, { type: 'priorityChanged', priority: 50 });
  assert.equal(armed(fx, 'masterDown'), undefined);
  assert.equal(d.inst.effectivePriority, 50);
});

test('RFC 5798 §6.1 keepalived: tracked priority is clamped to 1..254', () => {
  const d = new Driver(config()).started(0);
  d.at(1, { type: 'priorityChanged', priority: 300 });
  assert.equal(d.inst.effectivePriority, 254);
  d.at(2, { type: 'priorityChanged', priority: -20 });
  assert.equal(d.inst.effectivePriority, 1);
});

test('RFC 5798 §6.1 keepalived: an address owner never changes priority', () => {
  const d = new Driver(config({ priority: 255, initialState: 'MASTER' })).started(0, true);
  assert.deepEqual(d.at(1, { type: 'priorityChanged', priority: 10 }), []);
  assert.equal(d.inst.effectivePriority, 255);
});

test('RFC 5798 §6.4.2 keepalived: a lowered master loses to a preempting backup which now outranks it', () => {
  const d = new Driver(config({ priority: 150 })).started(0, true);
  d.at(5000, { type: 'priorityChanged', priority: 90 });
  d.at(5100, advert(100));
  assert.equal(d.inst.state, 'BACKUP');
});

test('RFC 5798 §6.4.2 keepalived config: state MASTER clears nopreempt and preempt_delay', () => {
  const r = normalizeConfig(config({ initialState: 'MASTER', preempt: false, preemptDelayMs: 5000 }));
  assert.equal(r.config.preempt, true);
  assert.equal(r.config.preemptDelayMs, 0);
  assert.deepEqual(r.warnings, [
    '(VI_1) Warning - nopreempt will not work with initial state MASTER - clearing',
    '(VI_1) Warning - preempt delay will not work with initial state MASTER - clearing',
  ]);
});

test('RFC 5798 §6.4.2 keepalived config: owner cannot be nopreempt; preempt_delay needs preempt', () => {
  assert.deepEqual(normalizeConfig(config({ priority: 255, preempt: false })).warnings, [
    '(VI_1) nopreempt is incompatible with priority 255. resetting nopreempt',
  ]);
  const r = normalizeConfig(config({ preempt: false, preemptDelayMs: 1000 }));
  assert.equal(r.config.preemptDelayMs, 0);
  assert.deepEqual(r.warnings, ['(VI_1) preempt_delay is incompatible with nopreempt mode - resetting']);
});

test('RFC 2787 / RFC 6527 VRRP-MIB counters: adverts received/sent, priority zero, become master', () => {
  const d = new Driver(config()).started(0);
  d.at(100, advert(200));
  d.at(200, advert(0));
  d.at(200 + 609.375, { type: 'timer', timer: 'masterDown' });
  d.at(300 + 609.375, { type: 'shutdown' });
  assert.deepEqual(
    {
      rcvd: d.inst.stats.advertRcvd,
      zeroRcvd: d.inst.stats.priZeroRcvd,
      sent: d.inst.stats.advertSent,
      zeroSent: d.inst.stats.priZeroSent,
      master: d.inst.stats.becomeMaster,
    },
    { rcvd: 2, zeroRcvd: 1, sent: 2, zeroSent: 1, master: 1 },
  );
});
