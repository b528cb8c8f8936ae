/**
 * @module The BFD shell: one session per `bfd_instance`, run on the event loop of the
 * process that needs it (the VRRP daemon for track_bfd, the checker for BFD_CHECK),
 * as keepalived's BFD child does (bfd_scheduler.c): one listening UDP socket per
 * family on port 3784, one sending socket per session bound to `source_ip` and a port
 * in 49152-65535 with TTL 255 (RFC 5881), one timer per session armed at the pure
 * session's next deadline (src/bfd/session.ts). Nothing here blocks: sends are
 * fire-and-forget datagrams and a send error is logged and counted.
 *
 * Received TTL: the listener reads it (native addon, IP_RECVTTL / IPV6_RECVHOPLIMIT)
 * and a packet that did not arrive with the TTL it was sent with (255) is dropped
 * (`ttl`), RFC 5881's GTSM; `max_hops` is not in the config model yet, so it is 0 as
 * keepalived's default. Without the addon the TTL is unknown and passes.
 */

import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import {
  BFD_CONTROL_PORT,
  BFD_DROP_REASONS,
  BFD_SOURCE_PORT_MAX,
  BFD_SOURCE_PORT_MIN,
  BFD_TTL,
  type BfdControlPacket,
  type BfdDropReason,
  type BfdEffect,
  type BfdEvent,
  type BfdSession,
  type BfdState,
  checkBfdPacket,
  checkBfdTtl,
  createBfdSession,
  decodeBfdControl,
  encodeBfdControl,
  nextBfdDeadline,
  stepBfd,
} from '../bfd/index.js';
import type { BfdInstance } from '../config/model.js';
import { type BfdFeed, processBfdFeed } from './bfd-feed.js';
import { type BfdListener, openBfdListener } from './bfd-listener.js';

export interface BfdServiceOptions {
  readonly instances: readonly BfdInstance[];
  readonly log: (text: string) => void;
  /**
   * A session's users must learn its state: Up, or Down from Up unless the neighbour is
   * AdminDown (keepalived's BFD event to the VRRP/checker process).
   */
  readonly onState: (name: string, state: BfdState) => void;
  /** Listening port, 3784 unless a test says otherwise. */
  readonly port?: number;
  /** A reload: the previous service's sessions, kept where the bfd_instance is unchanged. */
  readonly carry?: BfdCarry;
  /** Where the same events go for other users (default: this process's feed). */
  readonly feed?: BfdFeed;
}

/** What a reload hands from one service to the next (see `release`). */
export interface BfdCarry {
  readonly sessions: readonly Running[];
  readonly listeners: readonly BfdListener[];
}

export interface BfdSessionStatus {
  readonly name: string;
  readonly state: BfdState;
  readonly neighbor: string;
  readonly localDiscriminator: number;
  readonly remoteDiscriminator: number;
  readonly remoteState: BfdState;
  readonly txIntervalMs: number;
  readonly detectTimeMs: number;
  readonly packetsSent: number;
  readonly packetsReceived: number;
  readonly sendErrors: number;
}

interface Running {
  config: BfdInstance;
  session: BfdSession;
  socket: Socket | null;
  timer: NodeJS.Timeout | null;
  sent: number;
  received: number;
  sendErrors: number;
  /** Sends not yet handed to the kernel; a stopping session closes its socket after them. */
  pending: number;
  closing: boolean;
}

const nowUs = (): number => performance.now() * 1000;

function randomDiscriminator(used: ReadonlySet<number>): number {
  for (;;) {
    const d = (Math.random() * 0xffffffff) >>> 0;
    if (d !== 0 && !used.has(d)) return d;
  }
}

/** A reload keeps a session only if nothing its packets or timers depend on changed. */
function sameSession(a: BfdInstance, b: BfdInstance): boolean {
  return (
    a.name === b.name &&
    a.neighborIp?.address === b.neighborIp?.address &&
    a.sourceIp?.address === b.sourceIp?.address &&
    a.minRxMs === b.minRxMs &&
    a.minTxMs === b.minTxMs &&
    a.idleTxMs === b.idleTxMs &&
    a.multiplier === b.multiplier &&
    a.passive === b.passive &&
    a.ttl === b.ttl
  );
}

function randomSourcePort(): number {
  return BFD_SOURCE_PORT_MIN + Math.floor(Math.random() * (BFD_SOURCE_PORT_MAX - BFD_SOURCE_PORT_MIN + 1));
}

export class BfdService {
  readonly #o: BfdServiceOptions;
  readonly #sessions: Running[] = [];
  readonly #listeners: BfdListener[] = [];
  /** Sessions taken over from a reload (already running), and the ones to retire. */
  readonly #carried = new Set<Running>();
  readonly #retired: Running[] = [];
  readonly #carriedListeners: BfdListener[] = [];
  /** Dropped received packets by reason (RFC 5880 6.8.6 and keepalived's checks). */
  readonly drops: Record<BfdDropReason, number> = Object.fromEntries(
    BFD_DROP_REASONS.map((r) => [r, 0]),
  ) as Record<BfdDropReason, number>;

  constructor(o: BfdServiceOptions) {
    this.#o = o;
    const used = new Set<number>();
    const previous = [...(o.carry?.sessions ?? [])];
    this.#carriedListeners.push(...(o.carry?.listeners ?? []));
    for (const inst of o.instances) {
      const kept = previous.find((r) => sameSession(r.config, inst));
      if (kept) {
        previous.splice(previous.indexOf(kept), 1);
        kept.config = inst;
        used.add(kept.session.localDiscriminator);
        this.#carried.add(kept);
        this.#sessions.push(kept);
        continue;
      }
      if (!inst.neighborIp) {
        o.log(
          `Configuration error: BFD instance ${inst.name} has no neighbor address set, disabling instance`,
        );
        continue;
      }
      const discr = randomDiscriminator(used);
      used.add(discr);
      const session = createBfdSession(
        {
          name: inst.name,
          desiredMinTxUs: inst.minTxMs * 1000,
          requiredMinRxUs: inst.minRxMs * 1000,
          idleTxUs: inst.idleTxMs * 1000,
          detectMult: inst.multiplier,
          passive: inst.passive,
        },
        discr,
      );
      this.#sessions.push({
        config: inst,
        session,
        socket: null,
        timer: null,
        sent: 0,
        received: 0,
        sendErrors: 0,
        pending: 0,
        closing: false,
      });
    }
    this.#retired.push(...previous);
  }

  get size(): number {
    return this.#sessions.length;
  }

  /** Opens the sockets and starts every session. */
  async start(): Promise<void> {
    const feed = this.#o.feed ?? processBfdFeed;
    // Other users must not go on seeing a removed or restarted session's last state.
    for (const r of this.#retired.splice(0)) {
      this.#retire(r);
      feed.publish(r.config.name, false);
    }
    for (const r of this.#sessions) if (!this.#carried.has(r)) feed.publish(r.config.name, false);
    const families = new Set(this.#sessions.map((s) => (s.config.neighborIp?.family === 6 ? 6 : 4)));
    for (const l of this.#carriedListeners.splice(0)) {
      if (!families.delete(l.family)) {
        l.close();
        continue;
      }
      this.#listeners.push(l);
    }
    for (const family of families) {
      try {
        this.#listeners.push(await this.#listen(family));
      } catch (e) {
        // As keepalived: no listening socket, no BFD; VRRP and the checkers carry on.
        this.#o.log(`BFD: unable to open listening socket (${(e as Error).message})`);
        for (const r of this.#sessions) this.#event(r, { type: 'adminDown' });
        return;
      }
    }
    for (const l of this.#listeners)
      l.setHandler((bytes, from, ttl, to) => this.#receive(bytes, from, ttl, to));
    for (const r of this.#sessions) {
      if (this.#carried.has(r)) {
        this.#arm(r);
        continue;
      }
      try {
        r.socket = await this.#openSender(r.config);
      } catch (e) {
        this.#o.log(
          `(${r.config.name}) Unable to open output socket (${(e as Error).message}), disabling instance`,
        );
        this.#event(r, { type: 'adminDown' });
        continue;
      }
      this.#event(r, { type: 'start' });
    }
  }

  /** Every session silent: timers and sockets closed, no packet (keepalived sends none either). */
  stop(): void {
    for (const r of this.#sessions.splice(0)) this.#retire(r);
    for (const l of this.#listeners.splice(0)) l.close();
  }

  /**
   * For a reload: hands every session (state, socket, counters) and listener over to
   * the next service, which keeps the unchanged ones running without a new handshake.
   * This service is empty afterwards.
   */
  release(): BfdCarry {
    for (const r of this.#sessions) {
      if (r.timer) clearTimeout(r.timer);
      r.timer = null;
    }
    for (const l of this.#listeners) l.setHandler(null);
    return { sessions: this.#sessions.splice(0), listeners: this.#listeners.splice(0) };
  }

  /** The state of every session, for the tracker table of a new service. */
  states(): [string, BfdState][] {
    return this.#sessions.map((r) => [r.config.name, r.session.state]);
  }

  #retire(r: Running): void {
    if (r.timer) clearTimeout(r.timer);
    r.timer = null;
    // A packet may still be queued: close once it has gone out.
    r.closing = true;
    if (r.pending === 0) this.#close(r);
  }

  status(): BfdSessionStatus[] {
    return this.#sessions.map((r) => ({
      name: r.config.name,
      state: r.session.state,
      neighbor: r.config.neighborIp?.address ?? '',
      localDiscriminator: r.session.localDiscriminator,
      remoteDiscriminator: r.session.remoteDiscriminator,
      remoteState: r.session.remoteState,
      txIntervalMs: r.session.txIntervalUs / 1000,
      detectTimeMs: r.session.detectTimeUs / 1000,
      packetsSent: r.sent,
      packetsReceived: r.received,
      sendErrors: r.sendErrors,
    }));
  }

  #listen(family: 4 | 6): Promise<BfdListener> {
    return openBfdListener(family, this.#o.port ?? BFD_CONTROL_PORT, (e) =>
      this.#o.log(`BFD listening socket error (${e.message})`),
    );
  }

  async #openSender(inst: BfdInstance): Promise<Socket> {
    const family = inst.neighborIp?.family === 6 ? 6 : 4;
    for (let attempt = 0; ; attempt++) {
      const sock = createSocket({ type: family === 6 ? 'udp6' : 'udp4' });
      try {
        await new Promise<void>((resolve, reject) => {
          sock.once('error', reject);
          const address = inst.sourceIp?.address ?? (family === 6 ? '::' : '0.0.0.0');
          sock.bind({ port: randomSourcePort(), address, exclusive: true }, () => {
            sock.off('error', reject);
            resolve();
          });
        });
        sock.setTTL(inst.ttl ?? BFD_TTL);
        sock.on('error', (e) => this.#o.log(`(${inst.name}) socket error (${e.message})`));
        return sock;
      } catch (e) {
        sock.close();
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt > 20) throw e;
      }
    }
  }

  #receive(bytes: Uint8Array, from: string, ttl: number, to?: string): void {
    const verdict = this.#accept(bytes, from, ttl, to);
    if (typeof verdict === 'string') {
      this.drops[verdict]++;
      return;
    }
    verdict.r.received++;
    this.#event(verdict.r, { type: 'packet', packet: verdict.p });
  }

  /** The session a datagram is for, or why it is dropped. */
  #accept(
    bytes: Uint8Array,
    from: string,
    ttl: number,
    to?: string,
  ): BfdDropReason | { r: Running; p: BfdControlPacket } {
    const decoded = decodeBfdControl(bytes);
    if (!decoded.ok) return decoded.error;
    const checked = checkBfdPacket(decoded.value, bytes.length);
    if (!checked.ok) return checked.error;
    const p = checked.value;
    // Your Discriminator names the session; zero (a Down neighbour): the addresses do,
    // source and (when known) destination, as keepalived's find_bfd_by_addr.
    const r =
      p.yourDiscriminator !== 0
        ? this.#sessions.find((s) => s.session.localDiscriminator === p.yourDiscriminator)
        : this.#sessions.find(
            (s) =>
              s.config.neighborIp?.address === from &&
              (to === undefined || s.config.sourceIp === undefined || s.config.sourceIp.address === to),
          );
    if (!r) return 'no-session';
    // GTSM (RFC 5881 5): sent with TTL 255 (or the configured ttl), so it must arrive so.
    if (!checkBfdTtl(ttl, r.config.ttl ?? BFD_TTL, 0)) return 'ttl';
    if (r.session.state === 'AdminDown') return 'admin-down';
    return { r, p };
  }

  #event(r: Running, event: BfdEvent): void {
    const step = stepBfd(r.session, event, { nowUs: nowUs(), random: Math.random });
    r.session = step.session;
    for (const e of step.effects) this.#effect(r, e);
    this.#arm(r);
  }

  #effect(r: Running, e: BfdEffect): void {
    if (e.type === 'log') this.#o.log(e.text);
    else if (e.type === 'send') this.#send(r, encodeBfdControl(e.packet));
    else if (e.notify) {
      this.#o.onState(r.config.name, e.to);
      (this.#o.feed ?? processBfdFeed).publish(r.config.name, e.to === 'Up');
    }
  }

  #send(r: Running, bytes: Uint8Array): void {
    const address = r.config.neighborIp?.address;
    if (!r.socket || !address) return;
    r.sent++;
    r.pending++;
    r.socket.send(bytes, this.#o.port ?? BFD_CONTROL_PORT, address, (e) => {
      r.pending--;
      if (e) {
        r.sendErrors++;
        this.#o.log(`(${r.config.name}) Error sending packet (${e.message})`);
      }
      if (r.closing && r.pending === 0) this.#close(r);
    });
  }

  #close(r: Running): void {
    r.socket?.close();
    r.socket = null;
  }

  #arm(r: Running): void {
    if (r.timer) clearTimeout(r.timer);
    r.timer = null;
    const at = nextBfdDeadline(r.session);
    if (at === null || r.socket === null) return;
    const delayMs = Math.max(0, (at - nowUs()) / 1000);
    r.timer = setTimeout(() => {
      r.timer = null;
      this.#event(r, { type: 'tick' });
    }, delayMs);
  }
}
