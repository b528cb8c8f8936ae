/**
 * @module The runtime's floor under 'SIGCONT -> single master' (bench/vrrp-failover.ts):
 * what a process that does nothing but answer one datagram pays, written in C and on
 * Node, after the quiet stretch each side of a freeze trial has. The resumed master was
 * stopped for about 4.5 intervals (Master_Down_Interval, up to an interval before it,
 * and the bench's 1.5); the master that yields was idle for an interval between its
 * adverts. Both daemons wake into these once per trial, so the sum of the two
 * differences (node minus C) is the least a Node daemon adds to that measure against a
 * C one doing the same I/O, before it runs any code of its own.
 *
 * A C echo (bench/runtime-floor/echo.c) and a bare `node` dgram echo answer a C prober
 * (bench/runtime-floor/probe.c, compiled here with cc) that times the round trip from
 * just before SIGCONT (stopped) or the send (idle). BENCH_TRIALS (default 20; 12 for
 * the 4.5 s stops of v2 unless set) trials each. Prints figures, never fails.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, percentile } from './stats.js';

const SOURCES = join(dirname(fileURLToPath(import.meta.url)), '../../bench/runtime-floor');

const NODE_ECHO = `import dgram from 'node:dgram';
const s = dgram.createSocket('udp4');
s.on('message', (m, r) => s.send(m, r.port, r.address));
s.bind(0, '127.0.0.1', () => console.log(s.address().port));
`;

interface Profile {
  readonly name: string;
  readonly advertMs: number;
}

const PROFILES: readonly Profile[] = [
  { name: 'v3 0.01s', advertMs: 10 },
  { name: 'v3 0.1s', advertMs: 100 },
  { name: 'v2 1s', advertMs: 1000 },
];

type Echo = 'c' | 'node';

function compile(dir: string): void {
  for (const name of ['echo', 'probe']) {
    const r = spawnSync('cc', ['-O2', '-o', join(dir, name), join(SOURCES, `${name}.c`)], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`cc ${name}.c failed: ${r.stderr || r.error?.message}`);
  }
}

/** Starts an echo, runs the prober against it, and returns the round trips (ms). */
async function measure(
  dir: string,
  echo: Echo,
  quietMs: number,
  stop: boolean,
  trials: number,
): Promise<number[]> {
  const argv = echo === 'c' ? [join(dir, 'echo')] : [process.execPath, join(dir, 'echo.mjs')];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      child.once('exit', (code) => reject(new Error(`${echo} echo exited (${code})`)));
    });
    await new Promise((r) => setTimeout(r, 300));
    const r = spawnSync(
      join(dir, 'probe'),
      [String(child.pid), String(port), String(quietMs), stop ? '1' : '0', String(trials)],
      { encoding: 'utf8', timeout: trials * (quietMs + 3000) + 10_000 },
    );
    if (r.status !== 0) throw new Error(`probe failed: ${r.stderr || r.error?.message}`);
    return r.stdout.trim().split('\n').map(Number);
  } finally {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
}

const fmt = (v: readonly number[]) => `${median(v).toFixed(3)}/${percentile(v, 95).toFixed(3)}`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kts-floor-'));
  try {
    compile(dir);
    writeFileSync(join(dir, 'echo.mjs'), NODE_ECHO);
    const set = process.env['BENCH_TRIALS'];
    console.log('== runtime floor: one UDP round trip after a quiet stretch, median/p95 ms (C prober)');
    console.log(
      `${'profile'.padEnd(9)} ${'side'.padEnd(26)} ${'C echo'.padStart(13)} ${'node echo'.padStart(13)} ${'node - C'.padStart(9)}`,
    );
    for (const p of PROFILES) {
      const trials = Math.max(3, Number(set ?? (p.advertMs >= 1000 ? 12 : 20)));
      let sum = 0;
      const sides = [
        { label: `yields: idle ${p.advertMs} ms`, quietMs: Math.max(0, p.advertMs - 1), stop: false },
        { label: `resumes: stopped ${4.5 * p.advertMs} ms`, quietMs: 4.5 * p.advertMs, stop: true },
      ];
      for (const side of sides) {
        const c = await measure(dir, 'c', side.quietMs, side.stop, trials);
        const n = await measure(dir, 'node', side.quietMs, side.stop, trials);
        const diff = median(n) - median(c);
        sum += diff;
        console.log(
          `${p.name.padEnd(9)} ${side.label.padEnd(26)} ${fmt(c).padStart(13)} ${fmt(n).padStart(13)} ${diff.toFixed(3).padStart(9)}`,
        );
      }
      console.log(
        `${p.name.padEnd(9)} ${'both sides: node - C'.padEnd(26)} ${''.padStart(27)} ${sum.toFixed(3).padStart(9)}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
