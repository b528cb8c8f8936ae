/**
 * @module Issue 4's bar: a hanging track script never delays an advertisement. The jitter
 * measurement of vrrp-jitter.ts (master's adverts captured on the bridge, interval minus
 * advert_int) for keepalived-ts and keepalived 2.2.7, each run twice on the same
 * topology: plain, and with 50 `vrrp_script`s tracked by the instance that each hang
 * (`sleep 30`) past their 1 s timeout every second, so both daemons spawn and kill 50
 * processes a second. The scripts have weight +1: a failure changes no priority, so any
 * difference in the adverts is the scripts' cost on the advert path.
 *
 * BENCH_SCRIPTS_S: window per run (default 20 s); BENCH_SCRIPTS_PROFILE=v2|v3 (default v3,
 * advert_int 0.01). Never pass/fail.
 */
import { type Impl, sleep, vrrpFrames } from '../test/netns/harness/index.js';
import { median, percentile } from './stats.js';
import { benchUnavailable, IMPLS, Pair, type Profile, V2_1S, V3_10MS } from './vrrp-lib.js';

const SCRIPTS = 50;
const seconds = Math.max(5, Number(process.env['BENCH_SCRIPTS_S'] ?? 20));
const profile: Profile = process.env['BENCH_SCRIPTS_PROFILE'] === 'v2' ? V2_1S : V3_10MS;

/** The article pair, optionally with 50 hanging tracked scripts on both nodes. */
class ScriptedPair extends Pair {
  readonly #scripts: number;

  constructor(impl: Impl, p: Profile, tag: string, scripts: number) {
    super(impl, p, tag);
    this.#scripts = scripts;
  }

  override conf(role: 'server1' | 'server2'): string {
    const base = super.conf(role);
    if (this.#scripts === 0) return base;
    const names = Array.from({ length: this.#scripts }, (_, i) => `slow_${i}`);
    const blocks = names
      .map(
        (n) =>
          `vrrp_script ${n} {\n    script "/bin/sleep 30"\n    interval 1\n    timeout 1\n    weight 1\n}\n`,
      )
      .join('');
    const track = `    track_script {\n${names.map((n) => `        ${n}\n`).join('')}    }\n`;
    return blocks + base.replace(/(vrrp_instance \S+ \{\n)/, `$1${track}`);
  }
}

interface Sample {
  errorsMs: number[];
  takeovers: number;
}

async function run(impl: Impl, scripts: number): Promise<Sample | undefined> {
  const pair = new ScriptedPair(impl, profile, scripts ? 'scripts' : 'plain', scripts);
  try {
    await pair.start();
    // Let the scripts reach their steady spawn-and-kill rhythm before measuring.
    await sleep(3000);
    const fb = pair.b.mark();
    const from = Date.now();
    await sleep(seconds * 1000);
    const to = Date.now();
    const frames = vrrpFrames(await pair.capture.stop()).filter(
      (f) => f.ethSrc === pair.a.host.mac && f.priority > 0 && f.t >= from && f.t <= to,
    );
    const nominal = profile.advertS * 1000;
    const errorsMs: number[] = [];
    for (let i = 1; i < frames.length; i++) errorsMs.push(frames[i]!.t - frames[i - 1]!.t - nominal);
    return { errorsMs, takeovers: pair.b.transitions('MASTER', fb).length };
  } catch (e) {
    console.log(
      `  ! ${impl} ${scripts} scripts: ${(e as Error).message.split('\n').slice(0, 8).join('\n    ')}`,
    );
    return undefined;
  } finally {
    await pair.close();
  }
}

async function main(): Promise<void> {
  const why = benchUnavailable();
  if (why) {
    console.log(`vrrp-scripts-jitter: skipped: ${why}`);
    return;
  }
  console.log(
    `vrrp-scripts-jitter: ${profile.name}, ${seconds} s per run, ${SCRIPTS} tracked scripts hanging past their 1 s timeout vs none`,
  );
  const rows: string[][] = [];
  const p99: Record<string, number> = {};
  for (const impl of IMPLS) {
    for (const scripts of [0, SCRIPTS]) {
      const s = await run(impl, scripts);
      if (s === undefined) continue;
      const abs = s.errorsMs.map(Math.abs);
      p99[`${impl}/${scripts}`] = percentile(abs, 99);
      rows.push([
        impl,
        String(scripts),
        String(s.errorsMs.length),
        `${median(abs).toFixed(2)} ms`,
        `${percentile(abs, 99).toFixed(2)} ms`,
        `${Math.max(...abs).toFixed(2)} ms`,
        String(s.takeovers),
      ]);
    }
  }
  const head = ['daemon', 'scripts', 'intervals', '|err| median', '|err| p99', '|err| max', 'takeovers'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  for (const r of [head, ...rows]) console.log(`  ${r.map((x, c) => x.padStart(widths[c]!)).join('  ')}`);

  for (const impl of IMPLS) {
    const a = p99[`${impl}/0`];
    const b = p99[`${impl}/${SCRIPTS}`];
    if (a !== undefined && b !== undefined)
      console.log(
        `  ${impl}: p99 with scripts ${b.toFixed(2)} ms vs ${a.toFixed(2)} ms without (${(b - a).toFixed(2)} ms)`,
      );
  }
}

await main();
