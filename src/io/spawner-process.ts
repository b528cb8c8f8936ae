/**
 * @module A small child process that starts programs for the daemon. fork/exec from the
 * daemon itself, even from a thread of it, copies the daemon's page tables under its
 * memory-map lock and stalls the VRRP loop (50 scripts a second took the advert p99 at
 * advert_int 0.01 from 1.2 to 23 ms), so scripts are started by a spawner process instead:
 * the daemon sends `{id, run}` over the IPC channel, the spawner replies `{id, pid}` once the
 * program started and `{id, result}` when it ended. The module that starts programs is both
 * sides: it builds a `SpawnerClient` with its own path and calls `serveSpawner` at top level.
 * If the spawner cannot start, or dies, what it owes runs in the daemon (`local`).
 */

import { type ChildProcess, fork } from 'node:child_process';

type Request<Run> = { readonly id: number; readonly run: Run };
type Reply<Result> = { readonly id: number; readonly pid?: number; readonly result?: Result };

export type StartFn<Run, Result> = (run: Run, onPid: (pid: number) => void) => Promise<Result>;

interface Pending<Run, Result> {
  readonly run: Run;
  pid: number | null;
  readonly onPid: (pid: number) => void;
  readonly resolve: (r: Result) => void;
}

export class SpawnerClient<Run, Result> {
  readonly #path: string;
  readonly #role: string;
  readonly #local: StartFn<Run, Result>;
  #child: ChildProcess | null = null;
  /** Resolves once the current spawner runs (or could not start). */
  #online: Promise<void> = Promise.resolve();
  #nextId = 1;
  readonly #pending = new Map<number, Pending<Run, Result>>();

  /** `path`: the module that calls `serveSpawner(role, ...)`; `local`: the same work in-process. */
  constructor(path: string, role: string, local: StartFn<Run, Result>) {
    this.#path = path;
    this.#role = role;
    this.#local = local;
  }

  #ensure(): ChildProcess | null {
    if (this.#child) return this.#child;
    try {
      const c = fork(this.#path, [this.#role], {
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        // A small heap: the spawner only relays requests and results.
        execArgv: ['--max-old-space-size=16', '--max-semi-space-size=1'],
      });
      c.on('message', (m: Reply<Result>) => this.#reply(m));
      c.on('error', () => this.#fail(c));
      c.on('exit', () => this.#fail(c));
      c.unref();
      c.channel?.unref();
      this.#child = c;
      this.#online = new Promise((resolve) => {
        c.once('message', () => resolve());
        c.once('exit', () => resolve());
      });
      return c;
    } catch {
      return null;
    }
  }

  #reply(m: Reply<Result>): void {
    const p = this.#pending.get(m.id);
    if (p === undefined) return;
    if (m.pid !== undefined) {
      p.pid = m.pid;
      p.onPid(m.pid);
    }
    if (m.result === undefined) return;
    this.#pending.delete(m.id);
    if (this.#pending.size === 0) this.#child?.channel?.unref();
    p.resolve(m.result);
  }

  /** The spawner died: run what it still owed here, and start a new one next time. */
  #fail(c: ChildProcess): void {
    if (this.#child !== c) return;
    this.#child = null;
    const owed = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of owed) void this.#local(p.run, p.onPid).then(p.resolve);
  }

  /**
   * Starts the spawner now and waits until it runs, so that the first run is not late by
   * its start-up (hundreds of ms on a loaded host); bounded by `timeoutMs`.
   */
  async warmUp(timeoutMs = 5000): Promise<void> {
    if (this.#ensure() === null) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#online, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  run(run: Run, onPid: (pid: number) => void = () => {}): Promise<Result> {
    const c = this.#ensure();
    if (c === null) return this.#local(run, onPid);
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, { run, pid: null, onPid, resolve });
      c.channel?.ref();
      c.send({ id, run } satisfies Request<Run>);
    });
  }

  /** Process ids of the runs still going, as the spawner reported them. */
  runningPids(): number[] {
    return [...this.#pending.values()].flatMap((p) => (p.pid === null ? [] : [p.pid]));
  }

  close(): void {
    const c = this.#child;
    this.#child = null;
    if (c?.connected) c.disconnect();
  }
}

/** The spawner's side: serves requests when this process was forked with `role`. */
export function serveSpawner<Run, Result>(role: string, start: StartFn<Run, Result>): void {
  if (process.argv[2] !== role || process.send === undefined) return;
  const send = (m: Reply<Result>) => {
    if (process.connected) process.send!(m);
  };
  process.on('message', (m: Request<Run>) => {
    void start(m.run, (pid) => send({ id: m.id, pid })).then((result) => send({ id: m.id, result }));
  });
  // Ready (warmUp waits for this); the daemon going away ends the spawner.
  send({ id: 0 });
  process.on('disconnect', () => process.exit(0));
}
