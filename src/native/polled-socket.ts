/**
 * @module What the raw IP, packet and netlink sockets share: an fd polled on the libuv
 * loop (FdHandle) and its lifecycle (fd, closed, writable, ref/unref, close).
 */
import { EventEmitter } from 'node:events';
import type { FdHandle } from './fd-handle.js';

// biome-ignore lint/suspicious/noExplicitAny: mirrors EventEmitter's own event map constraint
export class PolledSocket<Events extends Record<keyof Events, any[]>> extends EventEmitter<Events> {
  /** Set by each subclass's constructor, which needs `this` to build it. */
  protected handle!: FdHandle;

  /** The file descriptor (-1 after close). */
  get fd(): number {
    return this.handle.fd;
  }

  get closed(): boolean {
    return this.handle.closed;
  }

  /** Resolves when a send that failed with EAGAIN may be retried. */
  writable(): Promise<void> {
    return this.handle.writable();
  }

  /** Keep the event loop alive while receiving (default). */
  ref(): this {
    this.handle.setReferenced(true);
    return this;
  }

  unref(): this {
    this.handle.setReferenced(false);
    return this;
  }

  /** Closes the socket (also from inside a 'message' listener). Emits 'close' once. */
  close(): void {
    // biome-ignore lint/suspicious/noExplicitAny: 'close' is in every subclass's event map
    if (this.handle.close()) (this as EventEmitter<any>).emit('close');
  }
}
