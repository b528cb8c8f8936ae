/**
 * @module keepalived's signals as a table: SIGTERM/SIGINT stop, SIGHUP reload, SIGUSR1 data
 * dump, SIGUSR2 stats dump, and the real-time ones Node cannot catch itself (through the
 * native signalfd): SIGJSON (SIGRTMIN+2) JSON dump, SIGSTATS_CLEAR (SIGRTMAX-1) clear
 * the counters. SIGTERM and SIGINT also send the armed priority-0 adverts from their
 * handler (src/native/stop-send.ts). `install` returns the function that removes every handler.
 */

import { onRealtimeSignal, realtimeSignals } from '../native/index.js';
import { installStopSends } from '../native/stop-send.js';

export interface SignalHandlers {
  readonly stop: (signal: string) => void;
  readonly reload: () => void;
  readonly dumpData: () => void;
  readonly dumpStats: () => void;
  readonly dumpJson: () => void;
  readonly clearStats: () => void;
}

export function installSignals(h: SignalHandlers, onError: (e: Error) => void): () => void {
  const table: [NodeJS.Signals, () => void][] = [
    ['SIGTERM', () => h.stop('SIGTERM')],
    ['SIGINT', () => h.stop('SIGINT')],
    ['SIGHUP', h.reload],
    ['SIGUSR1', h.dumpData],
    ['SIGUSR2', h.dumpStats],
  ];
  for (const [sig, fn] of table) process.on(sig, fn);
  const disposers: (() => void)[] = [];
  try {
    // After the listeners: the stop sends go in front of the handler that wakes the loop.
    disposers.push(installStopSends());
  } catch (e) {
    onError(new Error(`stop signals send no advert from their handler: ${(e as Error).message}`));
  }
  try {
    const rt = realtimeSignals();
    disposers.push(onRealtimeSignal(rt.SIGJSON, h.dumpJson));
    disposers.push(onRealtimeSignal(rt.SIGSTATS_CLEAR, h.clearStats));
  } catch (e) {
    onError(new Error(`real-time signals unavailable: ${(e as Error).message}`));
  }
  return () => {
    for (const d of disposers) d();
    for (const [sig, fn] of table) process.off(sig, fn);
  };
}
