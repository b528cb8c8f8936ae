/**
 * @module Advertisement interval jitter (issue 3): the master's adverts captured on the
 * bridge, interval minus advert_int, for keepalived-ts and keepalived 2.2.7 at VRRPv2
 * advert_int 1 and VRRPv3 advert_int 0.01, idle and with both cores busy (bounded busy
 * loops, stopped at the end). Also counts spurious takeovers by the backup during the
 * window. Windows: BENCH_JITTER_V2_S (default 25) and BENCH_JITTER_V3_S (default 10);
 * BENCH_PROFILES=v2,v3 and BENCH_JITTER_LOADS=idle,busy choose the grid (a 10-minute
 * spurious-takeover run: BENCH_PROFILES=v3 BENCH_JITTER_LOADS=busy BENCH_JITTER_V3_S=600).
 */
import { sleep, vrrpFrames } from '../test/netns/harness/index.js';
import { percentile, table } from './stats.js';
import {
  benchUnavailable,
  busyCores,
  IMPLS,
  type Pair,
  type Profile,
  profileWanted,
  V2_1S,
  V3_10MS,
  withPair,
} from './vrrp-lib.js';

interface Sample {
  readonly errorsMs: number[];
  takeovers: number;
  /** Seconds into the window of each spurious takeover. */
  readonly takeoverAt: number[];
  /** Daemons that left real-time scheduling during the window. */
  fallbacks: number;
}

async function window(pair: Pair, seconds: number, busy: boolean, out: Sample): Promise<void> {
  const fb = pair.b.mark();
  const load = busy ? busyCores(2, seconds + 5) : undefined;
  const from = Date.now();
  try {
    await sleep(seconds * 1000);
  } finally {
    load?.stop();
  }
  const to = Date.now();
  out.takeovers += pair.b.transitions('MASTER', fb).length;
  for (const t of pair.b.transitions('MASTER', fb)) out.takeoverAt.push(Math.round((t.t - from) / 1000));
  // A daemon that fell back from real-time scheduling (RLIMIT_RTTIME) says so in its log.
  for (const node of [pair.a, pair.b]) out.fallbacks += node.proc.findAll(/back to normal scheduling/).length;
  const frames = vrrpFrames(await pair.capture.stop()).filter(
    (f) => f.ethSrc === pair.a.host.mac && f.priority > 0 && f.t >= from && f.t <= to,
  );
  const nominal = pair.profile.advertS * 1000;
  for (let i = 1; i < frames.length; i++) out.errorsMs.push(frames[i]!.t - frames[i - 1]!.t - nominal);
}

async function measure(p: Profile, seconds: number, busy: boolean) {
  const by: Record<string, Sample> = {};
  for (const impl of IMPLS) {
    const sample: Sample = { errorsMs: [], takeovers: 0, takeoverAt: [], fallbacks: 0 };
    by[impl] = sample;
    await withPair(impl, p, busy ? 'busy' : 'idle', (pair) => window(pair, seconds, busy, sample));
    // Printed as soon as it is known: a long run's figures survive whatever comes after.
    console.log(
      `   ${impl}, ${p.name}, ${busy ? 'busy' : 'idle'}, ${seconds} s: p99 |error| ${p99(sample)} ms, ` +
        `max ${max(sample)} ms, ${sample.errorsMs.length} intervals, ${sample.takeovers} spurious takeovers` +
        (sample.takeovers > 0 ? ` (at s ${sample.takeoverAt.join(', ')})` : '') +
        (sample.fallbacks > 0 ? `; ${sample.fallbacks} fell back from real-time scheduling` : ''),
    );
  }
  return by;
}

const abs = (xs: readonly number[]) => xs.map(Math.abs);
const p99 = (s: Sample) => percentile(abs(s.errorsMs), 99).toFixed(2);
const max = (s: Sample) => s.errorsMs.reduce((m, e) => Math.max(m, Math.abs(e)), 0).toFixed(2);
const EMPTY: Sample = { errorsMs: [], takeovers: 0, takeoverAt: [], fallbacks: 0 };

async function main(): Promise<void> {
  const why = benchUnavailable();
  if (why) {
    console.log(`vrrp-jitter: skipped (${why})`);
    return;
  }
  const wanted = profileWanted('v2,v3');
  const loads = (process.env['BENCH_JITTER_LOADS'] ?? 'idle,busy').split(',');
  const plan = (
    [
      [V2_1S, Number(process.env['BENCH_JITTER_V2_S'] ?? 25)],
      [V3_10MS, Number(process.env['BENCH_JITTER_V3_S'] ?? 10)],
    ] as [Profile, number][]
  ).filter(([p]) => wanted(p));
  for (const [p, seconds] of plan) {
    const rows = [];
    const notes: string[] = [];
    for (const busy of [false, true].filter((b) => loads.includes(b ? 'busy' : 'idle'))) {
      const by = await measure(p, seconds, busy);
      const ours = by['keepalived-ts'] ?? EMPTY;
      const theirs = by['keepalived'] ?? EMPTY;
      const load = busy ? 'busy' : 'idle';
      rows.push({
        name: `|interval error| ${load}`,
        unit: 'ms',
        ours: abs(ours.errorsMs),
        theirs: abs(theirs.errorsMs),
      });
      rows.push({ name: `interval error ${load}`, unit: 'ms', ours: ours.errorsMs, theirs: theirs.errorsMs });
      notes.push(
        `   ${load}: p99 |error| ${p99(ours)} ms vs ${p99(theirs)} ms; max ${max(ours)} vs ${max(theirs)} ms; ` +
          `intervals ${ours.errorsMs.length} vs ${theirs.errorsMs.length}; ` +
          `spurious takeovers ${ours.takeovers} vs ${theirs.takeovers} (keepalived-ts vs keepalived)`,
      );
    }
    console.log(table(`advert jitter, ${p.name}, ${seconds} s windows, both cores busy or idle`, rows));
    for (const n of notes) console.log(n);
  }
}

await main();
