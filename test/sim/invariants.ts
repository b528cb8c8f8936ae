/**
 * @module Running a scenario and checking the DESIGN invariants after the network heals:
 * exactly one master per VRID within Master_Down_Interval plus the worst delay (plus the
 * preempt_delay when one is configured), no healthy preempting backup outranking the
 * master once the protocol has had time to preempt, and no split brain that persists.
 */

import { LanSim } from './lan.js';
import { Prng } from './prng.js';
import type { Scenario, VridBounds } from './scenario.js';

export interface RunResult {
  readonly seed: number;
  readonly violations: readonly string[];
  readonly traceHash: number;
  readonly processed: number;
  /** Per VRID: time after healing at which the last not-exactly-one-master moment ended, ms. */
  readonly convergenceMs: readonly number[];
  readonly maxMasterDownMs: readonly number[];
}

function liveInstances(sim: LanSim, s: Scenario, vrid: number) {
  const out = [];
  for (let r = 0; r < s.routers.length; r++) {
    const inst = sim.instance(r, vrid);
    if (inst && !s.stopped.has(`${r}/${vrid}`)) out.push({ router: r, inst });
  }
  return out;
}

class Checker {
  readonly violations: string[] = [];
  readonly lastBadMs = new Map<number, number>();

  private readonly s: Scenario;

  constructor(s: Scenario) {
    this.s = s;
  }

  observe(sim: LanSim): void {
    if (sim.nowMs < this.s.healAtMs) return;
    for (const b of this.s.bounds) this.check(sim, b);
  }

  private check(sim: LanSim, b: VridBounds): void {
    const live = liveInstances(sim, this.s, b.vrid);
    if (live.length === 0) return;
    const masters = live.filter((x) => x.inst.state === 'MASTER');
    if (masters.length !== 1) this.lastBadMs.set(b.vrid, sim.nowMs);
    const t = sim.nowMs.toFixed(3);
    if (sim.nowMs >= b.oneMasterFromMs && masters.length !== 1) {
      const who = live.map((x) => `r${x.router}:${x.inst.state}/${x.inst.effectivePriority}`).join(' ');
      this.fail(`VRID ${b.vrid} at ${t} ms: ${masters.length} masters (${who})`);
    }
    const m = masters[0];
    if (sim.nowMs < b.settledFromMs || !m) return;
    for (const x of live) {
      const c = x.inst.config;
      if (x.inst.state === 'BACKUP' && c.preempt && x.inst.effectivePriority > m.inst.effectivePriority) {
        this.fail(
          `VRID ${b.vrid} at ${t} ms: master r${m.router} prio ${m.inst.effectivePriority} below preempting backup r${x.router} prio ${x.inst.effectivePriority}`,
        );
      }
      if (x.inst.state === 'FAULT' || x.inst.state === 'INIT')
        this.fail(`VRID ${b.vrid} at ${t}: r${x.router} ${x.inst.state}`);
    }
  }

  /** Adverts sent per VRID once settled: the one master, every Advertisement_Interval. */
  readonly settledAdverts = new Map<number, number>();

  countAdvert(sim: LanSim, vrid: number): void {
    const b = this.s.bounds.find((x) => x.vrid === vrid);
    if (!b || sim.nowMs < b.settledFromMs) return;
    this.settledAdverts.set(vrid, (this.settledAdverts.get(vrid) ?? 0) + 1);
  }

  /** RFC 5798 §6.4.3: a settled master advertises once per Advertisement_Interval, no more, no less. */
  checkAdvertRate(sim: LanSim): void {
    for (const b of this.s.bounds) {
      const m = liveInstances(sim, this.s, b.vrid).find((x) => x.inst.state === 'MASTER');
      if (!m) continue;
      const expected = (this.s.endMs - b.settledFromMs) / (m.inst.config.adverIntCs * 10);
      const got = this.settledAdverts.get(b.vrid) ?? 0;
      if (Math.abs(got - expected) > 2) {
        this.fail(`VRID ${b.vrid}: ${got} adverts once settled, expected about ${expected.toFixed(1)}`);
      }
    }
  }

  private fail(msg: string): void {
    if (this.violations.length < 5) this.violations.push(msg);
  }
}

/** Run one seeded scenario to its end and collect violations. */
export function runScenario(s: Scenario): RunResult {
  const net = (nowMs: number) => (nowMs < s.healAtMs ? s.chaos : s.healthy);
  const sim = new LanSim(s.routers, net, s.partitions, new Prng(s.seed ^ 0x5eed));
  for (const c of s.controls) sim.control(c.atMs, c.router, c.vrid, c.control);
  const checker = new Checker(s);
  sim.onEffect = (_router, vrid, e) => {
    if (e.type === 'sendAdvert') checker.countAdvert(sim, vrid);
  };
  // A healthy run needs a few thousand events; far more means adverts answer adverts forever.
  if (!sim.run(s.endMs, (x) => checker.observe(x), 200_000)) {
    checker.violations.push(`event storm: 200000 events before ${sim.nowMs.toFixed(3)} ms`);
  } else {
    checker.checkAdvertRate(sim);
  }
  return {
    seed: s.seed,
    violations: checker.violations,
    traceHash: sim.traceHash,
    processed: sim.processed,
    convergenceMs: s.bounds.map((b) =>
      Math.max(0, (checker.lastBadMs.get(b.vrid) ?? s.healAtMs) - s.healAtMs),
    ),
    maxMasterDownMs: s.bounds.map((b) => b.maxMasterDownMs),
  };
}
