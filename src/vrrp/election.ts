/**
 * @module Election rules: how an incoming advertisement compares with us. Pure
 * classifications, no effects; receive.ts acts on them.
 *
 * - MASTER (RFC 5798 §6.4.3, keepalived `vrrp_state_master_rx`): a higher priority, or an
 *   equal priority from a higher primary address, wins; anything lower loses.
 * - BACKUP (RFC 5798 §6.4.2, keepalived `vrrp_state_backup`): with Preempt_Mode false, or a
 *   priority >= ours, or a running preempt_delay, the advert resets the Master_Down_Timer;
 *   otherwise it is discarded. keepalived compares no addresses in BACKUP.
 */

import { compareAddress } from './address.js';
import type { ElectionAdvert, InstanceConfig, InstanceState } from './types.js';

/** Outcome of an advert received while MASTER. */
export type MasterVerdict =
  | 'priorityZero'
  | 'ourAddress'
  | 'lower'
  | 'equalLowerAddress'
  | 'higher'
  | 'equalHigherAddress';

/** RFC 5798 §6.4.3 comparison, `prio` being our effective priority. */
export function masterVerdict(prio: number, ours: Uint8Array, advert: ElectionAdvert): MasterVerdict {
  if (advert.priority === 0) return 'priorityZero';
  if (advert.priority > prio) return 'higher';
  if (advert.priority < prio) return 'lower';
  const cmp = compareAddress(advert.source, ours);
  if (cmp === 0) return 'ourAddress';
  return cmp > 0 ? 'equalHigherAddress' : 'equalLowerAddress';
}

/** Does this verdict make us yield to the sender? */
export function yields(v: MasterVerdict): boolean {
  return v === 'higher' || v === 'equalHigherAddress';
}

/** Outcome of an advert received while BACKUP. */
export type BackupVerdict = 'priorityZero' | 'accept' | 'discardLower';

/**
 * RFC 5798 §6.4.2 with keepalived's preempt_delay: a lower-priority advert is still
 * accepted while the preempt delay has not started or has not yet expired.
 */
export function backupVerdict(inst: InstanceState, advert: ElectionAdvert, nowMs: number): BackupVerdict {
  if (advert.priority === 0) return 'priorityZero';
  const c = inst.config;
  if (!c.preempt || advert.priority >= inst.effectivePriority) return 'accept';
  if (c.preemptDelayMs > 0 && (inst.preemptUntilMs === null || inst.preemptUntilMs > nowMs)) return 'accept';
  return 'discardLower';
}

/** Is `a` a better master than `b` (priority, then address)? Used by the simulator's oracle. */
export function outranks(
  a: { priority: number; address: Uint8Array },
  b: { priority: number; address: Uint8Array },
): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  return compareAddress(a.address, b.address) > 0;
}

/** RFC 3768 §7.1: a v2 advert whose Adver Int differs from ours MUST be discarded. */
export function isV2IntervalMismatch(config: InstanceConfig, advert: ElectionAdvert): boolean {
  return config.version === 2 && advert.maxAdverIntCs !== config.adverIntCs;
}
