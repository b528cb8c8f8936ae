/**
 * @module keepalived 2.2.7's VRRP log lines, word for word (format strings read from
 * keepalived/vrrp/vrrp.c, vrrp_scheduler.c and vrrp_track.c, and present in the
 * /usr/sbin/keepalived 2.2.7 binary). `detail` marks lines keepalived only prints with
 * `-D/--log-detail` (`__test_bit(LOG_DETAIL_BIT, &debug)`); the daemon filters them.
 */

import { formatAddress } from './address.js';
import type { VrrpEffect } from './types.js';

type LogEffect = Extract<VrrpEffect, { type: 'log' }>;

function line(name: string, text: string, detail = false): LogEffect {
  return { type: 'log', detail, text: `(${name}) ${text}` };
}

export const logLine = {
  enteringMaster: (n: string) => line(n, 'Entering MASTER STATE'),
  enteringBackup: (n: string) => line(n, 'Entering BACKUP STATE'),
  enteringBackupInit: (n: string) => line(n, 'Entering BACKUP STATE (init)'),
  enteringFault: (n: string) => line(n, 'Entering FAULT STATE'),
  enteringFaultInit: (n: string) => line(n, 'Entering FAULT STATE (init)'),
  receiveTimeout: (n: string) => line(n, 'Receive advertisement timeout', true),
  backupPrioZero: (n: string) => line(n, 'Backup received priority 0 advertisement', true),
  masterPrioZero: (n: string) => line(n, 'Master received priority 0 message', true),
  sentPrioZero: (n: string) => line(n, 'sent 0 priority', true),
  settingVips: (n: string) => line(n, 'setting VIPs.', true),
  removingVips: (n: string) => line(n, 'removing VIPs.', true),
  startPreemptDelay: (n: string, delayMs: number) =>
    line(n, `start preempt delay (${preemptDelayText(delayMs)})`, true),
  stopPreemptDelay: (n: string) => line(n, 'stop preempt delay', true),
  lowerPrioDiscard: (n: string, prio: number, src: Uint8Array) =>
    line(n, `received lower priority (${prio}) advert from ${formatAddress(src)} - discarding`),
  masterRxLower: (n: string, src: Uint8Array, prio: number, ours: number, forcing: boolean) =>
    line(
      n,
      `Received advert from ${formatAddress(src)} with lower priority ${prio}, ours ${ours}` +
        (forcing ? ', forcing new election' : ''),
    ),
  masterRxHigher: (n: string, src: Uint8Array, prio: number, ours: number) =>
    line(n, `Master received advert from ${formatAddress(src)} with higher priority ${prio}, ours ${ours}`),
  masterRxSameHigherAddr: (n: string, src: Uint8Array, prio: number) =>
    line(
      n,
      `Master received advert from ${formatAddress(src)} with same priority ${prio} but higher IP address than ours`,
    ),
  equalPrioOurAddress: (n: string) =>
    line(n, 'WARNING - equal priority advert received from remote host with our IP address.'),
  ownerConflict: (n: string) =>
    line(
      n,
      'CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority',
    ),
  adverIntUpdated: (n: string, fromCs: number, toCs: number, byNew: boolean) =>
    line(
      n,
      `advertisement interval updated from ${fromCs * 10}ms to ${toCs * 10}ms by ${byNew ? 'new master' : 'master'}`,
      true,
    ),
  adverIntRestored: (n: string, fromCs: number, toCs: number) =>
    line(n, `changing advert interval from ${fromCs * 10}ms to locally configured ${toCs * 10}ms`, true),
  adverIntMismatch: (n: string, mineS: number, rcvdS: number) =>
    line(n, `advertisement interval mismatch mine=${mineS} sec rcv'd=${rcvdS} sec`),
  priorityChange: (n: string, from: number, to: number) =>
    line(n, `Changing effective priority from ${from} to ${to}`),
} as const;

/** keepalived prints the delay as `%lu.%6.6lu` seconds. */
function preemptDelayText(delayMs: number): string {
  const us = Math.round(delayMs * 1000);
  return `${Math.floor(us / 1_000_000)}.${String(us % 1_000_000).padStart(6, '0')}`;
}
