/**
 * @module The checker process: LVS and health checks in a child process of their own,
 * as keepalived's checker child, so no check, script or nft/netlink call can delay a
 * VRRP advertisement. The parent calls `spawnLvsChecker(...)`; the child (this module
 * run with `--kts-lvs-checker`) loads the config, runs `startLvs` and talks over the
 * IPC channel: log lines up (batched: the lines of one event-loop turn travel as one
 * message, so a thousand servers failing at once cost one serialisation, not a thousand);
 * `status`, `reload` and `stop` down.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ProcessScheduling } from '../io/process-priority.js';
import type { LvsCarry, LvsHandle, LvsStatus } from './start.js';

export interface CheckerProcessOptions {
  readonly configFile: string;
  readonly configId: string;
  readonly cwd?: string;
  /** `--lvs-data-plane`-style override. */
  readonly forcePlane?: 'ipvs' | 'nftables';
  /** Node/V8 flags for the child, after the parent's own and CHECKER_NODE_FLAGS. */
  readonly nodeFlags?: readonly string[];
}

type Up =
  | { type: 'log'; line: string }
  | { type: 'logs'; lines: string[] }
  | { type: 'ready' }
  | { type: 'status'; id: number; status: LvsStatus | null }
  | { type: 'done'; id: number };
type Down = { type: 'status' | 'reload' | 'stop'; id: number };

const FLAG = '--kts-lvs-checker';

/**
 * V8 tiers a function up to TurboFan after ~66 KB of its bytecode ran; the checker runs
 * a few small functions per check, so at modest rates they cross that over minutes and
 * each compile costs more than the optimized code saves. Measured in the IPVS lab (qemu
 * -icount, 40 checks/s, checker CPU in a 15 s window): 2.8 s with V8's default (of it
 * 0.9 s in compiler threads), 2.1 s still after 2 minutes; 1.9-2.0 s with 15x the budget,
 * with no compiles even after 2 minutes. At 4,000 checks/s (the host bench) the hot
 * functions still reach it within a second: user CPU 12.0 vs 11.9 %.
 * The checker's heap is small (~6 MB) and it allocates little per check: no memory
 * reducer's extra idle-time full collections. (--single-threaded-gc saved a little more
 * in the lab, but at 4,000 checks/s on the host its marking on the main thread stalled
 * the loop: due -> applied p99 200-600 ms in 3 of 5 runs, 20-45 ms without.)
 */
export const CHECKER_NODE_FLAGS: readonly string[] = ['--interrupt-budget=1000000', '--no-memory-reducer'];

export interface CheckerProcess {
  readonly child: ChildProcess;
  /** Resolves when the child has started its checkers (or failed to: see the log). */
  readonly ready: Promise<void>;
  status(): Promise<LvsStatus | null>;
  /** Re-reads the config file and restarts checking; the kernel state is reconciled, not flushed. */
  reload(): Promise<void>;
  /** Stops checking, clears the data plane, and waits for the child to exit. */
  stop(): Promise<void>;
}

export function spawnLvsChecker(
  opts: CheckerProcessOptions,
  log: { info(text: string): void },
): CheckerProcess {
  const child = fork(new URL(import.meta.url).pathname, [FLAG, JSON.stringify(opts)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [...process.execArgv, ...CHECKER_NODE_FLAGS, ...(opts.nodeFlags ?? [])],
  });
  let next = 1;
  const waiting = new Map<number, (m: Up) => void>();
  let readyResolve: () => void = () => {};
  const ready = new Promise<void>((r) => {
    readyResolve = r;
  });
  child.on('message', (m: Up) => {
    if (m.type === 'logs') for (const line of m.lines) log.info(line);
    else if (m.type === 'log') log.info(m.line);
    else if (m.type === 'ready') readyResolve();
    else waiting.get(m.id)?.(m);
  });
  // A child that died (e.g. the whole process group got SIGTERM) must not crash the parent.
  child.on('error', (e) => log.info(`LVS checker process: ${e.message}`));
  child.on('exit', () => {
    readyResolve();
    for (const w of waiting.values()) w({ type: 'done', id: 0 });
  });
  const ask = (type: Down['type']): Promise<Up> =>
    new Promise((resolve) => {
      if (!child.connected) return resolve({ type: 'done', id: 0 });
      const id = next++;
      waiting.set(id, (m) => {
        waiting.delete(id);
        resolve(m);
      });
      child.send({ type, id } satisfies Down, (e) => {
        if (e) waiting.get(id)?.({ type: 'done', id });
      });
    });
  return {
    child,
    ready,
    status: async () => {
      const m = await ask('status');
      return m.type === 'status' ? m.status : null;
    },
    reload: async () => {
      await ask('reload');
    },
    stop: async () => {
      const exited = new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      await ask('stop');
      await exited;
    },
  };
}

/**
 * The child's modules, loaded in parallel: static imports here would also load them into
 * the parent, and on a kernel with IPVS the modules startLvs would import one after the
 * other (probe, plane, sync daemon) are fetched alongside. Under emulation (the IPVS lab)
 * loading was most of the checker's start-up.
 */
function loadChildModules() {
  const ignore = () => undefined;
  if (existsSync('/proc/net/ip_vs'))
    for (const m of [import('./ipvs-probe.js'), import('./ipvs-plane.js'), import('./ipvs-sync-daemon.js')])
      m.catch(ignore);
  return Promise.all([
    import('../config/load.js'),
    import('../config/source.js'),
    import('../io/host-environment.js'),
    import('../io/process-priority.js'),
    import('./start.js'),
  ]);
}

async function childMain(opts: CheckerProcessOptions): Promise<void> {
  const modules = loadChildModules();
  let pending: string[] = [];
  const flushLogs = (): void => {
    if (pending.length > 0 && process.connected) process.send!({ type: 'logs', lines: pending } satisfies Up);
    pending = [];
  };
  // Every other message goes after the log lines before it, so the order is kept.
  const send = (m: Up): void => {
    flushLogs();
    if (process.connected) process.send!(m);
  };
  const log = {
    info: (line: string) => {
      if (pending.length === 0) setImmediate(flushLogs);
      pending.push(line);
    },
  };
  let scheduling: ProcessScheduling | undefined;
  const start = async (carry?: LvsCarry): Promise<LvsHandle | undefined> => {
    const [
      { loadConfig },
      { nodeFileSystem },
      { realHostEnvironment },
      { applyProcessPriority },
      { startLvs },
    ] = await modules;
    const r = loadConfig(opts.configFile, {
      fs: nodeFileSystem,
      env: realHostEnvironment(),
      configId: opts.configId,
      cwd: opts.cwd ?? process.cwd(),
    });
    if (!r.config) {
      log.info(`LVS: configuration ${opts.configFile} failed to load; checker not (re)started`);
      return undefined;
    }
    // checker_priority, checker_rt_priority, ...: set once, at the first start.
    scheduling ??= applyProcessPriority(r.config.global, 'checker', log.info);
    return startLvs(r.config, {
      log,
      ...(carry ? { carry } : {}),
      ...(opts.forcePlane ? { forcePlane: opts.forcePlane } : {}),
    });
  };
  let lvs: LvsHandle | undefined;
  let stopping = false;
  // Listen before starting: a request sent while the checkers start must not be lost.
  const starting = start().then((h) => {
    lvs = h;
    send({ type: 'ready' });
  });
  process.on('message', async (m: Down) => {
    if (m.type === 'status') {
      send({ type: 'status', id: m.id, status: lvs?.status() ?? null });
      return;
    }
    await starting;
    if (m.type === 'reload') {
      // Unchanged checkers keep their state, so a dead server does not come back on reload.
      const carry = lvs?.carry();
      await lvs?.stop({ keepPlane: true });
      lvs = await start(carry);
      send({ type: 'done', id: m.id });
    } else if (m.type === 'stop') {
      stopping = true;
      await lvs?.stop();
      scheduling?.stop();
      send({ type: 'done', id: m.id });
      process.disconnect();
      process.exit(0);
    }
  });
  // SIGTERM to the whole group (e.g. from a service manager): clean up like a stop request.
  const terminate = () => {
    if (stopping) return;
    stopping = true;
    void starting
      .then(() => lvs?.stop())
      .finally(() => {
        flushLogs();
        process.exit(0);
      });
  };
  process.on('SIGTERM', terminate);
  process.on('SIGINT', terminate);
  process.on('disconnect', () => {
    // The parent died: stop checking and leave the kernel as keepalived would at exit.
    if (!stopping) void starting.then(() => lvs?.stop()).finally(() => process.exit(0));
  });
}

if (process.argv[2] === FLAG) void childMain(JSON.parse(process.argv[3]!) as CheckerProcessOptions);
