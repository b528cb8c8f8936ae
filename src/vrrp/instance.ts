/**
 * @module Building an instance: keepalived's config-time adjustments of a `vrrp_instance`
 * (vrrp.c `vrrp_complete_instance`, with its warning texts) and the initial runtime state.
 */

import { VRRP_PRIO_OWNER } from './constants.js';
import { EMPTY_STATS } from './stats.js';
import { masterDownIntervalMs } from './timers.js';
import type { InstanceConfig, InstanceState } from './types.js';

export interface NormalizedConfig {
  readonly config: InstanceConfig;
  /** keepalived's config warnings, e.g. `(VI_1) Warning - nopreempt will not work with initial state MASTER - clearing`. */
  readonly warnings: readonly string[];
}

/**
 * Apply keepalived 2.2.7's preempt rules: an owner always preempts; `state MASTER` clears
 * nopreempt and preempt_delay; preempt_delay with nopreempt is reset.
 */
export function normalizeConfig(config: InstanceConfig): NormalizedConfig {
  const warnings: string[] = [];
  const n = config.name;
  let preempt = config.preempt;
  let preemptDelayMs = config.preemptDelayMs;
  if (config.priority === VRRP_PRIO_OWNER && !preempt) {
    warnings.push(`(${n}) nopreempt is incompatible with priority ${VRRP_PRIO_OWNER}. resetting nopreempt`);
    preempt = true;
  }
  if (config.initialState === 'MASTER') {
    if (!preempt) {
      warnings.push(`(${n}) Warning - nopreempt will not work with initial state MASTER - clearing`);
      preempt = true;
    }
    if (preemptDelayMs > 0) {
      warnings.push(`(${n}) Warning - preempt delay will not work with initial state MASTER - clearing`);
      preemptDelayMs = 0;
    }
  }
  if (preemptDelayMs > 0 && !preempt) {
    warnings.push(`(${n}) preempt_delay is incompatible with nopreempt mode - resetting`);
    preemptDelayMs = 0;
  }
  // Unchanged, the plan's config is used as it is rather than kept twice per instance.
  const same = preempt === config.preempt && preemptDelayMs === config.preemptDelayMs;
  return { config: same ? config : { ...config, preempt, preemptDelayMs }, warnings };
}

/** A fresh instance in INIT; feed it `{ type: 'start' }`. */
export function createInstance(config: InstanceConfig): InstanceState {
  return {
    config,
    state: 'INIT',
    effectivePriority: config.priority,
    basePriority: config.priority,
    masterAdverIntCs: config.adverIntCs,
    masterDownIntervalMs: masterDownIntervalMs(
      config.version,
      config.priority,
      config.adverIntCs,
      config.downTimerAdverts,
    ),
    timers: { adver: null, masterDown: null, garpMasterDelay: null, garpLowerPrio: null },
    preemptUntilMs: null,
    masterAddress: null,
    masterPriority: 0,
    faulted: false,
    garpRefreshDueMs: null,
    vipsSet: false,
    nextMasterReason: 'masterNoResponse',
    lastTransition: null,
    stats: EMPTY_STATS,
  };
}
