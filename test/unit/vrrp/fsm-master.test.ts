/**
 * @module Master state (RFC 5798 §6.4.3) with keepalived 2.2.7's additions
 * (vrrp.c `vrrp_state_master_rx`): forcing a new election on lower-priority adverts,
 * lower_prio_no_advert, higher_prio_send_advert, garp_lower_prio_*, owner conflicts.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advert, armed, config, Driver, ip4, logs, ofType } from './fixtures.js';

function master(overrides = {}) {
  return new Driver(config(overrides)).started(0, true);
}
const T = 10_000;

test('RFC 5798 §6.4.3 higher-priority advert: MASTER yields to BACKUP', () => {
  const d = master();
  const fx = d.at(T, advert(200));
  assert.deepEqual(logs(fx, false), [
    '(VI_1) Master received advert from 10.0.0.2 with higher priority 200, ours 100',
    '(VI_1) Entering BACKUP STATE',
  ]);
  assert.deepEqual(ofType(fx, 'removeVips'), [{ type: 'removeVips', accept: true }]);
  assert.equal(ofType(fx, 'sendAdvert').length, 0, 'RFC: no advert when yielding');
  assert.ok(fx.some((e) => e.type === 'cancelTimer' && e.timer === 'adver'));
  assert.equal(armed(fx, 'masterDown'), T + 3609.375);
  assert.deepEqual(ofType(fx, 'notify'), [
    { type: 'notify', from: 'MASTER', to: 'BACKUP', cause: 'higherPriorityAdvert' },
  ]);
  assert.equal(d.inst.stats.releaseMaster, 1);
  assert.equal(d.inst.vipsSet, false);
});

test('RFC 5798 §6.4.3 v3: the yielding master learns the new Master_Adver_Interval', () => {
  const d = master();
  const fx = d.at(T, advert(200, '10.0.0.2', 200));
  assert.ok(logs(fx).includes('(VI_1) advertisement interval updated from 1000ms to 2000ms by new master'));
  assert.equal(armed(fx, 'masterDown'), T + 6000 + 1218.75);
});

test('RFC 5798 §6.4.3 tie-break: equal priority from a higher primary address wins', () => {
  const d = master();
  const fx = d.at(T, advert(100, '10.0.0.9'));
  assert.deepEqual(logs(fx, false), [
    '(VI_1) Master received advert from 10.0.0.9 with same priority 100 but higher IP address than ours',
    '(VI_1) Entering BACKUP STATE',
  ]);
  assert.equal(d.inst.lastTransition?.cause, 'equalPriorityHigherAddress');
});

test('RFC 5798 §6.4.3 tie-break: equal priority from a lower address loses (keepalived forces an election)', () => {
  const d = master({ sourceAddress: ip4('10.0.0.5') });
  const fx = d.at(T, advert(100, '10.0.0.2'));
  assert.deepEqual(logs(fx, false), [
    '(VI_1) Received advert from 10.0.0.2 with lower priority 100, ours 100, forcing new election',
  ]);
  assert.equal(d.inst.state, 'MASTER');
});

test('RFC 5798 §6.4.3 tie-break compares addresses bytewise as unsigned numbers', () => {
  const d = master({ sourceAddress: ip4('10.0.0.100') });
  d.at(T, advert(100, '10.0.0.20'));
  assert.equal(d.inst.state, 'MASTER');
  d.at(T + 1, advert(100, '10.0.1.0'));
  assert.equal(d.inst.state, 'BACKUP');
});

test('RFC 5798 §6.4.3 keepalived: lower-priority advert while MASTER sends an advert at once and GARPs', () => {
  const d = master();
  const fx = d.at(T, advert(50));
  assert.deepEqual(logs(fx, false), [
    '(VI_1) Received advert from 10.0.0.2 with lower priority 50, ours 100, forcing new election',
  ]);
  assert.deepEqual(ofType(fx, 'sendAdvert'), [{ type: 'sendAdvert', priority: 100, adverIntCs: 100 }]);
  assert.equal(armed(fx, 'adver'), undefined, 'the Adver_Timer keeps its phase (keepalived restarts it)');
  assert.deepEqual(ofType(fx, 'sendGarp'), [{ type: 'sendGarp', repeat: 5, reason: 'lowerPrio' }]);
  assert.equal(armed(fx, 'garpLowerPrio'), T + 5000);
  assert.deepEqual(ofType(fx, 'notifyMasterRxLowerPri'), [
    { type: 'notifyMasterRxLowerPri', source: ip4('10.0.0.2') },
  ]);
  const later = d.at(T + 5000, { type: 'timer', timer: 'garpLowerPrio' });
  assert.deepEqual(later, [{ type: 'sendGarp', repeat: 5, reason: 'lowerPrioDelay' }]);
});

test('lower-priority adverts read at different times leave the Adver_Timer where it was', () => {
  const d = master();
  const due = d.inst.timers.adver;
  assert.ok(typeof due === 'number');
  for (const offset of [1, 7, 23]) {
    const fx = d.at(due - 500 + offset, advert(50));
    assert.equal(ofType(fx, 'sendAdvert').length, 1, 'the lower-priority master is still told off');
    assert.equal(d.inst.timers.adver, due);
  }
  const fx = d.at(due, { type: 'timer', timer: 'adver' });
  assert.equal(ofType(fx, 'sendAdvert').length, 1);
  assert.equal(d.inst.timers.adver, due + 1000);
});

test('keepalived lower_prio_no_advert: RFC behaviour, no extra advert, no timer restart', () => {
  const d = master({ lowerPrioNoAdvert: true });
  const fx = d.at(T, advert(50));
  assert.deepEqual(logs(fx, false), [
    '(VI_1) Received advert from 10.0.0.2 with lower priority 50, ours 100',
  ]);
  assert.equal(ofType(fx, 'sendAdvert').length, 0);
  assert.equal(armed(fx, 'adver'), undefined);
});

test('RFC 5798 §6.4.3 keepalived garp_lower_prio_repeat 0: no GARP on a lower-priority advert', () => {
  const base = config();
  const d = master({ garp: { ...base.garp, lowerPrioRepeat: 0 } });
  const fx = d.at(T, advert(50));
  assert.equal(ofType(fx, 'sendGarp').length, 0);
  assert.equal(armed(fx, 'garpLowerPrio'), undefined);
});

test('RFC 5798 §6.4.3 priority 0 received by MASTER: send an advert and reset the Adver_Timer', () => {
  const d = master();
  const fx = d.at(T, advert(0));
  assert.deepEqual(logs(fx), ['(VI_1) Master received priority 0 message']);
  assert.deepEqual(ofType(fx, 'sendAdvert'), [{ type: 'sendAdvert', priority: 100, adverIntCs: 100 }]);
  assert.equal(armed(fx, 'adver'), T + 1000);
  assert.equal(d.inst.state, 'MASTER');
});

test('RFC 5798 §6.4.3 keepalived higher_prio_send_advert: advertise once before yielding', () => {
  const d = master({ higherPrioSendAdvert: true });
  const fx = d.at(T, advert(200));
  assert.deepEqual(ofType(fx, 'sendAdvert'), [{ type: 'sendAdvert', priority: 100, adverIntCs: 100 }]);
  assert.equal(d.inst.state, 'BACKUP');
});

test('RFC 5798 §6.4.3 keepalived: two address owners - ours drops to 254 and yields', () => {
  const d = new Driver(config({ priority: 255, initialState: 'MASTER' })).started(0, true);
  const fx = d.at(T, advert(255, '10.0.0.2'));
  assert.deepEqual(logs(fx, false), [
    '(VI_1) CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority',
    '(VI_1) Master received advert from 10.0.0.2 with higher priority 255, ours 254',
    '(VI_1) Entering BACKUP STATE',
  ]);
  assert.equal(d.inst.effectivePriority, 254);
});

test('RFC 5798 §6.4.3 keepalived: equal priority advert carrying our own address is only warned about', () => {
  const d = master();
  const fx = d.at(T, advert(100, '10.0.0.1'));
  assert.deepEqual(logs(fx), [
    '(VI_1) WARNING - equal priority advert received from remote host with our IP address.',
  ]);
  assert.equal(d.inst.state, 'MASTER');
});

test('RFC 5798 §6.4.3 v3 MASTER advertises its own interval after having learnt another', () => {
  const d = new Driver(config()).started(0);
  d.at(100, advert(200, '10.0.0.2', 50));
  const fx = d.at(100 + 1804.687, { type: 'timer', timer: 'masterDown' });
  assert.ok(logs(fx).includes('(VI_1) changing advert interval from 500ms to locally configured 1000ms'));
  assert.equal(d.inst.masterAdverIntCs, 100);
  assert.equal(armed(fx, 'adver'), 100 + 1804.687 + 1000);
});
