/**
 * @module The notify-script spawner: Node's child_process.spawn forks and execs
 * synchronously, and a fork copies the forking process's page tables under its memory-map
 * lock, so a burst of notify scripts (many instances changing state at once) spawned from
 * the daemon, even from a thread of it, would steal that time from VRRP timers. Scripts are
 * therefore spawned by a small child process; the daemon only sends `{id, run}` over the
 * IPC channel and receives `{id, result}`. This file is both the client (`ProcessSpawner`)
 * and, run with its role argument, the spawner. Falls back to spawning in the daemon if the
 * spawner cannot start; if it dies, what it owed runs in the daemon.
 */

import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type ScriptResult, type ScriptRun, spawnScript } from './spawn-script.js';

type Request = { readonly id: number; readonly run: ScriptRun };
type Reply = { readonly id: number; readonly result: ScriptResult };

const ROLE = '--keepalived-ts-notify-spawner';

export class ProcessSpawner {
  #child: ChildProcess | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, { run: ScriptRun; resolve: (r: ScriptResult) => void }>();

  #ensure(): ChildProcess | null {
    if (this.#child) return this.#child;
    try {
      const c = fork(fileURLToPath(import.meta.url), [ROLE], {
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        // A small heap: the spawner only relays requests and results.
        execArgv: ['--max-old-space-size=16', '--max-semi-space-size=1'],
      });
      c.on('message', (m: Reply) => {
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        p?.resolve(m.result);
        if (this.#pending.size === 0) c.channel?.unref();
      });
      c.on('error', () => this.#fail(c));
      c.on('exit', () => this.#fail(c));
      c.unref();
      c.channel?.unref();
      this.#child = c;
      return c;
    } catch {
      return null;
    }
  }

  /** The spawner died: run what it still owed here, and start a new one next time. */
  #fail(c: ChildProcess): void {
    if (this.#child !== c) return;
    this.#child = null;
    const owed = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of owed) void spawnScript(p.run).then(p.resolve);
  }

  spawn(run: ScriptRun): Promise<ScriptResult> {
    const c = this.#ensure();
    if (c === null) return spawnScript(run);
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, { run, resolve });
      c.channel?.ref();
      c.send({ id, run } satisfies Request);
    });
  }

  close(): void {
    const c = this.#child;
    this.#child = null;
    if (c?.connected) c.disconnect();
  }
}

if (process.argv[2] === ROLE && process.send !== undefined) {
  process.on('message', (m: Request) => {
    void spawnScript(m.run).then((result) => {
      if (process.connected) process.send!({ id: m.id, result } satisfies Reply);
    });
  });
  // The daemon going away ends the spawner (the scripts it started run on, as keepalived's).
  process.on('disconnect', () => process.exit(0));
}
