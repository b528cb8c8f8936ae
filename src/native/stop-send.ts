/**
 * @module Datagrams the handler of a stop signal sends itself (native/stop-send.c). A
 * stopping VRRP master's priority-0 adverts leave when SIGTERM arrives, not when the
 * event loop gets to its listener: on this machine that saved ~0.4-0.9 ms of a graceful
 * failover. The daemon keeps the datagrams armed while an instance is MASTER
 * (RawIpSocket.armStopSend), and its shutdown sends only those that did not go out.
 */

import { constants } from 'node:os';
import { native, nativeAvailable } from './binding.js';

/** The signals that stop the daemon, as keepalived's. */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Puts the stop sends in front of each signal's handler; JS must listen for the signals
 * first (process.on), so the loop still hears of them. Returns the function that takes
 * them out again (call it before the listeners are removed).
 */
export function installStopSends(signals: readonly NodeJS.Signals[] = STOP_SIGNALS): () => void {
  const b = native();
  const numbers = signals.map((s) => constants.signals[s]);
  const done: number[] = [];
  try {
    for (const n of numbers) {
      b.stopSendInstall(n);
      done.push(n);
    }
  } catch (e) {
    for (const n of done) b.stopSendUninstall(n);
    throw e;
  }
  return () => {
    for (const n of done) b.stopSendUninstall(n);
  };
}

/** Whether a stop signal sent the datagram armed in `slot`. */
export function stopSendSent(slot: number): boolean {
  return native().stopSendSent(slot);
}

/** The handler's flag, viewed once (null: no addon, so no handler either). */
let flag: Int32Array | null | undefined;

/**
 * Whether a stop signal's handler has run: its priority-0 adverts may be on the wire
 * before the loop hears of the signal, and an advert sent after them would undo them
 * (a backup would wait a whole Master_Down_Interval again). No system call: a read.
 */
export function stopSignalled(): boolean {
  if (flag === undefined) flag = nativeAvailable() ? new Int32Array(native().stopSendFlag()) : null;
  return flag !== null && flag[0] !== 0;
}

/** Clears the flag (tests: a daemon exits after its stop signal). */
export function resetStopSignalled(): void {
  native().stopSendReset();
}
