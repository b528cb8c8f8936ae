/**
 * @module Where vrrp_script runs are spawned from: a small child process of the daemon
 * (this module, run with its role argument). The daemon sends `{id, run}` over the IPC
 * channel; the spawner replies `{id, pid}` once the script started and `{id, outcome}` when
 * it ended. fork/exec never runs in the daemon: forking copies the forking process's page
 * tables while its memory map is locked, and from a thread of the daemon itself 50 scripts
 * a second stalled the VRRP loop (advert p99 23 ms at advert_int 0.01). The daemon can still
 * kill a run's process group on stop. Falls back to spawning in the daemon if the spawner
 * cannot start; if it dies, what it owed runs in the daemon.
 */

import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type GroupRun, killGroup, runInGroup } from './group-spawn.js';
import type { ScriptOutcome } from './script-counter.js';

type Request = { readonly id: number; readonly run: GroupRun };
type Reply = { readonly id: number; readonly pid?: number; readonly outcome?: ScriptOutcome };

const ROLE = '--keepalived-ts-script-spawner';

type Pending = {
  run: GroupRun;
  pid: number | null;
  onPid: (pid: number) => void;
  resolve: (o: ScriptOutcome) => void;
};

export class SpawnerProcess {
  #worker: ChildProcess | null = null;
  /** Resolves once the current spawner runs (or could not start). */
  #online: Promise<void> = Promise.resolve();
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  #ensure(): ChildProcess | null {
    if (this.#worker) return this.#worker;
    try {
      const w = fork(fileURLToPath(import.meta.url), [ROLE], {
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        // A small heap: the spawner only relays requests and outcomes.
        execArgv: ['--max-old-space-size=16', '--max-semi-space-size=1'],
      });
      w.on('message', (m: Reply) => this.#reply(m));
      w.on('error', () => this.#fail(w));
      w.on('exit', () => this.#fail(w));
      w.unref();
      w.channel?.unref();
      this.#worker = w;
      this.#online = new Promise((resolve) => {
        w.once('message', () => resolve());
        w.once('exit', () => resolve());
      });
      return w;
    } catch {
      return null;
    }
  }

  #reply(m: Reply): void {
    const p = this.#pending.get(m.id);
    if (p === undefined) return;
    if (m.pid !== undefined) {
      p.pid = m.pid;
      p.onPid(m.pid);
    }
    if (m.outcome === undefined) return;
    this.#pending.delete(m.id);
    if (this.#pending.size === 0) this.#worker?.channel?.unref();
    p.resolve(m.outcome);
  }

  /** The spawner died: run what it still owed in this process. */
  #fail(w: ChildProcess): void {
    if (this.#worker !== w) return;
    this.#worker = null;
    const owed = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of owed) void runInGroup(p.run, p.onPid).then(p.resolve);
  }

  /**
   * Starts the worker now and waits until it runs, so that the first script run is not
   * late by the worker's start-up (hundreds of ms on a loaded host, more than a 1 s interval
   * can absorb); bounded by `timeoutMs`.
   */
  async warmUp(timeoutMs = 5000): Promise<void> {
    if (this.#ensure() === null) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#online, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** Runs one script; `onPid` gets its process group id; resolves with how it ended. */
  run(run: GroupRun, onPid: (pid: number) => void = () => {}): Promise<ScriptOutcome> {
    const w = this.#ensure();
    if (w === null) return runInGroup(run, onPid);
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, { run, pid: null, onPid, resolve });
      w.channel?.ref();
      w.send({ id, run } satisfies Request);
    });
  }

  /** SIGKILLs every running script's process group (stop). */
  killAll(): void {
    for (const p of this.#pending.values()) if (p.pid !== null) killGroup(p.pid, 'SIGKILL');
  }

  close(): void {
    this.killAll();
    const w = this.#worker;
    this.#worker = null;
    w?.disconnect();
  }
}

if (process.argv[2] === ROLE && process.send !== undefined) {
  const send = (m: Reply) => {
    if (process.connected) process.send!(m);
  };
  process.on('message', (m: Request) => {
    void runInGroup(m.run, (pid) => send({ id: m.id, pid })).then((outcome) => send({ id: m.id, outcome }));
  });
  // Ready (the daemon's warmUp waits for this); the daemon going away ends the spawner.
  send({ id: 0 });
  process.on('disconnect', () => process.exit(0));
}
