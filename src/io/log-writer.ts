/**
 * @module A log writer that never blocks the event loop: lines go into a bounded queue
 * and one asynchronous `fs.write` at a time (on libuv's thread pool) drains it to the
 * file descriptor. A slow console delays the log, never the VRRP timers. When the queue
 * is full, new lines are dropped and counted; a note with the count is written once the
 * queue has room again. (process.stderr would write synchronously to a pipe or TTY on
 * Linux.)
 */

import { write } from 'node:fs';

/** Where the bytes go: fs.write's shape, injectable for tests. */
export type WriteFn = (
  fd: number,
  data: Uint8Array,
  cb: (err: NodeJS.ErrnoException | null, written: number) => void,
) => void;

export interface LogWriterOptions {
  readonly fd: number;
  /** Most bytes queued before lines are dropped (default 1 MiB). */
  readonly maxQueuedBytes?: number;
  readonly write?: WriteFn;
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

  constructor(options: LogWriterOptions) {
    this.#fd = options.fd;
    this.#max = options.maxQueuedBytes ?? 1 << 20;
    this.#write = options.write ?? ((fd, data, cb) => write(fd, data, cb));
  }

  /** Queues one line (a newline is added). Returns false if it was dropped. */
  line(text: string): boolean {
    if (this.#closed) return false;
    const bytes = text.length + 1;
    if (this.#queuedBytes + bytes > this.#max) {
      this.dropped++;
      this.#droppedSinceNote++;
      return false;
    }
    if (this.#droppedSinceNote > 0) {
      const note = `(log) ${this.#droppedSinceNote} lines dropped: log output too slow\n`;
      this.#droppedSinceNote = 0;
      this.#queue.push(note);
      this.#queuedBytes += note.length;
    }
    this.#queue.push(`${text}\n`);
    this.#queuedBytes += bytes;
    this.#pump();
    return true;
  }

  get queuedBytes(): number {
    return this.#queuedBytes;
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
    if (!this.#inFlight && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.#idle.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  close(): void {
    this.#closed = true;
  }
}
