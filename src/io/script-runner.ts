/**
 * @module Child processes for notify scripts: argv is executed directly (never through a
 * shell), stdio ignored, optionally as another uid/gid, killed (SIGTERM, then SIGKILL a
 * second later) when it outlives its timeout. Spawning is asynchronous: the event loop
 * never waits for a script. A cap on concurrent scripts queues the rest.
 */

import { spawn } from 'node:child_process';

export interface ScriptRun {
  readonly argv: readonly string[];
  readonly uid?: number;
  readonly gid?: number;
  /** Kill the script after this long, ms. */
  readonly timeoutMs: number;
}

/** How a script ended: its exit code, the signal that killed it, or a spawn error. */
export type ScriptResult =
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'signal'; readonly signal: string; readonly timedOut: boolean }
  | { readonly kind: 'error'; readonly message: string };

export class ScriptRunner {
  readonly #maxConcurrent: number;
  #running = 0;
  readonly #queue: { run: ScriptRun; done: (r: ScriptResult) => void }[] = [];
  readonly #children = new Set<import('node:child_process').ChildProcess>();
  started = 0;

  constructor(maxConcurrent = 32) {
    this.#maxConcurrent = maxConcurrent;
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
      this.#start(next.run, (r) => {
        this.#running--;
        next.done(r);
        this.#pump();
      });
    }
  }

  #start(run: ScriptRun, done: (r: ScriptResult) => void): void {
    const [file, ...args] = run.argv;
    if (file === undefined) {
      done({ kind: 'error', message: 'empty command' });
      return;
    }
    this.started++;
    let timedOut = false;
    let settled = false;
    const finish = (r: ScriptResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done(r);
    };
    const child = spawn(file, args, {
      stdio: 'ignore',
      shell: false,
      ...(run.uid === undefined ? {} : { uid: run.uid }),
      ...(run.gid === undefined ? {} : { gid: run.gid }),
    });
    this.#children.add(child);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 1000).unref();
    }, run.timeoutMs);
    timer.unref();
    child.on('error', (e) => {
      this.#children.delete(child);
      finish({ kind: 'error', message: e.message });
    });
    child.on('exit', (code, signal) => {
      this.#children.delete(child);
      finish(signal ? { kind: 'signal', signal, timedOut } : { kind: 'exit', code: code ?? 0 });
    });
  }

  /** Resolves when every running and queued script has ended, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ((this.#running > 0 || this.#queue.length > 0) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
