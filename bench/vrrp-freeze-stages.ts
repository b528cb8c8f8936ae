/**
 * @module Where 'SIGCONT -> single master' (bench/vrrp-failover.ts) goes, stage by stage,
 * for keepalived-ts and keepalived 2.2.7 on the same two-server topology: the kernel's
 * own record of each trial (a private tracefs instance: the bench's kill(SIGCONT), the
 * daemons' system calls and wake-ups), so that the stages are timed where they happen,
 * not where a log line is read. Stages, from the SIGCONT:
 * - resumed advert: the continued master's first send;
 * - wake: the yielding master's first return from epoll after it;
 * - read: its first recvmsg/recvmmsg after that;
 * - line: its first write(2) to stdout/stderr after that ("Entering BACKUP STATE").
 * The differences between consecutive stages are what each daemon spends where; the
 * runtime's own share of them is bench/runtime-floor.ts. BENCH_PROFILES=v2,v3 (default
 * v2: VRRPv2 at 1 s), BENCH_TRIALS (default 20). Needs root and tracefs. Prints
 * figures, never fails.
 */
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { processTree, sleep } from '../test/netns/harness/index.js';
import { median, percentile } from './stats.js';
import {
  benchRealtime,
  benchUnavailable,
  freezeTrials,
  IMPLS,
  type Pair,
  PROFILES,
  type Profile,
  profileWanted,
  withPair,
} from './vrrp-lib.js';

const TRACEFS = '/sys/kernel/tracing';

const EVENTS = [
  'syscalls:sys_enter_kill',
  'syscalls:sys_enter_sendmsg',
  'syscalls:sys_enter_sendmmsg',
  'syscalls:sys_exit_epoll_wait',
  'syscalls:sys_exit_epoll_pwait',
  'syscalls:sys_enter_recvmsg',
  'syscalls:sys_enter_recvmmsg',
  'syscalls:sys_enter_write',
];

const STAGES = ['resumed advert', 'wake', 'read', 'line'] as const;
type Stage = (typeof STAGES)[number];

/** A private trace buffer (an instance under tracefs), removed by close(). */
class Trace {
  readonly #dir: string;
  constructor() {
    this.#dir = `${TRACEFS}/instances/kts-freeze-${process.pid}`;
    mkdirSync(this.#dir);
    this.#write('buffer_size_kb', '4096');
    this.#write('options/record-tgid', '1');
    this.#write('set_event', EVENTS.join('\n'));
  }
  #write(file: string, text: string): void {
    writeFileSync(`${this.#dir}/${file}`, text);
  }
  start(): void {
    this.#write('trace', '');
    this.#write('tracing_on', '1');
  }
  stop(): string {
    this.#write('tracing_on', '0');
    return readFileSync(`${this.#dir}/trace`, 'utf8');
  }
  close(): void {
    try {
      this.#write('tracing_on', '0');
      this.#write('set_event', '');
    } finally {
      rmdirSync(this.#dir);
    }
  }
}

interface TraceEvent {
  readonly tgid: number;
  readonly tid: number;
  readonly ms: number;
  readonly name: string;
  readonly args: string;
}

const LINE = /^\s*.+?-(\d+)\s+\(\s*(\d+|-+)\)\s+\[\d+\]\s+\S+\s+([\d.]+):\s+(\w+)(.*)$/;

function parse(text: string): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (const l of text.split('\n')) {
    const m = LINE.exec(l);
    if (m)
      out.push({ tid: Number(m[1]), tgid: Number(m[2]), ms: Number(m[3]) * 1000, name: m[4]!, args: m[5]! });
  }
  return out;
}

/** The stages of one trial (ms after the bench's SIGCONT), or null when one is missing. */
function stages(
  ev: readonly TraceEvent[],
  a: ReadonlySet<number>,
  b: ReadonlySet<number>,
): Record<Stage, number> | null {
  const cont = ev.find((e) => e.tgid === process.pid && e.name === 'sys_kill' && /sig: 0x12\b/.test(e.args));
  if (cont === undefined) return null;
  const after = (t: number, ok: (e: TraceEvent) => boolean) => ev.find((e) => e.ms >= t && ok(e));
  const send = after(cont.ms, (e) => a.has(e.tgid) && /^sys_send/.test(e.name));
  const wake =
    send && after(send.ms, (e) => b.has(e.tgid) && /^sys_epoll/.test(e.name) && e.args.includes('->'));
  const read = wake && after(wake.ms, (e) => b.has(e.tgid) && /^sys_recv/.test(e.name));
  const line =
    read && after(read.ms, (e) => b.has(e.tgid) && e.name === 'sys_write' && /fd: [12],/.test(e.args));
  if (!send || !wake || !read || !line) return null;
  const at = (e: TraceEvent) => e.ms - cont.ms;
  return { 'resumed advert': at(send), wake: at(wake), read: at(read), line: at(line) };
}

async function trials(pair: Pair, trace: Trace): Promise<Record<Stage, number>[]> {
  const out: Record<Stage, number>[] = [];
  let a = new Set<number>();
  let b = new Set<number>();
  await sleep(1000);
  await freezeTrials(
    pair,
    () => {
      const s = stages(parse(trace.stop()), a, b);
      if (s !== null) out.push(s);
    },
    () => {
      a = new Set(processTree(pair.a.proc.pid));
      b = new Set(processTree(pair.b.proc.pid));
      trace.start();
    },
  );
  return out;
}

function report(impl: string, p: Profile, rows: readonly Record<Stage, number>[]): void {
  const f = (v: number[]) => `${median(v).toFixed(2)}/${percentile(v, 95).toFixed(2)}`;
  const cells = STAGES.map((s, i) => {
    const at = rows.map((r) => r[s]);
    const step = i === 0 ? at : rows.map((r) => r[s] - r[STAGES[i - 1]!]);
    return `${f(at).padStart(11)} (+${f(step)})`;
  });
  console.log(`${impl.padEnd(14)} ${p.name.padEnd(9)} ${String(rows.length).padStart(3)} ${cells.join(' ')}`);
}

async function main(): Promise<void> {
  const why = benchUnavailable();
  if (why) {
    console.log(`vrrp-freeze-stages: skipped (${why})`);
    return;
  }
  console.log(`vrrp-freeze-stages: ${benchRealtime()}`);
  const trace = new Trace();
  try {
    console.log(
      '== SIGCONT -> single master by stage: ms after SIGCONT, median/p95 (+ since the stage before)',
    );
    console.log(
      `${'impl'.padEnd(14)} ${'profile'.padEnd(9)} ${'n'.padStart(3)} ${STAGES.map((s) => s.padStart(25)).join(' ')}`,
    );
    for (const p of PROFILES.filter(profileWanted('v2'))) {
      for (const impl of IMPLS) {
        const rows = await withPair(impl, p, 'stages', (pair) => trials(pair, trace));
        if (rows) report(impl, p, rows);
      }
    }
  } finally {
    trace.close();
  }
}

await main();
