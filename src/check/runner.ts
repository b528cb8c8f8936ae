/**
 * @module The check runner: runs thousands of checkers concurrently off the VRRP path.
 * One timer serves them all: every checker's next check and every running check's
 * deadline sit in one heap (due-heap.ts), and the timer is armed for the earliest.
 * A check is either a lean probe (TCP_CHECK, HTTP_GET on native sockets: no
 * promise, signal, timer or object per check; its deadline is connect_timeout; its
 * socket events are read at the runner's ticks, see ProbeDriver) or a
 * promise-returning `CheckFn` with a hard deadline (its AbortSignal fires, and a
 * checker that ignores it is settled 500 ms later anyway). Results go through the
 * pure scheduler (schedule.ts); transitions and weight changes are reported to
 * `onChange`. Due probes start at once, as keepalived starts every due checker: each
 * holds one socket and a checker has one check at a time, so the number of checkers
 * bounds them (queueing them behind slow ones made every check late). Promise checks
 * (scripts, node sockets) start while fewer than `concurrency` of them run, else they
 * queue in order. No synchronous I/O.
 */
import { type NativeBinding, native } from '../native/binding.js';
import { TimerFd } from '../native/timer-fd.js';
import { hardTimeoutMs } from './dispatch.js';
import { DueHeap, type HeapItem } from './due-heap.js';
import {
  advanceChecker,
  type CheckerState,
  initialCheckerState,
  type LiveCheckerState,
  liveCheckerState,
  STEP_DOWN,
  STEP_RETRYING,
  STEP_UP,
  STEP_WEIGHT,
} from './schedule.js';
import type { CheckFn, CheckResult, CheckSpec, LeanCheckFn, Probe, ProbeDriver, ProbeHost } from './types.js';
import { fail } from './types.js';

export interface RunnerOptions {
  /** Most promise checks in flight at once (default 512); lean probes are not held back. */
  readonly concurrency?: number;
  readonly now?: () => number;
  readonly random?: () => number;
  /** Called after a check whose result changed up/down or the dynamic weight. */
  readonly onChange: (
    spec: CheckSpec,
    state: CheckerState,
    result: CheckResult,
    transition: 'up' | 'down' | undefined,
  ) => void;
  /** Hard limit per promise check (default: dispatch.ts hardTimeoutMs); for tests. */
  readonly hardTimeoutMs?: (spec: CheckSpec) => number;
  /** Called after every check (for counters and logs). */
  readonly onResult?: (spec: CheckSpec, result: CheckResult, retrying: boolean) => void;
  /** Called as each check starts (benchmarks split scheduling lag from the check's own time). */
  readonly onStart?: (spec: CheckSpec) => void;
  /**
   * Arm nothing until `resume()`: the LVS start applies the initial data-plane state first
   * (keepalived adds its real servers before any checker runs), without checks competing
   * for the loop. Warmups count from `resume()`: every first check moves by the pause.
   */
  readonly paused?: boolean;
  /** Run every check as its `CheckFn` even where a lean probe exists (tests, comparisons). */
  readonly noProbes?: boolean;
}

/** CLOCK_MONOTONIC in ms through process.hrtime (an array per reading). */
function hrtimeMs(): number {
  const t = process.hrtime();
  return t[0]! * 1e3 + t[1]! / 1e6;
}

let clock: (() => number) | undefined;

/**
 * The runner's default clock (ms, monotonic): the addon's streamClock when it has one
 * (one native call and one number per reading), else process.hrtime, the same clock;
 * either costs less than performance.now, whose wrapper makes an arguments array.
 */
export function monotonicMs(): number {
  if (clock === undefined) {
    try {
      const b = native() as NativeBinding & { streamClock?: () => number };
      clock = typeof b.streamClock === 'function' ? b.streamClock : hrtimeMs;
    } catch {
      clock = hrtimeMs;
    }
  }
  return clock();
}

/** A one-shot timer the runner re-arms (set replaces the previous expiry). */
interface Alarm {
  /** How early (ms) it may fire: what is due within this much more is due at a tick. */
  readonly slackMs: number;
  set(delayMs: number): void;
  clear(): void;
  close(): void;
}

/**
 * The runner's timer: a timerfd polled on the loop (src/native/timer-fd.ts) when the
 * addon is there, which re-arms with one native call, where node's setTimeout makes a
 * Timeout object, async ids and timer-list work at every tick; else setTimeout.
 */
function runnerAlarm(onExpire: () => void): Alarm {
  try {
    return Object.assign(new TimerFd(onExpire), { slackMs: 0 });
  } catch {
    let t: NodeJS.Timeout | undefined;
    return {
      // libuv counts whole milliseconds.
      slackMs: 1,
      set: (ms) => {
        if (t) clearTimeout(t);
        t = setTimeout(onExpire, ms);
      },
      clear: () => {
        if (t) clearTimeout(t);
        t = undefined;
      },
      close: () => {
        if (t) clearTimeout(t);
        t = undefined;
      },
    };
  }
}

const WAITING = 0;
const QUEUED = 1;
const RUNNING = 2;
/** Grace after a promise check's signal fired before it is settled as a timeout. */
const LATE_MS = 500;
/** The coarsest timer grid (ms); see CheckRunner.#grainMs. */
const GRAIN_MAX_MS = 50;
/** Checks one grid step should gather at the checkers' combined rate; see #grainMs. */
const GRAIN_BATCH = 16;

class Entry implements HeapItem {
  /** Heap key: whole ms after the runner's origin, rounded up (see CheckRunner.#key). */
  at = 0;
  heapIndex = -1;
  phase = WAITING;
  /** Run counter: a promise check's late answer from an earlier run is ignored. */
  gen = 0;
  /** Replaced by a newer checker of the same id: finishes its run, then stops. */
  dead = false;
  probe: Probe | undefined;
  deadlineMs = 0;
  ac: AbortController | undefined;
  late = false;
  readonly spec: CheckSpec;
  readonly fn: CheckFn;
  /** Updated in place by every result (advanceChecker): no objects per check. */
  readonly state: LiveCheckerState;

  constructor(spec: CheckSpec, fn: CheckFn, state: LiveCheckerState) {
    this.spec = spec;
    this.fn = fn;
    this.state = state;
  }
}

export class CheckRunner {
  readonly #opts: RunnerOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #heap = new DueHeap<Entry>();
  #queue: Entry[] = [];
  #queueHead = 0;
  readonly #now: () => number;
  /**
   * Heap keys count whole ms from here: small integers, which V8 keeps unboxed, where
   * fractional times made the interpreter box every value a heap comparison read.
   */
  readonly #origin: number;
  readonly #limit: number;
  /** The one timer: a timerfd when the addon is there (see runnerAlarm). */
  readonly #alarm: Alarm;
  #armed = false;
  #timerAt = Number.POSITIVE_INFINITY;
  /**
   * The timer's grid (ms): it is armed for the earliest item rounded up to a multiple, so
   * every start and deadline falling in one grid step is served by one wake-up (and the
   * checks started together complete together, in one poll). At most 1/20 of the
   * shortest interval any checker uses and GRAIN_MAX_MS (a check starts at most that
   * late), and short enough that a step gathers about GRAIN_BATCH checks at the checkers'
   * combined rate: many checkers batch on their own, and bigger bursts only queue at the
   * backends (measured: 4,000 checkers at 1 s on a 50 ms grid, p99 due -> result 0.1 -> 0.7 s).
   */
  #grainMs = GRAIN_MAX_MS;
  /** Shortest interval of any checker added (ms). */
  #shortestMs = Number.POSITIVE_INFINITY;
  /** Checks per ms of every live checker at its delay_loop. */
  #ratePerMs = 0;
  /** What the running probes wait on: drained at every tick (see ProbeDriver). */
  readonly #drivers: ProbeDriver[] = [];
  /** The next grid step while probes run (heap key; +Infinity when none run): their events are read then. */
  #pollKey = Number.POSITIVE_INFINITY;
  /** Inside a timer tick: re-arms wait for its end; items armed in it are not due in it. */
  #ticking = false;
  #tickLimit = 0;
  /** The clock at the tick's start: what the tick's completions count from (one reading per tick). */
  #tickNow = 0;
  /** Probes started in this tick, waiting for their deadlines (#armLaunched). */
  readonly #launched: Entry[] = [];
  /** Promise checks running (the ones `concurrency` limits). */
  #running = 0;
  #probesRunning = 0;
  #stopped = false;
  #paused: boolean;
  #pausedAt = 0;
  checksRun = 0;

  constructor(opts: RunnerOptions) {
    this.#opts = opts;
    this.#paused = opts.paused === true;
    this.#now = opts.now ?? monotonicMs;
    this.#pausedAt = this.#now();
    this.#origin = Math.floor(this.#pausedAt);
    this.#limit = opts.concurrency ?? 512;
    this.#alarm = runnerAlarm(this.#onTimer);
  }

  /**
   * Adds a checker and arms its first check (after its warmup). With `prior` (a reload
   * of an unchanged checker) it keeps its up/down state and retry count, and its next
   * check comes within one delay_loop.
   */
  add(spec: CheckSpec, fn: CheckFn, prior?: CheckerState): CheckerState {
    const random = (this.#opts.random ?? Math.random)();
    const now = this.#now();
    const state = liveCheckerState(prior ?? initialCheckerState(spec.schedule, now, random));
    if (prior) state.dueMs = now + Math.floor(random * spec.schedule.delayLoopMs);
    const old = this.#entries.get(spec.id);
    if (old) this.#retire(old);
    const t = spec.schedule;
    this.#shortestMs = Math.min(
      this.#shortestMs,
      t.delayLoopMs,
      t.retry > 0 ? t.delayBeforeRetryMs : t.delayLoopMs,
      spec.connectTimeoutMs,
    );
    this.#ratePerMs += 1 / Math.max(1, t.delayLoopMs);
    this.#regrain();
    const e = new Entry(spec, fn, state);
    if (!this.#opts.noProbes) e.probe = (fn as LeanCheckFn).probe?.(spec, this.#hostFor(e));
    const driver = e.probe?.driver;
    if (driver && !this.#drivers.includes(driver)) this.#drivers.push(driver);
    this.#entries.set(spec.id, e);
    this.#arm(e);
    return state;
  }

  /** The checker's state: the runner's live object, changed by later checks (copy it to keep it). */
  state(id: string): CheckerState | undefined {
    return this.#entries.get(id)?.state;
  }

  get inFlight(): number {
    return this.#running + this.#probesRunning;
  }

  /** Starts a runner made with `paused`. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    const shift = this.#now() - this.#pausedAt;
    for (const e of this.#entries.values())
      if (e.phase === WAITING && !e.dead) {
        e.state.dueMs += shift;
        e.at = this.#key(e.state.dueMs);
        this.#heap.set(e);
      }
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    this.#alarm.close();
    this.#armed = false;
    this.#heap.clear();
    for (const e of this.#entries.values())
      if (e.phase === RUNNING) {
        e.probe?.cancel();
        e.ac?.abort();
      }
    this.#queue = [];
    this.#queueHead = 0;
  }

  #hostFor(e: Entry): ProbeHost {
    return {
      done: (r) => this.#complete(e, r),
      deadline: (ms) => {
        if (e.phase !== RUNNING || this.#stopped) return;
        e.deadlineMs = ms;
        e.at = this.#key(this.#clock() + ms);
        this.#heap.set(e);
        this.#schedule();
      },
    };
  }

  #regrain(): void {
    const byRate = this.#ratePerMs > 0 ? GRAIN_BATCH / this.#ratePerMs : GRAIN_MAX_MS;
    this.#grainMs = Math.max(0.5, Math.min(GRAIN_MAX_MS, this.#shortestMs / 20, byRate));
  }

  #retire(e: Entry): void {
    this.#ratePerMs -= 1 / Math.max(1, e.spec.schedule.delayLoopMs);
    this.#regrain();
    e.dead = true;
    if (e.phase !== RUNNING) this.#heap.remove(e);
  }

  /** Now, or within a tick the tick's start (its work takes far less than the timer grid). */
  #clock(): number {
    return this.#ticking ? this.#tickNow : this.#now();
  }

  /** A time (ms, the runner's clock) as a heap key: never earlier than the time. */
  #key(ms: number): number {
    return Math.ceil(ms - this.#origin);
  }

  /** Waits for the entry's next check (its state's due time). */
  #arm(e: Entry): void {
    if (this.#stopped) return;
    e.phase = WAITING;
    const at = this.#key(e.state.dueMs);
    e.at = this.#ticking && at <= this.#tickLimit ? this.#tickLimit + 1 : at;
    this.#heap.set(e);
    this.#schedule();
  }

  /** Keeps the one timer armed for the earliest item (an early wake-up just re-arms). `now`: a fresh reading, if one was taken. */
  #schedule(now?: number): void {
    if (this.#ticking || this.#stopped || this.#paused) return;
    const top = this.#heap.peek();
    if (top === undefined) {
      if (this.#armed) this.#alarm.clear();
      this.#armed = false;
      this.#timerAt = Number.POSITIVE_INFINITY;
      return;
    }
    const g = this.#grainMs;
    const at = Math.min(Math.ceil(top.at / g) * g, this.#pollKey);
    if (this.#armed && this.#timerAt <= at) return;
    this.#armed = true;
    this.#timerAt = at;
    this.#alarm.set(Math.max(0, at + this.#origin - (now ?? this.#clock())));
  }

  readonly #onTimer = (): void => {
    this.#armed = false;
    this.#timerAt = Number.POSITIVE_INFINITY;
    if (this.#stopped) return;
    this.#ticking = true;
    const now = this.#now();
    this.#tickNow = now;
    this.#tickLimit = Math.floor(now + this.#alarm.slackMs - this.#origin);
    let clockAtEnd = now;
    try {
      // Events first: a check answered before its deadline is not expired below.
      if (this.#probesRunning > 0) for (let i = 0; i < this.#drivers.length; i++) this.#drivers[i]!.drain();
      for (let e = this.#heap.popDue(this.#tickLimit); e; e = this.#heap.popDue(this.#tickLimit)) {
        if (e.phase === RUNNING) this.#expire(e, now);
        else if (e.dead) continue;
        else if (e.probe) this.#launch(e);
        else {
          e.phase = QUEUED;
          this.#queue.push(e);
        }
      }
      this.#pump();
      clockAtEnd = this.#armLaunched();
    } finally {
      this.#ticking = false;
    }
    // Probes still running: their events are read at the next grid step.
    const g = this.#grainMs;
    this.#pollKey =
      this.#probesRunning > 0 ? (Math.floor(this.#tickLimit / g) + 1) * g : Number.POSITIVE_INFINITY;
    // The tick's last reading (an earlier one only waits a little longer, never less).
    this.#schedule(clockAtEnd);
  };

  #pump(): void {
    while (!this.#stopped && this.#running < this.#limit && this.#queueHead < this.#queue.length) {
      const e = this.#queue[this.#queueHead++]!;
      if (!e.dead) this.#launch(e);
    }
    if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#queueHead);
      this.#queueHead = 0;
    }
  }

  #launch(e: Entry): void {
    if (e.probe) this.#probesRunning++;
    else this.#running++;
    e.phase = RUNNING;
    e.gen++;
    this.#opts.onStart?.(e.spec);
    if (e.probe) {
      e.deadlineMs = e.spec.connectTimeoutMs;
      if (this.#ticking) {
        // Its deadline is set after the tick's starts (#armLaunched): one clock reading for all.
        e.at = -1;
        this.#launched.push(e);
      } else {
        e.at = this.#key(this.#now() + e.deadlineMs);
        this.#heap.set(e);
      }
      e.probe.start();
      return;
    }
    const now = this.#now();
    const limitMs = this.#opts.hardTimeoutMs?.(e.spec) ?? hardTimeoutMs(e.spec);
    const ac = new AbortController();
    e.ac = ac;
    e.late = false;
    e.deadlineMs = limitMs;
    e.at = this.#key(now + limitMs);
    this.#heap.set(e);
    const gen = e.gen;
    const threw = (err: unknown) => fail('connect-error', `checker threw: ${String(err)}`);
    let p: Promise<CheckResult>;
    try {
      p = e.fn(e.spec, ac.signal);
    } catch (err) {
      p = Promise.resolve(threw(err));
    }
    p.then(
      (r) => e.gen === gen && this.#complete(e, r),
      (err) => e.gen === gen && this.#complete(e, threw(err)),
    );
  }

  /**
   * The deadlines of the probes this tick started, from one clock reading taken after
   * every start: never earlier than a probe's own start plus its timeout. A probe that
   * finished at once (and so waits for its next check) is skipped. Returns the last
   * clock reading of the tick.
   */
  #armLaunched(): number {
    const n = this.#launched.length;
    if (n === 0) return this.#tickNow;
    const now = this.#now();
    for (let i = 0; i < n; i++) {
      const e = this.#launched[i]!;
      if (e.phase === RUNNING && e.heapIndex < 0 && !this.#stopped) {
        e.at = this.#key(now + e.deadlineMs);
        this.#heap.set(e);
      }
    }
    this.#launched.length = 0;
    return now;
  }

  /** A running check's deadline passed. */
  #expire(e: Entry, now: number): void {
    if (e.probe) {
      e.probe.cancel();
      this.#complete(e, fail('timeout', `no answer within ${e.deadlineMs} ms`));
    } else if (!e.late) {
      e.late = true;
      e.ac?.abort();
      e.at = this.#key(now + LATE_MS);
      this.#heap.set(e);
    } else this.#complete(e, fail('timeout', `no result within ${e.deadlineMs} ms`));
  }

  #complete(e: Entry, result: CheckResult): void {
    if (e.phase !== RUNNING) return;
    if (e.probe) this.#probesRunning--;
    else this.#running--;
    e.ac = undefined;
    e.phase = WAITING;
    if (!this.#stopped && !e.dead) {
      this.checksRun++;
      const bits = advanceChecker(
        e.spec.schedule,
        e.state,
        result.ok,
        result.ok ? result.weight : undefined,
        this.#clock(),
      );
      this.#opts.onResult?.(e.spec, result, (bits & STEP_RETRYING) !== 0);
      if ((bits & (STEP_UP | STEP_DOWN | STEP_WEIGHT)) !== 0)
        this.#opts.onChange(
          e.spec,
          e.state,
          result,
          (bits & STEP_UP) !== 0 ? 'up' : (bits & STEP_DOWN) !== 0 ? 'down' : undefined,
        );
    }
    // Still in the heap under its deadline: moved to its next check (one sift, not a removal and an insertion).
    if (this.#stopped || e.dead) this.#heap.remove(e);
    else this.#arm(e);
    if (this.#queueHead < this.#queue.length) this.#pump();
    this.#schedule();
  }
}
