/**
 * @module vrrp_track_process: counts matching processes by scanning /proc (asynchronously,
 * every `scanMs`; keepalived uses the kernel's process connector, a netlink socket the
 * native layer does not expose yet) and reports quorum changes after keepalived's delays:
 * a gained quorum only after `fork_delay` (or `delay`), a lost one after
 * `terminate_delay` (or `delay`); a change that reverts within its delay is never reported.
 * Logs "Quorum gained|lost for tracked process NAME" as keepalived does.
 */

import { readdir, readFile } from 'node:fs/promises';
import type { VrrpTrackProcess } from '../../config/model.js';
import { type TrackerState, trackerKey } from '../../vrrp/tracking.js';
import { hasQuorum, matchesProcess, needsCmdline, type ProcessInfo } from './process-match.js';
import type { Tracker, TrackerListener } from './types.js';

export interface ProcessTrackerOptions {
  readonly spec: VrrpTrackProcess;
  readonly onUpdate: TrackerListener;
  /** Scan period, ms (default 500). */
  readonly scanMs?: number;
  /** /proc, replaceable in tests. */
  readonly procRoot?: string;
}

/** One process as the scan reads it; null when it vanished meanwhile. */
async function readProcess(root: string, pid: number, withCmdline: boolean): Promise<ProcessInfo | null> {
  try {
    const status = await readFile(`${root}/${pid}/status`, 'utf8');
    const name = /^Name:\t(.*)$/m.exec(status)?.[1] ?? '';
    const zombie = /^State:\tZ/m.test(status);
    let argv: string[] = [];
    if (withCmdline) {
      const raw = await readFile(`${root}/${pid}/cmdline`, 'utf8');
      argv = raw.split('\0');
      if (argv[argv.length - 1] === '') argv.pop();
    }
    return { pid, name, argv, zombie };
  } catch {
    return null;
  }
}

/** Number of processes under `root` matching `spec`. */
export async function countProcesses(spec: VrrpTrackProcess, root = '/proc'): Promise<number> {
  const pids = (await readdir(root)).filter((n) => /^[1-9][0-9]*$/.test(n)).map(Number);
  const cmd = needsCmdline(spec);
  const infos = await Promise.all(pids.map((pid) => readProcess(root, pid, cmd)));
  return infos.filter((p) => p !== null && matchesProcess(spec, p)).length;
}

export class ProcessTracker implements Tracker {
  readonly #o: ProcessTrackerOptions;
  #quorum = false;
  #count = 0;
  #pending: { quorum: boolean; timer: NodeJS.Timeout } | null = null;
  #timer: NodeJS.Timeout | null = null;
  #scanning = false;
  #stopped = true;

  constructor(options: ProcessTrackerOptions) {
    this.#o = options;
  }

  get name(): string {
    return this.#o.spec.name;
  }

  get state(): TrackerState {
    return { kind: 'process', quorum: this.#quorum };
  }

  get count(): number {
    return this.#count;
  }

  /** The first scan, whose result applies at once (keepalived scans /proc at start-up). */
  async init(): Promise<void> {
    this.#count = await countProcesses(this.#o.spec, this.#o.procRoot);
    this.#quorum = hasQuorum(this.#o.spec, this.#count);
  }

  start(): void {
    this.#stopped = false;
    this.#timer = setInterval(() => this.#scan(), this.#o.scanMs ?? 500);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#pending) clearTimeout(this.#pending.timer);
    this.#timer = null;
    this.#pending = null;
  }

  #scan(): void {
    if (this.#scanning) return;
    this.#scanning = true;
    void countProcesses(this.#o.spec, this.#o.procRoot)
      .then((n) => {
        this.#count = n;
        if (!this.#stopped) this.#observe(hasQuorum(this.#o.spec, n));
      })
      .catch(() => {})
      .finally(() => {
        this.#scanning = false;
      });
  }

  #observe(quorum: boolean): void {
    if (this.#pending !== null) {
      if (this.#pending.quorum === quorum) return;
      clearTimeout(this.#pending.timer);
      this.#pending = null;
    }
    if (quorum === this.#quorum) return;
    const s = this.#o.spec;
    const delayS = (quorum ? s.forkDelayS : s.terminateDelayS) ?? s.delayS ?? 0;
    if (delayS <= 0) {
      this.#report(quorum);
      return;
    }
    const timer = setTimeout(() => {
      this.#pending = null;
      this.#report(quorum);
    }, delayS * 1000);
    this.#pending = { quorum, timer };
  }

  #report(quorum: boolean): void {
    this.#quorum = quorum;
    const name = this.#o.spec.name;
    const logs = [`Quorum ${quorum ? 'gained' : 'lost'} for tracked process ${name}`];
    this.#o.onUpdate({ key: trackerKey('process', name), state: this.state, logs });
  }
}
