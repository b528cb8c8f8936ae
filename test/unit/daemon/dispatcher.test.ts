/**
 * The dispatcher maps each engine effect to its port in order: a started MASTER instance
 * and its shutdown, through the real engine, recorded by fake ports.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dispatchEffects, type EffectPorts, EffectSequencer } from '../../../src/daemon/dispatcher.js';
import { createInstance, type InstanceConfig, step } from '../../../src/vrrp/index.js';

const config: InstanceConfig = {
  name: 'VI_1',
  vrid: 51,
  version: 2,
  family: 'ipv4',
  priority: 255,
  adverIntCs: 100,
  preempt: true,
  preemptDelayMs: 0,
  initialState: 'MASTER',
  sourceAddress: Uint8Array.from([10, 0, 0, 1]),
  accept: true,
  downTimerAdverts: 3,
  lowerPrioNoAdvert: false,
  higherPrioSendAdvert: false,
  garp: {
    masterDelayMs: 5000,
    masterRepeat: 5,
    masterRefreshMs: 0,
    masterRefreshRepeat: 1,
    lowerPrioDelayMs: 0,
    lowerPrioRepeat: 0,
  },
};

function recorder() {
  const calls: string[] = [];
  const ports: EffectPorts = {
    sendAdvert: (p, i) => calls.push(`advert ${p} ${i}`),
    armTimer: (t) => calls.push(`arm ${t}`),
    cancelTimer: (t) => calls.push(`cancel ${t}`),
    addVips: () => calls.push('addVips'),
    removeVips: () => calls.push('removeVips'),
    sendGarp: (r) => calls.push(`garp ${r}`),
    notify: (s, p) => calls.push(`notify ${s} ${p}`),
    notifyMasterRxLowerPri: () => calls.push('rxLower'),
    log: (t, d) => calls.push(`${d ? 'detail' : 'log'} ${t}`),
  };
  return { calls, ports };
}

describe('dispatchEffects', () => {
  test('becoming MASTER then shutting down: adverts, VIPs, GARP, notify, logs in engine order', () => {
    const { calls, ports } = recorder();
    let inst = createInstance(config);
    for (const [event, now] of [
      [{ type: 'start' as const }, 0],
      [{ type: 'timer' as const, timer: 'masterDown' as const }, 10_000],
      [{ type: 'shutdown' as const }, 11_000],
    ] as const) {
      const r = step(inst, event, now);
      inst = r.instance;
      const before = calls.length;
      dispatchEffects(r.effects, inst, ports);
      assert.equal(
        calls.length - before,
        r.effects.filter((e) => !(e.type === 'notify' && e.to === 'INIT')).length,
      );
    }
    const master = calls.indexOf('log (VI_1) Entering MASTER STATE');
    assert.ok(master >= 0, calls.join('\n'));
    assert.ok(calls.slice(master).includes('addVips'));
    assert.ok(calls.includes('notify MASTER 255'));
    assert.ok(calls.some((c) => c.startsWith('garp ')));
    const stop = calls.indexOf('notify STOP 255');
    assert.ok(stop > master);
    assert.ok(calls.slice(master).includes('advert 0 100'), 'priority 0 advert on shutdown');
    assert.ok(calls.lastIndexOf('removeVips') > master);
  });
});

describe('EffectSequencer', () => {
  /** A real backup of `config` at priority 254, given a priority-0 advert: Skew_Time, then the takeover. */
  function backupSteps() {
    const backup = { ...config, priority: 254, initialState: 'BACKUP' as const };
    let inst = step(createInstance(backup), { type: 'start' }, 0).instance;
    const source = Uint8Array.from([10, 0, 0, 2]);
    const prio0 = step(inst, { type: 'advert', advert: { priority: 0, maxAdverIntCs: 100, source } }, 1000);
    inst = prio0.instance;
    const due = inst.timers.masterDown!;
    const takeover = step(inst, { type: 'timer', timer: 'masterDown' }, due);
    return { prio0, takeover };
  }

  test("a timer already due runs after the step's adverts and timers, before its log lines; logs stay in step order", async () => {
    const { calls, ports } = recorder();
    const { prio0, takeover } = backupSteps();
    let overdue = false;
    const seq = new EffectSequencer({
      get overdue() {
        return overdue;
      },
      fireOverdue: () => {
        if (!overdue) return;
        overdue = false;
        seq.perform(takeover.effects, takeover.instance, ports);
      },
    });
    const armingPorts: EffectPorts = {
      ...ports,
      armTimer: (t, at) => {
        ports.armTimer(t, at);
        overdue = true;
      },
    };
    seq.perform(prio0.effects, prio0.instance, armingPorts);
    assert.deepEqual(calls, ['arm masterDown'], 'only the urgent effects inside the callback');
    await Promise.resolve();
    const takeoverAdvert = calls.indexOf('advert 254 100');
    const prio0Line = calls.indexOf('detail (VI_1) Backup received priority 0 advertisement');
    const masterLine = calls.indexOf('log (VI_1) Entering MASTER STATE');
    assert.ok(takeoverAdvert > 0 && prio0Line > takeoverAdvert, calls.join('\n'));
    assert.ok(masterLine > prio0Line, "the takeover's lines after the priority-0 line");
    assert.ok(calls.indexOf('addVips') > masterLine);
  });

  test('without an overdue timer each step is performed in full at once', () => {
    const { calls, ports } = recorder();
    const { prio0 } = backupSteps();
    const seq = new EffectSequencer({ overdue: false, fireOverdue: () => assert.fail('nothing is overdue') });
    seq.perform(prio0.effects, prio0.instance, ports);
    const plain = recorder();
    dispatchEffects(prio0.effects, prio0.instance, plain.ports);
    assert.deepEqual(calls, plain.calls);
  });
});

describe('log lines before far timers', () => {
  const better = { priority: 255, maxAdverIntCs: 100, source: Uint8Array.from([10, 0, 0, 9]) };
  /** A MASTER of `config` at priority 254 given a better master's advert at `now`. */
  function yielding(now: number) {
    const master = { ...config, priority: 254 };
    let inst = step(createInstance(master), { type: 'start' }, 0).instance;
    inst = step(inst, { type: 'timer', timer: 'masterDown' }, inst.timers.masterDown ?? 0).instance;
    assert.equal(inst.state, 'MASTER');
    return step(inst, { type: 'advert', advert: better }, now);
  }

  test('a MASTER yielding to a better advert writes its lines (flushed) before its timers, VIPs and notify', () => {
    const { calls, ports } = recorder();
    const withClock: EffectPorts = { ...ports, nowMs: () => 10_000, flushLog: () => calls.push('flush') };
    const r = yielding(10_000);
    dispatchEffects(r.effects, r.instance, withClock);
    const line = calls.indexOf('log (VI_1) Entering BACKUP STATE');
    const flush = calls.indexOf('flush');
    const firstTimer = calls.findIndex((c) => c.startsWith('arm ') || c.startsWith('cancel '));
    assert.ok(line >= 0 && flush > line && firstTimer > flush, calls.join('\n'));
    assert.ok(calls.indexOf('arm masterDown') > flush && calls.indexOf('removeVips') > firstTimer);
    assert.equal(calls.length, r.effects.filter((e) => !(e.type === 'notify' && e.to === 'INIT')).length + 1);
    // The same step through the sequencer, nothing overdue: the same order.
    const seqCalls = recorder();
    const seq = new EffectSequencer({ overdue: false, fireOverdue: () => assert.fail('nothing is overdue') });
    seq.perform(r.effects, r.instance, {
      ...seqCalls.ports,
      nowMs: () => 10_000,
      flushLog: () => seqCalls.calls.push('flush'),
    });
    assert.deepEqual(seqCalls.calls, calls);
  });

  test('a timer due within 20 ms (Skew_Time after priority 0) is armed before the lines, as without a clock', () => {
    const backup = { ...config, priority: 254, initialState: 'BACKUP' as const };
    let inst = step(createInstance(backup), { type: 'start' }, 0).instance;
    const source = Uint8Array.from([10, 0, 0, 2]);
    const prio0 = step(inst, { type: 'advert', advert: { priority: 0, maxAdverIntCs: 100, source } }, 1000);
    inst = prio0.instance;
    assert.ok((inst.timers.masterDown ?? 0) - 1000 < 20, 'Skew_Time at v2 1 s, priority 254');
    const clocked = recorder();
    dispatchEffects(prio0.effects, inst, { ...clocked.ports, nowMs: () => 1000 });
    const plain = recorder();
    dispatchEffects(prio0.effects, inst, plain.ports);
    assert.deepEqual(clocked.calls, plain.calls);
    assert.ok(
      clocked.calls.indexOf('arm masterDown') < clocked.calls.findIndex((c) => c.includes('priority 0')),
    );
  });
});

describe('adverts queued under a cork', () => {
  /** An instance of `c` started at 0 and MASTER once its Master_Down_Timer fired, through the real engine. */
  function master(c: InstanceConfig = config) {
    const started = step(createInstance(c), { type: 'start' }, 0).instance;
    const inst = step(
      started,
      { type: 'timer', timer: 'masterDown' },
      started.timers.masterDown ?? 0,
    ).instance;
    assert.equal(inst.state, 'MASTER');
    return inst;
  }

  test('leave before the lines and slower effects of any step; a plain advert step leaves them queued', () => {
    const { calls, ports } = recorder();
    const corked: EffectPorts = { ...ports, sendQueuedAdverts: () => calls.push('sendQueued') };
    let inst = master();
    // One wake-up: the Adver_Timer, then the GARP timer due with it (a master continued after SIGSTOP).
    const adver = step(inst, { type: 'timer', timer: 'adver' }, 5_100);
    inst = adver.instance;
    const seq = new EffectSequencer({ overdue: false, fireOverdue: () => assert.fail('nothing is overdue') });
    seq.perform(adver.effects, inst, corked);
    assert.deepEqual(calls, ['advert 255 100', 'arm adver'], 'a plain advert step: queued, no send');
    const garp = step(inst, { type: 'timer', timer: 'garpMasterDelay' }, 5_100);
    assert.ok(garp.effects.some((e) => e.type === 'sendGarp'));
    seq.perform(garp.effects, garp.instance, corked);
    assert.deepEqual(calls.slice(2), ['sendQueued', 'garp 5'], 'the queued advert leaves before the GARPs');

    // A lower-priority advert: its own advert, then the queue sent, then its line and GARPs.
    calls.length = 0;
    const lower = { priority: 100, maxAdverIntCs: 100, source: Uint8Array.from([10, 0, 0, 2]) };
    const withGarp = { ...config, garp: { ...config.garp, lowerPrioRepeat: 2 } };
    const rx = step(master(withGarp), { type: 'advert', advert: lower }, 1_000);
    dispatchEffects(rx.effects, rx.instance, { ...corked, nowMs: () => 1_000 });
    const sent = calls.indexOf('sendQueued');
    assert.ok(calls.indexOf('advert 255 100') < sent, calls.join('\n'));
    assert.ok(sent < calls.findIndex((c) => c.startsWith('log ')), calls.join('\n'));
    assert.ok(sent < calls.indexOf('garp 2'), calls.join('\n'));
  });
});
