/**
 * @module Random but reproducible simulation scenarios: from one seed, 3..5 routers, 1..3
 * VRIDs (v2 or v3, random intervals), random priorities with ties, preempt, nopreempt,
 * preempt_delay, keepalived's advert options, an occasional address owner; then a chaotic
 * phase (loss, delay, jitter, duplication, partitions, faults, priority changes,
 * restarts, a permanent shutdown) that ends at `healAtMs`, after which the LAN is
 * lossless with bounded delay.
 */

import {
  type InstanceConfig,
  masterDownIntervalMs,
  normalizeConfig,
  type VrrpVersion,
} from '../../src/vrrp/index.js';
import type { Control, NetConditions, Partition, SimRouter } from './lan.js';
import { Prng } from './prng.js';

export interface ScheduledControl {
  readonly atMs: number;
  readonly router: number;
  readonly vrid: number;
  readonly control: Control;
}

export interface VridBounds {
  readonly vrid: number;
  /** Worst Master_Down_Interval of the VRID (priority 1), ms. */
  readonly maxMasterDownMs: number;
  /** From here on exactly one master: heal + Master_Down_Interval + worst delay (when no preempt_delay). */
  readonly oneMasterFromMs: number;
  /** From here on exactly one master and no healthy preempting backup outranks it. */
  readonly settledFromMs: number;
}

export interface Scenario {
  readonly seed: number;
  readonly routers: readonly SimRouter[];
  readonly partitions: readonly Partition[];
  readonly chaos: NetConditions;
  readonly healthy: NetConditions;
  readonly healAtMs: number;
  readonly controls: readonly ScheduledControl[];
  readonly bounds: readonly VridBounds[];
  /** Routers shut down for good, per VRID key `${router}/${vrid}`. */
  readonly stopped: ReadonlySet<string>;
  readonly endMs: number;
}

interface VridPlan {
  readonly vrid: number;
  readonly version: VrrpVersion;
  readonly adverIntCs: number;
  /** v3 only: each router picks its own interval; backups learn the master's (RFC 5798 §6.4.2). */
  readonly mixedIntervals: boolean;
  readonly ownerRouter: number;
}

const V3_INTERVALS_CS = [25, 50, 100, 150];

function planVrids(prng: Prng, nRouters: number, v6: boolean): VridPlan[] {
  const count = prng.int(1, 3);
  const plans: VridPlan[] = [];
  for (let i = 0; i < count; i++) {
    const version: VrrpVersion = v6 || prng.chance(0.5) ? 3 : 2;
    const adverIntCs = version === 2 ? prng.pick([100, 200]) : prng.pick(V3_INTERVALS_CS);
    const mixedIntervals = version === 3 && prng.chance(0.25);
    const ownerRouter = prng.chance(0.15) ? prng.int(0, nRouters - 1) : -1;
    plans.push({ vrid: 10 * i + prng.int(1, 9), version, adverIntCs, mixedIntervals, ownerRouter });
  }
  return plans;
}

function instanceConfig(prng: Prng, plan: VridPlan, router: number, address: Uint8Array): InstanceConfig {
  const owner = plan.ownerRouter === router;
  const delay = prng.chance(0.2) ? prng.int(1, 5) * 1000 : 0;
  const raw: InstanceConfig = {
    name: `VI_${plan.vrid}`,
    vrid: plan.vrid,
    version: plan.version,
    family: address.length === 16 ? 'ipv6' : 'ipv4',
    priority: owner ? 255 : prng.pick([50, 100, 100, 150, 200, 254]),
    adverIntCs: plan.mixedIntervals ? prng.pick(V3_INTERVALS_CS) : plan.adverIntCs,
    preempt: prng.chance(0.75),
    preemptDelayMs: delay,
    initialState: owner || prng.chance(0.3) ? 'MASTER' : 'BACKUP',
    sourceAddress: address,
    accept: true,
    downTimerAdverts: 3,
    lowerPrioNoAdvert: prng.chance(0.3),
    higherPrioSendAdvert: prng.chance(0.3),
    garp: {
      masterDelayMs: 5000,
      masterRepeat: 5,
      masterRefreshMs: 0,
      masterRefreshRepeat: 1,
      lowerPrioDelayMs: 5000,
      lowerPrioRepeat: 5,
    },
  };
  return normalizeConfig(raw).config;
}

/** Distinct router addresses: IPv4 10.0.0.x, or IPv6 link-local with random interface IDs. */
function addresses(prng: Prng, n: number, v6: boolean): Uint8Array[] {
  const used = new Set<string>();
  const out: Uint8Array[] = [];
  while (out.length < n) {
    const a = v6
      ? Uint8Array.from({ length: 16 }, (_, i) =>
          i === 0 ? 0xfe : i === 1 ? 0x80 : i < 8 ? 0 : prng.int(0, 3),
        )
      : Uint8Array.of(10, 0, 0, prng.int(1, 254));
    const k = a.join('.');
    if (used.has(k)) continue;
    used.add(k);
    out.push(a);
  }
  return out;
}

function partitions(prng: Prng, n: number, healAtMs: number): Partition[] {
  const out: Partition[] = [];
  for (let i = prng.int(0, 3); i > 0; i--) {
    const fromMs = prng.real(0, healAtMs);
    const toMs = Math.min(healAtMs, fromMs + prng.real(500, 10_000));
    out.push({ fromMs, toMs, side: Array.from({ length: n }, () => prng.int(0, 1)) });
  }
  return out;
}

function chaosControls(prng: Prng, routers: readonly SimRouter[], healAtMs: number, stopped: Set<string>) {
  const out: ScheduledControl[] = [];
  routers.forEach((r, router) => {
    for (const c of r.configs) {
      const vrid = c.vrid;
      out.push({ atMs: prng.real(0, 2000), router, vrid, control: { type: 'start' } });
      if (prng.chance(0.3)) {
        const a = prng.real(0, healAtMs);
        out.push({ atMs: a, router, vrid, control: { type: 'fault', reason: 'sim' } });
        out.push({
          atMs: prng.real(a, healAtMs),
          router,
          vrid,
          control: { type: 'faultCleared', reason: 'sim' },
        });
      }
      if (prng.chance(0.3)) {
        const priority = prng.int(1, 254);
        out.push({
          atMs: prng.real(0, healAtMs),
          router,
          vrid,
          control: { type: 'priorityChanged', priority },
        });
      }
      if (prng.chance(0.2)) {
        const a = prng.real(2000, healAtMs);
        out.push({ atMs: a, router, vrid, control: { type: 'shutdown' } });
        if (prng.chance(0.7))
          out.push({ atMs: prng.real(a, healAtMs), router, vrid, control: { type: 'restart' } });
        else stopped.add(`${router}/${vrid}`);
      }
    }
  });
  return out;
}

function boundsFor(plan: VridPlan, routers: readonly SimRouter[], healAtMs: number, maxDelayMs: number) {
  const members = routers.flatMap((r) => r.configs.filter((c) => c.vrid === plan.vrid));
  const maxAdverCs = Math.max(...members.map((c) => c.adverIntCs));
  const adverMs = maxAdverCs * 10;
  const mdi = masterDownIntervalMs(plan.version, 1, maxAdverCs);
  const maxPreemptDelay = Math.max(0, ...members.map((c) => c.preemptDelayMs));
  const mixed = members.some((c) => c.adverIntCs !== maxAdverCs);
  const tight = healAtMs + mdi + maxDelayMs;
  const settled = healAtMs + 2 * mdi + 2 * adverMs + 3 * maxDelayMs + maxPreemptDelay;
  return {
    vrid: plan.vrid,
    maxMasterDownMs: mdi,
    // With preempt_delay, or with v3 intervals that differ (a reordered stale advert can teach a
    // backup a shorter Master_Adver_Interval, RFC 5798 §6.4.2), a late takeover is legitimate.
    oneMasterFromMs: maxPreemptDelay > 0 || mixed ? settled : tight,
    settledFromMs: settled,
  };
}

export function makeScenario(seed: number): Scenario {
  const prng = new Prng(seed);
  const n = prng.int(3, 5);
  const v6 = prng.chance(0.3);
  const plans = planVrids(prng, n, v6);
  const addrs = addresses(prng, n, v6);
  const routers: SimRouter[] = addrs.map((address, i) => ({
    address,
    configs: plans.map((p) => instanceConfig(prng, p, i, address)),
  }));
  const healAtMs = prng.real(5000, 30_000);
  const minDelayMs = prng.real(0.05, 5);
  const maxDelayMs = minDelayMs + prng.real(0, 150);
  const chaos = { lossProb: prng.real(0, 0.5), dupProb: prng.real(0, 0.2), minDelayMs, maxDelayMs };
  const healthy = { lossProb: 0, dupProb: chaos.dupProb, minDelayMs, maxDelayMs };
  const stopped = new Set<string>();
  const controls = chaosControls(prng, routers, healAtMs, stopped);
  const bounds = plans.map((p) => boundsFor(p, routers, healAtMs, maxDelayMs));
  const endMs = Math.max(...bounds.map((b) => b.settledFromMs + Math.max(3 * b.maxMasterDownMs, 5000)));
  return {
    seed,
    routers,
    partitions: partitions(prng, n, healAtMs),
    chaos,
    healthy,
    healAtMs,
    controls,
    bounds,
    stopped,
    endMs,
  };
}
