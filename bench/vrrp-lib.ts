/**
 * @module Shared plumbing for the VRRP benchmarks (not a benchmark itself: run-bench
 * skips `*-lib.js`): the article's two-server LAN from the netns harness, a pair of
 * daemons of one implementation, a capture per run, process CPU / RSS readings from
 * /proc, bounded busy loops, and the knobs (BENCH_TRIALS, BENCH_WINDOW_S, BENCH_IMPLS).
 * Timings come from capture timestamps and log-line arrival times, never from polling.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { native } from '../src/native/binding.js';
import {
  articleLab,
  Capture,
  captureUnavailable,
  type Impl,
  implUnavailable,
  type Lab,
  type LogLine,
  labUnavailable,
  type Mode,
  processTree,
  sleep,
  VrrpNode,
  vrrpConf,
} from '../test/netns/harness/index.js';

export const TRIALS = Math.max(1, Number(process.env['BENCH_TRIALS'] ?? 20));
export const WINDOW_S = Math.max(2, Number(process.env['BENCH_WINDOW_S'] ?? 20));
/** Both daemons, or those named in BENCH_IMPLS (e.g. a 10-minute run of one side). */
export const IMPLS: readonly Impl[] = (['keepalived-ts', 'keepalived'] as const).filter((i) =>
  (process.env['BENCH_IMPLS'] ?? 'keepalived-ts,keepalived').split(',').includes(i),
);

/** Why the VRRP benchmarks cannot run here, or null. */
export function benchUnavailable(): string | null {
  return (
    labUnavailable() ??
    captureUnavailable() ??
    implUnavailable('keepalived') ??
    implUnavailable('keepalived-ts')
  );
}

/**
 * Puts the bench's own loop thread at SCHED_RR 2 with SCHED_RESET_ON_FORK (the daemons,
 * tcpdump and scripts it starts keep their own scheduling); returns what it did. Log lines
 * are timed when the bench reads them: under normal scheduling it waited for a core
 * behind the real-time daemons it measures (keepalived-ts runs at SCHED_RR 1 by default,
 * keepalived under normal scheduling), which counted against keepalived-ts alone.
 * BENCH_RT=0 leaves the bench under normal scheduling; BENCH_RT=all puts its helper
 * threads (GC) at SCHED_RR 2 too, which then also preempt keepalived's processes
 * ('SIGCONT -> single master' at v3 0.01 s, 20 trials, load ~2.2, ours/keepalived:
 * normal 1.81/0.79 ms, loop thread 1.45/0.77, all threads 1.22/1.10).
 */
export function benchRealtime(): string {
  if (process.env['BENCH_RT'] === '0') return 'bench loop thread under normal scheduling (BENCH_RT=0)';
  try {
    const n = native();
    const policy = n.constants.SCHED_RR | n.constants.SCHED_RESET_ON_FORK;
    if (process.env['BENCH_RT'] === 'all') {
      for (const tid of readdirSync('/proc/self/task'))
        n.setScheduler(Number(tid), policy, BENCH_RT_PRIORITY);
      return `bench threads at SCHED_RR ${BENCH_RT_PRIORITY} (above the daemons)`;
    }
    n.setScheduler(0, policy, BENCH_RT_PRIORITY);
    return `bench loop thread at SCHED_RR ${BENCH_RT_PRIORITY} (above the daemons)`;
  } catch (e) {
    return `bench loop thread under normal scheduling (${(e as Error).message})`;
  }
}

const BENCH_RT_PRIORITY = 2;

/** A VRRP profile: version/mode and advert interval (s). */
export interface Profile {
  readonly name: string;
  readonly mode: Mode;
  readonly advertS: number;
}

export const V2_1S: Profile = { name: 'v2 1s', mode: 'v2-pass', advertS: 1 };
export const V3_10MS: Profile = { name: 'v3 0.01s', mode: 'v3-ipv4', advertS: 0.01 };
export const V3_100MS: Profile = { name: 'v3 0.1s', mode: 'v3-ipv4', advertS: 0.1 };

/** The failover profiles, in the order benches run them. */
export const PROFILES: readonly Profile[] = [V2_1S, V3_10MS, V3_100MS];

/** Whether BENCH_PROFILES (name prefixes, comma-separated; `defaults` when unset) names `p`. */
export function profileWanted(defaults: string): (p: Profile) => boolean {
  const wanted = (process.env['BENCH_PROFILES'] ?? defaults).split(',');
  return (p) => wanted.some((w) => p.name.startsWith(w));
}

/** How long a bench waits for one transition of `p`'s pair. */
export function waitMs(p: Profile): number {
  return Math.max(1500, masterDownMs(p.advertS, 254) * 4);
}

/** One frozen-master trial: when server1 was stopped and continued, and server2's BACKUP line. */
export interface FreezeTrial {
  readonly stopAt: number;
  readonly contAt: number;
  readonly backup: LogLine;
}

/**
 * TRIALS frozen-master trials: server1 stopped (SIGSTOP, its whole tree) until server2 is
 * MASTER and 1.5 intervals more, then continued (SIGCONT) until server2 logs BACKUP.
 * `beforeCont` runs just before each SIGCONT; `each` gets the trial once server2 is
 * BACKUP, before the bench waits for server1 to be MASTER again.
 */
export async function freezeTrials(
  pair: Pair,
  each: (t: FreezeTrial) => void,
  beforeCont: () => void = () => {},
): Promise<void> {
  const p = pair.profile;
  for (let i = 0; i < TRIALS; i++) {
    const [fa, fb] = [pair.a.mark(), pair.b.mark()];
    const stopAt = pair.a.proc.signal('SIGSTOP', true);
    await pair.b.waitState('MASTER', waitMs(p), fb);
    await sleep(p.advertS * 1000 * 1.5);
    const fb2 = pair.b.mark();
    beforeCont();
    const contAt = pair.a.proc.signal('SIGCONT', true);
    const backup = await pair.b.waitState('BACKUP', waitMs(p), fb2);
    each({ stopAt, contAt, backup });
    if (pair.a.state() !== 'MASTER') await pair.a.waitState('MASTER', waitMs(p) * 3, fa);
    await sleep(p.advertS * 1000 * (1 + Math.random()));
  }
}

/** Master_Down_Interval in ms for a backup of `priority` (RFC 5798 §6.1). */
export const masterDownMs = (advertS: number, priority: number): number =>
  3 * advertS * 1000 + ((256 - priority) * advertS * 1000) / 256;

/** Two servers of one implementation: server1 priority 255 (master), server2 254. */
export class Pair {
  readonly lab: Lab;
  readonly impl: Impl;
  readonly profile: Profile;
  a!: VrrpNode;
  b!: VrrpNode;
  capture!: Capture;

  constructor(impl: Impl, profile: Profile, tag: string) {
    this.impl = impl;
    this.profile = profile;
    this.lab = articleLab(tag);
  }

  conf(role: 'server1' | 'server2'): string {
    const [self, peer] =
      role === 'server1'
        ? [this.lab.host('server1'), this.lab.host('server2')]
        : [this.lab.host('server2'), this.lab.host('server1')];
    return vrrpConf({
      mode: this.profile.mode,
      self,
      peer,
      priority: role === 'server1' ? 255 : 254,
      state: role === 'server1' ? 'MASTER' : 'BACKUP',
      advertInt: this.profile.advertS,
    });
  }

  startA(): VrrpNode {
    this.a = new VrrpNode(this.lab, this.lab.host('server1'), this.impl, this.conf('server1'), {
      echo: false,
    });
    return this.a;
  }

  /** Starts the capture and both daemons; resolves once server1 is MASTER and server2 BACKUP. */
  async start(): Promise<void> {
    this.capture = await Capture.start(this.lab, `${this.impl}-${this.profile.mode}`, 'ip proto 112');
    this.b = new VrrpNode(this.lab, this.lab.host('server2'), this.impl, this.conf('server2'), {
      echo: false,
    });
    this.startA();
    await this.converged(0, 0);
  }

  /** Waits for server1 MASTER (after line fromA) and server2 BACKUP (after fromB). */
  async converged(fromA: number, fromB: number, timeoutMs = 15_000): Promise<void> {
    await this.a.waitState('MASTER', timeoutMs, fromA);
    await this.b.waitState('BACKUP', timeoutMs, fromB);
  }

  async close(): Promise<void> {
    await Promise.all([this.a?.stop(), this.b?.stop()]);
    await this.capture?.stop();
    this.lab.destroy();
  }
}

/** CPU seconds (user + system), RSS and lifetime peak RSS (VmHWM, KiB) of a process tree, summed. */
export function usage(pid: number): { cpuS: number; rssKiB: number; peakKiB: number } {
  let ticks = 0;
  let rss = 0;
  let peak = 0;
  for (const p of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // exited
    }
  }
  return { cpuS: ticks / 100, rssKiB: rss, peakKiB: peak };
}

/** One busy loop per core for at most `maxS` seconds (a bounded loop, also killed by stop()). */
export function busyCores(cores: number, maxS: number): { stop: () => void } {
  const script = `const end=Date.now()+${Math.round(maxS * 1000)};let x=0;while(Date.now()<end){x++}`;
  const kids: ChildProcess[] = [];
  for (let i = 0; i < cores; i++) kids.push(spawn(process.execPath, ['-e', script], { stdio: 'ignore' }));
  return {
    stop: () => {
      for (const k of kids) if (k.exitCode === null) k.kill('SIGKILL');
    },
  };
}

/** Runs `body` with a fresh pair of `impl`; always cleans up. Errors are printed, not thrown. */
export async function withPair<T>(
  impl: Impl,
  profile: Profile,
  tag: string,
  body: (p: Pair) => Promise<T>,
): Promise<T | undefined> {
  const pair = new Pair(impl, profile, tag);
  try {
    await pair.start();
    return await body(pair);
  } catch (e) {
    console.log(
      `  ! ${impl} ${profile.name} ${tag}: ${(e as Error).message.split('\n').slice(0, 12).join('\n    ')}`,
    );
    return undefined;
  } finally {
    await pair.close();
  }
}

export const fmtMs = (ms: number): string => `${ms.toFixed(1)} ms`;
