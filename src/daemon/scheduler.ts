/**
 * @module Real timers for the engine's `armTimer` / `cancelTimer` effects: one
 * `setTimeout` per armed (key, timer), deadlines on the monotonic clock. Node timers
 * have millisecond granularity and may fire a fraction of a millisecond early relative
 * to `performance.now()`; an early firing re-arms for the remainder, so the engine only
 * ever sees a due timer (it ignores stale ones anyway). Late firings are measured
 * (`maxLateMs`) for the status report.
 */

import type { Clock } from '../io/clock.js';

/** The timer API the scheduler uses: setTimeout's shape, injectable for tests. */
export interface TimerApi {
  set(cb: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
}

export const nodeTimers: TimerApi = {
  set: (cb, delayMs) => setTimeout(cb, delayMs),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

type Entry = { atMs: number; handle: unknown };

export class Scheduler {
  readonly #clock: Clock;
  readonly #timers: TimerApi;
  readonly #entries = new Map<string, Entry>();
  /** Worst lateness seen, ms. */
  maxLateMs = 0;
  fired = 0;

  constructor(clock: Clock, timers: TimerApi = nodeTimers) {
    this.#clock = clock;
    this.#timers = timers;
  }

  /** Arms (or re-arms) `key` to call `fire` at `atMs`. */
  arm(key: string, atMs: number, fire: () => void): void {
    this.cancel(key);
    const entry: Entry = { atMs, handle: null };
    const schedule = (): void => {
      const delay = Math.max(0, entry.atMs - this.#clock.nowMs());
      entry.handle = this.#timers.set(() => {
        if (this.#entries.get(key) !== entry) return;
        const now = this.#clock.nowMs();
        // Never early, not even by a microsecond: the engine ignores a timer that is not
        // due yet, and the timer would be lost (it is not re-armed).
        if (now < entry.atMs) {
          schedule();
          return;
        }
        this.#entries.delete(key);
        this.fired++;
        this.maxLateMs = Math.max(this.maxLateMs, now - entry.atMs);
        fire();
      }, delay);
    };
    this.#entries.set(key, entry);
    schedule();
  }

  cancel(key: string): void {
    const e = this.#entries.get(key);
    if (e === undefined) return;
    this.#timers.clear(e.handle);
    this.#entries.delete(key);
  }

  /** Cancels every key starting with `prefix` (an instance's timers). */
  cancelPrefix(prefix: string): void {
    for (const key of [...this.#entries.keys()]) if (key.startsWith(prefix)) this.cancel(key);
  }

  /** Deadline of an armed key, or null. */
  deadline(key: string): number | null {
    return this.#entries.get(key)?.atMs ?? null;
  }

  cancelAll(): void {
    for (const key of [...this.#entries.keys()]) this.cancel(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
