/**
 * @module Datagrams queued for one sendmmsg call (native/msg.c): copied back to back
 * into one buffer, with their lengths and destinations in typed arrays, so a batch
 * makes no object per datagram. A master of 255 instances sends its adverts of one
 * wake-up this way: one system call instead of 255, and its backups find them queued
 * together instead of waking to each one as it arrives.
 */

import { native } from './binding.js';

/** Most datagrams per sendmmsg (native/msg.c KTS_SENDMMSG_MAX). */
export const SEND_BATCH_MAX = 64;
const DATA_BYTES = 64 * 1024;
const ADDRESS_BYTES = 16;

export class SendBatch {
  readonly #data = new Uint8Array(DATA_BYTES);
  readonly #lengths = new Int32Array(SEND_BATCH_MAX);
  readonly #addresses = new Uint8Array(SEND_BATCH_MAX * ADDRESS_BYTES);
  readonly #scopeIds = new Int32Array(SEND_BATCH_MAX);
  readonly #af: number;
  #count = 0;
  #used = 0;

  constructor(af: number) {
    this.#af = af;
  }

  get size(): number {
    return this.#count;
  }

  /** Whether `bytes` still fits (a datagram larger than the whole buffer never does). */
  fits(bytes: number): boolean {
    return this.#count < SEND_BATCH_MAX && this.#used + bytes <= DATA_BYTES;
  }

  /** Queues a copy of `data` for `address` (4 or 16 bytes); the caller checked fits(). */
  add(data: Uint8Array, address: Uint8Array, scopeId: number): void {
    const i = this.#count;
    this.#data.set(data, this.#used);
    this.#used += data.length;
    this.#lengths[i] = data.length;
    this.#addresses.set(address, i * ADDRESS_BYTES);
    this.#scopeIds[i] = scopeId;
    this.#count = i + 1;
  }

  /**
   * Sends what is queued on `fd` and empties the batch. Returns how many datagrams the
   * kernel refused (it stops at the first error, EAGAIN for a full send buffer), or
   * throws the first datagram's error.
   */
  flush(fd: number): number {
    const count = this.#count;
    if (count === 0) return 0;
    this.#count = 0;
    this.#used = 0;
    const sent = native().sendmmsg(
      fd,
      this.#af,
      this.#data,
      this.#lengths,
      this.#addresses,
      this.#scopeIds,
      count,
    );
    return count - sent;
  }

  /** Forgets what is queued (the socket closed). */
  clear(): void {
    this.#count = 0;
    this.#used = 0;
  }
}
