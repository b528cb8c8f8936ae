/**
 * @module Resource use (issue 3): RSS and CPU seconds per minute of keepalived-ts and
 * keepalived 2.2.7 (whole process tree: keepalived's parent and VRRP child) with 1, 50
 * and 255 instances at advert_int 1 (VRRPv2) and 0.1 (VRRPv3), for the master and the
 * backup of a two-server LAN. CPU is measured over a bounded window (BENCH_WINDOW_S,
 * default 20 s) once every instance has settled, and scaled to a minute. RSS is read at
 * the end of the window and, as "RSS max", once a second through it (a V8 heap grows
 * between full collections, so one reading can land anywhere on that saw). "peak" sums
 * the tree's processes' VmHWM at the end of the window: their lifetime peaks, start-up
 * and takeovers included (keepalived-ts's is reached at start-up, before it gives back
 * node's start-up pages: src/daemon/startup-pages.ts).
 * BENCH_WARMUP_S (default 1) is how long both daemons run after settling before the
 * window opens: keepalived-ts's first ~12 s after start carry one-off costs the steady
 * state does not (TurboFan compiling the hot paths, V8's post-start full collections);
 * 15 shows the steady state. BENCH_INSTANCES=1,50,255 and BENCH_ADVERTS=1,0.1 choose the grid. The
 * last column is the machine's 1-minute load average at the end of keepalived-ts's
 * window: on a shared machine CPU readings move with it.
 * BENCH_ORDER=together (default) starts both daemons at once; backup-first starts the
 * master only once the backup has taken every instance over, so the master's adverts
 * begin while the backup's still arrive (a master rebooted while its peer stayed up).
 */
import { loadavg } from 'node:os';
import {
  articleLab,
  manyInstancesConf,
  VrrpNode as Node,
  sleep,
  type VrrpNode,
} from '../test/netns/harness/index.js';
import { benchUnavailable, type IMPLS, usage, WINDOW_S } from './vrrp-lib.js';

interface Reading {
  readonly cpuSPerMin: number;
  /** At the end of the window. */
  readonly rssMiB: number;
  /** Highest of the once-a-second readings in the window (the V8 heap saws up and down). */
  readonly rssMaxMiB: number;
  /** The tree's processes' lifetime peaks (VmHWM), summed. */
  readonly peakMiB: number;
}

/** Seconds both daemons run after settling before the window opens. */
const WARMUP_S = Math.max(0, Number(process.env['BENCH_WARMUP_S'] ?? 1));

const ORDER = process.env['BENCH_ORDER'] ?? 'together';
if (ORDER !== 'together' && ORDER !== 'backup-first')
  throw new Error(`BENCH_ORDER=${ORDER}: together|backup-first`);

/** Waits until each node has logged its line `count` times (`times` counts, for a node that passes a state twice). */
async function settle(
  waits: readonly { node: VrrpNode; line: RegExp; times: number }[],
  count: number,
  advertS: number,
): Promise<void> {
  const deadline = Date.now() + 30_000 + count * advertS * 200;
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    if (waits.every((w) => w.node.proc.findAll(w.line).length >= w.times * count)) return;
    if (waits.some((w) => !w.node.proc.running)) break;
    await sleep(200);
  }
  throw new Error(`${waits[0]!.node.label}: instances did not settle (${waits[0]!.node.proc.tail(5)})`);
}

async function measure(impl: (typeof IMPLS)[number], count: number, advertS: number) {
  const lab = articleLab(`r${count}`);
  const nodes: VrrpNode[] = [];
  try {
    const conf = (role: string, priority: number, state: 'MASTER' | 'BACKUP') =>
      manyInstancesConf({ role, count, priority, state, advertInt: advertS });
    /** Starts a node, kept in `nodes` for the clean-up. */
    const start = (role: string, priority: number, state: 'MASTER' | 'BACKUP') => {
      const node = new Node(lab, lab.host(role), impl, conf(role, priority, state), { echo: false });
      nodes.push(node);
      return node;
    };
    const first = ORDER === 'backup-first';
    const early = first ? null : start('server1', 200, 'MASTER');
    const backup = start('server2', 100, 'BACKUP');
    if (first) await settle([{ node: backup, line: /Entering MASTER STATE/, times: 1 }], count, advertS);
    const master = early ?? start('server1', 200, 'MASTER');
    await settle(
      [
        { node: master, line: /Entering MASTER STATE/, times: 1 },
        // backup-first: "(init)" and again on yielding.
        { node: backup, line: /Entering BACKUP STATE/, times: first ? 2 : 1 },
      ],
      count,
      advertS,
    );
    await sleep(WARMUP_S * 1000);
    const before = [usage(master.proc.pid), usage(backup.proc.pid)];
    const t0 = performance.now();
    const maxKiB = [0, 0];
    while (performance.now() - t0 < WINDOW_S * 1000) {
      await sleep(Math.min(1000, WINDOW_S * 1000 - (performance.now() - t0)));
      [master, backup].forEach((n, i) => {
        maxKiB[i] = Math.max(maxKiB[i]!, usage(n.proc.pid).rssKiB);
      });
    }
    const s = (performance.now() - t0) / 1000;
    const after = [usage(master.proc.pid), usage(backup.proc.pid)];
    const read = (i: number): Reading => ({
      cpuSPerMin: ((after[i]!.cpuS - before[i]!.cpuS) / s) * 60,
      rssMiB: after[i]!.rssKiB / 1024,
      rssMaxMiB: Math.max(maxKiB[i]!, after[i]!.rssKiB) / 1024,
      peakMiB: after[i]!.peakKiB / 1024,
    });
    return { master: read(0), backup: read(1), load: loadavg()[0]! };
  } catch (e) {
    console.log(`  ! ${impl} ${count} x ${advertS}s: ${(e as Error).message.split('\n')[0]}`);
    return undefined;
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    lab.destroy();
  }
}

const list = (env: string | undefined, dflt: number[]) =>
  env === undefined
    ? dflt
    : env
        .split(',')
        .map(Number)
        .filter((n) => n > 0);

async function main(): Promise<void> {
  const why = benchUnavailable();
  if (why) {
    console.log(`vrrp-resources: skipped (${why})`);
    return;
  }
  const counts = list(process.env['BENCH_INSTANCES'], [1, 50, 255]);
  const adverts = list(process.env['BENCH_ADVERTS'], [1, 0.1]);
  console.log(
    `== resources, ${WINDOW_S} s window per point after ${WARMUP_S} s of warm-up, start ${ORDER}, CPU scaled to s/min (100% of a core = 60)`,
  );
  const head = [
    'instances',
    'advert',
    'role',
    'kts CPU s/min',
    'ka CPU s/min',
    'ratio',
    'kts RSS MiB',
    'ka RSS MiB',
    'ratio',
    'kts RSS max',
    'ka RSS max',
    'kts peak',
    'ka peak',
    'load',
  ];
  console.log(head.map((h, i) => h.padStart(i < 3 ? 9 : 13)).join(' '));
  for (const advertS of adverts) {
    for (const count of counts) {
      const ours = await measure('keepalived-ts', count, advertS);
      const theirs = await measure('keepalived', count, advertS);
      for (const role of ['master', 'backup'] as const) {
        const o = ours?.[role];
        const t = theirs?.[role];
        const f = (n: number | undefined) => (n === undefined ? 'n/a' : n.toFixed(2));
        const ratio = (a?: number, b?: number) =>
          a === undefined || b === undefined ? 'n/a' : (a / b).toFixed(2);
        const cells = [
          String(count),
          `${advertS}s`,
          role,
          f(o?.cpuSPerMin),
          f(t?.cpuSPerMin),
          ratio(o?.cpuSPerMin, t?.cpuSPerMin),
          f(o?.rssMiB),
          f(t?.rssMiB),
          ratio(o?.rssMiB, t?.rssMiB),
          f(o?.rssMaxMiB),
          f(t?.rssMaxMiB),
          f(o?.peakMiB),
          f(t?.peakMiB),
          f(ours?.load),
        ];
        console.log(cells.map((c, i) => c.padStart(i < 3 ? 9 : 13)).join(' '));
      }
    }
  }
}

await main();
