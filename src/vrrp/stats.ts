/**
 * @module Per-instance VRRP-MIB (RFC 2787 vrrpRouterStatsTable) and VRRPv3-MIB (RFC 6527)
 * counters as one pure reducer over each step's event and effects, like keepalived's
 * `vrrp_stats` (become_master, release_master, advert_rcvd, advert_sent, pri_zero_rcvd,
 * pri_zero_sent, advert_interval_err). Receive-path drop counters live with the decoder.
 */

import { isV2IntervalMismatch } from './election.js';
import type { InstanceState, MasterReason, VrrpEffect, VrrpEvent } from './types.js';

export interface VrrpStats {
  /** vrrpStatsBecomeMaster / vrrpv3StatisticsMasterTransitions. */
  readonly becomeMaster: number;
  /** keepalived release_master: MASTER left for BACKUP or FAULT. */
  readonly releaseMaster: number;
  /** vrrpStatsAdvertiseRcvd: adverts handed to the engine in BACKUP or MASTER. */
  readonly advertRcvd: number;
  /** keepalived advert_sent: every advert, priority 0 included. */
  readonly advertSent: number;
  /** vrrpStatsPriorityZeroPktsRcvd. */
  readonly priZeroRcvd: number;
  /** vrrpStatsPriorityZeroPktsSent: keepalived counts one per release (fault or shutdown), not per packet. */
  readonly priZeroSent: number;
  /** vrrpStatsAdvertiseIntervalErrors (v2 interval mismatch). */
  readonly advertIntervalErrors: number;
  /** vrrpv3StatisticsNewMasterReason of the last transition to MASTER. */
  readonly masterReason: MasterReason;
}

export const EMPTY_STATS: VrrpStats = {
  becomeMaster: 0,
  releaseMaster: 0,
  advertRcvd: 0,
  advertSent: 0,
  priZeroRcvd: 0,
  priZeroSent: 0,
  advertIntervalErrors: 0,
  masterReason: 'notMaster',
};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function countReceived(s: Mutable<VrrpStats>, before: InstanceState, event: VrrpEvent): void {
  if (event.type !== 'advert' || (before.state !== 'BACKUP' && before.state !== 'MASTER')) return;
  if (isV2IntervalMismatch(before.config, event.advert)) {
    s.advertIntervalErrors++;
    return;
  }
  s.advertRcvd++;
  if (event.advert.priority === 0) s.priZeroRcvd++;
}

function countEffect(s: Mutable<VrrpStats>, before: InstanceState, e: VrrpEffect): void {
  if (e.type === 'sendAdvert') s.advertSent++;
  if (e.type !== 'notify') return;
  if (e.to === 'MASTER') {
    s.becomeMaster++;
    s.masterReason = before.nextMasterReason;
  }
  if (e.from !== 'MASTER') return;
  if (e.to === 'BACKUP' || e.to === 'FAULT') s.releaseMaster++;
  if (e.to === 'FAULT' || e.to === 'STOP') s.priZeroSent++;
}

/**
 * A copy to count into, spelt out field by field: a spread copy goes through V8's slow
 * object-clone path, and the reducer runs on every advert of every instance.
 */
function copyStats(s: VrrpStats): Mutable<VrrpStats> {
  return {
    becomeMaster: s.becomeMaster,
    releaseMaster: s.releaseMaster,
    advertRcvd: s.advertRcvd,
    advertSent: s.advertSent,
    priZeroRcvd: s.priZeroRcvd,
    priZeroSent: s.priZeroSent,
    advertIntervalErrors: s.advertIntervalErrors,
    masterReason: s.masterReason,
  };
}

/** The reducer: counters after one `step` from `before` on `event` produced `effects`. */
export function reduceStats(
  before: InstanceState,
  event: VrrpEvent,
  effects: readonly VrrpEffect[],
): VrrpStats {
  const s = copyStats(before.stats);
  countReceived(s, before, event);
  for (let i = 0; i < effects.length; i++) countEffect(s, before, effects[i]!);
  return s;
}
