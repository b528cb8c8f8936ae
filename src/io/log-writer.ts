/**
 * @module A log writer that never blocks the event loop, with a bounded queue: when it
 * is full, new lines are dropped and counted, and a note with the count is written once
 * there is room again. Two transports:
 * - a pipe or socket (a supervisor, journald, the test harness): Node's own stdio stream,
 *   whose libuv pipe is non-blocking: the lines of one task go out together with one
 *   write(2) on the loop thread as soon as the task ends (a microtask), and only what
 *   the pipe cannot take waits for POLLOUT. No thread-pool round trip, so a line reaches
 *   its reader right after the event; and not before the task's packets: waking the
 *   reader first could hand it our CPU before a takeover's or a shutdown's advert is
 *   sent, and 255 instances changing state at once make one write, not a thousand.
 * - anything else (a TTY, a file), where Node's stdio writes would block: one
 *   asynchronous `fs.write` at a time on libuv's thread pool drains the queue.
 * A slow console delays the log, never the VRRP timers.
 */

import { fstatSync, write } from 'node:fs';

/** Where the bytes go: fs.write's shape, injectable for tests. */
export type WriteFn = (
  fd: number,
  data: Uint8Array,
  cb: (err: NodeJS.ErrnoException | null, written: number) => void,
) => void;

/** What the pipe transport needs of a stream (process.stderr's shape). */
export interface PipeStream {
  write(chunk: string): boolean;
  readonly writableLength: number;
  on(event: 'error', listener: (e: Error) => void): unknown;
}

export interface LogWriterOptions {
  readonly fd: number;
  /** Most bytes queued before lines are dropped (default 1 MiB). */
  readonly maxQueuedBytes?: number;
  readonly write?: WriteFn;
  /** The pipe transport's stream; by default process.stdout/stderr when fd 1/2 is a pipe or socket. */
  readonly pipe?: PipeStream | null;
}

/** Node's stdio stream for fd 1 or 2 when it is a pipe or socket (non-blocking there), else null. */
function stdioPipe(fd: number): PipeStream | null {
  if (fd !== 1 && fd !== 2) return null;
  try {
    const st = fstatSync(fd);
    if (!st.isFIFO() && !st.isSocket()) return null;
  } catch {
    return null;
  }
  return fd === 1 ? process.stdout : process.stderr;
}

export class LogWriter {
  readonly #fd: number;
  readonly #max: number;
  readonly #write: WriteFn;
  #queue: string[] = [];
  #queuedBytes = 0;
  #inFlight = false;
  #droppedSinceNote = 0;
  #closed = false;
  /** Lines dropped because the queue was full (total). */
  dropped = 0;
  written = 0;
  errors = 0;
  #idle: (() => void)[] = [];
  readonly #pipe: PipeStream | null;

  constructor(options: LogWriterOptions) {
    this.#fd = options.fd;
    this.#max = options.maxQueuedBytes ?? 1 << 20;
    this.#write = options.write ?? ((fd, data, cb) => write(fd, data, cb));
    this.#pipe = options.pipe !== undefined ? options.pipe : options.write ? null : stdioPipe(options.fd);
    this.#pipe?.on('error', () => {
      this.errors++;
    });
  }

  /** Queues one line (a newline is added). Returns false if it was dropped. */
  line(text: string): boolean {
    if (this.#closed) return false;
    const bytes = text.length + 1;
    if (this.queuedBytes + bytes > this.#max) {
      this.dropped++;
      this.#droppedSinceNote++;
      return false;
    }
    let out = `${text}\n`;
    if (this.#droppedSinceNote > 0) {
      out = `(log) ${this.#droppedSinceNote} lines dropped: log output too slow\n${out}`;
      this.#droppedSinceNote = 0;
    }
    if (this.#pipe !== null) {
      this.#pipeBatch.push(out);
      this.#pipeBatchChars += out.length;
      if (this.#pipeBatch.length === 1) queueMicrotask(this.#writeBatch);
      this.written++;
      return true;
    }
    this.#queue.push(out);
    this.#queuedBytes += out.length;
    this.#pump();
    return true;
  }

  /** Lines of the current task, for the pipe (written together when it ends). */
  #pipeBatch: string[] = [];
  #pipeBatchChars = 0;

  readonly #writeBatch = (): void => {
    if (this.#pipeBatch.length === 0) return;
    const chunk = this.#pipeBatch.length === 1 ? this.#pipeBatch[0]! : this.#pipeBatch.join('');
    this.#pipeBatch = [];
    this.#pipeBatchChars = 0;
    this.#pipe?.write(chunk);
  };

  /** Writes the current task's lines to the pipe now rather than when the task ends. */
  writePending(): void {
    this.#writeBatch();
  }

  /** Bytes (characters) accepted but not yet handed to the kernel. */
  get queuedBytes(): number {
    return this.#pipe === null ? this.#queuedBytes : this.#pipe.writableLength + this.#pipeBatchChars;
  }

  #pump(): void {
    if (this.#inFlight || this.#queue.length === 0) {
      if (!this.#inFlight) this.#notifyIdle();
      return;
    }
    const chunk = this.#queue.join('');
    this.#queue = [];
    const data = Buffer.from(chunk, 'utf8');
    this.#inFlight = true;
    this.#writeAll(data, chunk.length);
  }

  #writeAll(data: Uint8Array, chars: number): void {
    this.#write(this.#fd, data, (err, n) => {
      if (err?.code === 'EAGAIN') {
        setTimeout(() => this.#writeAll(data, chars), 5);
        return;
      }
      if (err) {
        this.errors++;
      } else if (n < data.length) {
        this.#writeAll(data.subarray(n), chars);
        return;
      } else {
        this.written++;
      }
      this.#queuedBytes -= chars;
      this.#inFlight = false;
      this.#pump();
    });
  }

  #notifyIdle(): void {
    const w = this.#idle;
    this.#idle = [];
    for (const f of w) f();
  }

  /** Resolves when the queue is empty (or after `timeoutMs`). */
  flush(timeoutMs = 1000): Promise<void> {
    if (this.#pipe !== null) return this.#pipeFlushed(timeoutMs);
    if (!this.#inFlight && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.#idle.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** The pipe transport has no completion callbacks: look every few ms until it is empty. */
  async #pipeFlushed(timeoutMs: number): Promise<void> {
    const end = performance.now() + timeoutMs;
    while (this.queuedBytes > 0 && performance.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  close(): void {
    this.#closed = true;
  }
}
