/**
 * @module Real-time signal subscription through the addon's signalfd.
 *
 * Node cannot catch SIGRTMIN+n (`process.on('SIGRTMIN+2')` installs nothing and
 * the default action kills the process). keepalived uses two of them:
 * SIGJSON = SIGRTMIN+2 (write the JSON state dump) and SIGSTATS_CLEAR =
 * SIGRTMAX-1 (clear statistics). onRealtimeSignal() blocks the signal in the loop
 * thread, routes it into a signalfd read on the libuv loop, and calls listeners
 * with the sender's details. While at least one listener is registered the
 * signal no longer kills the process; when the last one leaves, the default
 * disposition comes back.
 *
 * Threads: signals are blocked only in the thread that subscribes; a signal that
 * the kernel hands to another thread (libuv's threadpool, V8 workers started
 * earlier) is re-queued to the loop thread by a tiny C handler, keeping pid, uid
 * and value but reporting code SI_QUEUE (-1). Child processes spawned through
 * libuv start with an empty signal mask. Subscribe from the main thread only.
 * Subscriptions do not keep the event loop alive (like `process.on('SIGHUP')`).
 */

import { native, POLL_READABLE } from './binding.js';

/** Sender details from struct signalfd_siginfo. */
export interface SignalInfo {
  /** Signal number. */
  readonly signo: number;
  /** Sending process id (0 when the kernel sent it). */
  readonly pid: number;
  /** Real user id of the sender. */
  readonly uid: number;
  /** si_code: SI_USER 0 for kill(2), SI_QUEUE -1 for sigqueue(3) or a re-queued signal. */
  readonly code: number;
  /** sigqueue(3) integer value (0 for kill). */
  readonly value: number;
}

/** Signal numbers as this libc defines them at run time, and keepalived's two. */
export interface RealtimeSignals {
  readonly SIGRTMIN: number;
  readonly SIGRTMAX: number;
  /** keepalived's SIGJSON: SIGRTMIN + 2. */
  readonly SIGJSON: number;
  /** keepalived's SIGSTATS_CLEAR: SIGRTMAX - 1. */
  readonly SIGSTATS_CLEAR: number;
}

export function realtimeSignals(): RealtimeSignals {
  const [min, max] = native().signalRange();
  return { SIGRTMIN: min, SIGRTMAX: max, SIGJSON: min + 2, SIGSTATS_CLEAR: max - 1 };
}

type Listener = (info: SignalInfo) => void;

const listeners = new Map<number, Set<Listener>>();
let signalFd = -1;

function dispatch(): void {
  const b = native();
  // A signal burst is bounded by the kernel's RT queue limit; drain it all.
  for (
    let info = b.signalRead(signalFd);
    info !== null;
    info = signalFd < 0 ? null : b.signalRead(signalFd)
  ) {
    for (const listener of [...(listeners.get(info.signo) ?? [])]) listener(info);
  }
}

function sync(): void {
  const b = native();
  if (listeners.size === 0) {
    if (signalFd >= 0) b.signalClose(signalFd);
    signalFd = -1;
    return;
  }
  if (signalFd < 0) {
    signalFd = b.signalOpen();
    b.pollStart(signalFd, POLL_READABLE, dispatch);
    b.pollRef(signalFd, false);
  }
  b.signalSet(signalFd, [...listeners.keys()]);
}

/**
 * Calls `listener` for every delivery of real-time signal `signo`
 * (SIGRTMIN..SIGRTMAX, else TypeError). Returns the unsubscribe function.
 */
export function onRealtimeSignal(signo: number, listener: Listener): () => void {
  const { SIGRTMIN, SIGRTMAX } = realtimeSignals();
  if (!Number.isInteger(signo) || signo < SIGRTMIN || signo > SIGRTMAX) {
    throw new TypeError(`signal ${signo} is not a real-time signal (${SIGRTMIN}..${SIGRTMAX})`);
  }
  let set = listeners.get(signo);
  if (set === undefined) {
    set = new Set();
    listeners.set(signo, set);
  }
  set.add(listener);
  try {
    sync();
  } catch (err) {
    remove(signo, listener);
    throw err;
  }
  return () => remove(signo, listener);
}

function remove(signo: number, listener: Listener): void {
  const set = listeners.get(signo);
  if (set === undefined || !set.delete(listener)) return;
  if (set.size === 0) listeners.delete(signo);
  sync();
}
