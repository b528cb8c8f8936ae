/**
 * @module The side-by-side half of the checker benchmark: keepalived 2.2.7's checker cannot
 * run on this host (no IPVS: "IPVS: Can't initialize ipvs"), so both checkers run inside the
 * qemu IPVS lab (scripts/ipvs-lab.sh, at KTS_IPVS_LAB) on the same config and backends
 * (bench/lvs-checks-vm-guest.ts). Both run under the same TCG emulation, so their ratio is
 * the meaningful figure, not the absolute ones. One VM boot, bounded by `timeout`; its
 * exchange directory is removed whatever happens. Returns the lines to print, or why it
 * could not run.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Side, VmBenchParams } from './lvs-checks-vm-guest.js';
import { median, percentile } from './stats.js';

export type { VmBenchParams };

const LAB = process.env.KTS_IPVS_LAB ?? '/tmp/kts-lvs-lab/build';
const REPO = new URL('../..', import.meta.url).pathname;

export function runVmComparison(p: VmBenchParams): string[] {
  if (!['vmlinux', 'initrd.cpio', 'stamp'].every((f) => existsSync(join(LAB, f))))
    return [`  (no IPVS lab at ${LAB}: run \`make ipvs-lab\` for the side-by-side part)`];
  const xfer = join(LAB, `xfer-bench-${process.pid}`);
  rmSync(xfer, { recursive: true, force: true });
  mkdirSync(xfer, { recursive: true });
  // Generous: TCG, two checkers one after the other, node's cold start over 9p.
  const budgetS = 120 + 2 * (p.warmS + p.windowS + p.failS + 60);
  const t0 = performance.now();
  let out = '';
  try {
    // The guest mounts a tmpfs on /tmp: ship the compiled tree through the share (as the lab test does).
    cpSync(join(REPO, 'dist'), join(xfer, 'repo/dist'), { recursive: true });
    cpSync(join(REPO, 'package.json'), join(xfer, 'repo/package.json'));
    const addon = 'native/build/Release/kts_native.node';
    cpSync(join(REPO, addon), join(xfer, 'repo', addon));
    writeFileSync(join(xfer, 'bench.json'), JSON.stringify(p));
    // KTS_BENCH_PROF=1: every node process of the guest (the checker child inherits the flags)
    // writes a V8 CPU profile into the share's prof/ (kept with KTS_BENCH_KEEP=1).
    const prof = process.env.KTS_BENCH_PROF === '1' ? '--cpu-prof --cpu-prof-dir=/tmp/xfer/prof ' : '';
    writeFileSync(
      join(xfer, 'job.sh'),
      `cd /tmp/xfer/repo && node ${prof}dist/bench/lvs-checks-vm-guest.js\n`,
    );
    const r = spawnSync(
      'timeout',
      [
        '-k',
        '5',
        String(budgetS),
        'qemu-system-x86_64',
        ...['-machine', 'q35', '-accel', 'tcg', '-cpu', 'max', '-nodefaults', '-display', 'none'],
        ...icount(),
        ...['-serial', 'stdio', '-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04'],
        ...['-smp', '1', '-m', '1024', '-kernel', join(LAB, 'vmlinux'), '-initrd', join(LAB, 'initrd.cpio')],
        ...['-append', 'console=ttyS0 quiet panic=-1 nohz=off highres=off labmode=job'],
        ...['-virtfs', 'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap'],
        ...['-virtfs', `local,path=${xfer},mount_tag=xfer,security_model=none,multidevs=remap`],
      ],
      { encoding: 'utf8', timeout: (budgetS + 10) * 1000, maxBuffer: 64 * 2 ** 20 },
    );
    out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    if (process.env.KTS_BENCH_KEEP === '1') writeFileSync(join(xfer, 'console.txt'), out);
    const file = join(xfer, 'bench-result.json');
    if (!existsSync(file))
      return [`  (the VM run gave no result, exit ${r.status}; its console:)`, ...out.split('\n').slice(-30)];
    const { sides } = JSON.parse(readFileSync(file, 'utf8')) as { sides: Side[] };
    return format(p, sides, (performance.now() - t0) / 1000);
  } finally {
    // KTS_BENCH_KEEP=1 keeps the guest's logs (bench-keepalived*.log) for a look.
    if (process.env.KTS_BENCH_KEEP === '1') console.log(`  (kept ${xfer})`);
    else rmSync(xfer, { recursive: true, force: true });
  }
}

/**
 * qemu's -icount shift=N (guest time = instructions x 2^N ns while the vCPU runs), so the
 * CPU seconds the guest accounts count instructions, not host time, which other processes
 * on a busy host stretch: without it one build's checker CPU varied 3.4-4.0 s over four
 * runs (and its kernel share 1.4-1.7 s), with it the next build's 2.71-2.81 s over four.
 * KTS_VM_ICOUNT=N picks N (default 4), `off` plain TCG.
 */
function icount(): string[] {
  const shift = process.env.KTS_VM_ICOUNT ?? '4';
  return shift === 'off' || shift === '' ? [] : ['-icount', `shift=${Number(shift)},sleep=on`];
}

function format(p: VmBenchParams, sides: readonly Side[], wallS: number): string[] {
  const cpuPct = (s: Side) => (s.cpuS / s.windowS) * 100;
  const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
  const [ka, ts] = [
    sides.find((s) => s.name.startsWith('keepalived ')),
    sides.find((s) => s.name === 'keepalived-ts'),
  ];
  if (ts && !ka && p.onlyTs)
    return [
      `keepalived-ts only (KTS_VM_ONLY_TS=1): checker CPU ${f(ts.cpuS, 2)} s in ${f(ts.windowS, 0)} s (kernel ${f(ts.sysS ?? Number.NaN, 2)} s, main thread ${f(ts.mainCpuS ?? Number.NaN, 2)} s); start → all in IPVS ${f(ts.startS)} s; failure → removed median ${f(median(ts.downMs), 0)} ms, p99 ${f(percentile(ts.downMs, 99), 0)} ms; false failures ${ts.falseDown}; removed ${ts.downMs.length}/${ts.failed}`,
    ];
  if (!ka || !ts) return ['  (incomplete VM result)'];
  const row = (name: string, a: number, b: number, unit: string, d = 1) =>
    `  ${name.padEnd(30)} ${`${f(a, d)} ${unit}`.padStart(14)} ${`${f(b, d)} ${unit}`.padStart(14)} ${f(a / b, 2).padStart(7)}`;
  const down = (s: Side, q: number) => percentile(s.downMs, q);
  return [
    `qemu TCG guest (Debian 6.1 kernel, real IPVS${icount().length > 0 ? `, ${icount()[1]}` : ''}): ${p.perKind} TCP_CHECK + ${p.perKind} HTTP_GET, delay_loop 1 s, retry 1, delay_before_retry 1 s; VM run ${wallS.toFixed(0)} s`,
    '  Both checkers run under the same emulation, one after the other: the ratio is the',
    '  meaningful figure; absolute times are TCG times (many times slower than the host).',
    `  ${'measure'.padEnd(30)} ${'keepalived-ts'.padStart(14)} ${'keepalived'.padStart(14)} ${'ratio'.padStart(7)}`,
    row(`checker CPU (${f(ts.windowS, 0)} s window)`, ts.cpuS, ka.cpuS, 's', 2),
    row('checker CPU', cpuPct(ts), cpuPct(ka), '%'),
    row('  of which in the kernel', ts.sysS ?? Number.NaN, ka.sysS ?? Number.NaN, 's', 2),
    `    keepalived-ts main thread ${f(ts.mainCpuS ?? Number.NaN, 2)} s (the rest: V8 compiler and GC threads, libuv pool)`,
    row('start → all in IPVS', ts.startS, ka.startS, 's'),
    row('failure → removed, median', median(ts.downMs), median(ka.downMs), 'ms', 0),
    row('failure → removed, p99', down(ts, 99), down(ka, 99), 'ms', 0),
    `  false failures (removed while every backend answered, ${f(ts.windowS, 0)} s window, polled every 0.5 s): keepalived-ts ${ts.falseDown}/${2 * p.perKind}, keepalived ${ka.falseDown}/${2 * p.perKind}`,
    `  removed within ${p.failS} s: keepalived-ts ${ts.downMs.length}/${ts.failed}, keepalived ${ka.downMs.length}/${ka.failed} (observer polls GET_DEST every 100 ms)`,
  ];
}
