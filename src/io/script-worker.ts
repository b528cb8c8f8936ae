/**
 * @module The script worker thread: Node's child_process.spawn forks and execs
 * synchronously, a few milliseconds each, which a burst of notify scripts (many instances
 * changing state at once) would steal from VRRP timers. Scripts are therefore spawned in
 * this worker; the main thread only posts `{id, run}` and receives `{id, result}`. This
 * file is both the client (`WorkerSpawner`) and, run as a worker, the server.
 */

import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { type ScriptResult, type ScriptRun, spawnScript } from './spawn-script.js';

type Request = { readonly id: number; readonly run: ScriptRun };
type Reply = { readonly id: number; readonly result: ScriptResult };

const ROLE = 'keepalived-ts-script-worker';

/** Spawns scripts in a worker thread; falls back to this thread if the worker fails. */
export class WorkerSpawner {
  #worker: Worker | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, { run: ScriptRun; resolve: (r: ScriptResult) => void }>();

  #ensure(): Worker | null {
    if (this.#worker) return this.#worker;
    try {
      const w = new Worker(new URL(import.meta.url), { workerData: ROLE });
      w.on('message', (m: Reply) => {
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        p?.resolve(m.result);
        if (this.#pending.size === 0) w.unref();
      });
      w.on('error', () => this.#fail());
      w.on('exit', () => this.#fail());
      w.unref();
      this.#worker = w;
      return w;
    } catch {
      return null;
    }
  }

  /** The worker died: run what it still owed here, and start a new one next time. */
  #fail(): void {
    this.#worker = null;
    const owed = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of owed) void spawnScript(p.run).then(p.resolve);
  }

  spawn(run: ScriptRun): Promise<ScriptResult> {
    const w = this.#ensure();
    if (w === null) return spawnScript(run);
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, { run, resolve });
      w.ref();
      w.postMessage({ id, run } satisfies Request);
    });
  }

  close(): void {
    void this.#worker?.terminate();
    this.#worker = null;
  }
}

if (!isMainThread && workerData === ROLE && parentPort !== null) {
  const port = parentPort;
  port.on('message', (m: Request) => {
    void spawnScript(m.run).then((result) => port.postMessage({ id: m.id, result } satisfies Reply));
  });
}
