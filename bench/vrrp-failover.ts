/**
 * @module Failover benchmark (issue 3): keepalived-ts and keepalived 2.2.7 on the same
 * two-server LAN, one after the other in one run, BENCH_TRIALS trials each (default 20):
 * - link cut: server1's bridge port down → server2's first advert on the wire (also
 *   from server1's last advert, to compare with Master_Down_Interval);
 * - graceful stop: SIGTERM to server1 → server2's first advert (and from the priority-0
 *   advert);
 * - frozen master: SIGSTOP → server2's first advert; then SIGCONT → server2 logs
 *   "Entering BACKUP STATE" (a single master again) and → server1's first advert.
 * Profiles: VRRPv2 advert_int 1, VRRPv3 advert_int 0.01 and 0.1 (BENCH_PROFILES=v2,v3).
 * Times are capture timestamps and log-line arrival times (the bench reads lines at
 * SCHED_RR 2, above the daemons: benchRealtime, BENCH_RT=0|all). Prints figures, never fails.
 * BENCH_SCENARIOS=cut,stop,freeze picks scenarios (default all three); BENCH_PER_TRIAL=1 also
 * prints each freeze trial split at server1's first advert (SIGCONT -> advert -> server2's line).
 */
import { sleep, type VrrpFrame, vrrpFrames } from '../test/netns/harness/index.js';
import { table } from './stats.js';
import {
  benchRealtime,
  benchUnavailable,
  freezeTrials,
  IMPLS,
  masterDownMs,
  type Pair,
  PROFILES,
  type Profile,
  profileWanted,
  TRIALS,
  waitMs,
  withPair,
} from './vrrp-lib.js';

type Series = Record<string, number[]>;

/** Trial marks: the wall time of the event and which frames follow it. */
interface Mark {
  readonly at: number;
  readonly extra?: number;
}

const firstFrom = (frames: readonly VrrpFrame[], mac: string, after: number, prio0 = false) =>
  frames.find((f) => f.ethSrc === mac && f.t > after && (prio0 ? f.priority === 0 : f.priority > 0));
const lastFrom = (frames: readonly VrrpFrame[], mac: string, before: number) =>
  frames.filter((f) => f.ethSrc === mac && f.t < before && f.priority > 0).at(-1);

async function linkCut(pair: Pair, marks: Mark[]): Promise<void> {
  for (let i = 0; i < TRIALS; i++) {
    const [fa, fb] = [pair.a.mark(), pair.b.mark()];
    const cut = pair.lab.cut('server1');
    marks.push({ at: cut.after });
    await pair.b.waitState('MASTER', waitMs(pair.profile), fb);
    pair.lab.restore('server1');
    await pair.converged(fa, fb, waitMs(pair.profile) * 3);
    await sleep(pair.profile.advertS * 1000 * (1 + Math.random()));
  }
}

async function graceful(pair: Pair, marks: Mark[]): Promise<void> {
  for (let i = 0; i < TRIALS; i++) {
    const fb = pair.b.mark();
    const at = await pair.a.terminate();
    marks.push({ at });
    await pair.b.waitState('MASTER', waitMs(pair.profile), fb);
    const fb2 = pair.b.mark();
    pair.startA();
    await pair.converged(0, fb2, waitMs(pair.profile) * 3 + 3000);
    await sleep(pair.profile.advertS * 1000 * (1 + Math.random()));
  }
}

function frozen(pair: Pair, marks: Mark[], single: number[]): Promise<void> {
  return freezeTrials(pair, (t) => {
    marks.push({ at: t.stopAt, extra: t.contAt });
    single.push(t.backup.t - t.contAt);
  });
}

async function runImpl(impl: (typeof IMPLS)[number], p: Profile, out: Series): Promise<void> {
  const push = (k: string, v: number) => {
    if (!Number.isFinite(v)) return;
    out[k] = [...(out[k] ?? []), v];
  };
  const measure = async (tag: string, body: (pair: Pair, marks: Mark[]) => Promise<void>) => {
    const marks: Mark[] = [];
    let frames: VrrpFrame[] = [];
    let macs = { a: '', b: '' };
    await withPair(impl, p, tag, async (pair) => {
      macs = { a: pair.a.host.mac, b: pair.b.host.mac };
      try {
        await body(pair, marks);
      } finally {
        frames = vrrpFrames(await pair.capture.stop());
      }
    });
    return { marks, frames, macs };
  };
  const wanted = (process.env['BENCH_SCENARIOS'] ?? 'cut,stop,freeze').split(',');
  const run = (tag: string, body: (pair: Pair, marks: Mark[]) => Promise<void>) =>
    wanted.includes(tag)
      ? measure(tag, body)
      : Promise.resolve({ marks: [], frames: [], macs: { a: '', b: '' } });
  const cut = await run('cut', linkCut);
  for (const m of cut.marks) {
    const next = firstFrom(cut.frames, cut.macs.b, m.at);
    const last = lastFrom(cut.frames, cut.macs.a, m.at);
    if (next) push('link cut -> advert', next.t - m.at);
    if (next && last) push('last advert -> new advert', next.t - last.t);
  }
  const stop = await run('stop', graceful);
  for (const m of stop.marks) {
    const next = firstFrom(stop.frames, stop.macs.b, m.at);
    const zero = firstFrom(stop.frames, stop.macs.a, m.at, true);
    if (next) push('SIGTERM -> advert', next.t - m.at);
    if (next && zero) push('prio 0 -> advert', next.t - zero.t);
  }
  if (process.env['BENCH_PER_TRIAL'] === '1') printStopTrials(impl, p, stop);
  const single: number[] = [];
  const frz = await run('freeze', (pair, marks) => frozen(pair, marks, single));
  for (const m of frz.marks) {
    const next = firstFrom(frz.frames, frz.macs.b, m.at);
    const resumed = m.extra === undefined ? undefined : firstFrom(frz.frames, frz.macs.a, m.extra);
    if (next) push('SIGSTOP -> advert', next.t - m.at);
    if (resumed && m.extra !== undefined) push('SIGCONT -> old master advert', resumed.t - m.extra);
  }
  for (const s of single) push('SIGCONT -> single master', s);
  if (process.env['BENCH_PER_TRIAL'] === '1') printFreezeTrials(impl, p, frz, single);
}

/** BENCH_PER_TRIAL=1: each graceful-stop trial's SIGTERM -> server1's priority 0 -> server2's first advert (ms). */
function printStopTrials(
  impl: string,
  p: Profile,
  stop: { marks: Mark[]; frames: VrrpFrame[]; macs: { a: string; b: string } },
): void {
  const ms = (from: number, to: VrrpFrame | undefined) => (to ? (to.t - from).toFixed(2) : '-');
  const rows = stop.marks.map((m, i) => {
    const zero = firstFrom(stop.frames, stop.macs.a, m.at, true);
    const next = firstFrom(stop.frames, stop.macs.b, m.at);
    return `   ${impl} ${p.name} #${i + 1}: SIGTERM -> prio 0 ${ms(m.at, zero)} ms, -> B advert ${ms(m.at, next)} ms`;
  });
  console.log(rows.join('\n'));
}

/**
 * BENCH_PER_TRIAL=1: each freeze trial's SIGCONT -> server1's first advert on the wire ->
 * server2's "Entering BACKUP STATE" line (ms), and server2's last advert before the line,
 * so a slow trial shows which side it was slow on.
 */
function printFreezeTrials(
  impl: string,
  p: Profile,
  frz: { marks: Mark[]; frames: VrrpFrame[]; macs: { a: string; b: string } },
  single: readonly number[],
): void {
  const rows = frz.marks.map((m, i) => {
    const cont = m.extra ?? Number.NaN;
    const resumed = firstFrom(frz.frames, frz.macs.a, cont);
    const line = cont + (single[i] ?? Number.NaN);
    const bAfter = frz.frames.find((f) => f.ethSrc === frz.macs.b && f.t > cont && f.t < line);
    const a = resumed ? (resumed.t - cont).toFixed(2) : '-';
    const b = resumed ? (line - resumed.t).toFixed(2) : '-';
    const stray = bAfter ? ` (server2 advert at +${(bAfter.t - cont).toFixed(2)})` : '';
    return `   ${impl} ${p.name} #${i + 1}: SIGCONT -> A advert ${a} ms, -> B line ${b} ms, total ${(single[i] ?? Number.NaN).toFixed(2)} ms${stray}`;
  });
  console.log(rows.join('\n'));
}

async function main(): Promise<void> {
  const why = benchUnavailable();
  if (why) {
    console.log(`vrrp-failover: skipped (${why})`);
    return;
  }
  console.log(`vrrp-failover: ${benchRealtime()}`);
  for (const p of PROFILES.filter(profileWanted('v2,v3'))) {
    const series: Record<string, Series> = {};
    for (const impl of IMPLS) {
      series[impl] = {};
      await runImpl(impl, p, series[impl]);
    }
    const ours = series['keepalived-ts'] ?? {};
    const theirs = series['keepalived'] ?? {};
    const names = [...new Set([...Object.keys(ours), ...Object.keys(theirs)])];
    const rows = names.map((name) => ({
      name,
      unit: 'ms',
      ours: ours[name] ?? [],
      theirs: theirs[name] ?? [],
    }));
    const md = masterDownMs(p.advertS, 254).toFixed(1);
    console.log(table(`failover, ${p.name}, ${TRIALS} trials (Master_Down_Interval ${md} ms)`, rows));
    const counts = rows.map((r) => `${r.name} ${r.ours.length}/${r.theirs.length}`).join(', ');
    console.log(`   samples (ours/theirs): ${counts}`);
  }
}

await main();
