/**
 * @module The notify FIFOs' I/O, as keepalived 2.2.7 does it (notify.c fifo_open /
 * fifo_close), never blocking the event loop:
 *
 * - open: create the FIFO if absent (mode 0644 less the umask: 0600 by default) owned by
 *   the user and group on its line (`notify_fifo PATH USER [GROUP]`, the group defaulting
 *   to the user's primary group), else by the default script user; a user or group that
 *   does not exist drops the FIFO, as keepalived does. Then start the FIFO script
 *   if one is configured (its configured words plus the FIFO path as last argument, in
 *   its own process group, no timeout), then open the FIFO read-write and non-blocking
 *   (O_RDWR: the open never waits for a reader, and lines queue in the pipe until someone
 *   reads; O_NOFOLLOW: never through a symlink). A path that exists but is not a FIFO is
 *   refused (keepalived would write into it).
 * - write: one write(2) per line on the non-blocking fd. A line no longer fits once the
 *   pipe buffer is full and nobody reads: it is dropped and counted (keepalived drops it
 *   silently), and for the next 100 ms further lines are dropped without trying. Lines
 *   are far below PIPE_BUF, so a write is all or nothing.
 * - close: unlink the FIFO first if we created it (so a script that reopens it in a loop
 *   cannot), close the fd, SIGTERM the FIFO script's process group.
 *
 * Each process opens the FIFOs it writes: the VRRP daemon `notify_fifo` and
 * `vrrp_notify_fifo`, the checker process `notify_fifo` and `lvs_notify_fifo`.
 */

import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, closeSync, constants, lstatSync, openSync, unlinkSync, writeSync } from 'node:fs';
import type { NotifyFifoConfig, ScriptCommand } from '../config/model.js';
import { fifoCreateMode, fifoScriptArgv } from './notify-fifo-format.js';
import { scriptIdentity, selfIds } from './users.js';

export type FifoConfig = NotifyFifoConfig;

export interface NotifyFifoOptions {
  /** keepalived's label in its messages: '' (notify_fifo), 'vrrp_' or 'lvs_'. */
  readonly label: '' | 'vrrp_' | 'lvs_';
  /** The process's umask (keepalived's default 0177). */
  readonly umask?: number;
  /**
   * Owner given to a FIFO we create when its line names no user (keepalived: the default
   * script user — script_user or keepalived_script); undefined: ours.
   */
  readonly owner?: { readonly uid: number; readonly gid: number };
  /** uid/gid the FIFO script runs as; undefined: this process's. */
  readonly scriptIds?: (script: ScriptCommand) => { uid: number; gid: number } | undefined;
  /** Called when the FIFO script exits ("vrrp notify fifo script terminated"). */
  readonly onScriptExit?: () => void;
  readonly log: (text: string) => void;
}

/** How long a full FIFO is left alone before the next write is tried. */
const FULL_BACKOFF_MS = 100;

type OpenResult = { fd: number; created: boolean } | null;

/** mkfifo(1)'s arguments (Node has no mkfifo(3)). */
const mkfifoArgs = (path: string, mode: number): string[] => ['-m', mode.toString(8), '--', path];

/** mkfifo, waiting for it: only at start-up, before any timer runs. */
function makeFifoSync(path: string, mode: number): boolean {
  try {
    execFileSync('mkfifo', mkfifoArgs(path, mode), { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** mkfifo without blocking the event loop: a reload reopens FIFOs while VRRP timers run. */
function makeFifo(path: string, mode: number): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('mkfifo', mkfifoArgs(path, mode), (error) => resolve(error === null));
  });
}

function kindAt(path: string): 'fifo' | 'other' | 'missing' {
  try {
    return lstatSync(path).isFIFO() ? 'fifo' : 'other';
  } catch {
    return 'missing';
  }
}

export class NotifyFifo {
  readonly path: string;
  readonly #fd: number;
  readonly #created: boolean;
  #script: ChildProcess | null;
  #closed = false;
  /** Lines written whole. */
  written = 0;
  /** Lines dropped: the pipe was full (nobody reading) or the write failed. */
  dropped = 0;
  /**
   * After a failed write, lines are dropped without a syscall until then: a failed write
   * costs an exception (tens of µs in Node), which a burst of notifications to a FIFO
   * nobody reads must not pay line by line on the VRRP loop.
   */
  #retryAtMs = 0;

  private constructor(path: string, fd: number, created: boolean, script: ChildProcess | null) {
    this.path = path;
    this.#fd = fd;
    this.#created = created;
    this.#script = script;
  }

  /** Creates (if needed) and opens the FIFO, starting its script; null when unusable. Start-up only. */
  static open(cfg: FifoConfig, o: NotifyFifoOptions): NotifyFifo | null {
    const owner = fifoOwner(cfg, o);
    if (owner === null) return null;
    const created = kindAt(cfg.path) === 'missing' && makeFifoSync(cfg.path, fifoCreateMode(o.umask));
    return NotifyFifo.#finish(cfg, o, owner, created);
  }

  /** The same, never blocking the event loop (reloads). */
  static async openAsync(cfg: FifoConfig, o: NotifyFifoOptions): Promise<NotifyFifo | null> {
    const owner = fifoOwner(cfg, o);
    if (owner === null) return null;
    const created = kindAt(cfg.path) === 'missing' && (await makeFifo(cfg.path, fifoCreateMode(o.umask)));
    return NotifyFifo.#finish(cfg, o, owner, created);
  }

  static #finish(cfg: FifoConfig, o: NotifyFifoOptions, owner: Owner, created: boolean): NotifyFifo | null {
    const path = cfg.path;
    if (path === '') return null;
    if (created && owner) setOwner(path, owner, o.log);
    const kind = kindAt(path); // when mkfifo failed, another process may have made it first
    if (kind === 'missing') {
      o.log(`Unable to create ${o.label}notify fifo ${path}`);
      return null;
    }
    if (kind !== 'fifo') {
      o.log(`${o.label}notify fifo ${path} exists and is not a FIFO - ignoring`);
      return null;
    }
    const script = cfg.script ? NotifyFifo.#startScript(cfg.script, path, o) : null;
    const opened = NotifyFifo.#openFd(path, created, o);
    if (opened === null) {
      NotifyFifo.#kill(script);
      return null;
    }
    return new NotifyFifo(path, opened.fd, opened.created, script);
  }

  static #openFd(path: string, created: boolean, o: NotifyFifoOptions): OpenResult {
    try {
      const flags = constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOFOLLOW;
      return { fd: openSync(path, flags), created };
    } catch (e) {
      const errno = Math.abs((e as { errno?: number }).errno ?? 0);
      o.log(`Unable to open ${o.label}notify fifo ${path} - errno ${errno}`);
      if (created) unlinkQuietly(path);
      return null;
    }
  }

  /** The FIFO script: argv (no shell), FIFO path last, own process group, runs until we stop. */
  static #startScript(script: ScriptCommand, path: string, o: NotifyFifoOptions): ChildProcess | null {
    const [file, ...args] = fifoScriptArgv(script.argv, path);
    if (file === undefined) return null;
    const ids = o.scriptIds?.(script);
    const child = spawn(file, args, {
      stdio: 'ignore',
      shell: false,
      detached: true,
      ...(ids ? { uid: ids.uid, gid: ids.gid } : {}),
    });
    child.on('error', (e) => o.log(`Unable to execute ${o.label}notify fifo script ${file} - ${e.message}`));
    child.on('exit', () => o.onScriptExit?.());
    child.unref();
    return child;
  }

  static #kill(child: ChildProcess | null): void {
    if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
  }

  /** The FIFO script's pid while it runs. */
  get scriptPid(): number | undefined {
    const c = this.#script;
    return c && c.exitCode === null && c.signalCode === null ? c.pid : undefined;
  }

  /** Writes one line without ever waiting; false (and counted) when it was dropped. */
  write(line: string | Uint8Array): boolean {
    if (this.#closed) return false;
    const now = performance.now();
    if (now < this.#retryAtMs) {
      this.dropped++;
      return false;
    }
    const bytes = typeof line === 'string' ? Buffer.from(line) : line;
    try {
      if (writeSync(this.#fd, bytes) === bytes.length) {
        this.written++;
        return true;
      }
    } catch {
      // EAGAIN: the pipe is full because nobody reads; anything else: the FIFO is unusable.
    }
    this.#retryAtMs = now + FULL_BACKOFF_MS;
    this.dropped++;
    return false;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#created) unlinkQuietly(this.path);
    try {
      closeSync(this.#fd);
    } catch {
      // already closed
    }
    NotifyFifo.#kill(this.#script);
    this.#script = null;
  }
}

type Owner = { readonly uid: number; readonly gid: number } | undefined;

/**
 * Who a created FIFO belongs to: the user (and group, else the user's primary group) on
 * its line, else the default owner. null: a name that does not resolve, which makes
 * keepalived drop the FIFO (logging the name as "(null)": it has not stored it yet).
 */
function fifoOwner(cfg: FifoConfig, o: NotifyFifoOptions): Owner | null {
  if (cfg.user === undefined) return o.owner;
  const ids = scriptIdentity(
    { user: cfg.user, ...(cfg.group === undefined ? {} : { group: cfg.group }) },
    { securityEnabled: false },
    selfIds(),
  );
  if (!('error' in ids)) return ids;
  o.log(ids.error);
  o.log(`Invalid user/group for ${o.label} fifo (null) - ignoring`);
  return null;
}

/** chown a FIFO we created to its user, leaving ids that already match untouched (-1). */
function setOwner(path: string, owner: { uid: number; gid: number }, log: (t: string) => void): void {
  const uid = process.geteuid?.() === owner.uid ? -1 : owner.uid;
  const gid = process.getegid?.() === owner.gid ? -1 : owner.gid;
  if (uid === -1 && gid === -1) return;
  try {
    chownSync(path, uid, gid);
  } catch {
    log(`Failed to set uid:gid for fifo ${path}`);
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already
  }
}

export type FifosOptions = Omit<NotifyFifoOptions, 'label'> & { readonly ownLabel: 'vrrp_' | 'lvs_' };

/**
 * The FIFOs one process writes: the global `notify_fifo` and its own (`vrrp_notify_fifo`
 * or `lvs_notify_fifo`); every line goes to each that is open. keepalived opens the
 * global one first.
 */
export class NotifyFifos {
  readonly #fifos: NotifyFifo[];

  constructor(fifos: readonly (NotifyFifo | null)[]) {
    this.#fifos = fifos.filter((f): f is NotifyFifo => f !== null);
  }

  /** Start-up: opens the global FIFO, then the process's own. */
  static open(global: FifoConfig | undefined, own: FifoConfig | undefined, o: FifosOptions): NotifyFifos {
    const g = global ? NotifyFifo.open(global, { ...o, label: '' }) : null;
    const s = own ? NotifyFifo.open(own, { ...o, label: o.ownLabel }) : null;
    return new NotifyFifos([g, s]);
  }

  /** The same without blocking the event loop (reloads). */
  static async openAsync(
    global: FifoConfig | undefined,
    own: FifoConfig | undefined,
    o: FifosOptions,
  ): Promise<NotifyFifos> {
    const g = global ? await NotifyFifo.openAsync(global, { ...o, label: '' }) : null;
    const s = own ? await NotifyFifo.openAsync(own, { ...o, label: o.ownLabel }) : null;
    return new NotifyFifos([g, s]);
  }

  get size(): number {
    return this.#fifos.length;
  }

  write(line: string): void {
    if (this.#fifos.length === 0) return;
    const bytes = Buffer.from(line);
    for (const f of this.#fifos) f.write(bytes);
  }

  /** Lines dropped and written over every FIFO (status output). */
  get counters(): { readonly written: number; readonly dropped: number } {
    let written = 0;
    let dropped = 0;
    for (const f of this.#fifos) {
      written += f.written;
      dropped += f.dropped;
    }
    return { written, dropped };
  }

  close(): void {
    for (const f of this.#fifos.splice(0)) f.close();
  }
}
