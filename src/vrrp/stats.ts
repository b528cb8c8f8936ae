/**
 * @module Per-instance VRRP-MIB (RFC 2787 vrrpRouterStatsTable) and VRRPv3-MIB (RFC 6527)
 * counters, maintained as a pure reducer over the engine's events and effects, like
 * keepalived's `vrrp_stats` (become_master, release_master, advert_rcvd, advert_sent,
 * pri_zero_rcvd, pri_zero_sent, ...). Receive-path drop counters live with the decoder.
 */

import type { MasterReason, VrrpEffect, VrrpEvent } from './types.js';

export interface VrrpStats {
  /** vrrpStatsBecomeMaster / vrrpv3StatisticsMasterTransitions. */
  readonly becomeMaster: number;
  /** keepalived release_master: times MASTER was left. */
  readonly releaseMaster: number;
  /** vrrpStatsAdvertiseRcvd (adverts handed to the engine in BACKUP or MASTER). */
  readonly advertRcvd: number;
  /** keepalived advert_sent. */
  readonly advertSent: number;
  /** vrrpStatsPriorityZeroPktsRcvd. */
  readonly priZeroRcvd: number;
  /** vrrpStatsPriorityZeroPktsSent (keepalived counts one per shutdown/fault, not per packet). */
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

/** Counters driven by an accepted incoming event (called only in BACKUP/MASTER). */
export function countEvent(stats: VrrpStats, event: VrrpEvent): VrrpStats {
  if (event.type !== 'advert') return stats;
  const zero = event.advert.priority === 0 ? 1 : 0;
  return { ...stats, advertRcvd: stats.advertRcvd + 1, priZeroRcvd: stats.priZeroRcvd + zero };
}

/** Counters driven by the effects of one step. */
export function countEffects(stats: VrrpStats, effects: readonly VrrpEffect[]): VrrpStats {
  let advertSent = stats.advertSent;
  for (const e of effects) if (e.type === 'sendAdvert') advertSent++;
  return advertSent === stats.advertSent ? stats : { ...stats, advertSent };
}

/** Apply named increments. */
export function bump(
  stats: VrrpStats,
  field: 'becomeMaster' | 'releaseMaster' | 'priZeroSent' | 'advertIntervalErrors',
): VrrpStats {
  return { ...stats, [field]: stats[field] + 1 };
}
