/**
 * @module Shared plumbing of the socket facades: fd ownership, readiness on the
 * libuv loop, a bounded drain loop, and a finalizer for sockets dropped unclosed.
 *
 * Readiness is level-triggered: each readable callback drains at most
 * {@link DRAIN_BUDGET} datagrams and returns, so one busy socket cannot hold the
 * loop (DESIGN principle 5); the watcher fires again on the next loop turn.
 */

import { META, META_INT32S, type NativeBinding, native, POLL_READABLE } from './binding.js';

/** Datagrams read per readable callback before yielding to the loop. */
export const DRAIN_BUDGET = 64;

/** Closes fds of facades that were garbage-collected without close(). A polled socket is never collected. */
const orphans = new FinalizationRegistry<number>((fd) => {
  try {
    native().close(fd);
  } catch {
    // Nothing to report to: the owner is gone.
  }
});

/** Decoded receive metadata (see META in binding.ts). One per socket, reused for every datagram. */
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

/**
 * Owns one fd. `onReadable` is called from the loop when the fd is readable; it
 * should call {@link FdHandle.drain}.
 */
export class FdHandle {
  readonly #binding: NativeBinding;
  readonly #onReadable: () => void;
  readonly #onError: (err: Error) => void;
  #fd: number;
  #polling = false;
  #referenced = true;

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

  get polling(): boolean {
    return this.#polling;
  }

  /** Throws when the fd is closed; returns it otherwise. */
  live(): number {
    if (this.#fd < 0) throw new Error('socket is closed');
    return this.#fd;
  }

  /** Starts (or keeps) watching for readability. */
  resume(): void {
    const fd = this.live();
    if (this.#polling) return;
    this.#binding.pollStart(fd, POLL_READABLE, (status) => {
      if (this.#fd < 0) return;
      if (status < 0) this.#onError(new Error(`poll error ${status} on fd ${fd}`));
      else this.#onReadable();
    });
    this.#polling = true;
    this.#binding.pollRef(fd, this.#referenced);
  }

  /** Stops watching; queued datagrams stay in the kernel until resume(). */
  pause(): void {
    if (this.#fd < 0 || !this.#polling) return;
    this.#binding.pollStop(this.#fd);
    this.#polling = false;
  }

  /** Whether an armed watcher keeps the event loop alive (default true, like dgram). */
  setReferenced(ref: boolean): void {
    this.#referenced = ref;
    if (this.#fd >= 0 && this.#polling) this.#binding.pollRef(this.#fd, ref);
  }

  /**
   * Reads up to DRAIN_BUDGET datagrams into `buffer`, calling `deliver(bytes)` for
   * each while `meta` describes it. Stops early when the socket is closed from
   * inside `deliver`. A read error goes to the error callback and ends this round.
   */
  drain(buffer: Uint8Array, meta: RecvMeta, deliver: (bytes: number) => void): void {
    for (let i = 0; i < DRAIN_BUDGET && this.#fd >= 0; i++) {
      let n: number;
      try {
        n = this.#binding.recvmsg(this.#fd, buffer, meta.ints);
      } catch (err) {
        this.#onError(err as Error);
        return;
      }
      if (n < 0) return;
      deliver(n);
    }
  }

  /** Stops polling and closes the fd. Idempotent. Returns false when it was already closed. */
  close(): boolean {
    if (this.#fd < 0) return false;
    const fd = this.#fd;
    this.#fd = -1;
    this.#polling = false;
    orphans.unregister(this);
    this.#binding.close(fd);
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
