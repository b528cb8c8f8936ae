/**
 * @module Performs one instance's engine effects through ports the daemon
 * provides (sockets, netlink, timers, scripts, log). No protocol decisions here: the
 * engine decided; this only maps each effect to its port. Ports are an interface so
 * tests record effects with fakes.
 */

import type { InstanceState, TimerName, VrrpEffect } from '../vrrp/index.js';

/** What one instance can do to the world. */
export interface EffectPorts {
  sendAdvert(priority: number, adverIntCs: number): void;
  armTimer(timer: TimerName, atMs: number): void;
  cancelTimer(timer: TimerName): void;
  addVips(): void;
  removeVips(): void;
  sendGarp(repeat: number): void;
  /** A state change to MASTER, BACKUP, FAULT or STOP, with the priority to report. */
  notify(state: 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP', priority: number): void;
  notifyMasterRxLowerPri(source: Uint8Array): void;
  log(text: string, detail: boolean): void;
}

/**
 * Performs `effects` (produced by a step that left the instance as `after`). Adverts and
 * timers go first, in engine order; then the rest (log lines, VIPs, GARP, notify), in
 * engine order: a priority-0 advert's Skew_Time (78 µs at 0.01 s) must not start after
 * its log line is formatted and written, nor a takeover's advert wait for one.
 */
export function dispatchEffects(
  effects: readonly VrrpEffect[],
  after: InstanceState,
  ports: EffectPorts,
): void {
  for (const e of effects) {
    if (e.type === 'sendAdvert') ports.sendAdvert(e.priority, e.adverIntCs);
    else if (e.type === 'armTimer') ports.armTimer(e.timer, e.atMs);
    else if (e.type === 'cancelTimer') ports.cancelTimer(e.timer);
  }
  for (const e of effects) {
    switch (e.type) {
      case 'sendAdvert':
      case 'armTimer':
      case 'cancelTimer':
        break;
      case 'addVips':
        ports.addVips();
        break;
      case 'removeVips':
        ports.removeVips();
        break;
      case 'sendGarp':
        ports.sendGarp(e.repeat);
        break;
      case 'notify':
        if (e.to !== 'INIT') ports.notify(e.to, after.effectivePriority);
        break;
      case 'notifyMasterRxLowerPri':
        ports.notifyMasterRxLowerPri(e.source);
        break;
      case 'log':
        ports.log(e.text, e.detail);
        break;
    }
  }
}
