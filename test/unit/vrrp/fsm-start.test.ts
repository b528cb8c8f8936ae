/**
 * @module Initialize state (RFC 5798 §6.4.1) as keepalived 2.2.7's `vrrp_init_state`
 * performs it, and the Backup → Master timeout (§6.4.2).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { armed, config, Driver, logs, ofType } from './fixtures.js';

test('RFC 5798 §6.4.1 start as BACKUP: "(init)" log, Master_Down_Timer = Master_Down_Interval', () => {
  const d = new Driver(config());
  const fx = d.at(1000, { type: 'start' });
  // Observed with keepalived 2.2.7 -D: the init path clears stale VIPs first.
  assert.deepEqual(logs(fx), ['(VI_1) removing VIPs.', '(VI_1) Entering BACKUP STATE (init)']);
  assert.deepEqual(logs(fx, false), ['(VI_1) Entering BACKUP STATE (init)']);
  assert.equal(ofType(fx, 'removeVips').length, 1);
  assert.equal(d.inst.state, 'BACKUP');
  assert.equal(armed(fx, 'masterDown'), 1000 + 3609.375);
  assert.deepEqual(ofType(fx, 'notify'), [{ type: 'notify', from: 'INIT', to: 'BACKUP', cause: 'start' }]);
  assert.equal(ofType(fx, 'sendAdvert').length, 0);
});

test('RFC 5798 §6.4.1 address owner (255) with state MASTER becomes MASTER at once (keepalived 1 µs timer)', () => {
  const d = new Driver(config({ priority: 255, initialState: 'MASTER' }));
  const fx = d.at(0, { type: 'start' });
  assert.deepEqual(logs(fx), [], 'keepalived logs nothing for the transient BACKUP');
  assert.equal(ofType(fx, 'notify').length, 0);
  assert.equal(armed(fx, 'masterDown'), 0.001);
  const up = d.at(0.001, { type: 'timer', timer: 'masterDown' });
  assert.deepEqual(logs(up, false), ['(VI_1) Entering MASTER STATE']);
  const kinds = up.filter((e) => e.type !== 'log').map((e) => e.type);
  assert.equal(kinds[0], 'sendAdvert', 'the advert goes out before the VIPs and GARPs');
  assert.deepEqual(ofType(up, 'sendAdvert'), [{ type: 'sendAdvert', priority: 255, adverIntCs: 100 }]);
  assert.equal(d.inst.state, 'MASTER');
  assert.equal(d.inst.stats.masterReason, 'preempted');
});

test('RFC 5798 §6.1 keepalived: state MASTER with priority < 255 starts as BACKUP and waits a full Master_Down_Interval', () => {
  const d = new Driver(config({ priority: 100, initialState: 'MASTER' }));
  const fx = d.at(0, { type: 'start' });
  assert.deepEqual(logs(fx, false), ['(VI_1) Entering BACKUP STATE (init)']);
  assert.equal(armed(fx, 'masterDown'), 3609.375);
});

test('RFC 5798 §6.1 keepalived: priority 255 with explicit state BACKUP does not take the 1 µs shortcut', () => {
  const d = new Driver(config({ priority: 255, initialState: 'BACKUP' }));
  const fx = d.at(0, { type: 'start' });
  assert.deepEqual(logs(fx, false), ['(VI_1) Entering BACKUP STATE (init)']);
  assert.equal(armed(fx, 'masterDown'), 3000 + 3.906);
});

test('RFC 5798 §6.4.2 Master_Down_Timer fires: "Receive advertisement timeout" then MASTER', () => {
  const d = new Driver(config()).started(0);
  const fx = d.at(3609.375, { type: 'timer', timer: 'masterDown' });
  assert.deepEqual(logs(fx), [
    '(VI_1) Receive advertisement timeout',
    '(VI_1) Entering MASTER STATE',
    '(VI_1) setting VIPs.',
  ]);
  assert.deepEqual(logs(fx, false), ['(VI_1) Entering MASTER STATE'], 'the timeout line is -D only');
  assert.deepEqual(ofType(fx, 'addVips'), [{ type: 'addVips', accept: true }]);
  assert.deepEqual(ofType(fx, 'sendGarp'), [{ type: 'sendGarp', repeat: 5, reason: 'master' }]);
  assert.equal(armed(fx, 'adver'), 3609.375 + 1000);
  assert.equal(armed(fx, 'garpMasterDelay'), 3609.375 + 5000);
  assert.deepEqual(ofType(fx, 'notify'), [
    { type: 'notify', from: 'BACKUP', to: 'MASTER', cause: 'masterDownTimer' },
  ]);
  assert.equal(d.inst.stats.becomeMaster, 1);
  assert.equal(d.inst.stats.masterReason, 'masterNoResponse');
});

test('RFC 5798 §6.4.3 Adver_Timer fires: send an advert and re-arm', () => {
  const d = new Driver(config()).started(0, true);
  const t = d.inst.timers.adver ?? 0;
  const fx = d.at(t, { type: 'timer', timer: 'adver' });
  assert.deepEqual(ofType(fx, 'sendAdvert'), [{ type: 'sendAdvert', priority: 100, adverIntCs: 100 }]);
  assert.equal(armed(fx, 'adver'), t + 1000);
});

test('RFC 5798 §6.4.1 keepalived garp_master_delay: a second GARP burst after the delay', () => {
  const d = new Driver(config()).started(0, true);
  const t = d.inst.timers.garpMasterDelay ?? 0;
  const fx = d.at(t, { type: 'timer', timer: 'garpMasterDelay' });
  assert.deepEqual(fx, [{ type: 'sendGarp', repeat: 5, reason: 'masterDelay' }]);
});

test('RFC 5798 §6.4.1 keepalived garp_master_delay 0: no second burst is scheduled', () => {
  const base = config();
  const d = new Driver(config({ garp: { ...base.garp, masterDelayMs: 0 } }));
  d.started(0, true);
  assert.equal(d.inst.timers.garpMasterDelay, null);
});

test('RFC 5798 §6.4.1 keepalived garp_master_refresh: refresh burst on the first advert after the refresh time', () => {
  const base = config();
  const d = new Driver(config({ garp: { ...base.garp, masterRefreshMs: 2500, masterRefreshRepeat: 2 } }));
  d.started(0, true);
  const start = d.inst.lastTransition?.atMs ?? 0;
  let fx = d.at(start + 1000, { type: 'timer', timer: 'adver' });
  fx = d.at(start + 2000, { type: 'timer', timer: 'adver' });
  assert.equal(ofType(fx, 'sendGarp').length, 0);
  fx = d.at(start + 3000, { type: 'timer', timer: 'adver' });
  assert.deepEqual(ofType(fx, 'sendGarp'), [{ type: 'sendGarp', repeat: 2, reason: 'refresh' }]);
});

test('RFC 5798 §6.2 a stale or early timer event is ignored', () => {
  const d = new Driver(config()).started(0);
  assert.deepEqual(d.at(10, { type: 'timer', timer: 'masterDown' }), []);
  assert.deepEqual(d.at(10, { type: 'timer', timer: 'adver' }), []);
  assert.equal(d.inst.state, 'BACKUP');
});

test('RFC 5798 §6.4 events before start and after shutdown change nothing', () => {
  const d = new Driver(config());
  assert.deepEqual(d.at(0, { type: 'timer', timer: 'masterDown' }), []);
  d.started(0);
  d.at(1, { type: 'shutdown' });
  assert.equal(d.inst.state, 'STOP');
  assert.deepEqual(d.at(2, { type: 'start' }), []);
  assert.deepEqual(d.at(2, { type: 'fault', reason: 'x' }), []);
});
