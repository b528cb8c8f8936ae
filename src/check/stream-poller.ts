/**
 * @module Readiness for the lean TCP and HTTP checks: non-blocking sockets of the native
 * layer (native/stream.c) in one epoll set, whose own fd is watched on the libuv loop;
 * one native call per loop turn reports every ready socket (instead of a uv handle,
 * a net.Socket and its stream machinery per check). Handlers are looked up by fd in an
 * array. Loaded lazily: `streamPoller()` is undefined when the addon is missing or
 * predates these calls, and the checkers fall back to node:net.
 */
import { constants as osConstants } from 'node:os';
import { type NativeBinding, native, POLL_READABLE } from '../native/binding.js';

/** The addon's stream calls (native/stream.c); failures come back as -errno. */
export interface StreamCalls {
  streamConnect(
    family: number,
    address: Uint8Array,
    port: number,
    scopeId: number,
    bindAddress: Uint8Array | null,
    bindPort: number,
  ): number;
  streamError(fd: number): number;
  streamSend(fd: number, data: Uint8Array, offset: number, length: number): number;
  streamRecv(fd: number, buffer: Uint8Array): number;
  streamConstants(): StreamConstants;
  epollCreate(): number;
  epollCtl(epfd: number, op: number, fd: number, events: number): number;
  epollWait(epfd: number, out: Int32Array): number;
}

export interface StreamConstants {
  readonly EPOLLIN: number;
  readonly EPOLLOUT: number;
  readonly EPOLLERR: number;
  readonly EPOLLHUP: number;
  readonly EPOLLRDHUP: number;
  readonly EPOLL_CTL_ADD: number;
  readonly EPOLL_CTL_DEL: number;
  readonly EPOLL_CTL_MOD: number;
  readonly EAGAIN: number;
  readonly EINTR: number;
}

/** Something waiting on a socket of the set. */
export interface StreamHandler {
  onEvents(events: number): void;
}

const errnoNames: string[] = [];
for (const [name, n] of Object.entries(osConstants.errno)) errnoNames[n] ??= name;

/** 'ECONNREFUSED' for 111: the code node's sockets would report. */
export function errnoName(errno: number): string {
  return errnoNames[errno] ?? `E${errno}`;
}

export class StreamPoller {
  readonly calls: StreamCalls & NativeBinding;
  readonly k: StreamConstants;
  readonly #epfd: number;
  readonly #handlers: (StreamHandler | undefined)[] = [];
  /** Batch a handler was registered in: events of that batch predate it (its fd was reused). */
  readonly #since: number[] = [];
  readonly #events = new Int32Array(512);
  #batch = 0;

  constructor(calls: StreamCalls & NativeBinding) {
    this.calls = calls;
    this.k = calls.streamConstants();
    this.#epfd = calls.epollCreate();
    calls.pollStart(this.#epfd, POLL_READABLE, () => this.#drain());
    // Checks in flight keep the process alive through the runner's timer, not this watcher.
    calls.pollRef(this.#epfd, false);
  }

  /** Watches `fd` for `events` on behalf of `h`; false when epoll refused it. */
  add(fd: number, events: number, h: StreamHandler): boolean {
    if (this.calls.epollCtl(this.#epfd, this.k.EPOLL_CTL_ADD, fd, events) < 0) return false;
    this.#handlers[fd] = h;
    this.#since[fd] = this.#batch;
    return true;
  }

  modify(fd: number, events: number): void {
    this.calls.epollCtl(this.#epfd, this.k.EPOLL_CTL_MOD, fd, events);
  }

  /** Closes `fd` (the kernel drops it from the set) and forgets its handler. */
  close(fd: number): void {
    this.#handlers[fd] = undefined;
    this.calls.close(fd);
  }

  #drain(): void {
    const out = this.#events;
    for (;;) {
      const n = this.calls.epollWait(this.#epfd, out);
      if (n <= 0) return;
      const batch = ++this.#batch;
      for (let i = 0; i < n; i++) {
        const fd = out[2 * i]!;
        const h = this.#handlers[fd];
        if (h !== undefined && this.#since[fd] !== batch) h.onEvents(out[2 * i + 1]!);
      }
      if (n < out.length / 2) return;
    }
  }
}

let shared: StreamPoller | null | undefined;

/** The process's poller, or undefined without a native layer that has the stream calls. */
export function streamPoller(): StreamPoller | undefined {
  if (shared === undefined) {
    try {
      const b = native() as NativeBinding & Partial<StreamCalls>;
      shared =
        typeof b.streamConnect === 'function' ? new StreamPoller(b as StreamCalls & NativeBinding) : null;
    } catch {
      shared = null;
    }
  }
  return shared ?? undefined;
}
