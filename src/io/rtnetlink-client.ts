/**
 * @module Request/response over an rtnetlink socket: each request gets a sequence number,
 * its ACK (or error, as an ErrnoError carrying the kernel's extack message) settles it;
 * dumps collect entries until NLMSG_DONE. A second socket bound to multicast groups
 * delivers link/address events. Never blocks: sends are non-blocking, replies arrive on
 * the event loop.
 */

import { errnoError, NetlinkSocket } from '../native/index.js';
import { decodeRtnlBatch, RTNLGRP, type RtnlEvent, rtnlGroupsMask } from '../netlink/index.js';

type Pending = {
  readonly entries: RtnlEvent[];
  readonly resolve: (entries: RtnlEvent[]) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
};

/** Default time a request may wait for its reply, ms. */
export const NETLINK_TIMEOUT_MS = 5000;

/** Builds a request's bytes for a sequence number (the netlink request builders' shape). */
export type RequestBuilder = (seq: number) => Uint8Array;

export class RtnetlinkClient {
  readonly #socket: NetlinkSocket;
  readonly #pending = new Map<number, Pending>();
  #seq = Math.floor(Math.random() * 0x7fff_0000) + 1;

  constructor() {
    this.#socket = NetlinkSocket.open({ protocol: 'route' });
    this.#socket.setExtendedAck(true);
    this.#socket.on('message', (data) => this.#onMessage(data));
    this.#socket.on('error', () => {});
    this.#socket.unref();
  }

  /** A request with NLM_F_ACK: resolves on a zero ACK, rejects with ErrnoError otherwise. */
  async request(build: RequestBuilder): Promise<void> {
    await this.#send(build);
  }

  /** A dump (NLM_F_DUMP): resolves with every entry before NLMSG_DONE. */
  dump(build: RequestBuilder): Promise<RtnlEvent[]> {
    return this.#send(build);
  }

  #send(build: RequestBuilder): Promise<RtnlEvent[]> {
    const seq = this.#nextSeq();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(seq);
        reject(new Error(`netlink request ${seq} timed out`));
      }, NETLINK_TIMEOUT_MS);
      this.#pending.set(seq, { entries: [], resolve, reject, timer });
      try {
        this.#socket.send(build(seq));
      } catch (e) {
        clearTimeout(timer);
        this.#pending.delete(seq);
        reject(e as Error);
      }
    });
  }

  #nextSeq(): number {
    this.#seq = this.#seq >= 0x7fff_fff0 ? 1 : this.#seq + 1;
    return this.#seq;
  }

  #onMessage(data: Uint8Array): void {
    const batch = decodeRtnlBatch(data);
    if (!batch.ok) return;
    for (const { seq, event } of batch.value) {
      const p = this.#pending.get(seq);
      if (p === undefined) continue;
      if (event.kind === 'ack' || event.kind === 'done') {
        const errno = event.kind === 'ack' ? event.ack.errno : event.done.errno;
        const extack = event.kind === 'ack' ? event.ack.extack : event.done.extack;
        this.#settle(seq, p, errno === 0 ? null : withExtack(errno, extack.message));
      } else {
        p.entries.push(event);
      }
    }
  }

  #settle(seq: number, p: Pending, error: Error | null): void {
    clearTimeout(p.timer);
    this.#pending.delete(seq);
    if (error) p.reject(error);
    else p.resolve(p.entries);
  }

  close(): void {
    for (const [seq, p] of this.#pending) this.#settle(seq, p, new Error('netlink client closed'));
    this.#socket.close();
  }
}

function withExtack(errno: number, message: string | undefined): Error {
  const e = errnoError('netlink', errno);
  if (message) e.message = `${e.message}: ${message}`;
  return e;
}

/** Link and address notifications (RTNLGRP_LINK, IPV4_IFADDR, IPV6_IFADDR), decoded. */
export function subscribeRtnl(onEvent: (event: RtnlEvent) => void): { close(): void } {
  const groups = rtnlGroupsMask([RTNLGRP.LINK, RTNLGRP.IPV4_IFADDR, RTNLGRP.IPV6_IFADDR]);
  const socket = NetlinkSocket.open({ protocol: 'route', groups, bufferSize: 1 << 16 });
  try {
    socket.setReceiveBufferSize(1 << 20, true);
  } catch {
    // not fatal: the default buffer
  }
  socket.on('error', () => {});
  socket.on('message', (data) => {
    const batch = decodeRtnlBatch(data);
    if (!batch.ok) return;
    for (const { event } of batch.value) onEvent(event);
  });
  socket.unref();
  return { close: () => socket.close() };
}
