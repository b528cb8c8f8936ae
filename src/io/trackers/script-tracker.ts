/**
 * @module vrrp_script runner: runs the script every `interval` (the first run at start),
 * never through a shell, in its own process group, off the VRRP event path (spawn is
 * asynchronous; nothing here waits). A run that outlives `timeout` (default: the
 * interval) is killed as keepalived kills it — SIGTERM to the process group, SIGKILL two
 * seconds later — and counted as a failure ("timed_out"). While a run is still going the
 * next one is skipped with keepalived's "Track script NAME is already running, expect idle
 * - skipping run". Results go through the rise/fall counter; state changes are emitted.
 */

import type { VrrpScript } from '../../config/model.js';
import { type TrackerState, trackerKey } from '../../vrrp/tracking.js';
import { resolveGroup, resolveUser } from '../users.js';
import { killGroup } from './group-spawn.js';
import {
  countScriptRun,
  createScriptCounter,
  type ScriptCounter,
  type ScriptOutcome,
  scriptStatus,
} from './script-counter.js';
import { SpawnerProcess } from './script-spawner.js';
import type { Tracker, TrackerListener } from './types.js';

/** keepalived waits this long after SIGTERM before SIGKILL (vrrp_scheduler.c). */
export const SCRIPT_KILL_GRACE_MS = 2000;

/** Where runs are spawned: the script thread (shared), or anything with the same shape. */
export interface ScriptSpawner {
  run(run: import('./group-spawn.js').GroupRun, onPid?: (pid: number) => void): Promise<ScriptOutcome>;
}

export interface ScriptTrackerOptions {
  readonly script: VrrpScript;
  readonly onUpdate: TrackerListener;
  /** Default: a script thread of its own. */
  readonly spawner?: ScriptSpawner;
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
  readonly #spawner: ScriptSpawner;
  readonly #ownSpawner: SpawnerProcess | null;
  #counter: ScriptCounter;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #pid: number | null = null;
  #stopped = false;
  readonly stats: ScriptTrackerStats = { runs: 0, timedOut: 0, skipped: 0 };

  constructor(options: ScriptTrackerOptions) {
    this.#o = options;
    this.#ownSpawner = options.spawner === undefined ? new SpawnerProcess() : null;
    this.#spawner = options.spawner ?? (this.#ownSpawner as SpawnerProcess);
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
    if (this.#pid !== null) killGroup(this.#pid, 'SIGKILL');
    this.#ownSpawner?.close();
  }

  #tick(): void {
    if (this.#stopped) return;
    const name = this.#o.script.name;
    if (this.#running) {
      this.stats.skipped++;
      this.#o.log?.(`Track script ${name} is already running, expect idle - skipping run`);
      return;
    }
    const argv = this.#o.script.script?.argv ?? [];
    if (argv.length === 0) return;
    this.#run(argv);
  }

  #run(argv: readonly string[]): void {
    const s = this.#o.script.script;
    const user = s?.user ?? this.#o.defaultUser;
    const group = s?.group ?? this.#o.defaultGroup;
    const uid = user === undefined ? undefined : resolveUser(user);
    const gid = group === undefined ? uid?.gid : resolveGroup(group);
    const timeoutMs = this.#o.timeoutMs ?? (this.#o.script.timeoutS ?? this.#o.script.intervalS) * 1000;
    this.stats.runs++;
    this.#running = true;
    const run = {
      argv,
      timeoutMs,
      graceMs: SCRIPT_KILL_GRACE_MS,
      ...(uid ? { uid: uid.uid } : {}),
      ...(gid === undefined ? {} : { gid }),
    };
    void this.#spawner
      .run(run, (pid) => {
        this.#pid = pid;
      })
      .then((outcome) => {
        this.#running = false;
        this.#pid = null;
        if (outcome.kind === 'timedOut') this.stats.timedOut++;
        if (!this.#stopped) this.#count(outcome);
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
