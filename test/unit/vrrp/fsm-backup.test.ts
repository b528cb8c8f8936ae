/**
 * @module Backup state (RFC 5798 §6.4.2, RFC 3768 §6.4.2) with keepalived's preempt,
 * nopreempt and preempt_delay semantics (vrrp.c `vrrp_state_backup`).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advert, armed, config, Driver, logs } from './fixtures.js';

test('RFC 5798 §6.4.2 higher-priority advert resets Master_Down_Timer to Master_Down_Interval', () => {
  const d = new Driver(config()).started(0);
  const fx = d.at(500, advert(200));
  assert.equal(armed(fx, 'masterDown'), 500 + 3609.375);
  assert.deepEqual(logs(fx), []);
  assert.equal(d.inst.masterPriority, 200);
});

test('RFC 5798 §6.4.2 equal-priority advert is accepted in BACKUP whatever the address', () => {
  const d = new Driver(config()).started(0);
  const fx = d.at(500, advert(100, '10.0.0.0'));
  assert.equal(armed(fx, 'masterDown'), 500 + 3609.375);
});

test('RFC 5798 §6.4.2 v3 Backup learns Master_Adver_Interval from the advert', () => {
  const d = new Driver(config()).started(0);
  const fx = d.at(500, advert(200, '10.0.0.2', 50));
  assert.equal(d.inst.masterAdverIntCs, 50);
  assert.deepEqual(logs(fx), ['(VI_1) advertisement interval updated from 1000ms to 500ms by master']);
  // 3 * 500 ms + ((256 - 100) * 50 cs / 256) = 1500 + 304.687 (µs-truncated)
  assert.equal(armed(fx, 'masterDown'), 500 + 1500 + 304.687);
});

test('RFC 3768 §6.4.2 v2 does not learn the interval: Master_Down_Interval keeps our own', () => {
  const d = new Driver(config({ version: 2 })).started(0);
  const fx = d.at(500, advert(200));
  assert.equal(armed(fx, 'masterDown'), 500 + 3609.375);
  assert.equal(d.inst.masterAdverIntCs, 100);
});

test('RFC 3768 §7.1 v2 advert with a different Adver Int is dropped and the timer keeps running', () => {
  const d = new Driver(config({ version: 2 })).started(0);
  const fx = d.at(500, advert(200, '10.0.0.2', 200));
  assert.deepEqual(logs(fx), ["(VI_1) advertisement interval mismatch mine=1 sec rcv'd=2 sec"]);
  assert.equal(armed(fx, 'masterDown'), undefined);
  assert.equal(d.inst.stats.advertIntervalErrors, 1);
  assert.equal(d.inst.stats.advertRcvd, 0);
});

test('RFC 5798 §6.4.2 Preempt_Mode true: lower-priority advert is discarded, timer not reset', () => {
  const d = new Driver(config()).started(0);
  const fx = d.at(500, advert(50));
  assert.deepEqual(logs(fx), ['(VI_1) received lower priority (50) advert from 10.0.0.2 - discarding']);
  assert.equal(armed(fx, 'masterDown'), undefined);
  assert.equal(d.inst.timers.masterDown, 3609.375);
});

test('RFC 5798 §6.4.2 Preempt_Mode false (nopreempt): lower-priority advert resets the timer', () => {
  const d = new Driver(config({ preempt: false })).started(0);
  const fx = d.at(500, advert(50));
  assert.deepEqual(logs(fx), []);
  assert.equal(armed(fx, 'masterDown'), 500 + 3609.375);
});

test('RFC 5798 §6.4.2 priority 0: Master_Down_Timer = Skew_Time', () => {
  const d = new Driver(config()).started(0);
  const fx = d.at(500, advert(0));
  assert.deepEqual(logs(fx), ['(VI_1) Backup received priority 0 advertisement']);
  assert.equal(logs(fx, false).length, 0, 'keepalived logs this only with -D');
  assert.equal(armed(fx, 'masterDown'), 500 + 609.375);
  assert.equal(d.inst.stats.priZeroRcvd, 1);
  const up = d.at(500 + 609.375, { type: 'timer', timer: 'masterDown' });
  assert.ok(logs(up).includes('(VI_1) Entering MASTER STATE'));
  assert.equal(d.inst.stats.masterReason, 'priority');
});

test('RFC 5798 §6.4.2 keepalived preempt_delay: lower-priority adverts are accepted until the delay expires', () => {
  const d = new Driver(config({ preemptDelayMs: 2000 })).started(0);
  let fx = d.at(1000, advert(50));
  assert.deepEqual(logs(fx), ['(VI_1) start preempt delay (2.000000)']);
  assert.equal(armed(fx, 'masterDown'), 1000 + 3609.375);
  fx = d.at(2000, advert(50));
  assert.equal(armed(fx, 'masterDown'), 2000 + 3609.375, 'still within the delay');
  fx = d.at(3000, advert(50));
  assert.deepEqual(logs(fx), ['(VI_1) received lower priority (50) advert from 10.0.0.2 - discarding']);
  assert.equal(armed(fx, 'masterDown'), undefined);
  fx = d.at(2000 + 3609.375, { type: 'timer', timer: 'masterDown' });
  assert.equal(d.inst.state, 'MASTER');
});

test('RFC 5798 §6.4.2 keepalived preempt_delay: an advert with priority >= ours stops the delay', () => {
  const d = new Driver(config({ preemptDelayMs: 2000 })).started(0);
  d.at(1000, advert(50));
  const fx = d.at(1500, advert(150));
  assert.deepEqual(logs(fx), ['(VI_1) stop preempt delay']);
  assert.equal(d.inst.preemptUntilMs, null);
});

test('RFC 5798 §6.4.2 keepalived preempt_delay: no delay when no lower-priority master is seen (plain timeout)', () => {
  const d = new Driver(config({ preemptDelayMs: 60_000 })).started(0);
  d.at(3609.375, { type: 'timer', timer: 'masterDown' });
  assert.equal(d.inst.state, 'MASTER');
});

test('RFC 5798 §6.4.2 adverts in FAULT are ignored (keepalived dispatcher)', () => {
  const d = new Driver(config()).started(0);
  d.at(10, { type: 'fault', reason: 'link down' });
  assert.deepEqual(d.at(20, advert(200)), []);
  assert.equal(d.inst.stats.advertRcvd, 0);
});

test('IPv6 sources are printed in RFC 5952 form', () => {
  const d = new Driver(config({ family: 'ipv6', sourceAddress: new Uint8Array(16) })).started(0);
  const src = new Uint8Array(16);
  src[0] = 0xfe;
  src[1] = 0x80;
  src[15] = 0x02;
  const fx = d.at(1, { type: 'advert', advert: { priority: 50, maxAdverIntCs: 100, source: src } });
  assert.deepEqual(logs(fx), ['(VI_1) received lower priority (50) advert from fe80::2 - discarding']);
});
