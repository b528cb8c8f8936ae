/**
 * @module Notify scripts with a cap on how many run at once (the rest queue). Each is
 * spawned by a `Spawner`: by default a small spawner process (notify-spawner.ts), so
 * fork/exec never runs in the VRRP daemon; tests may inject another.
 */

import { ProcessSpawner } from './notify-spawner.js';
import type { ScriptResult, ScriptRun } from './spawn-script.js';

export type { ScriptResult, ScriptRun } from './spawn-script.js';

export interface Spawner {
  spawn(run: ScriptRun): Promise<ScriptResult>;
  close(): void;
}

export class ScriptRunner {
  readonly #maxConcurrent: number;
  readonly #spawner: Spawner;
  #running = 0;
  readonly #queue: { run: ScriptRun; done: (r: ScriptResult) => void }[] = [];
  started = 0;

  constructor(maxConcurrent = 32, spawner: Spawner = new ProcessSpawner()) {
    this.#maxConcurrent = maxConcurrent;
    this.#spawner = spawner;
  }

  /** Runs a script; the promise settles when it ends (callers usually do not wait). */
  run(run: ScriptRun): Promise<ScriptResult> {
    return new Promise((done) => {
      this.#queue.push({ run, done });
      this.#pump();
    });
  }

  get running(): number {
    return this.#running;
  }

  #pump(): void {
    while (this.#running < this.#maxConcurrent && this.#queue.length > 0) {
      const next = this.#queue.shift()!;
      this.#running++;
      this.started++;
      void this.#spawner.spawn(next.run).then((r) => {
        this.#running--;
        next.done(r);
        this.#pump();
      });
    }
  }

  /** Resolves when every running and queued script has ended, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ((this.#running > 0 || this.#queue.length > 0) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.#spawner.close();
  }
}
