/**
 * @module A daemon run inside a namespace with `ip netns exec` (which execs, so the
 * child's pid is the daemon's). Each stdout/stderr line is kept with the wall time it
 * arrived; {@link LoggedProcess.waitFor} resolves on the first line matching a regex
 * after a given point, or rejects on timeout or exit. Signals go to the daemon and,
 * for SIGSTOP / SIGCONT, to every process it forked, so a frozen keepalived really is
 * frozen. The process is registered for cleanup and always killed in the end.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { forgetPid, registerPid } from './cleanup.js';
import { wallMs } from './exec.js';

/** One output line and the wall time (ms since epoch) it was read. */
export interface LogLine {
  readonly t: number;
  readonly text: string;
  readonly stream: 'stdout' | 'stderr';
}

/** The pids of `pid` and all its descendants (from /proc), parents first. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // exited while we looked
    }
  }
  const out: number[] = [];
  const queue = [pid];
  for (let i = 0; i < queue.length && i < 10_000; i++) {
    const p = queue[i]!;
    out.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return out;
}

export class LoggedProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  readonly exited: Promise<number | null>;
  readonly label: string;
  readonly startedAt: number;
  #waiters: Array<() => void> = [];
  #echo: boolean;

  constructor(ns: string, argv: readonly string[], opts: { label: string; echo?: boolean; cwd?: string }) {
    this.label = opts.label;
    this.#echo = opts.echo ?? process.env['KTS_NETNS_ECHO'] === '1';
    this.startedAt = wallMs();
    this.child = spawn('ip', ['netns', 'exec', ns, ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: opts.cwd,
    });
    const pid = this.child.pid;
    if (pid !== undefined) registerPid(pid);
    for (const stream of ['stdout', 'stderr'] as const) {
      createInterface({ input: this.child[stream]! }).on('line', (text) => this.#push(text, stream));
    }
    this.exited = new Promise((resolve) => {
      this.child.on('error', () => resolve(-1));
      this.child.on('exit', (code) => {
        if (pid !== undefined) forgetPid(pid);
        resolve(code);
      });
    });
    this.exited.then(() => this.#wake());
  }

  #push(text: string, stream: 'stdout' | 'stderr'): void {
    const t = wallMs();
    this.lines.push({ t, text, stream });
    if (this.#echo)
      process.stderr.write(`[${this.label} +${((t - this.startedAt) / 1000).toFixed(3)}] ${text}\n`);
    this.#wake();
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Index to pass as `from` so that only lines after this point match. */
  mark(): number {
    return this.lines.length;
  }

  /** The first line at index >= `from` matching `re`, or undefined. */
  find(re: RegExp, from = 0): LogLine | undefined {
    for (let i = from; i < this.lines.length; i++) if (re.test(this.lines[i]!.text)) return this.lines[i];
    return undefined;
  }

  /** Lines at index >= `from` matching `re`. */
  findAll(re: RegExp, from = 0): LogLine[] {
    return this.lines.slice(from).filter((l) => re.test(l.text));
  }

  /** Resolves with the first line (index >= from) matching `re`; rejects after `timeoutMs` or on exit. */
  async waitFor(re: RegExp, timeoutMs: number, from = 0): Promise<LogLine> {
    const deadline = wallMs() + timeoutMs;
    for (let round = 0; round < 100_000; round++) {
      const hit = this.find(re, from);
      if (hit !== undefined) return hit;
      const left = deadline - wallMs();
      if (!this.running || left <= 0) {
        const why = this.running
          ? `no line matching ${re} within ${timeoutMs} ms`
          : `exited (${this.exitText()})`;
        throw new Error(`${this.label}: ${why}; log:\n${this.tail(40)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    throw new Error(`${this.label}: waitFor gave up`);
  }

  exitText(): string {
    return `code ${this.child.exitCode} signal ${this.child.signalCode}`;
  }

  /** The last `n` lines, with times relative to start, for failure messages. */
  tail(n: number): string {
    return this.lines
      .slice(-n)
      .map((l) => `  +${((l.t - this.startedAt) / 1000).toFixed(3)} ${l.text}`)
      .join('\n');
  }

  /**
   * Sends `sig` to the daemon; with `tree`, to every descendant too (SIGSTOP/SIGCONT).
   * Returns the time of the first kill(2): the /proc walk that finds the descendants
   * (milliseconds on a busy host) comes before it, so it is not counted as the daemon's.
   */
  signal(sig: NodeJS.Signals, tree = false): number {
    const targets = tree ? processTree(this.pid) : [this.pid];
    const t = wallMs();
    for (const p of targets) {
      try {
        process.kill(p, sig);
      } catch {
        // gone
      }
    }
    return t;
  }

  /** Waits up to `timeoutMs` for exit; returns whether it exited. */
  async waitExit(timeoutMs: number): Promise<boolean> {
    if (!this.running) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const r = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    return r !== 'timeout';
  }

  /** SIGTERM, then SIGKILL to the whole tree after `graceMs`. Never throws. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.running) return;
    this.signal('SIGCONT', true);
    this.signal('SIGTERM');
    if (await this.waitExit(graceMs)) return;
    this.kill();
    await this.waitExit(2000);
  }

  /** SIGKILL to the daemon and every descendant. */
  kill(): void {
    if (this.pid > 0) this.signal('SIGKILL', true);
  }
}
