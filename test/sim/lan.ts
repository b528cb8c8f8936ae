/**
 * @module A virtual-time LAN for VRRP engines: a priority queue of timed deliveries and
 * timer firings, a seeded PRNG for loss, delay, jitter (hence reordering), duplication,
 * and partitions that end. Each router runs one pure engine per VRID; the simulator
 * performs their effects (adverts become deliveries, armTimer becomes a queue entry).
 */

import {
  createInstance,
  type ElectionAdvert,
  type InstanceConfig,
  type InstanceState,
  step,
  type TimerName,
  type VrrpEffect,
  type VrrpEvent,
} from '../../src/vrrp/index.js';
import type { Prng } from './prng.js';
import { TimedQueue } from './queue.js';

/** Network behaviour at a given time. */
export interface NetConditions {
  readonly lossProb: number;
  readonly dupProb: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

/** Routers on different sides cannot hear each other while the partition lasts. */
export interface Partition {
  readonly fromMs: number;
  readonly toMs: number;
  /** Side of each router, by router index. */
  readonly side: readonly number[];
}

export interface SimRouter {
  readonly address: Uint8Array;
  /** One instance config per VRID this router takes part in. */
  readonly configs: readonly InstanceConfig[];
}

/** Control actions injected by a scenario. `restart` replaces the instance with a fresh one. */
export type Control = VrrpEvent | { readonly type: 'restart' };

type Item =
  | { kind: 'timer'; router: number; vrid: number; timer: TimerName; gen: number }
  | { kind: 'deliver'; router: number; vrid: number; advert: ElectionAdvert }
  | { kind: 'control'; router: number; vrid: number; control: Control };

const key = (router: number, vrid: number): string => `${router}/${vrid}`;

export class LanSim {
  nowMs = 0;
  /** Number of queue items processed (for performance reports). */
  processed = 0;
  /** A running hash of every state change, to prove determinism. */
  traceHash = 0;
  /** Optional observer of every effect, e.g. to collect log lines. */
  onEffect: ((router: number, vrid: number, effect: VrrpEffect) => void) | null = null;
  private readonly queue = new TimedQueue<Item>();
  private readonly instances = new Map<string, InstanceState>();
  private readonly gens = new Map<string, number>();

  readonly routers: readonly SimRouter[];
  private readonly net: (nowMs: number) => NetConditions;
  private readonly partitions: readonly Partition[];
  private readonly prng: Prng;

  constructor(
    routers: readonly SimRouter[],
    net: (nowMs: number) => NetConditions,
    partitions: readonly Partition[],
    prng: Prng,
  ) {
    this.routers = routers;
    this.net = net;
    this.partitions = partitions;
    this.prng = prng;
    routers.forEach((r, i) => {
      for (const c of r.configs) this.instances.set(key(i, c.vrid), createInstance(c));
    });
  }

  /** Schedule a control event for one router's instance. */
  control(atMs: number, router: number, vrid: number, control: Control): void {
    this.queue.push(atMs, { kind: 'control', router, vrid, control });
  }

  instance(router: number, vrid: number): InstanceState | undefined {
    return this.instances.get(key(router, vrid));
  }

  /**
   * Process queue items up to `untilMs`, calling `observe` after each. Returns false if
   * `maxEvents` was reached first (an advert storm).
   */
  run(untilMs: number, observe?: (sim: LanSim) => void, maxEvents = Number.POSITIVE_INFINITY): boolean {
    for (;;) {
      if (this.processed >= maxEvents) return false;
      const t = this.queue.peekTime();
      if (t === undefined || t > untilMs) break;
      const next = this.queue.pop();
      if (!next) break;
      this.nowMs = next.atMs;
      this.processed++;
      if (this.handle(next.item) && observe) observe(this);
    }
    this.nowMs = untilMs;
    return true;
  }

  /** Returns true when an engine was stepped. */
  private handle(item: Item): boolean {
    if (item.kind === 'timer') {
      if (this.gens.get(`${key(item.router, item.vrid)}/${item.timer}`) !== item.gen) return false;
      return this.feed(item.router, item.vrid, { type: 'timer', timer: item.timer });
    }
    if (item.kind === 'deliver')
      return this.feed(item.router, item.vrid, { type: 'advert', advert: item.advert });
    if (item.control.type === 'restart') return this.restart(item.router, item.vrid);
    return this.feed(item.router, item.vrid, item.control);
  }

  private restart(router: number, vrid: number): boolean {
    const cfg = this.routers[router]?.configs.find((c) => c.vrid === vrid);
    if (!cfg) return false;
    this.instances.set(key(router, vrid), createInstance(cfg));
    for (const t of ['adver', 'masterDown', 'garpMasterDelay', 'garpLowerPrio'] as const)
      this.bump(router, vrid, t);
    return this.feed(router, vrid, { type: 'start' });
  }

  private feed(router: number, vrid: number, event: VrrpEvent): boolean {
    const inst = this.instances.get(key(router, vrid));
    if (!inst) return false;
    const r = step(inst, event, this.nowMs);
    this.instances.set(key(router, vrid), r.instance);
    if (r.instance.state !== inst.state) this.trace(router, vrid, r.instance.state);
    for (const e of r.effects) {
      this.onEffect?.(router, vrid, e);
      this.perform(router, vrid, r.instance, e);
    }
    return true;
  }

  private trace(router: number, vrid: number, state: string): void {
    const s = `${Math.round(this.nowMs * 1000)}|${router}|${vrid}|${state};`;
    let h = this.traceHash;
    for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
    this.traceHash = h;
  }

  private bump(router: number, vrid: number, timer: TimerName): number {
    const k = `${key(router, vrid)}/${timer}`;
    const gen = (this.gens.get(k) ?? 0) + 1;
    this.gens.set(k, gen);
    return gen;
  }

  private perform(router: number, vrid: number, inst: InstanceState, e: VrrpEffect): void {
    if (e.type === 'armTimer') {
      const gen = this.bump(router, vrid, e.timer);
      this.queue.push(Math.max(e.atMs, this.nowMs), { kind: 'timer', router, vrid, timer: e.timer, gen });
    } else if (e.type === 'cancelTimer') {
      this.bump(router, vrid, e.timer);
    } else if (e.type === 'sendAdvert') {
      const advert: ElectionAdvert = {
        priority: e.priority,
        maxAdverIntCs: e.adverIntCs,
        source: inst.config.sourceAddress,
      };
      this.broadcast(router, vrid, advert);
    }
  }

  private partitioned(a: number, b: number): boolean {
    const t = this.nowMs;
    return this.partitions.some((p) => t >= p.fromMs && t < p.toMs && p.side[a] !== p.side[b]);
  }

  private broadcast(from: number, vrid: number, advert: ElectionAdvert): void {
    const net = this.net(this.nowMs);
    this.routers.forEach((_r, to) => {
      if (to === from || !this.instances.has(key(to, vrid)) || this.partitioned(from, to)) return;
      if (this.prng.chance(net.lossProb)) return;
      const copies = this.prng.chance(net.dupProb) ? 2 : 1;
      for (let i = 0; i < copies; i++) {
        const delay = this.prng.real(net.minDelayMs, net.maxDelayMs);
        this.queue.push(this.nowMs + delay, { kind: 'deliver', router: to, vrid, advert });
      }
    });
  }
}
