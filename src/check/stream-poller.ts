/**
 * @module Readiness for the lean TCP and HTTP checks: non-blocking sockets of the native
 * layer (native/stream.c) in one epoll set, whose own fd is watched on the libuv loop;
 * one native call per loop turn reports every ready socket (instead of a uv handle,
 * a net.Socket and its stream machinery per check). A socket is opened and registered
 * in one call (`open`), and the wait call does a socket's routine step itself, by the
 * mode it was opened with: a connection probe's SO_ERROR and close, a reader's recv
 * until EAGAIN or the end (into one buffer for the whole batch) and its close at the
 * end. So a TCP_CHECK costs JS one native call, an HTTP_GET two (open, send). The
 * set is drained by the check runner at its timer ticks (`drain`), not watched on the
 * loop. Handlers are looked up by fd in an array. Loaded lazily: `streamPoller()` is undefined when
 * the addon is missing or predates these calls, and the checkers fall back to node:net.
 */
import { constants as osConstants } from 'node:os';
import { type NativeBinding, native } from '../native/binding.js';
import type { ProbeDriver } from './types.js';

/** The addon's stream calls (native/stream.c); failures come back as -errno. */
export interface StreamCalls {
  streamSend(fd: number, data: Uint8Array, offset: number, length: number): number;
  streamRecv(fd: number, buffer: Uint8Array): number;
  streamConstants(): StreamConstants;
  streamOpen(
    epfd: number,
    family: number,
    address: Uint8Array,
    port: number,
    scopeId: number,
    bindAddress: Uint8Array | null,
    bindPort: number,
    events: number,
    mode: number,
  ): number;
  streamWait(epfd: number, out: Int32Array, buf: Uint8Array): number;
  epollCreate(): number;
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
  readonly EPOLLET: number;
  /** Modes of `open`: report readiness only; connect probe; reader (see the module note). */
  readonly STREAM_REPORT: number;
  readonly STREAM_CONNECT: number;
  readonly STREAM_READ: number;
  /** A reader's outcomes besides an errno (> 0, socket closed): EAGAIN reached, end of stream (closed), buffer full. */
  readonly STREAM_OPEN: number;
  readonly STREAM_END: number;
  readonly STREAM_FULL: number;
}

/** Something waiting on a socket of the set. */
export interface StreamHandler {
  /**
   * `events` (EPOLL*) of its socket, and what the wait call did by the socket's mode:
   * `bytes` read into the poller's `buffer` from `offset`, and the `outcome` (connect
   * probe: the connection's errno, 0 when connected; reader: STREAM_OPEN/END/FULL or an
   * errno). The socket is closed already after a connect probe's readiness and after a
   * reader's end or errno.
   */
  onEvents(events: number, bytes: number, outcome: number, offset: number): void;
}

const errnoNames: string[] = [];
for (const [name, n] of Object.entries(osConstants.errno)) errnoNames[n] ??= name;

/** 'ECONNREFUSED' for 111: the code node's sockets would report. */
export function errnoName(errno: number): string {
  return errnoNames[errno] ?? `E${errno}`;
}

export class StreamPoller implements ProbeDriver {
  readonly calls: StreamCalls & NativeBinding;
  readonly k: StreamConstants;
  /** Where a batch's reads land; valid while its handlers run. */
  readonly buffer = new Uint8Array(256 * 1024);
  readonly #epfd: number;
  readonly #handlers: (StreamHandler | undefined)[] = [];
  readonly #modes: number[] = [];
  /** Batch a handler was registered in: events of that batch predate it (its fd was reused). */
  readonly #since: number[] = [];
  readonly #events = new Int32Array(4 * 256);
  /** The batch's handlers, taken before any runs (a handler may reuse a closed socket's fd). */
  readonly #ready: (StreamHandler | undefined)[] = [];
  #batch = 0;

  constructor(calls: StreamCalls & NativeBinding) {
    this.calls = calls;
    this.k = calls.streamConstants();
    this.#epfd = calls.epollCreate();
  }

  /**
   * Opens a TCP connection to `e` (bound as it says) watched for `events` in `mode`
   * (k.STREAM_*), telling `h`: the fd, or -errno when no socket could be made.
   */
  open(e: StreamTarget, events: number, mode: number, h: StreamHandler): number {
    const fd = this.calls.streamOpen(
      this.#epfd,
      e.family,
      e.address,
      e.port,
      0,
      e.bindAddress,
      e.bindPort,
      events,
      mode,
    );
    if (fd < 0) return fd;
    this.#handlers[fd] = h;
    this.#modes[fd] = mode;
    this.#since[fd] = this.#batch;
    return fd;
  }

  /** Closes `fd` of `h` (the kernel drops it from the set), unless the wait call closed it already. */
  close(fd: number, h: StreamHandler): void {
    if (this.#handlers[fd] !== h) return;
    this.#handlers[fd] = undefined;
    this.calls.close(fd);
  }

  /**
   * Reports every ready socket to its handler. Not watched on the event loop: the check
   * runner calls this at each of its timer ticks while probes run (ProbeDriver), so a
   * check's steps wait for the next tick instead of waking the process each.
   */
  drain(): void {
    const out = this.#events;
    const ready = this.#ready;
    const k = this.k;
    for (;;) {
      const n = this.calls.streamWait(this.#epfd, out, this.buffer);
      if (n <= 0) return;
      const batch = ++this.#batch;
      // Sockets the wait call closed are forgotten before any handler runs: a handler
      // opening a socket may get one of their fds, and a late close() must not close it.
      for (let i = 0; i < n; i++) {
        const fd = out[4 * i]!;
        ready[i] = this.#handlers[fd];
        const outcome = out[4 * i + 3]!;
        const mode = this.#modes[fd];
        if (
          mode === k.STREAM_CONNECT ||
          (mode === k.STREAM_READ && outcome !== k.STREAM_OPEN && outcome !== k.STREAM_FULL)
        ) {
          this.#handlers[fd] = undefined;
          out[4 * i] = -1 - fd;
        }
      }
      let offset = 0;
      for (let i = 0; i < n; i++) {
        const h = ready[i];
        ready[i] = undefined;
        let fd = out[4 * i]!;
        const closed = fd < 0;
        if (closed) fd = -1 - fd;
        const bytes = out[4 * i + 2]!;
        // An open socket registered during this batch is a new one on a reused fd.
        if (h !== undefined && (closed || this.#since[fd] !== batch))
          h.onEvents(out[4 * i + 1]!, bytes, out[4 * i + 3]!, offset);
        offset += bytes;
      }
      if (n < out.length / 4) return;
    }
  }
}

/** Where `open` connects: an address in the form the native calls take. */
export interface StreamTarget {
  readonly family: number;
  readonly address: Uint8Array;
  readonly port: number;
  readonly bindAddress: Uint8Array | null;
  readonly bindPort: number;
}

let shared: StreamPoller | null | undefined;

/** The process's poller, or undefined without a native layer that has the stream calls. */
export function streamPoller(): StreamPoller | undefined {
  if (shared === undefined) {
    try {
      const b = native() as NativeBinding & Partial<StreamCalls>;
      shared = typeof b.streamOpen === 'function' ? new StreamPoller(b as StreamCalls & NativeBinding) : null;
    } catch {
      shared = null;
    }
  }
  return shared ?? undefined;
}
