/**
 * @module Hand-written LAN scenarios with exact expectations, complementing the random
 * runs: split brain healing, nopreempt, priority-0 fast takeover, several VRIDs with
 * different masters.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type InstanceConfig, normalizeConfig, skewTimeMs } from '../../src/vrrp/index.js';
import { LanSim, type Partition, type SimRouter } from './lan.js';
import { Prng } from './prng.js';

const LAN = { lossProb: 0, dupProb: 0, minDelayMs: 1, maxDelayMs: 2 };

function cfg(
  vrid: number,
  last: number,
  priority: number,
  extra: Partial<InstanceConfig> = {},
): InstanceConfig {
  return normalizeConfig({
    name: `VI_${vrid}`,
    vrid,
    version: 3,
    family: 'ipv4',
    priority,
    adverIntCs: 100,
    preempt: true,
    preemptDelayMs: 0,
    initialState: 'BACKUP',
    sourceAddress: Uint8Array.of(192, 0, 2, last),
    accept: true,
    downTimerAdverts: 3,
    lowerPrioNoAdvert: false,
    higherPrioSendAdvert: false,
    garp: {
      masterDelayMs: 0,
      masterRepeat: 1,
      masterRefreshMs: 0,
      masterRefreshRepeat: 1,
      lowerPrioDelayMs: 0,
      lowerPrioRepeat: 0,
    },
    ...extra,
  }).config;
}

function lan(routers: SimRouter[], partitions: Partition[] = []): LanSim {
  const sim = new LanSim(routers, () => LAN, partitions, new Prng(99));
  routers.forEach((r, i) => {
    for (const c of r.configs) sim.control(0, i, c.vrid, { type: 'start' });
  });
  return sim;
}

function router(last: number, ...configs: InstanceConfig[]): SimRouter {
  return { address: Uint8Array.of(192, 0, 2, last), configs };
}

function states(sim: LanSim, vrid: number): string[] {
  return sim.routers.map((_r, i) => sim.instance(i, vrid)?.state ?? '-');
}

test('RFC 5798 §6.4.3 split brain during a partition heals to the highest priority', () => {
  const parts: Partition[] = [{ fromMs: 10_000, toMs: 20_000, side: [0, 1, 1] }];
  const sim = lan([router(1, cfg(1, 1, 200)), router(2, cfg(1, 2, 150)), router(3, cfg(1, 3, 100))], parts);
  sim.run(9_000);
  assert.deepEqual(states(sim, 1), ['MASTER', 'BACKUP', 'BACKUP']);
  sim.run(19_000);
  assert.deepEqual(states(sim, 1), ['MASTER', 'MASTER', 'BACKUP'], 'each side elects a master');
  sim.run(20_000 + 1000 + 2 * 2);
  assert.deepEqual(states(sim, 1), ['MASTER', 'BACKUP', 'BACKUP'], 'one advert interval after healing');
});

test('RFC 5798 §6.4.2 nopreempt: a returning higher-priority router stays BACKUP', () => {
  const sim = lan([router(1, cfg(1, 1, 200, { preempt: false })), router(2, cfg(1, 2, 100))]);
  sim.control(5_000, 0, 1, { type: 'shutdown' });
  sim.control(10_000, 0, 1, { type: 'restart' });
  sim.run(30_000);
  assert.deepEqual(states(sim, 1), ['BACKUP', 'MASTER']);
});

test('RFC 5798 §6.4.2 preempting router takes the role back after Master_Down_Interval', () => {
  const sim = lan([router(1, cfg(1, 1, 200)), router(2, cfg(1, 2, 100))]);
  sim.control(5_000, 0, 1, { type: 'shutdown' });
  sim.control(10_000, 0, 1, { type: 'restart' });
  sim.run(10_000 + 3218.75 + 10);
  assert.deepEqual(states(sim, 1), ['MASTER', 'BACKUP']);
});

test('RFC 5798 §6.4.2 a master shutting down is replaced within Skew_Time (priority 0)', () => {
  const sim = lan([router(1, cfg(1, 1, 200)), router(2, cfg(1, 2, 100))]);
  sim.run(5_000);
  sim.control(5_000, 0, 1, { type: 'shutdown' });
  const skew = skewTimeMs(3, 100, 100);
  sim.run(5_000 + skew - 5);
  assert.deepEqual(states(sim, 1), ['STOP', 'BACKUP']);
  sim.run(5_000 + skew + 5);
  assert.deepEqual(states(sim, 1), ['STOP', 'MASTER']);
});

test('RFC 5798 §6.4 several VRIDs on one LAN elect independent masters', () => {
  const sim = lan([
    router(1, cfg(10, 1, 200), cfg(20, 1, 100)),
    router(2, cfg(10, 2, 100), cfg(20, 2, 200)),
    router(3, cfg(10, 3, 150), cfg(20, 3, 150)),
  ]);
  sim.run(10_000);
  assert.deepEqual(states(sim, 10), ['MASTER', 'BACKUP', 'BACKUP']);
  assert.deepEqual(states(sim, 20), ['BACKUP', 'MASTER', 'BACKUP']);
});

test('RFC 5798 §6.4.3 equal priorities: the highest primary address ends up MASTER', () => {
  const sim = lan([router(1, cfg(1, 1, 100)), router(9, cfg(1, 9, 100)), router(5, cfg(1, 5, 100))]);
  sim.run(10_000);
  assert.deepEqual(states(sim, 1), ['BACKUP', 'MASTER', 'BACKUP']);
});

test('RFC 5798 §6.4.3 keepalived: two address owners on one VRID settle on a single master at 254', () => {
  const owner = { initialState: 'MASTER' as const };
  const sim = lan([
    router(1, cfg(1, 1, 255, owner)),
    router(2, cfg(1, 2, 255, owner)),
    router(3, cfg(1, 3, 100)),
  ]);
  sim.run(20_000);
  const st = states(sim, 1);
  assert.equal(st.filter((x) => x === 'MASTER').length, 1, st.join());
  assert.equal(st[2], 'BACKUP');
  const masters = [0, 1].filter((i) => sim.instance(i, 1)?.state === 'MASTER');
  assert.equal(sim.instance(masters[0] ?? 0, 1)?.effectivePriority, 254);
});
