/**
 * @module Builders shared by the VRRP engine tests: configs, adverts, and a driver that
 * feeds events through `step` and collects effects.
 */

import {
  createInstance,
  type ElectionAdvert,
  type InstanceConfig,
  type InstanceState,
  step,
  type VrrpEffect,
  type VrrpEvent,
} from '../../../src/vrrp/index.js';

export function ip4(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

export function config(overrides: Partial<InstanceConfig> = {}): InstanceConfig {
  return {
    name: 'VI_1',
    vrid: 51,
    version: 3,
    family: 'ipv4',
    priority: 100,
    adverIntCs: 100,
    preempt: true,
    preemptDelayMs: 0,
    initialState: 'BACKUP',
    sourceAddress: ip4('10.0.0.1'),
    accept: true,
    downTimerAdverts: 3,
    lowerPrioNoAdvert: false,
    higherPrioSendAdvert: false,
    garp: {
      masterDelayMs: 5000,
      masterRepeat: 5,
      masterRefreshMs: 0,
      masterRefreshRepeat: 1,
      lowerPrioDelayMs: 5000,
      lowerPrioRepeat: 5,
    },
    ...overrides,
  };
}

export function advert(priority: number, source = '10.0.0.2', maxAdverIntCs = 100): VrrpEvent {
  const a: ElectionAdvert = { priority, maxAdverIntCs, source: ip4(source) };
  return { type: 'advert', advert: a };
}

/** Run events in order at the given times; return the final instance and the last step's effects. */
export class Driver {
  inst: InstanceState;
  effects: readonly VrrpEffect[] = [];

  constructor(cfg: InstanceConfig) {
    this.inst = createInstance(cfg);
  }

  at(nowMs: number, event: VrrpEvent): readonly VrrpEffect[] {
    const r = step(this.inst, event, nowMs);
    this.inst = r.instance;
    this.effects = r.effects;
    return r.effects;
  }

  /** Start, and (if `master`) fire the master-down timer to become MASTER. */
  started(nowMs = 0, master = false): this {
    this.at(nowMs, { type: 'start' });
    if (master) {
      const at = this.inst.timers.masterDown ?? 0;
      this.at(at, { type: 'timer', timer: 'masterDown' });
    }
    return this;
  }
}

export function logs(effects: readonly VrrpEffect[], withDetail = true): string[] {
  return effects.flatMap((e) => (e.type === 'log' && (withDetail || !e.detail) ? [e.text] : []));
}

export function ofType<T extends VrrpEffect['type']>(
  effects: readonly VrrpEffect[],
  type: T,
): Extract<VrrpEffect, { type: T }>[] {
  return effects.filter((e): e is Extract<VrrpEffect, { type: T }> => e.type === type);
}

export function armed(effects: readonly VrrpEffect[], timer: string): number | undefined {
  const a = effects.filter((e) => e.type === 'armTimer' && e.timer === timer);
  const last = a[a.length - 1];
  return last && last.type === 'armTimer' ? last.atMs : undefined;
}
