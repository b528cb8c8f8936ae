/**
 * @module keepalived's process scheduling settings, for the VRRP process (vrrp_*) and the
 * checker process (checker_*): `*_priority` (nice), `*_rt_priority` (SCHED_RR),
 * `*_rlimit_rttime`, `*_no_swap` (mlockall), `*_cpu_affinity`, and `max_auto_priority` /
 * `min_auto_priority_delay` (switch to real-time scheduling, then one step higher each time,
 * when the event loop runs later than the delay). Applied to every thread of the process
 * (Linux schedules threads; threads made later inherit from their creator).
 *
 * Where Node differs from keepalived: keepalived sets RLIMIT_RTTIME soft and hard, so a
 * real-time busy loop gets SIGKILL. A Node thread can legitimately compute for longer than
 * 10 ms (a full garbage collection), so only the soft limit is set: on SIGXCPU the process
 * logs and falls back to normal scheduling instead of dying, and max_auto_priority may raise
 * it again later. Failures are logged, never fatal.
 *
 * Where keepalived-ts differs by default: a VRRP process whose config sets no scheduling
 * (no vrrp_priority, vrrp_rt_priority or max_auto_priority) runs at SCHED_RR priority 1,
 * because an advert that waits for a time slice on a busy host is a spurious takeover
 * (bench/vrrp-jitter.ts, both cores busy, 60 s at 0.01 s: 59 spurious takeovers and p99
 * 23 ms with only the loop thread real-time, since it waits for V8's garbage-collection
 * helpers; 0 and 1.3 ms with every thread; keepalived 46-58 and 27-32 ms). Threads made
 * later and children (scripts, the checker) start with normal scheduling
 * (SCHED_RESET_ON_FORK), and the RLIMIT_RTTIME soft limit is 200 ms, not 10 ms, because a
 * Node garbage collection may compute that long. `--no-realtime` keeps keepalived's normal
 * scheduling.
 */

import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { GlobalDefs } from '../config/model.js';
import { native } from '../native/binding.js';

export interface SchedulingPlan {
  readonly process: 'vrrp' | 'checker';
  readonly nice?: number;
  readonly rtPriority?: number;
  /** RLIMIT_RTTIME soft limit, µs (keepalived's default 10000). */
  readonly rttimeUs: number;
  readonly noSwap: boolean;
  readonly cpus?: readonly number[];
  /** Highest automatic SCHED_RR priority; 0 (or -1) turns automatic raising off. */
  readonly maxAutoPriority: number;
  /** Lateness that triggers an automatic raise, ms (keepalived: 1 s default, 10 s most). */
  readonly autoDelayMs: number;
  /** keepalived-ts's default: real-time for the threads there are, not inherited by new ones. */
  readonly resetOnFork?: boolean;
}

const RR_MAX = 99;

/** keepalived-ts's default SCHED_RR priority for a VRRP process configured with none. */
export const DEFAULT_VRRP_RT_PRIORITY = 1;

/** RLIMIT_RTTIME soft limit under that default, µs. */
const DEFAULT_RTTIME_US = 200_000;

/**
 * The plan for one process from global_defs. Pure. `realtimeDefault`: the VRRP process
 * gets keepalived-ts's default real-time loop thread when the config sets no scheduling.
 */
export function schedulingPlan(
  g: GlobalDefs,
  process: 'vrrp' | 'checker',
  realtimeDefault = false,
): SchedulingPlan {
  const nice = process === 'vrrp' ? g.vrrpNice : g.checkerNice;
  const rt = g.other[`${process}_rt_priority`]?.[0];
  const rttime = process === 'vrrp' ? g.vrrpRlimitRttimeUs : g.checkerRlimitRttimeUs;
  const noSwap = process === 'vrrp' ? g.vrrpNoSwap : g.checkerNoSwap;
  const affinity = process === 'vrrp' ? g.vrrpCpuAffinity : g.checkerCpuAffinity;
  const cpus = affinity?.map(Number).filter((n) => Number.isInteger(n) && n >= 0);
  const delayUs = Math.min(g.minAutoPriorityDelayUs ?? 1_000_000, 10_000_000);
  const unset = nice === undefined && rt === undefined && g.maxAutoPriority === undefined;
  const byDefault = realtimeDefault && process === 'vrrp' && unset;
  return {
    process,
    ...(nice === undefined ? {} : { nice }),
    ...(rt === undefined ? {} : { rtPriority: Math.min(Number(rt), RR_MAX) }),
    ...(byDefault ? { rtPriority: DEFAULT_VRRP_RT_PRIORITY, resetOnFork: true } : {}),
    rttimeUs: Math.max(rttime ?? (byDefault ? DEFAULT_RTTIME_US : 10_000), 2),
    noSwap: noSwap === true,
    ...(cpus !== undefined && cpus.length > 0 ? { cpus } : {}),
    maxAutoPriority: Math.min(g.maxAutoPriority ?? 0, RR_MAX),
    autoDelayMs: delayUs / 1000,
  };
}

/** The thread ids of this process (Linux schedules each one). */
function threads(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number);
  } catch {
    return [0];
  }
}

export class ProcessScheduling {
  readonly #plan: SchedulingPlan;
  readonly #log: (text: string) => void;
  /** Current SCHED_RR priority, 0 under normal scheduling. */
  rtPriority = 0;
  #watch: NodeJS.Timeout | null = null;
  readonly #onXcpu = () => this.#fallBack();

  constructor(plan: SchedulingPlan, log: (text: string) => void) {
    this.#plan = plan;
    this.#log = log;
  }

  apply(): void {
    const p = this.#plan;
    const n = native();
    if (p.nice !== undefined) this.#each('set nice', (tid) => setPriority(tid, p.nice!));
    if (p.cpus !== undefined) this.#each('set CPU affinity', (tid) => n.setAffinity(tid, p.cpus!));
    if (p.noSwap) this.#try('lock memory (no_swap)', () => n.lockMemory());
    if (p.rtPriority !== undefined) this.#realtime(p.rtPriority);
    if (p.maxAutoPriority > 0) this.#startWatch();
    else if (p.maxAutoPriority === 0 && p.rtPriority === undefined && p.process === 'vrrp')
      this.#log(
        'NOTICE: setting config option max_auto_priority should result in better keepalived performance',
      );
  }

  stop(): void {
    if (this.#watch !== null) clearInterval(this.#watch);
    this.#watch = null;
    process.off('SIGXCPU', this.#onXcpu);
  }

  /** SCHED_RR at `priority` for every thread, with the RLIMIT_RTTIME soft limit. */
  #realtime(priority: number): void {
    const n = native();
    const rr = n.constants.SCHED_RR;
    const ok = this.#try('set RLIMIT_RTTIME', () => n.setRttimeLimit(this.#plan.rttimeUs, -1));
    if (!ok) return;
    const what = `set real-time priority ${priority}`;
    const policy = this.#plan.resetOnFork ? rr | n.constants.SCHED_RESET_ON_FORK : rr;
    const set = this.#each(what, (tid) => n.setScheduler(tid, policy, priority));
    if (!set) return;
    if (this.rtPriority === 0) process.on('SIGXCPU', this.#onXcpu);
    this.rtPriority = priority;
    this.#log(
      this.#plan.resetOnFork
        ? `Set ${this.#plan.process} process real-time priority ${priority} (SCHED_RR): keepalived-ts's default when the config sets no scheduling; --no-realtime keeps normal scheduling`
        : `Set ${this.#plan.process} process real-time priority ${priority} (SCHED_RR)`,
    );
  }

  /** The RTTIME soft limit was hit: back to normal scheduling rather than starving the host. */
  #fallBack(): void {
    if (this.rtPriority === 0) return;
    const other = native().constants.SCHED_OTHER;
    this.#each('drop real-time priority', (tid) => native().setScheduler(tid, other, 0));
    this.#log(
      `${this.#plan.process} process used more than ${this.#plan.rttimeUs} us of real-time CPU without sleeping - back to normal scheduling`,
    );
    this.rtPriority = 0;
    process.off('SIGXCPU', this.#onXcpu);
  }

  /** max_auto_priority: a timer that notices when the loop ran late and raises the priority. */
  #startWatch(): void {
    const periodMs = 100;
    let expected = performance.now() + periodMs;
    this.#watch = setInterval(() => {
      const now = performance.now();
      const lateMs = now - expected;
      expected = now + periodMs;
      if (lateMs < this.#plan.autoDelayMs || this.rtPriority >= this.#plan.maxAutoPriority) return;
      const next = this.rtPriority === 0 ? 1 : this.rtPriority + 1;
      this.#log(
        `${this.#plan.process} process ran ${Math.round(lateMs)} ms late - raising real-time priority`,
      );
      this.#realtime(Math.min(next, this.#plan.maxAutoPriority));
    }, periodMs);
    this.#watch.unref();
  }

  /** `fn` for every thread; a thread that ended meanwhile (ESRCH) is not a failure. */
  #each(what: string, fn: (tid: number) => void): boolean {
    return threads().every((tid) =>
      this.#try(what, () => {
        try {
          fn(tid);
        } catch (e) {
          if ((e as { code?: string }).code !== 'ESRCH') throw e;
        }
      }),
    );
  }

  #try(what: string, fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (e) {
      this.#log(`Unable to ${what} for the ${this.#plan.process} process: ${(e as Error).message}`);
      return false;
    }
  }
}

/** Applies a process's settings at start-up; the returned handle stops the watch. */
export function applyProcessPriority(
  g: GlobalDefs,
  process: 'vrrp' | 'checker',
  log: (text: string) => void,
  realtimeDefault = false,
): ProcessScheduling {
  const s = new ProcessScheduling(schedulingPlan(g, process, realtimeDefault), log);
  s.apply();
  return s;
}
