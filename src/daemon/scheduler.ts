/**
 * @module Real timers for the engine's `armTimer` / `cancelTimer` effects, deadlines on
 * the monotonic clock. Node timers count whole milliseconds of a cached loop time, so a
 * `setTimeout` may fire up to about a millisecond early or late against
 * `performance.now()`. Two ways to meet a deadline:
 * - precise (default): an early firing waits out the last sub-millisecond on
 *   `setImmediate` turns (the loop still polls I/O), so the callback runs within
 *   microseconds of the deadline and never before it. Used where the deadline is the
 *   protocol (Master_Down_Timer: a takeover after priority 0 is Skew_Time, 78 µs at
 *   0.01 s), and rare enough that the short spin costs nothing.
 * - with `slackMs`: a firing at most that early runs at once and is told the deadline
 *   as its time (Adver_Timer: no second wake-up, no drift from re-arming).
 * Re-arming a key to a later deadline keeps its Node timer (a Master_Down_Timer is
 * pushed back on every advert): the timer fires at the old deadline and waits again for
 * the rest, so a backup does not churn a timer object per advert. Late firings are
 * measured (`maxLateMs`) for the status report.
 */

import type { Clock } from '../io/clock.js';

/** The timer API the scheduler uses: setTimeout's shape, injectable for tests. */
export interface TimerApi {
  set(cb: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
  /** Runs `cb` on the next loop turn, after I/O (setImmediate); without it, `set` is used. */
  soon?(cb: () => void): unknown;
  clearSoon?(handle: unknown): void;
}

export const nodeTimers: TimerApi = {
  set: (cb, delayMs) => setTimeout(cb, delayMs),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
  soon: (cb) => setImmediate(cb),
  clearSoon: (h) => clearImmediate(h as NodeJS.Immediate),
};

/** Below this remainder a precise timer stops using setTimeout (ms granularity) and waits on loop turns. */
const SPIN_BELOW_MS = 1;

/** A timer's callback gets the time to act at: now, or the deadline when fired within its slack. */
export type TimerCallback = (nowMs: number) => void;

export interface ArmOptions {
  /** Fire up to this many ms before the deadline, reporting the deadline as the time (default 0). */
  readonly slackMs?: number;
}

interface Entry {
  /** Armed (false once fired or cancelled: the entry stays for the key's next arm). */
  armed: boolean;
  atMs: number;
  fire: TimerCallback;
  slackMs: number;
  handle: unknown;
  /** The handle is a setImmediate (cleared with clearSoon). */
  spinning: boolean;
  /** When the pending Node timer is due (ms, monotonic; it may fire about 1 ms either side). */
  dueMs: number;
  /** This entry's wake-up, made once: an advert re-arms its key every interval. */
  readonly wake: () => void;
}

export class Scheduler {
  readonly #clock: Clock;
  readonly #timers: TimerApi;
  readonly #entries = new Map<string, Entry>();
  #armed = 0;
  /** Worst lateness seen, ms. */
  maxLateMs = 0;
  fired = 0;

  constructor(clock: Clock, timers: TimerApi = nodeTimers) {
    this.#clock = clock;
    this.#timers = timers;
  }

  /** Arms (or re-arms) `key` to call `fire` at `atMs`. */
  arm(key: string, atMs: number, fire: TimerCallback, options?: ArmOptions): void {
    const slackMs = options?.slackMs ?? 0;
    let e = this.#entries.get(key);
    if (e?.armed && !e.spinning && e.dueMs <= atMs - slackMs) {
      // The pending timer wakes before the new deadline: keep it, it waits again for the rest.
      e.atMs = atMs;
      e.fire = fire;
      e.slackMs = slackMs;
      return;
    }
    if (e === undefined) {
      const entry: Entry = {
        armed: false,
        atMs,
        fire,
        slackMs,
        handle: null,
        spinning: false,
        dueMs: 0,
        wake: () => this.#wake(entry),
      };
      e = entry;
      this.#entries.set(key, e);
    }
    if (e.armed) this.#clearHandle(e);
    else {
      e.armed = true;
      this.#armed++;
    }
    e.atMs = atMs;
    e.fire = fire;
    e.slackMs = slackMs;
    this.#schedule(e, this.#clock.nowMs());
  }

  #schedule(entry: Entry, now: number): void {
    const remaining = entry.atMs - now;
    if (entry.slackMs === 0 && remaining < SPIN_BELOW_MS && this.#timers.soon !== undefined) {
      entry.spinning = true;
      entry.dueMs = now;
      entry.handle = this.#timers.soon(entry.wake);
      return;
    }
    // Aimed at the deadline itself: a timer with slack then fires within it, early or late.
    const delay = Math.max(0, remaining);
    entry.spinning = false;
    entry.dueMs = now + delay;
    entry.handle = this.#timers.set(entry.wake, delay);
  }

  #wake(entry: Entry): void {
    if (!entry.armed) return;
    const now = this.#clock.nowMs();
    // Never early beyond the slack: the engine ignores a timer that is not due yet, and
    // the timer would be lost (it is not re-armed).
    if (now < entry.atMs - entry.slackMs) {
      this.#schedule(entry, now);
      return;
    }
    this.#disarm(entry);
    this.fired++;
    this.maxLateMs = Math.max(this.maxLateMs, now - entry.atMs);
    entry.fire(Math.max(now, entry.atMs));
  }

  #disarm(e: Entry): void {
    e.armed = false;
    e.handle = null;
    this.#armed--;
  }

  #clearHandle(e: Entry): void {
    if (e.spinning) (this.#timers.clearSoon ?? this.#timers.clear)(e.handle);
    else this.#timers.clear(e.handle);
  }

  cancel(key: string): void {
    const e = this.#entries.get(key);
    if (e === undefined || !e.armed) return;
    this.#clearHandle(e);
    this.#disarm(e);
  }

  /** Cancels and forgets every key starting with `prefix` (an instance's timers). */
  cancelPrefix(prefix: string): void {
    for (const key of [...this.#entries.keys()]) {
      if (!key.startsWith(prefix)) continue;
      this.cancel(key);
      this.#entries.delete(key);
    }
  }

  /** Deadline of an armed key, or null. */
  deadline(key: string): number | null {
    const e = this.#entries.get(key);
    return e?.armed ? e.atMs : null;
  }

  cancelAll(): void {
    for (const key of this.#entries.keys()) this.cancel(key);
    this.#entries.clear();
  }

  /** Armed timers. */
  get size(): number {
    return this.#armed;
  }
}
