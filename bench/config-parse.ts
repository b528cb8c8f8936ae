/**
 * Benchmark: `-t` on a generated configuration of 1,000 virtual servers with 10 real
 * servers each (TCP_CHECK), keepalived-ts next to keepalived 2.2.7 in the same run.
 * Each trial is a fresh process under /usr/bin/time (peak RSS), timed around the whole
 * run; keepalived-ts is run as the command itself, so its #! line's node options count.
 * Target (issue 2): faster than keepalived (~0.2 s, 18 MB here).
 *
 * Both run without NODE_EXTRA_CA_CERTS: with it set, node parses that CA bundle before
 * any script runs (0.4 G instructions, about half of `node -e 0`, for the system bundle),
 * which measures the environment rather than either daemon. BENCH_KEEP_ENV=1 keeps it.
 * `node -e 0` is timed alongside as the floor any Node program starts from.
 *
 * Peak RSS is also time here: on this VM a first touch of a fresh 4 KiB page costs
 * ~15 µs (16 MB filled once: ~64 ms, again: ~1 ms), so each MB above node's own ~38 MB
 * costs `-t` about 4 ms (minor faults: `/usr/bin/time -f %R`). Wall times of a loaded
 * machine say little; for A/B comparisons of code changes, instructions under
 * `valgrind --tool=cachegrind node --no-concurrent-recompilation --single-threaded-gc
 * bin/keepalived-ts -t -f FILE` repeat to within ~1% (compiles and GC on the main thread).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleIsCurrent, warmCodeCache, writeOneShotBundle } from '../src/cli/bundle.js';
import { median, table } from './stats.js';

const VIRTUAL_SERVERS = 1000;
const REAL_SERVERS = 10;
const TRIALS = Number(process.env.BENCH_TRIALS ?? 10);
const repoRoot = resolve(import.meta.dirname, '../..');

export function generateConfig(virtualServers: number, realServers: number): string {
  const out: string[] = ['global_defs {', '  router_id bench', '}'];
  for (let v = 0; v < virtualServers; v++) {
    const vip = `10.${100 + Math.floor(v / 250)}.${v % 250}.1`;
    out.push(
      `virtual_server ${vip} 80 {`,
      '  delay_loop 5',
      '  lb_algo wrr',
      '  lb_kind NAT',
      '  protocol TCP',
    );
    for (let r = 0; r < realServers; r++)
      out.push(
        `  real_server 10.200.${v % 250}.${10 + r} 8080 {`,
        `    weight ${1 + r}`,
        '    TCP_CHECK {',
        '      connect_timeout 3',
        '      retry 3',
        '      delay_before_retry 2',
        '    }',
        '  }',
      );
    out.push('}');
  }
  return `${out.join('\n')}\n`;
}

const KEEP_ENV = process.env.BENCH_KEEP_ENV === '1';
const childEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  if (!KEEP_ENV) delete env.NODE_EXTRA_CA_CERTS;
  return env;
};

const toMs = (s: number): number => s * 1000;

/** Wall time around the whole run (time(1)'s own %e counts hundredths), peak RSS from time(1). */
function timed(cmd: string, args: string[]): { seconds: number; rssMb: number; status: number | null } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', env: childEnv() });
  const seconds = (performance.now() - t0) / 1000;
  const kb = Number(r.stderr.trim().split('\n').at(-1));
  return { seconds, rssMb: kb / 1024, status: r.status };
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'kts-bench-parse-'));
  // What `make build` leaves: bin runs -t from the one-shot bundle when it is current.
  const dist = join(repoRoot, 'dist');
  if (!bundleIsCurrent(dist)) {
    writeOneShotBundle(dist);
    warmCodeCache(repoRoot);
    console.log('one-shot bundle was missing or stale: rebuilt (make build does this)');
  }
  const loadBefore = loadavg()[0]!;
  try {
    const conf = join(dir, 'keepalived.conf');
    writeFileSync(conf, generateConfig(VIRTUAL_SERVERS, REAL_SERVERS));
    const pids = ['p', 'r', 'c', 'b'].map((p) => join(dir, `${p}.pid`));
    const ours = { t: [] as number[], m: [] as number[] };
    const theirs = { t: [] as number[], m: [] as number[] };
    const bare = { t: [] as number[], m: [] as number[] };
    for (let i = 0; i < TRIALS; i++) {
      // Run as an installed command is (its #! line sets node's options).
      const a = timed(join(repoRoot, 'bin/keepalived-ts'), ['-t', '-f', conf]);
      const b = timed('keepalived', [
        '-t',
        '-f',
        conf,
        '-p',
        pids[0]!,
        '-r',
        pids[1]!,
        '-c',
        pids[2]!,
        '-b',
        pids[3]!,
      ]);
      ours.t.push(a.seconds);
      ours.m.push(a.rssMb);
      theirs.t.push(b.seconds);
      theirs.m.push(b.rssMb);
      const c = timed(process.execPath, ['-e', '0']);
      bare.t.push(c.seconds);
      bare.m.push(c.rssMb);
      if (i === 0) console.log(`exit status: keepalived-ts ${a.status}, keepalived ${b.status}`);
    }
    console.log(
      table(
        `config test: ${VIRTUAL_SERVERS} virtual servers x ${REAL_SERVERS} real servers, ${TRIALS} trials each`,
        [
          { name: 'wall time', unit: 'ms', ours: ours.t.map(toMs), theirs: theirs.t.map(toMs) },
          { name: 'peak RSS', unit: 'MB', ours: ours.m, theirs: theirs.m },
        ],
      ),
    );
    console.log(
      `node -e 0 (the floor): ${toMs(median(bare.t)).toFixed(0)} ms, ${median(bare.m).toFixed(0)} MB; NODE_EXTRA_CA_CERTS ${KEEP_ENV ? 'kept' : 'unset'} for all three`,
    );
    // Wall times move with the machine's load (a shared 2-core machine: GC helper threads
    // and compiles wait for a core), so the 1-minute load average goes with the figures.
    console.log(`load average (1 min): ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) main();
