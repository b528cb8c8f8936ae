/**
 * @module Virtual-time LAN simulation of the VRRP engine (DESIGN testing ladder step 3).
 * Thousands of seeded runs; a failure prints its seed. Replay one with
 * `SIM_SEED=<seed> node --test dist/test/sim/lan.test.js`; change the count with SIM_RUNS.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenario } from './invariants.js';
import { makeScenario } from './scenario.js';

const RUNS = Number(process.env['SIM_RUNS'] ?? 2000);
const ONLY = process.env['SIM_SEED'];
const FIRST_SEED = 1;

test(`RFC 5798 §6.4 after healing: one master per VRID, preemption honoured (${ONLY ? `seed ${ONLY}` : `${RUNS} seeded runs`})`, () => {
  const seeds = ONLY ? [Number(ONLY)] : Array.from({ length: RUNS }, (_, i) => FIRST_SEED + i);
  const failures: string[] = [];
  let events = 0;
  let worstRatio = 0;
  for (const seed of seeds) {
    const r = runScenario(makeScenario(seed));
    events += r.processed;
    r.convergenceMs.forEach((c, i) => {
      worstRatio = Math.max(worstRatio, c / (r.maxMasterDownMs[i] ?? 1));
    });
    if (r.violations.length > 0) failures.push(`seed ${seed}: ${r.violations.join('; ')}`);
  }
  console.log(
    `sim: ${seeds.length} runs, ${events} events, worst convergence after heal = ${worstRatio.toFixed(2)} x Master_Down_Interval`,
  );
  if (failures.length > 0) {
    for (const f of failures.slice(0, 20)) console.log(`FAIL ${f}`);
    console.log(`replay: SIM_SEED=<seed> node --test dist/test/sim/lan.test.js`);
  }
  assert.equal(failures.length, 0, `${failures.length} failing seeds, first: ${failures[0]}`);
});

test('simulation is deterministic: the same seed gives the same trace', () => {
  for (const seed of [7, 42, 1234]) {
    const a = runScenario(makeScenario(seed));
    const b = runScenario(makeScenario(seed));
    assert.equal(a.traceHash, b.traceHash);
    assert.equal(a.processed, b.processed);
  }
});
