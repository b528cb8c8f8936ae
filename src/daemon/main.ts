/**
 * @module Running the VRRP daemon from the command line: load the config, start the
 * instances, serve the control socket, write pid files, and handle keepalived's signals:
 * SIGTERM/SIGINT stop gracefully and exit 0; SIGHUP re-reads the config, refuses a bad
 * one (keeping the running config) and applies a good one as a diff; SIGUSR1/SIGUSR2
 * write the status as text to /tmp/keepalived-ts.data / .stats, SIGJSON as JSON to
 * /tmp/keepalived-ts.json (keepalived writes /tmp/keepalived.data, .stats, .json);
 * SIGSTATS_CLEAR zeroes the counters.
 */

// First: V8 heap flags, before the rest of the daemon is evaluated.
import './v8-flags.js';
import { writeFile } from 'node:fs/promises';
import type { Server } from 'node:net';
import { type Diagnostic, formatDiagnostic } from '../config/diagnostic.js';
import type { Config } from '../config/model.js';
import { serveBfdToChild } from '../io/bfd-bridge.js';
import { monotonicClock } from '../io/clock.js';
import { applyProcessPriority } from '../io/process-priority.js';
import { facilityNumber, SyslogWriter } from '../io/syslog-writer.js';
import { type CheckerProcess, spawnLvsChecker } from '../lvs/checker-process.js';
import { loadConfigOffThread, loadHere } from './config-worker.js';
import { startControlServer, stopControlServer } from './control-server.js';
import { createLogger, type Logger } from './log.js';
import { enterNetNamespace, namespaceControlSocket, namespacedIdent } from './net-namespace.js';
import { DEFAULT_CONTROL_SOCKET, removePidFiles, writePidFiles } from './pidfile.js';
import { installSignals } from './signals.js';
import { tryDropExecutablePages } from './startup-pages.js';
import { formatStatus, statusReport } from './status.js';
import { NonExistentInterfaceError, VrrpDaemon } from './vrrp-daemon.js';

export interface DaemonOptions {
  readonly configFile: string;
  readonly configId: string;
  readonly logConsole: boolean;
  readonly logDetail: boolean;
  readonly pidFiles: readonly string[];
  readonly controlSocket: string;
  readonly version: string;
  readonly argv: readonly string[];
  /** `-P`: VRRP only; `-C`: checkers only (keepalived's meanings). */
  readonly runVrrp: boolean;
  readonly runChecker: boolean;
  /** keepalived-ts's real-time VRRP process when the config sets no scheduling (src/io/process-priority.ts). */
  readonly realtime?: boolean;
  /** `--data-plane` / `lvs_data_plane`: force the LVS data plane. */
  readonly dataPlane?: 'ipvs' | 'nftables';
  /** `-S`: syslog facility (used without `-l`). */
  readonly logFacility?: string;
  /** `-s NAME`: run in network namespace NAME (overrides the config's net_namespace). */
  readonly namespace?: string;
}

/**
 * keepalived runs scripts without script security: `-t` fails on it (exit 6), but the
 * running daemon only logs it (LOG_INFO) and goes on, so it is no reason to refuse a
 * config. The line is logged by the processes' own script checks
 * (src/io/script-security-gate.ts), once, worded as keepalived words it: the config
 * check's diagnostic for the same thing is not logged as well.
 */
function loggedByScriptChecks(d: Diagnostic): boolean {
  return d.kind === 'security' && !d.aborts;
}

interface Loaded {
  readonly config: Config | undefined;
  readonly diagnostics: readonly Diagnostic[];
  readonly errors: number;
}

/**
 * Start-up loads on this thread (no timer runs yet, and no worker isolate stays in
 * memory); reloads in a worker. Nothing is logged here: at start-up the logger is made
 * after the config names its namespace (the syslog ident carries it).
 */
async function load(o: DaemonOptions, offThread: boolean): Promise<Loaded> {
  const request = { configFile: o.configFile, configId: o.configId, cwd: process.cwd() };
  const { config, diagnostics } = offThread ? await loadConfigOffThread(request) : loadHere(request);
  const errors = diagnostics.filter((d) => d.aborts || (d.severity === 'error' && d.kind !== 'security'));
  return { config, diagnostics: diagnostics as Diagnostic[], errors: errors.length };
}

function logDiagnostics(log: Logger, loaded: Loaded): void {
  for (const d of loaded.diagnostics) if (!loggedByScriptChecks(d)) log.info(formatDiagnostic(d));
}

/** Only instances the daemon can run: an interface and a VRID are required. */
function runnable(config: Config, log: Logger): Config {
  const ok = config.vrrpInstances.filter((i) => {
    if (i.interface && i.virtualRouterId) return true;
    log.info(`(${i.name}) has no interface or virtual_router_id - ignoring`);
    return false;
  });
  return { ...config, vrrpInstances: ok };
}

/** `status json` also carries the checker child's LVS status (null without one). */
async function handleRequest(
  d: VrrpDaemon,
  checker: CheckerProcess | undefined,
  line: string,
): Promise<string> {
  const words = line.split(/\s+/).filter(Boolean);
  if (words[0] !== 'status') return `error: unknown command ${line}\n`;
  const report = statusReport(d, process.pid);
  if (words[1] !== 'json') return formatStatus(report);
  const lvs = checker ? await checker.status() : null;
  return `${JSON.stringify({ ...report, lvs })}\n`;
}

/** Starts the daemon; resolves with the exit code once it has stopped. */
export async function runDaemon(o: DaemonOptions): Promise<number> {
  // Loading Node and the daemon's modules touched ~40 MB of node's pages that reading a
  // config of 255 instances would otherwise add its heap to (src/daemon/startup-pages.ts;
  // a failure is logged by the later drops).
  tryDropExecutablePages(() => {});
  // The config is read before anything else: its net_namespace must be entered before any
  // socket (syslog's included), thread or child exists (net-namespace.ts).
  const first = await load(o, false);
  const namespace = o.namespace ?? first.config?.global.netNamespace;
  const entry = namespace === undefined ? null : enterNetNamespace(namespace);
  const log = createLogger({
    console: o.logConsole,
    detail: o.logDetail,
    syslog: new SyslogWriter({
      facility: facilityNumber(o.logFacility),
      ident: namespacedIdent('Keepalived_vrrp', namespace),
      ...(process.env.KTS_SYSLOG_SOCKET ? { path: process.env.KTS_SYSLOG_SOCKET } : {}),
    }),
  });
  log.info(`Starting Keepalived-ts v${o.version}`);
  log.info(`Command line: ${o.argv.map((a) => `'${a}'`).join(' ')}`);
  log.info(`Configuration file ${o.configFile}`);
  /** Start-up failures also reach stderr without `-l` (keepalived would have syslog). */
  const fatal = async (text: string, code = 1): Promise<number> => {
    log.info(text);
    if (!o.logConsole) process.stderr.write(`keepalived-ts: ${text}\n`);
    await log.flush();
    return code;
  };
  logDiagnostics(log, first);
  if (!first.config) return fatal('Stopped - configuration could not be read');
  const configured = first.config.global.netNamespace;
  if (o.namespace !== undefined && configured !== undefined)
    log.info(`Overriding config net_namespace '${configured}' with command line namespace '${o.namespace}'`);
  if (namespace !== undefined)
    log.info(`Changing syslog ident to ${namespacedIdent('Keepalived_vrrp', namespace)}`);
  if (entry?.kind === 'failed') {
    for (const line of entry.lines.slice(0, -1)) log.info(line);
    // keepalived 2.2.7 exits with status 0 here.
    return fatal(entry.lines.at(-1) ?? `Unable to set network namespace ${namespace}`, 0);
  }
  const controlSocket =
    namespace !== undefined && o.controlSocket === DEFAULT_CONTROL_SOCKET
      ? namespaceControlSocket(namespace)
      : o.controlSocket;
  const scheduling = applyProcessPriority(
    first.config.global,
    'vrrp',
    (t) => log.info(t),
    o.realtime ?? true,
  );
  const vrrpConfig = o.runVrrp ? runnable(first.config, log) : { ...first.config, vrrpInstances: [] };
  const daemon = new VrrpDaemon({ config: vrrpConfig, clock: monotonicClock, log });
  let server: Server | undefined;
  let checker: CheckerProcess | undefined;
  let rehearsals: NodeJS.Timeout | undefined;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });
  let stopping = false;
  const stop = async (sig: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    // The priority-0 adverts went out first (advertiseShutdown, in the signal's own
    // callback); the shutdown steps come next, before anything else (even this log line).
    const stopped = Promise.all([daemon.stop(), checker?.stop()]);
    log.info(`Received ${sig}, stopping`);
    clearInterval(rehearsals);
    await stopped;
    scheduling.stop();
    uninstall();
    if (server) stopControlServer(server, controlSocket);
    removePidFiles(o.pidFiles);
    log.info(`Stopped Keepalived-ts v${o.version}`);
    await log.flush();
    resolveExit(0);
  };
  // Signals are caught before any instance starts, as keepalived does: the default action
  // of a SIGTERM landing while they start (one may already be MASTER with its VIPs) would
  // kill the process with no priority-0 advert and the VIPs left on. What arrives before
  // the daemon runs waits for it (`early`), then is acted on.
  let running = false;
  const early = { stop: undefined as string | undefined, reload: false };
  const busy = { reloading: false };
  const uninstall = installSignals(
    {
      stop: (sig) => {
        if (!running) {
          early.stop ??= sig;
          return;
        }
        daemon.advertiseShutdown();
        void stop(sig);
      },
      reload: () => {
        if (!running) {
          early.reload = true;
          return;
        }
        reload(o, daemon, log, busy, namespace);
        void checker?.reload();
      },
      dumpData: () => dump('/tmp/keepalived-ts.data', formatStatus(statusReport(daemon, process.pid))),
      dumpStats: () => dump('/tmp/keepalived-ts.stats', formatStatus(statusReport(daemon, process.pid))),
      dumpJson: () => dump('/tmp/keepalived-ts.json', JSON.stringify(statusReport(daemon, process.pid))),
      clearStats: () => daemon.clearStats(),
    },
    (e) => log.info(e.message),
  );
  const failed = (text: string, code?: number): Promise<number> => {
    uninstall();
    scheduling.stop();
    return fatal(text, code);
  };
  try {
    // Listen first: a socket that cannot be created must fail before any VIP is touched.
    server = await startControlServer(controlSocket, (line) => handleRequest(daemon, checker, line));
  } catch (e) {
    return failed(`Cannot create control socket ${controlSocket}: ${(e as Error).message}`);
  }
  if (early.stop !== undefined) {
    // Stopped before any instance ran: nothing on the wire or the host to undo.
    running = true;
    void stop(early.stop);
    return exited;
  }
  // Loading the modules and the config is done: what only that used goes before the
  // instances start and take over (the lifetime peak is otherwise reached here). Never
  // once they run: a drop blocks the loop for 10-40 ms (smaps, madvise, then mapping
  // again what runs next), which delayed a SIGTERM's priority-0 advert by ~7 ms at
  // 0.01 s and could outlast a Master_Down_Interval (30 ms there).
  tryDropExecutablePages((t) => log.detail(t));
  try {
    await daemon.start();
  } catch (e) {
    daemon.close();
    stopControlServer(server, controlSocket);
    if (e instanceof NonExistentInterfaceError) {
      log.info(`Interfaces the configuration names do not exist: ${e.interfaces.join(', ')}`);
      return failed(e.message, 2);
    }
    return failed(`Cannot start VRRP: ${(e as Error).message}`);
  }
  running = true;
  if (early.stop !== undefined) {
    // A SIGTERM while the instances started: a MASTER among them advertises priority 0 now.
    daemon.advertiseShutdown();
    void stop(early.stop);
    return exited;
  }
  // keepalived's checker child: health checks and the LVS data plane, off the VRRP loop.
  checker = startChecker(o, first.config, log);
  // The VRRP process runs every BFD session; the checker's BFD_CHECKs follow them.
  if (checker) serveBfdToChild(checker.child);
  writePidFiles(o.pidFiles, process.pid);
  log.info(`Control socket ${controlSocket} ready`);
  rehearsals = keepRarePathsWarm(daemon);
  if (early.reload) {
    reload(o, daemon, log, busy, namespace);
    void checker?.reload();
  }
  return exited;
}

/** Between two rehearsals of one instance's takeover and shutdown paths (round robin). */
const REHEARSAL_INTERVAL_MS = 2000;

/** Dry runs per rehearsal after the first round (V8 collects type feedback over several calls). */
const REHEARSAL_REPEATS = 10;

/**
 * Every instance rehearses its rare paths once at start, then one instance every
 * REHEARSAL_INTERVAL_MS, so a SIGTERM or a takeover never waits for V8 to compile them
 * (src/vrrp/rehearsal.ts). A few microseconds each, nothing sent. Each round runs in the
 * check phase, after the loop turn's timers and I/O: a process continued after SIGSTOP
 * finds the interval due together with its Adver_Timer, and Node may run it first (the
 * instances' dry runs once took ~1-4 ms before the resumed advert; perf samples of
 * resumed masters showed the shutdown and scheduler dry runs there too).
 */
function keepRarePathsWarm(daemon: VrrpDaemon): NodeJS.Timeout {
  setImmediate(() => {
    for (const rt of daemon.instances) rt.rehearse();
  });
  let next = 0;
  const rehearse = (): void => {
    daemon.advertiseShutdown(true);
    daemon.scheduler.rehearse();
    const list = daemon.instances;
    if (list.length === 0) return;
    next = (next + 1) % list.length;
    list[next]?.rehearse(REHEARSAL_REPEATS);
  };
  const timer = setInterval(() => setImmediate(rehearse), REHEARSAL_INTERVAL_MS);
  timer.unref();
  return timer;
}

function startChecker(o: DaemonOptions, config: Config, log: Logger): CheckerProcess | undefined {
  if (!o.runChecker || config.virtualServers.length === 0) return undefined;
  return spawnLvsChecker(
    {
      configFile: o.configFile,
      configId: o.configId,
      cwd: process.cwd(),
      ...(o.dataPlane ? { forcePlane: o.dataPlane } : {}),
    },
    log,
  );
}

function dump(path: string, text: string): void {
  void writeFile(path, text).catch(() => {});
}

/** SIGHUP: re-read and validate; a bad config never replaces the running one; a good one is applied as a diff. */
function reload(
  o: DaemonOptions,
  d: VrrpDaemon,
  log: Logger,
  busy: { reloading: boolean },
  namespace: string | undefined,
): void {
  if (busy.reloading) return;
  busy.reloading = true;
  log.info('Reloading');
  void applyReload(o, d, log, namespace)
    .catch((e: unknown) => log.info(`Reload failed: ${(e as Error).message}`))
    .finally(() => {
      busy.reloading = false;
    });
}

/** SIGHUP's work; the namespace the daemon runs in stays (keepalived cannot change it either). */
async function applyReload(
  o: DaemonOptions,
  d: VrrpDaemon,
  log: Logger,
  namespace: string | undefined,
): Promise<void> {
  const next = await load(o, true);
  logDiagnostics(log, next);
  if (next.config && o.namespace === undefined && next.config.global.netNamespace !== namespace)
    log.info('Cannot change network namespace at a reload - please restart keepalived-ts');
  if (!next.config || next.errors > 0) {
    const why = next.config ? `${next.errors} configuration errors` : 'configuration unreadable';
    log.info(`Reload refused: ${why} - keeping the running configuration`);
    return;
  }
  const p = await d.reload(runnable(next.config, log));
  log.info(
    `Reload done: kept ${p.keep.length}, restarted ${p.restart.length}, added ${p.add.length}, removed ${p.remove.length}`,
  );
}
