/**
 * @module FAULT and STOP, keepalived's states beyond RFC 5798 §6.4, and shutdown with
 * priority 0 (RFC 5798 §6.4.3 "Shutdown").
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advert, armed, config, Driver, logs, ofType } from './fixtures.js';

test('RFC 5798 §6.4.3 shutdown of a MASTER: priority 0 advert, VIPs removed, STOP', () => {
  const d = new Driver(config()).started(0, true);
  const fx = d.at(9000, { type: 'shutdown' });
  assert.deepEqual(ofType(fx, 'sendAdvert'), [{ type: 'sendAdvert', priority: 0, adverIntCs: 100 }]);
  assert.deepEqual(logs(fx), ['(VI_1) sent 0 priority', '(VI_1) removing VIPs.']);
  assert.equal(ofType(fx, 'removeVips').length, 1);
  assert.deepEqual(ofType(fx, 'notify'), [{ type: 'notify', from: 'MASTER', to: 'STOP', cause: 'shutdown' }]);
  assert.equal(d.inst.state, 'STOP');
  assert.ok(Object.values(d.inst.timers).every((t) => t === null));
  assert.equal(d.inst.stats.priZeroSent, 1);
});

test('RFC 5798 §6.4.2 shutdown of a BACKUP sends nothing', () => {
  const d = new Driver(config()).started(0);
  const fx = d.at(100, { type: 'shutdown' });
  assert.equal(ofType(fx, 'sendAdvert').length, 0);
  assert.deepEqual(ofType(fx, 'notify'), [{ type: 'notify', from: 'BACKUP', to: 'STOP', cause: 'shutdown' }]);
});

test('RFC 5798 §6.4 keepalived fault while MASTER: "Entering FAULT STATE", priority 0 sent (twice, as keepalived), VIPs removed', () => {
  const d = new Driver(config()).started(0, true);
  const fx = d.at(9000, { type: 'fault', reason: 'eth0 down' });
  assert.deepEqual(logs(fx, false), ['(VI_1) Entering FAULT STATE']);
  assert.deepEqual(
    ofType(fx, 'sendAdvert').map((e) => e.priority),
    [0, 0],
  );
  assert.equal(ofType(fx, 'removeVips').length, 1);
  assert.deepEqual(ofType(fx, 'notify'), [{ type: 'notify', from: 'MASTER', to: 'FAULT', cause: 'fault' }]);
  assert.ok(Object.values(d.inst.timers).every((t) => t === null));
  assert.equal(d.inst.stats.releaseMaster, 1);
  assert.equal(d.inst.stats.priZeroSent, 1, 'keepalived counts the release, not the two packets');
});

test('RFC 5798 §6.4 keepalived fault while BACKUP: timer stopped; leaving FAULT goes to BACKUP with a fresh timer', () => {
  const d = new Driver(config()).started(0);
  d.at(100, advert(200, '10.0.0.2', 50));
  let fx = d.at(200, { type: 'fault', reason: 'track script' });
  assert.deepEqual(logs(fx), ['(VI_1) Entering FAULT STATE']);
  assert.ok(fx.some((e) => e.type === 'cancelTimer' && e.timer === 'masterDown'));
  fx = d.at(5000, { type: 'faultCleared', reason: 'track script' });
  assert.deepEqual(logs(fx), ['(VI_1) Entering BACKUP STATE']);
  assert.equal(d.inst.masterAdverIntCs, 100, 'Master_Adver_Interval reset to ours');
  assert.equal(armed(fx, 'masterDown'), 5000 + 3609.375);
  assert.deepEqual(ofType(fx, 'notify'), [
    { type: 'notify', from: 'FAULT', to: 'BACKUP', cause: 'faultCleared' },
  ]);
});

test('RFC 5798 §6.4 keepalived: an address owner leaving FAULT also goes to BACKUP first', () => {
  const d = new Driver(config({ priority: 255, initialState: 'MASTER' })).started(0, true);
  d.at(100, { type: 'fault', reason: 'x' });
  d.at(200, { type: 'faultCleared', reason: 'x' });
  assert.equal(d.inst.state, 'BACKUP');
});

test('RFC 5798 §6.4 keepalived: faulted before start gives "Entering FAULT STATE (init)"', () => {
  const d = new Driver(config());
  d.at(0, { type: 'fault', reason: 'eth0 down' });
  const fx = d.at(0, { type: 'start' });
  assert.deepEqual(logs(fx), ['(VI_1) removing VIPs.', '(VI_1) Entering FAULT STATE (init)']);
  assert.equal(d.inst.state, 'FAULT');
  assert.deepEqual(ofType(fx, 'notify'), [{ type: 'notify', from: 'INIT', to: 'FAULT', cause: 'start' }]);
});

test('RFC 5798 §6.4 a fault cleared before start leaves a normal start', () => {
  const d = new Driver(config());
  d.at(0, { type: 'fault', reason: 'x' });
  d.at(0, { type: 'faultCleared', reason: 'x' });
  d.at(0, { type: 'start' });
  assert.equal(d.inst.state, 'BACKUP');
});

test('RFC 5798 §6.4 a repeated fault while in FAULT changes nothing', () => {
  const d = new Driver(config()).started(0);
  d.at(1, { type: 'fault', reason: 'a' });
  assert.deepEqual(d.at(2, { type: 'fault', reason: 'b' }), []);
});
