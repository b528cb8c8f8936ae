/**
 * @module vrrp_script runner: runs the script every `interval` (the first run at start),
 * never through a shell, in its own process group, off the VRRP event path (spawn is
 * asynchronous; nothing here waits). A run that outlives `timeout` (default: the
 * interval) is killed as keepalived kills it — SIGTERM to the process group, SIGKILL two
 * seconds later — and counted as a failure ("timed_out"). While a run is still going the
 * next one is skipped with keepalived's "Track script NAME is already running, expect idle
 * - skipping run". Results go through the rise/fall counter; state changes are emitted.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { VrrpScript } from '../../config/model.js';
import { type TrackerState, trackerKey } from '../../vrrp/tracking.js';
import { resolveGroup, resolveUser } from '../users.js';
import {
  countScriptRun,
  createScriptCounter,
  type ScriptCounter,
  type ScriptOutcome,
  scriptStatus,
} from './script-counter.js';
import type { Tracker, TrackerListener } from './types.js';

/** keepalived waits this long after SIGTERM before SIGKILL (vrrp_script_child_thread). */
export const SCRIPT_KILL_GRACE_MS = 2000;

export interface ScriptTrackerOptions {
  readonly script: VrrpScript;
  readonly onUpdate: TrackerListener;
  /** Global `script_user` / group when the script names none. */
  readonly defaultUser?: string;
  readonly defaultGroup?: string;
  /** Overrides for tests; seconds in the config otherwise. */
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  /** keepalived's log lines that are not tracker updates ("skipping run"). */
  readonly log?: (text: string) => void;
}

/** Counters exposed for status and tests. */
export interface ScriptTrackerStats {
  runs: number;
  timedOut: number;
  skipped: number;
}

export class ScriptTracker implements Tracker {
  readonly #o: ScriptTrackerOptions;
  #counter: ScriptCounter;
  #timer: NodeJS.Timeout | null = null;
  #child: ChildProcess | null = null;
  #killTimers: NodeJS.Timeout[] = [];
  #stopped = false;
  readonly stats: ScriptTrackerStats = { runs: 0, timedOut: 0, skipped: 0 };

  constructor(options: ScriptTrackerOptions) {
    this.#o = options;
    const s = options.script;
    this.#counter = createScriptCounter(s.rise, s.fall, s.initFail);
  }

  get name(): string {
    return this.#o.script.name;
  }

  get state(): TrackerState {
    return scriptStatus(this.#counter);
  }

  get #intervalMs(): number {
    return this.#o.intervalMs ?? Math.max(1, this.#o.script.intervalS) * 1000;
  }

  start(): void {
    this.#stopped = false;
    this.#timer = setInterval(() => this.#tick(), this.#intervalMs);
    setImmediate(() => this.#tick());
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    for (const t of this.#killTimers) clearTimeout(t);
    this.#killTimers = [];
    if (this.#child?.pid !== undefined) killGroup(this.#child.pid, 'SIGKILL');
    this.#child = null;
  }

  #tick(): void {
    if (this.#stopped) return;
    const name = this.#o.script.name;
    if (this.#child !== null) {
      this.stats.skipped++;
      this.#o.log?.(`Track script ${name} is already running, expect idle - skipping run`);
      return;
    }
    const argv = this.#o.script.script?.argv ?? [];
    const [file, ...args] = argv;
    if (file === undefined) return;
    this.#run(file, args);
  }

  #run(file: string, args: readonly string[]): void {
    const s = this.#o.script.script;
    const user = s?.user ?? this.#o.defaultUser;
    const group = s?.group ?? this.#o.defaultGroup;
    const uid = user === undefined ? undefined : resolveUser(user);
    const gid = group === undefined ? uid?.gid : resolveGroup(group);
    this.stats.runs++;
    let killedByUs = false;
    const child = spawn(file, args, {
      stdio: 'ignore',
      shell: false,
      detached: true,
      ...(uid ? { uid: uid.uid } : {}),
      ...(gid === undefined ? {} : { gid }),
    });
    this.#child = child;
    const timeoutMs = this.#o.timeoutMs ?? (this.#o.script.timeoutS ?? this.#o.script.intervalS) * 1000;
    const term = setTimeout(() => {
      killedByUs = true;
      this.stats.timedOut++;
      if (child.pid !== undefined) killGroup(child.pid, 'SIGTERM');
      const kill = setTimeout(
        () => child.pid !== undefined && killGroup(child.pid, 'SIGKILL'),
        SCRIPT_KILL_GRACE_MS,
      );
      this.#killTimers.push(kill);
    }, timeoutMs);
    this.#killTimers.push(term);
    const done = (outcome: ScriptOutcome): void => {
      clearTimeout(term);
      if (this.#child === child) this.#child = null;
      if (!this.#stopped) this.#count(outcome);
    };
    child.on('error', () => done({ kind: 'exit', code: 127 }));
    child.on('exit', (code, signal) => {
      // keepalived kills the group once more so no grandchild outlives a killed script.
      if (signal !== null && child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
      if (signal === null) done({ kind: 'exit', code: code ?? 0 });
      else if (killedByUs) done({ kind: 'timedOut' });
      else done({ kind: 'signal', signal: signalNumber(signal) });
    });
  }

  #count(outcome: ScriptOutcome): void {
    const step = countScriptRun(this.#counter, this.#o.script.name, outcome);
    this.#counter = step.counter;
    if (step.changed || step.logs.length > 0) {
      this.#o.onUpdate({
        key: trackerKey('script', this.#o.script.name),
        state: this.state,
        logs: step.logs,
      });
    }
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function signalNumber(name: NodeJS.Signals): number {
  return constants.signals[name] ?? 0;
}
