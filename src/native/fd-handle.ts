/**
 * @module Shared plumbing of the socket facades: fd ownership, readiness on the
 * libuv loop, a bounded drain loop, and a finalizer for sockets dropped unclosed.
 *
 * Readiness is level-triggered: each readable callback drains at most
 * {@link DRAIN_BUDGET} datagrams and returns, so one busy socket cannot hold the
 * loop (DESIGN principle 5); the watcher fires again on the next loop turn.
 */

import { META, META_INT32S, type NativeBinding, native, POLL_READABLE, POLL_WRITABLE } from './binding.js';
import { errnoError } from './errno-error.js';

/** Datagrams read per readable callback before yielding to the loop. */
export const DRAIN_BUDGET = 64;

/** Poll errors in a row with no pending socket error before the watcher gives up. */
const MAX_SILENT_POLL_ERRORS = 3;

/** Closes fds of facades that were garbage-collected without close(). A polled socket is never collected. */
const orphans = new FinalizationRegistry<number>((fd) => {
  try {
    native().close(fd);
  } catch {
    // Nothing to report to: the owner is gone.
  }
});

const sharedBuffers = new Map<number, Uint8Array>();

/**
 * The receive buffer of `size` bytes, shared by every socket that asks for that
 * size: drains are synchronous and copy each datagram out before any listener
 * runs, so one buffer serves all sockets and opening a socket allocates nothing big.
 */
export function receiveBuffer(size: number): Uint8Array {
  let buffer = sharedBuffers.get(size);
  if (buffer === undefined) {
    buffer = new Uint8Array(size);
    sharedBuffers.set(size, buffer);
  }
  return buffer;
}

/** Decoded receive metadata (see META in binding.ts), filled by recvmsg and read before any listener runs. */
export class RecvMeta {
  readonly ints = new Int32Array(META_INT32S);
  readonly bytes = new Uint8Array(this.ints.buffer);

  get(field: Exclude<keyof typeof META, 'sourceByteOffset' | 'destinationByteOffset'>): number {
    return this.ints[META[field]]!;
  }

  /** Copy of the source address bytes (4, 16 or the link-layer address length). */
  source(): Uint8Array {
    const len = this.get('addrLength');
    return this.bytes.slice(META.sourceByteOffset, META.sourceByteOffset + len);
  }

  /** Copy of the destination address from pktinfo, or null when the kernel sent none. */
  destination(): Uint8Array | null {
    const family = this.get('destinationFamily');
    if (family === 0) return null;
    const len = family === native().constants.AF_INET ? 4 : 16;
    return this.bytes.slice(META.destinationByteOffset, META.destinationByteOffset + len);
  }

  truncated(): boolean {
    return (this.get('flags') & native().constants.MSG_TRUNC) !== 0;
  }
}

let shared: RecvMeta | undefined;

/** The one RecvMeta all sockets share (same reasoning as receiveBuffer). */
export function recvMeta(): RecvMeta {
  shared ??= new RecvMeta();
  return shared;
}

/**
 * Owns one fd and its readiness watcher. `onReadable` is called from the loop
 * when the fd is readable and reading is on; it should call {@link FdHandle.drain}.
 * Writability is only watched while someone awaits {@link FdHandle.writable}.
 */
export class FdHandle {
  readonly #binding: NativeBinding;
  readonly #onReadable: () => void;
  readonly #onError: (err: Error) => void;
  #fd: number;
  #reading = false;
  /** Events the native watcher is armed for (0: stopped). */
  #armed = 0;
  #writeWaiters: Array<() => void> = [];
  #referenced = true;
  #silentPollErrors = 0;

  constructor(owner: object, fd: number, onReadable: () => void, onError: (err: Error) => void) {
    this.#binding = native();
    this.#fd = fd;
    this.#onReadable = onReadable;
    this.#onError = onError;
    orphans.register(owner, fd, this);
  }

  /** The descriptor; -1 once closed. */
  get fd(): number {
    return this.#fd;
  }

  get closed(): boolean {
    return this.#fd < 0;
  }

  /** True while readable events are delivered (between resume() and pause()). */
  get polling(): boolean {
    return this.#reading;
  }

  /** Throws when the fd is closed; returns it otherwise. */
  live(): number {
    if (this.#fd < 0) throw new Error('socket is closed');
    return this.#fd;
  }

  /** Starts (or keeps) watching for readability. */
  resume(): void {
    this.live();
    this.#reading = true;
    this.#arm();
  }

  /** Stops watching for readability; queued datagrams stay in the kernel until resume(). */
  pause(): void {
    if (this.#fd < 0) return;
    this.#reading = false;
    this.#arm();
  }

  /**
   * Resolves when the socket can take another datagram: the retry point after a
   * send failed with EAGAIN. Rejects if the socket is closed first.
   */
  writable(): Promise<void> {
    if (this.#fd < 0) return Promise.reject(new Error('socket is closed'));
    return new Promise<void>((resolve, reject) => {
      this.#writeWaiters.push(() => (this.#fd < 0 ? reject(new Error('socket is closed')) : resolve()));
      this.#arm();
    });
  }

  /** Whether an armed watcher keeps the event loop alive (default true, like dgram). */
  setReferenced(ref: boolean): void {
    this.#referenced = ref;
    if (this.#fd >= 0 && this.#armed !== 0) this.#binding.pollRef(this.#fd, ref);
  }

  /** Brings the native watcher in line with what is wanted. */
  #arm(): void {
    const want = (this.#reading ? POLL_READABLE : 0) | (this.#writeWaiters.length > 0 ? POLL_WRITABLE : 0);
    if (want === this.#armed || this.#fd < 0) return;
    if (want === 0) this.#binding.pollStop(this.#fd);
    else {
      this.#binding.pollStart(this.#fd, want, (status, events) => this.#ready(status, events));
      if (this.#armed === 0) this.#binding.pollRef(this.#fd, this.#referenced);
    }
    this.#armed = want;
  }

  #ready(status: number, events: number): void {
    if (this.#fd < 0) return;
    if (status < 0) {
      this.#pollError(status);
      return;
    }
    this.#silentPollErrors = 0;
    if ((events & POLL_WRITABLE) !== 0) this.#wakeWriters();
    if ((events & POLL_READABLE) !== 0 && this.#reading && this.#fd >= 0) this.#onReadable();
  }

  #wakeWriters(): void {
    const waiters = this.#writeWaiters;
    this.#writeWaiters = [];
    this.#arm();
    for (const wake of waiters) wake();
  }

  /**
   * libuv reports EPOLLERR as status UV_EBADF and stops the watcher. On our
   * sockets that means a pending socket error (netlink ENOBUFS after an overrun,
   * an ICMP error on a raw socket): read and clear it with SO_ERROR, report it,
   * re-arm, and read what is queued. Repeated errors with nothing pending stop
   * the socket with an error rather than spin.
   */
  #pollError(status: number): void {
    this.#armed = 0;
    const fd = this.#fd;
    let pending: number;
    try {
      const c = this.#binding.constants;
      pending = this.#binding.getIntOpt(fd, c.SOL_SOCKET, c.SO_ERROR);
    } catch (err) {
      this.#reading = false;
      this.#onError(err as Error);
      return;
    }
    if (pending !== 0) {
      this.#silentPollErrors = 0;
      this.#onError(errnoError('recvmsg', pending));
    } else if (++this.#silentPollErrors > MAX_SILENT_POLL_ERRORS) {
      this.#reading = false;
      this.#onError(new Error(`poll error ${status} on fd ${fd} with no socket error; stopped reading`));
      return;
    }
    if (this.#fd !== fd) return; // closed by an error listener
    this.#arm();
    if (this.#reading) this.#onReadable();
  }

  /**
   * Reads up to DRAIN_BUDGET datagrams into `buffer`, calling `deliver(bytes)` for
   * each while `meta` describes it. Stops early when the socket is closed from
   * inside `deliver`. A read error goes to the error callback and ends this round.
   * Returns how many datagrams it delivered (DRAIN_BUDGET: there may be more).
   */
  drain(buffer: Uint8Array, meta: RecvMeta, deliver: (bytes: number) => void): number {
    let i = 0;
    for (; i < DRAIN_BUDGET && this.#fd >= 0; i++) {
      let n: number;
      try {
        n = this.#binding.recvmsg(this.#fd, buffer, meta.ints);
      } catch (err) {
        this.#onError(err as Error);
        return i;
      }
      if (n < 0) return i;
      deliver(n);
    }
    return i;
  }

  /** Stops polling and closes the fd; pending writable() promises reject. Idempotent. */
  close(): boolean {
    if (this.#fd < 0) return false;
    const fd = this.#fd;
    this.#fd = -1;
    this.#reading = false;
    this.#armed = 0;
    orphans.unregister(this);
    this.#binding.close(fd);
    const waiters = this.#writeWaiters;
    this.#writeWaiters = [];
    for (const wake of waiters) wake();
    return true;
  }
}

/** A classic BPF program that accepts nothing: `ret #0` (struct sock_filter, host byte order). */
export function dropAllFilter(): Uint8Array {
  const prog = new Uint8Array(8);
  new Uint16Array(prog.buffer, 0, 1)[0] = 0x06; // BPF_RET | BPF_K
  new Uint32Array(prog.buffer, 4, 1)[0] = 0;
  return prog;
}
