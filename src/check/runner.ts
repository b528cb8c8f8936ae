/**
 * @module The check runner: runs thousands of checkers concurrently off the VRRP path.
 * Each checker has one timer; when it fires the check joins a queue drained with bounded
 * concurrency; every check has a hard deadline (AbortSignal) so a stuck check cannot hold
 * a slot. Results go through the pure scheduler (schedule.ts); transitions and weight
 * changes are reported to `onChange`. No synchronous I/O.
 */
import { hardTimeoutMs } from './dispatch.js';
import { type CheckerState, initialCheckerState, stepChecker } from './schedule.js';
import type { CheckFn, CheckResult, CheckSpec } from './types.js';

export interface RunnerOptions {
  /** Most checks in flight at once (default 512). */
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
  /** Hard limit per check (default: dispatch.ts hardTimeoutMs); for tests. */
  readonly hardTimeoutMs?: (spec: CheckSpec) => number;
  /** Called after every check (for counters and logs). */
  readonly onResult?: (spec: CheckSpec, result: CheckResult, retrying: boolean) => void;
}

interface Entry {
  readonly spec: CheckSpec;
  readonly fn: CheckFn;
  state: CheckerState;
  timer?: NodeJS.Timeout;
  inFlight?: AbortController;
}

export class CheckRunner {
  readonly #opts: RunnerOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #queue: Entry[] = [];
  readonly #now: () => number;
  #running = 0;
  #stopped = false;
  checksRun = 0;

  constructor(opts: RunnerOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? (() => performance.now());
  }

  /**
   * Adds a checker and arms its first check (after its warmup). With `prior` (a reload
   * of an unchanged checker) it keeps its up/down state and retry count, and its next
   * check comes within one delay_loop.
   */
  add(spec: CheckSpec, fn: CheckFn, prior?: CheckerState): CheckerState {
    const random = (this.#opts.random ?? Math.random)();
    const now = this.#now();
    const state = prior
      ? { ...prior, dueMs: now + Math.floor(random * spec.schedule.delayLoopMs) }
      : initialCheckerState(spec.schedule, now, random);
    const e: Entry = { spec, fn, state };
    this.#entries.set(spec.id, e);
    this.#arm(e);
    return state;
  }

  state(id: string): CheckerState | undefined {
    return this.#entries.get(id)?.state;
  }

  get inFlight(): number {
    return this.#running;
  }

  #arm(e: Entry): void {
    if (this.#stopped) return;
    const delay = Math.max(0, e.state.dueMs - this.#now());
    e.timer = setTimeout(() => {
      e.timer = undefined;
      this.#queue.push(e);
      this.#pump();
    }, delay);
  }

  #pump(): void {
    const limit = this.#opts.concurrency ?? 512;
    while (!this.#stopped && this.#running < limit && this.#queue.length > 0) {
      const e = this.#queue.shift()!;
      this.#running++;
      void this.#run(e).finally(() => {
        this.#running--;
        this.#pump();
      });
    }
  }

  async #run(e: Entry): Promise<void> {
    const ac = new AbortController();
    e.inFlight = ac;
    const limitMs = this.#opts.hardTimeoutMs?.(e.spec) ?? hardTimeoutMs(e.spec);
    const hard = setTimeout(() => ac.abort(), limitMs);
    // A checker that ignores its signal still cannot hold a slot: the race settles it.
    let late: NodeJS.Timeout | undefined;
    const deadline = new Promise<CheckResult>((resolve) => {
      late = setTimeout(
        () => resolve({ ok: false, reason: 'timeout', detail: `no result within ${limitMs} ms` }),
        limitMs + 500,
      );
    });
    let result: CheckResult;
    try {
      result = await Promise.race([e.fn(e.spec, ac.signal), deadline]);
    } catch (err) {
      result = { ok: false, reason: 'connect-error', detail: `checker threw: ${String(err)}` };
    } finally {
      clearTimeout(hard);
      clearTimeout(late);
      e.inFlight = undefined;
    }
    if (this.#stopped || this.#entries.get(e.spec.id) !== e) return;
    this.checksRun++;
    const before = e.state;
    const out = stepChecker(e.spec.schedule, before, result, this.#now());
    e.state = out.state;
    this.#opts.onResult?.(e.spec, result, out.retrying);
    if (out.transition || before.weight !== out.state.weight)
      this.#opts.onChange(e.spec, out.state, result, out.transition);
    this.#arm(e);
  }

  stop(): void {
    this.#stopped = true;
    for (const e of this.#entries.values()) {
      if (e.timer) clearTimeout(e.timer);
      e.inFlight?.abort();
    }
    this.#queue.length = 0;
  }
}
