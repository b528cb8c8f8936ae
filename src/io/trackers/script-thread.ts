/**
 * @module The thread vrrp_script runs are spawned from: the main thread posts
 * `{id, run}`, the worker replies `{id, pid}` once the script started and `{id, outcome}`
 * when it ended, so fork/exec never runs on the VRRP loop (DESIGN principle 5) while the
 * main thread can still kill a run's process group on stop. Falls back to spawning on this
 * thread if the worker cannot start. This file is both the client and, as a worker, the
 * server.
 */

import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { type GroupRun, killGroup, runInGroup } from './group-spawn.js';
import type { ScriptOutcome } from './script-counter.js';

type Request = { readonly id: number; readonly run: GroupRun };
type Reply = { readonly id: number; readonly pid?: number; readonly outcome?: ScriptOutcome };

const ROLE = 'keepalived-ts-track-script-thread';

type Pending = {
  run: GroupRun;
  pid: number | null;
  onPid: (pid: number) => void;
  resolve: (o: ScriptOutcome) => void;
};

export class ScriptThread {
  #worker: Worker | null = null;
  /** Resolves once the current worker runs (or could not start). */
  #online: Promise<void> = Promise.resolve();
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  #ensure(): Worker | null {
    if (this.#worker) return this.#worker;
    try {
      const w = new Worker(new URL(import.meta.url), { workerData: ROLE });
      w.on('message', (m: Reply) => this.#reply(m));
      w.on('error', () => this.#fail());
      w.on('exit', () => this.#fail());
      w.unref();
      this.#worker = w;
      this.#online = new Promise((resolve) => {
        w.once('online', () => resolve());
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
    if (this.#pending.size === 0) this.#worker?.unref();
    p.resolve(m.outcome);
  }

  /** The worker died: run what it still owed on this thread. */
  #fail(): void {
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
      w.ref();
      w.postMessage({ id, run } satisfies Request);
    });
  }

  /** SIGKILLs every running script's process group (stop). */
  killAll(): void {
    for (const p of this.#pending.values()) if (p.pid !== null) killGroup(p.pid, 'SIGKILL');
  }

  close(): void {
    this.killAll();
    void this.#worker?.terminate();
    this.#worker = null;
  }
}

if (!isMainThread && workerData === ROLE && parentPort !== null) {
  const port = parentPort;
  port.on('message', (m: Request) => {
    void runInGroup(m.run, (pid) => port.postMessage({ id: m.id, pid } satisfies Reply)).then((outcome) =>
      port.postMessage({ id: m.id, outcome } satisfies Reply),
    );
  });
}
