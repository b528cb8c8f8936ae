/**
 * @module Runs inside the qemu IPVS lab guest (bench/lvs-checks-vm.ts boots it): keepalived
 * 2.2.7's checker (`keepalived -C`) and keepalived-ts's checker process, one after the other,
 * on the same config and the same backends in the guest (a node process listening on
 * 0.0.0.0, real servers at distinct 127.x addresses), with real IPVS underneath. For each:
 * time until every real server is in IPVS, the checker process's CPU seconds (utime +
 * stime from /proc) over a steady window, then half of the backends close and the time
 * until each of their real servers leaves IPVS (the check-to-decision latency, seen by
 * one observer polling GET_DEST for both). Writes /tmp/xfer/bench-result.json.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';

interface Ports {
  readonly tcpA: number;
  readonly tcpB: number;
  readonly httpA: number;
  readonly httpB: number;
}

/** TCP and HTTP listeners: A stays up, B closes on 'fail' and reopens on 'restore'. */
async function backend(): Promise<void> {
  const net = await import('node:net');
  const { createServer } = await import('node:http');
  const listen = (s: import('node:net').Server, port = 0) =>
    new Promise<number>((r) => s.listen(port, '0.0.0.0', () => r((s.address() as { port: number }).port)));
  const tcp = () => net.createServer((c) => c.destroy());
  const http = () => createServer((_q, r) => r.end('ok'));
  const tcpA = tcp();
  const httpA = http();
  let tcpB = tcp();
  let httpB = http();
  const ports: Ports = {
    tcpA: await listen(tcpA),
    tcpB: await listen(tcpB),
    httpA: await listen(httpA),
    httpB: await listen(httpB),
  };
  process.send!(ports);
  let bOpen = true;
  process.on('message', async (m) => {
    if (m === 'fail' && bOpen) {
      bOpen = false;
      tcpB.close();
      httpB.close();
      // Keep-alive is off in the checkers; drop what is left at once.
      httpB.closeAllConnections();
    } else if (m === 'restore' && !bOpen) {
      bOpen = true;
      tcpB = tcp();
      httpB = http();
      await listen(tcpB, ports.tcpB);
      await listen(httpB, ports.httpB);
    }
    process.send!(`${m}-done`);
  });
  process.on('disconnect', () => process.exit(0));
}

/** What the host asks the guest to run (bench.json). */
export interface VmBenchParams {
  readonly perKind: number;
  readonly warmS: number;
  readonly windowS: number;
  readonly failS: number;
  /** Only keepalived-ts's side (quicker runs while trying changes). */
  readonly onlyTs?: boolean;
  /** Node flags for keepalived-ts's checker process. */
  readonly checkerFlags?: readonly string[];
  /** `perf record` each checker through the window; `perf report` into /tmp/xfer/perf-*.txt. */
  readonly perf?: boolean;
}

/** One checker's figures, written back to the host. */
export interface Side {
  readonly name: string;
  /** Start to every real server present in IPVS, s. */
  readonly startS: number;
  readonly cpuS: number;
  /** Of cpuS: in the kernel (stime). */
  readonly sysS?: number;
  /** Of cpuS: the main thread's (the event loop; the rest is compiler, GC and pool threads). */
  readonly mainCpuS?: number;
  readonly windowS: number;
  /** Per failed real server: backend closed → removed from IPVS, ms (missing ones never left). */
  readonly downMs: readonly number[];
  readonly failed: number;
  /** Real servers seen missing from IPVS while every backend answered. */
  readonly falseDown: number;
}

const addr = (kind: 1 | 2, i: number) => `127.${kind}.${(i >> 8) & 255}.${(i & 255) + 1}`;

/**
 * DR real servers on the virtual server's port (keepalived 2.2.7 resets a DR real server's
 * port to the virtual server's, "ports don't match - resetting"), so the checks name the
 * backend's port with connect_port: the same kernel state and the same checks for both.
 */
function config(p: VmBenchParams, ports: Ports): string {
  const half = Math.floor(p.perKind / 2);
  const tcp: string[] = [];
  const http: string[] = [];
  for (let i = 0; i < p.perKind; i++) {
    const tp = i < half ? ports.tcpB : ports.tcpA;
    const hp = i < half ? ports.httpB : ports.httpA;
    tcp.push(
      `  real_server ${addr(1, i)} 80 {\n    TCP_CHECK {\n      connect_port ${tp}\n      connect_timeout 2\n    }\n  }`,
    );
    http.push(
      `  real_server ${addr(2, i)} 80 {\n    HTTP_GET {\n      url {\n        path /\n        status_code 200\n      }\n      connect_port ${hp}\n      connect_timeout 2\n    }\n  }`,
    );
  }
  const vs = (a: string, body: string[]) =>
    `virtual_server ${a} 80 {\n  protocol TCP\n  lb_algo rr\n  lb_kind DR\n  delay_loop 1\n  retry 1\n  delay_before_retry 1\n${body.join('\n')}\n}\n`;
  return `global_defs {\n  router_id bench\n}\n${vs('10.9.0.1', tcp)}${vs('10.9.0.2', http)}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** utime and stime of a process (or one of its threads: `/proc/PID/task/TID/stat`), seconds. */
function cpuOf(pid: number, stat = `/proc/${pid}/stat`): { user: number; sys: number } {
  const text = readFileSync(stat, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { user: Number(f[11]) / 100, sys: Number(f[12]) / 100 };
}

/** The main thread's (the event loop's) share: its thread id is the pid. */
const mainThreadCpuOf = (pid: number) => cpuOf(pid, `/proc/${pid}/task/${pid}/stat`);

/**
 * Samples a process with perf (cpu-clock: TCG has no PMU) until stop(), then reports by
 * DSO and symbol (JIT code named through /tmp/perf-PID.map when node runs with
 * --perf-basic-prof) into /tmp/xfer/perf-NAME.txt. The sampling costs the guest CPU too.
 */
function perfRecord(name: string, pid: number): { stop(): Promise<void> } {
  const tag = name.replace(/[^a-z0-9]+/gi, '-');
  const data = `/tmp/xfer/perf-${tag}.data`;
  const rec = spawn(
    'perf',
    ['record', '-q', '-e', 'cpu-clock', '-F', '499', '-g', '-p', String(pid), '-o', data],
    {
      stdio: 'ignore',
    },
  );
  return {
    stop: async () => {
      const done = new Promise((r) => rec.once('exit', r));
      rec.kill('SIGINT');
      await done;
      const out = openSync(`/tmp/xfer/perf-${tag}.txt`, 'w');
      const report = spawn(
        'perf',
        [
          'report',
          '-i',
          data,
          '--stdio',
          '--no-children',
          '--sort',
          'dso,sym',
          '-g',
          'none',
          '--percent-limit',
          '0.2',
        ],
        { stdio: ['ignore', out, out] },
      );
      await new Promise((r) => report.once('exit', r));
    },
  };
}

async function main(): Promise<void> {
  const p = JSON.parse(readFileSync('/tmp/xfer/bench.json', 'utf8')) as VmBenchParams;
  const { IpvsPlane } = await import('../src/lvs/ipvs-plane.js');
  const { spawnLvsChecker } = await import('../src/lvs/checker-process.js');
  const be = fork(new URL(import.meta.url).pathname, ['backend'], { stdio: 'inherit' });
  // A dead backend would leave the run waiting: end the job (the host sees no result).
  be.once('exit', () => {
    console.error('bench: the backend process exited');
    process.exit(1);
  });
  const ports = await new Promise<Ports>((r) => be.once('message', (m) => r(m as Ports)));
  const ask = (m: string) =>
    new Promise<void>((r) => {
      be.on('message', function on(x) {
        if (x === `${m}-done`) {
          be.off('message', on);
          r();
        }
      });
      be.send(m);
    });
  writeFileSync('/tmp/bench.conf', config(p, ports));
  const observer = await IpvsPlane.open();
  const present = async (): Promise<Set<string>> => {
    const out = new Set<string>();
    for (const s of await observer.readAll())
      for (const d of s.destinations) out.add(`${d.address}:${d.port}`);
    return out;
  };
  const half = Math.floor(p.perKind / 2);
  const failing: string[] = [];
  for (let i = 0; i < half; i++) failing.push(`${addr(1, i)}:80`, `${addr(2, i)}:80`);
  const total = 2 * p.perKind;

  const measure = async (
    name: string,
    start: () => Promise<{ pid: number; stop: () => Promise<void>; mark?: (text: string) => void }>,
  ): Promise<Side> => {
    await ask('restore');
    const t0 = performance.now();
    const run = await start();
    let startS = Number.NaN;
    for (const end = t0 + 120_000; performance.now() < end; await sleep(200))
      if ((await present()).size >= total) {
        startS = (performance.now() - t0) / 1000;
        break;
      }
    await sleep(p.warmS * 1000);
    const perf = p.perf ? perfRecord(name, run.pid) : undefined;
    const c0 = cpuOf(run.pid);
    const m0 = mainThreadCpuOf(run.pid);
    const w0 = performance.now();
    // Every backend answers during the window: a real server missing from IPVS is a false failure.
    const flapped = new Set<string>();
    for (const end = w0 + p.windowS * 1000; performance.now() < end; await sleep(500)) {
      const now = await present();
      if (now.size < total)
        for (let i = 0; i < p.perKind; i++)
          for (const k of [`${addr(1, i)}:80`, `${addr(2, i)}:80`]) if (!now.has(k)) flapped.add(k);
    }
    const c1 = cpuOf(run.pid);
    const m1 = mainThreadCpuOf(run.pid);
    const cpuS = c1.user + c1.sys - c0.user - c0.sys;
    const sysS = c1.sys - c0.sys;
    const mainCpuS = m1.user + m1.sys - m0.user - m0.sys;
    const windowS = (performance.now() - w0) / 1000;
    await perf?.stop();
    run.mark?.('bench: backends B closed');
    await ask('fail');
    const f0 = performance.now();
    const gone = new Map<string, number>();
    for (
      const end = f0 + p.failS * 1000;
      performance.now() < end && gone.size < failing.length;
      await sleep(100)
    ) {
      const now = await present();
      const t = performance.now() - f0;
      for (const k of failing) if (!now.has(k) && !gone.has(k)) gone.set(k, t);
    }
    await run.stop();
    for (let i = 0; i < 100 && (await present()).size > 0; i++) await sleep(100);
    console.log(`bench: ${name} done`);
    return {
      name,
      startS,
      cpuS,
      sysS,
      mainCpuS,
      windowS,
      downMs: [...gone.values()],
      failed: failing.length,
      falseDown: flapped.size,
    };
  };

  const sides: Side[] = [];
  if (!p.onlyTs)
    sides.push(
      await measure('keepalived 2.2.7', async () => {
        const log = openSync('/tmp/xfer/bench-keepalived.log', 'w');
        const ka: ChildProcess = spawn(
          'keepalived',
          [
            '-C',
            '-n',
            '-l',
            '-f',
            '/tmp/bench.conf',
            '-p',
            '/tmp/kab.pid',
            '-c',
            '/tmp/kab-check.pid',
            '-r',
            '/tmp/kab-vrrp.pid',
          ],
          { stdio: ['ignore', log, log] },
        );
        // The checker is keepalived's child; its pid file appears once it runs.
        let pid = 0;
        for (let i = 0; i < 200 && !pid; i++) {
          await sleep(100);
          try {
            pid = Number(readFileSync('/tmp/kab-check.pid', 'utf8').trim());
          } catch {}
        }
        return {
          pid,
          stop: async () => {
            const exited = new Promise((r) => ka.once('exit', r));
            ka.kill('SIGTERM');
            await Promise.race([exited, sleep(20_000)]);
            if (ka.exitCode === null) ka.kill('SIGKILL');
          },
        };
      }),
    );
  sides.push(
    await measure('keepalived-ts', async () => {
      const lines: string[] = [];
      const stamp = (l: string) => lines.push(`${(performance.now() / 1000).toFixed(1)} ${l}`);
      const cp = spawnLvsChecker(
        { configFile: '/tmp/bench.conf', configId: 'bench', nodeFlags: p.checkerFlags ?? [] },
        { info: stamp },
      );
      return {
        pid: cp.child.pid!,
        mark: stamp,
        stop: async () => {
          await Promise.race([cp.stop(), sleep(20_000)]);
          if (cp.child.exitCode === null) cp.child.kill('SIGKILL');
          writeFileSync('/tmp/xfer/bench-keepalived-ts.log', lines.join('\n'));
        },
      };
    }),
  );
  observer.close();
  be.removeAllListeners('exit');
  be.kill();
  writeFileSync('/tmp/xfer/bench-result.json', JSON.stringify({ params: p, sides }));
}

// Last: the constants above must exist before either part runs.
if (process.argv[2] === 'backend') await backend();
else await main();
