/**
 * @module Real timers for the engine's `armTimer` / `cancelTimer` effects, deadlines on
 * the monotonic clock. Node timers count whole milliseconds of a cached loop time, so a
 * `setTimeout` may fire up to about a millisecond early or late against
 * `performance.now()`. Two ways to meet a deadline:
 * - precise (default): the last stretch (FINE_LEAD_MS) is waited out on a
 *   microsecond timer (a timerfd, src/native/timer-fd.ts) that the loop sleeps on, and
 *   its last 0.2 ms (SPIN_WITHIN_MS) on the CPU, so the callback runs within
 *   microseconds of the deadline and never before it. Used
 *   where the deadline is the protocol (Master_Down_Timer: a takeover after priority 0
 *   is Skew_Time, 78 µs at 0.01 s). Without a fine timer (tests) the last
 *   sub-millisecond is waited out on `setImmediate` turns instead: exact too, but a
 *   spinning process is runnable, and on a busy machine it waits for a time slice
 *   where a sleeping one would be woken at once.
 * - with `slackMs`: a firing at most that early runs at once and is told the deadline
 *   as its time (Adver_Timer: no second wake-up, no drift from re-arming).
 * Entries waiting on Node share ONE Node timer, set to the earliest of them (the indexed
 * heap of src/check/due-heap.ts, shared with the check runner): a re-arm moves the entry
 * in the heap and makes no timer object (a backup pushes every Master_Down_Timer back on every advert, a master re-arms
 * every Adver_Timer every interval), and one wake-up fires every entry due by then,
 * including those that come due while it runs, as keepalived's timer thread does. With
 * 255 instances a timer per entry woke a backup at each pushed-back deadline and a
 * master at each of its instances' spread-out advert times. Late firings are measured
 * (`maxLateMs`) for the status report.
 */

import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { DueHeap } from '../check/due-heap.js';
import type { Clock } from '../io/clock.js';

/** The timer API the scheduler uses: setTimeout's shape, injectable for tests. */
export interface TimerApi {
  set(cb: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
  /** Runs `cb` on the next loop turn, after I/O (setImmediate); without it, `set` is used. */
  soon?(cb: () => void): unknown;
  clearSoon?(handle: unknown): void;
  /** Makes the scheduler's one microsecond-resolution timer (src/native/timer-fd.ts). */
  fine?(onExpire: () => void): FineTimer;
}

/** A one-shot timer with sub-millisecond resolution. */
export interface FineTimer {
  set(delayMs: number): void;
  clear(): void;
  close(): void;
}

export const nodeTimers: TimerApi = {
  set: (cb, delayMs) => setTimeout(cb, delayMs),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
  soon: (cb) => setImmediate(cb),
  clearSoon: (h) => clearImmediate(h as NodeJS.Immediate),
};

/** Below this remainder a precise timer leaves setTimeout (ms granularity) for the fine timer. */
const FINE_BELOW_MS = 3;

/**
 * How early a precise timer's setTimeout is aimed when a fine timer takes the rest: a
 * Node timer fires up to about a millisecond late against its loop's cached time, and
 * one that fires past the deadline has nothing left to wait for.
 */
const FINE_LEAD_MS = 2;

/** Without a fine timer: below this remainder a precise timer waits on loop turns. */
const SPIN_BELOW_MS = 1;

/**
 * A fine deadline this close is waited out on the CPU when the current callback returns,
 * not on the timerfd: a loop turn costs 0.15-0.5 ms on this machine, longer than this
 * (Skew_Time after priority 0 is 78 µs at 0.01 s; keepalived's own wake-up is ~0.1 ms).
 */
const SPIN_WITHIN_MS = 0.2;

/** Bound on the clock reads of one such wait (a clock that does not move: tests). */
const SPIN_MAX_READS = 100_000;

/** A fine expiry this close before a deadline counts as at it (clock rounding). */
const FINE_ROUNDING_MS = 0.005;

/** The key Scheduler.rehearse arms (no instance name starts with a NUL). */
const REHEARSAL_KEY = '\0rehearsal';

const ignore = (): void => {};

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
  /** The setImmediate handle ('soon' mode). */
  handle: unknown;
  /** How it waits: the shared Node timer (in the heap), setImmediate turns, or the fine timer. */
  mode: 'timeout' | 'soon' | 'fine';
  /** When it wants to be woken ('timeout': its heap key; Node may wake it about 1 ms either side). */
  at: number;
  /** Position in the heap of entries waiting on the Node timer, or -1. */
  heapIndex: number;
  /** This entry's wake-up on setImmediate turns, made once. */
  readonly wake: () => void;
}

export class Scheduler {
  readonly #clock: Clock;
  readonly #timers: TimerApi;
  readonly #entries = new Map<string, Entry>();
  /** Entries waiting on the fine timer, which is set to the earliest of them. */
  readonly #fineEntries = new Set<Entry>();
  readonly #fine: FineTimer | null;
  /** Entries waiting on the one Node timer, earliest wake first. */
  readonly #heap = new DueHeap<Entry>();
  /** The Node timer's handle and when it is due (it is never moved later: it wakes early instead). */
  #nodeHandle: unknown = null;
  #nodeDueMs = Number.POSITIVE_INFINITY;
  /** Inside #nodeWoke: arms leave the Node timer to it. */
  #waking = false;
  /**
   * Brackets the timers with slack that one wake-up fires in a row (Adver_Timers): the
   * daemon corks its VRRP channels so that their adverts go out in one system call.
   * A precise timer (a takeover) is never fired inside: its advert goes out at once.
   */
  slackedRun: { begin(): void; end(): void } | null = null;
  #armed = 0;
  /** Worst lateness seen, ms. */
  maxLateMs = 0;
  /** How late each wake-up of the Node timer ran after it was due, ns (the loop's delay). */
  readonly wakeLateness: RecordableHistogram = createHistogram();
  fired = 0;

  constructor(clock: Clock, timers: TimerApi = nodeTimers) {
    this.#clock = clock;
    this.#timers = timers;
    this.#fine = timers.fine?.(this.#fineWoke) ?? null;
  }

  /** Arms (or re-arms) `key` to call `fire` at `atMs`. */
  arm(key: string, atMs: number, fire: TimerCallback, options?: ArmOptions): void {
    const slackMs = options?.slackMs ?? 0;
    let e = this.#entries.get(key);
    if (e === undefined) {
      const entry: Entry = {
        armed: false,
        atMs,
        fire,
        slackMs,
        handle: null,
        mode: 'timeout',
        at: 0,
        heapIndex: -1,
        wake: () => this.#wake(entry),
      };
      e = entry;
      this.#entries.set(key, e);
    }
    if (e.armed && e.mode === 'timeout' && atMs - slackMs >= e.atMs - e.slackMs) {
      // Pushed back (a Master_Down_Timer on every advert): it only moves in the heap,
      // where its new wake time, later than the Node timer's, leaves that timer as it is.
      e.atMs = atMs;
      e.fire = fire;
      e.slackMs = slackMs;
      e.at = this.#wakeTime(e);
      this.#heap.set(e);
      return;
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

  /**
   * When an entry waiting on Node wants to be woken: a precise timer a little early, to
   * hand over to the fine timer; one with slack at the deadline itself (it fires within
   * the slack, early or late).
   */
  #wakeTime(e: Entry): number {
    return e.slackMs === 0 && this.#fine !== null ? e.atMs - FINE_LEAD_MS : e.atMs;
  }

  /** Whether a precise timer is close enough to its deadline to leave the Node timer. */
  #nearDeadline(e: Entry, now: number): boolean {
    if (e.slackMs !== 0) return false;
    const remaining = e.atMs - now;
    if (this.#fine !== null) return remaining < FINE_BELOW_MS;
    return remaining < SPIN_BELOW_MS && this.#timers.soon !== undefined;
  }

  #schedule(entry: Entry, now: number): void {
    const remaining = entry.atMs - now;
    const precise = entry.slackMs === 0;
    if (precise && this.#fine !== null && remaining < FINE_BELOW_MS) {
      entry.mode = 'fine';
      entry.at = entry.atMs;
      this.#fineEntries.add(entry);
      this.#setFine(now);
      return;
    }
    if (precise && this.#fine === null && remaining < SPIN_BELOW_MS && this.#timers.soon !== undefined) {
      entry.mode = 'soon';
      entry.at = now;
      entry.handle = this.#timers.soon(entry.wake);
      return;
    }
    entry.mode = 'timeout';
    entry.at = this.#wakeTime(entry);
    this.#heap.set(entry);
    this.#setNodeTimer(now);
  }

  /** Sets the Node timer to the earliest waiting entry if it is due later (or clears it: none waits). */
  #setNodeTimer(now: number): void {
    if (this.#waking) return;
    const first = this.#heap.peek();
    if (first === undefined) {
      this.#clearNodeTimer();
      return;
    }
    if (this.#nodeHandle !== null && this.#nodeDueMs <= first.at) return;
    this.#clearNodeTimer();
    const delay = Math.max(0, first.at - now);
    this.#nodeDueMs = now + delay;
    this.#nodeHandle = this.#timers.set(this.#nodeWoke, delay);
  }

  #clearNodeTimer(): void {
    if (this.#nodeHandle === null) return;
    this.#timers.clear(this.#nodeHandle);
    this.#nodeHandle = null;
    this.#nodeDueMs = Number.POSITIVE_INFINITY;
  }

  /** Bound on the entries one Node wake-up handles (each fired or handed over at most once, but callbacks arm). */
  static readonly #MAX_PER_WAKE = 100_000;

  /**
   * The Node timer fired: every waiting entry due by now is fired (or handed over to the
   * fine timer), earliest first, re-reading the clock so that entries coming due while
   * earlier ones run are fired in this wake-up too. Each is told the time the wake-up
   * began (or its deadline, if later), as the fine timer's expiry tells every entry it
   * fires one reading: 255 Master_Down_Timers fired late from here, each told its own
   * reading, took over (netlink, GARP, log lines) a fraction of a millisecond apart, and
   * their Adver_Timers stayed that far apart. Timers with slack share a reading across
   * wake-ups less than their slack apart (see #sharedNow).
   */
  readonly #nodeWoke = (): void => {
    const wokeAt = this.#clock.nowMs();
    this.wakeLateness.record(Math.max(1, Math.round((wokeAt - this.#nodeDueMs) * 1e6)));
    this.#nodeHandle = null;
    this.#nodeDueMs = Number.POSITIVE_INFINITY;
    this.#waking = true;
    let inRun = false;
    // Once a precise timer went on to the fine timer, the precise timers due after it
    // follow it there, even those whose deadline passed meanwhile: the fine timer tells
    // all it fires one reading. Fired from here, they would be told an earlier time than
    // it (255 Master_Down_Timers due together split into two groups of takeovers told
    // times 13-37 ms apart, and their adverts stayed that far apart).
    let handedOver = false;
    try {
      for (let i = 0; i < Scheduler.#MAX_PER_WAKE; i++) {
        const e = this.#heap.peek();
        if (e === undefined) break;
        const now = i === 0 ? wokeAt : this.#clock.nowMs();
        // Never early beyond the slack: the engine ignores a timer that is not due yet,
        // and the timer would be lost (it is not re-armed).
        const early = now < e.atMs - e.slackMs;
        if (early || (handedOver && e.slackMs === 0)) {
          // Woken early: a precise timer near its deadline goes on to the fine timer (or
          // loop turns); anything else, and everything after it, waits for the Node timer.
          // Due, but after one handed over: it follows that one (see handedOver).
          if (early && !this.#nearDeadline(e, now)) break;
          this.#heap.remove(e);
          this.#schedule(e, now);
          handedOver ||= e.mode === 'fine';
          continue;
        }
        this.#heap.remove(e);
        this.#disarm(e);
        this.fired++;
        this.maxLateMs = Math.max(this.maxLateMs, now - e.atMs);
        if (e.slackMs > 0 !== inRun && this.slackedRun !== null) {
          inRun = !inRun;
          if (inRun) this.slackedRun.begin();
          else this.slackedRun.end();
        }
        e.fire(Math.max(e.slackMs > 0 ? this.#sharedNow(wokeAt, e.slackMs) : wokeAt, e.atMs));
      }
    } finally {
      if (inRun) this.slackedRun?.end();
      this.#waking = false;
      this.#setNodeTimer(this.#clock.nowMs());
    }
  };

  /** A 'soon' entry's loop turn (no fine timer: tests). */
  #wake(entry: Entry): void {
    if (!entry.armed || entry.mode !== 'soon') return;
    const now = this.#clock.nowMs();
    if (now < entry.atMs) {
      this.#schedule(entry, now);
      return;
    }
    this.#disarm(entry);
    this.fired++;
    this.maxLateMs = Math.max(this.maxLateMs, now - entry.atMs);
    entry.fire(now);
  }

  /** The reading slacked timers are told (see #sharedNow), or NaN before the first. */
  #sharedMs = Number.NaN;

  /**
   * The time a slacked timer firing in a wake-up at `wokeAt` is told: the reading taken
   * when the wake-up began, or an earlier wake-up's if that is at most the slack older.
   * Timers handled one after another in a wake-up, each told its own clock reading,
   * would re-arm a little later each (255 Adver_Timers at 0.1 s take a few ms to
   * handle) and spread apart. Told one reading, as keepalived's timers are told its
   * loop's time_now, they re-arm together and stay together. Never earlier than a
   * timer's deadline (the caller takes the later of the two).
   */
  #sharedNow(wokeAt: number, slackMs: number): number {
    if (wokeAt - this.#sharedMs <= slackMs) return this.#sharedMs;
    this.#sharedMs = wokeAt;
    return wokeAt;
  }

  /**
   * Sets the fine timer to the earliest waiting entry, or clears it. A deadline already
   * passed (Skew_Time is shorter than handling the advert that set it, at 0.01 s) or
   * within SPIN_WITHIN_MS is delivered once the current callback returns, not a loop turn
   * later.
   */
  #setFine(now: number, queueWithin = true): void {
    const first = this.#firstFine();
    if (first === Number.POSITIVE_INFINITY) this.#fine?.clear();
    // The timerfd wakes the loop SPIN_WITHIN_MS early; the rest is waited out on the CPU.
    else if (first > now + SPIN_WITHIN_MS) this.#fine?.set(first - now - SPIN_WITHIN_MS);
    else if (!queueWithin && first > now) this.#fine?.set(first - now);
    else if (!this.#expiryQueued) {
      this.#fine?.clear();
      this.#expiryQueued = true;
      queueMicrotask(this.#queuedExpiry);
    }
  }

  #expiryQueued = false;
  readonly #queuedExpiry = () => this.fireOverdue();

  #firstFine(): number {
    let first = Number.POSITIVE_INFINITY;
    for (const e of this.#fineEntries) first = Math.min(first, e.atMs);
    return first;
  }

  /** Waits on the CPU for the earliest fine deadline if it is within SPIN_WITHIN_MS. */
  #spinToFirst(): void {
    const first = this.#firstFine();
    if (first - this.#clock.nowMs() > SPIN_WITHIN_MS) return;
    for (let i = 0; i < SPIN_MAX_READS && this.#clock.nowMs() < first; i++);
  }

  /** The timerfd expired (SPIN_WITHIN_MS before the earliest deadline). */
  readonly #fineWoke = (): void => {
    this.#spinToFirst();
    this.#fineExpired();
  };

  /** Whether a precise timer due now or within SPIN_WITHIN_MS waits for the current callback to return. */
  get overdue(): boolean {
    return this.#expiryQueued;
  }

  /** Fires now (or once due) the precise timers `overdue` reports, instead of at the end of the current callback. */
  fireOverdue(): void {
    if (!this.#expiryQueued) return;
    this.#expiryQueued = false;
    this.#spinToFirst();
    this.#fineExpired();
  }

  #fineExpired(): void {
    const now = this.#clock.nowMs();
    // The timerfd and performance.now() read the same monotonic clock: what is due has
    // its deadline passed (a few µs of rounding aside, which the firing time absorbs).
    const due = [...this.#fineEntries].filter((e) => e.atMs <= now + FINE_ROUNDING_MS);
    for (const e of due) this.#fineEntries.delete(e);
    // No second wait on the CPU right away: a deadline still that close waits on the timerfd.
    this.#setFine(now, false);
    for (const e of due) {
      if (!e.armed || e.mode !== 'fine') continue;
      this.#disarm(e);
      this.fired++;
      this.maxLateMs = Math.max(this.maxLateMs, now - e.atMs);
      e.fire(Math.max(now, e.atMs));
    }
  }

  #disarm(e: Entry): void {
    e.armed = false;
    e.handle = null;
    this.#armed--;
  }

  #clearHandle(e: Entry): void {
    if (e.mode === 'fine') {
      this.#fineEntries.delete(e);
      if (this.#fineEntries.size === 0) this.#fine?.clear();
    } else if (e.mode === 'soon') (this.#timers.clearSoon ?? this.#timers.clear)(e.handle);
    else {
      this.#heap.remove(e);
      // The Node timer is left to wake early unless nothing waits on it any more.
      if (this.#heap.size === 0 && !this.#waking) this.#clearNodeTimer();
    }
  }

  cancel(key: string): void {
    const e = this.#entries.get(key);
    if (e === undefined || !e.armed) return;
    this.#clearHandle(e);
    this.#disarm(e);
  }

  /**
   * A dry run of the paths a takeover after priority 0 takes and the steady state never
   * does (a Master_Down_Timer re-armed from a Node timer to a deadline already passed:
   * cleared, waited on the fine timer, delivered at the end of the callback), on a key of
   * its own with a callback that does nothing, so that V8 keeps them compiled
   * (src/vrrp/rehearsal.ts). Also a fine-timer wait that is cancelled.
   */
  rehearse(): void {
    const now = this.#clock.nowMs();
    this.arm(REHEARSAL_KEY, now + 1000, ignore);
    this.arm(REHEARSAL_KEY, now + FINE_BELOW_MS / 2, ignore);
    this.cancel(REHEARSAL_KEY);
    this.arm(REHEARSAL_KEY, now + 1000, ignore);
    this.arm(REHEARSAL_KEY, now - 1, ignore);
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

  /** Cancels everything and releases the fine timer's fd. */
  close(): void {
    this.cancelAll();
    this.#fine?.close();
  }

  /** Armed timers. */
  get size(): number {
    return this.#armed;
  }
}
