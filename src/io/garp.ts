/**
 * @module Gratuitous ARP (IPv4 VIPs) and unsolicited neighbour advertisements (IPv6 VIPs)
 * over one AF_PACKET socket, with keepalived's frames (src/wire `gratuitousArp`,
 * `unsolicitedNa`). A burst is `repeat` rounds over the instance's VIPs; with
 * `vrrp_garp_interval` / `vrrp_gna_interval` set, consecutive messages are that far apart
 * (timers, never a busy wait), otherwise the burst is sent at once.
 */

import { PacketSocket } from '../native/index.js';
import {
  encodeArpFrame,
  encodeNaFrame,
  gratuitousArp,
  type IpAddress,
  macFromBytes,
  unsolicitedNa,
} from '../wire/index.js';

export interface GarpTarget {
  readonly ifindex: number;
  /** The source MAC: the interface's own (no use_vmac). */
  readonly mac: Uint8Array;
  readonly vips: readonly IpAddress[];
  /** IPv6 forwarding on the interface: the NA's Router flag. */
  readonly router: boolean;
}

/** Where frames go: PacketSocket's send/close. */
export interface FrameSink {
  send(frame: Uint8Array, ifindex: number): number;
  close(): void;
}

export interface GarpIntervals {
  /** vrrp_garp_interval, microseconds. */
  readonly garpIntervalUs: number;
  /** vrrp_gna_interval, microseconds. */
  readonly gnaIntervalUs: number;
}

/** The frames of one burst, in keepalived's order: each round sends every VIP once. */
export function burstFrames(target: GarpTarget, repeat: number): { frame: Uint8Array; v6: boolean }[] {
  const mac = macFromBytes(target.mac);
  const round = target.vips.map((vip) =>
    vip.family === 'ipv4'
      ? { frame: encodeArpFrame(gratuitousArp(mac, vip)), v6: false }
      : { frame: encodeNaFrame(unsolicitedNa(mac, vip, target.router)), v6: true },
  );
  const out: { frame: Uint8Array; v6: boolean }[] = [];
  for (let i = 0; i < repeat; i++) out.push(...round);
  return out;
}

export class GarpSender {
  #socket: FrameSink | null = null;
  readonly #intervals: GarpIntervals;
  readonly #timers = new Set<NodeJS.Timeout>();
  sentArp = 0;
  sentNa = 0;
  errors = 0;

  readonly #open: () => FrameSink;

  /** `open` makes the socket on first use (tests pass a fake). */
  constructor(
    intervals: GarpIntervals,
    open: () => FrameSink = () => PacketSocket.open({ mode: 'raw', protocol: 0 }),
  ) {
    this.#intervals = intervals;
    this.#open = open;
  }

  #sock(): FrameSink {
    this.#socket ??= this.#open();
    return this.#socket;
  }

  /** Sends a burst; paced by the configured intervals. Never throws. */
  burst(target: GarpTarget, repeat: number): void {
    if (target.mac.length !== 6 || repeat <= 0 || target.vips.length === 0) return;
    const frames = burstFrames(target, repeat);
    this.#sendFrom(frames, 0, target.ifindex);
  }

  #sendFrom(frames: { frame: Uint8Array; v6: boolean }[], i: number, ifindex: number): void {
    for (; i < frames.length; i++) {
      const f = frames[i]!;
      this.#sendOne(f.frame, f.v6, ifindex);
      const gapUs = f.v6 ? this.#intervals.gnaIntervalUs : this.#intervals.garpIntervalUs;
      if (gapUs > 0 && i + 1 < frames.length) {
        const t = setTimeout(() => {
          this.#timers.delete(t);
          this.#sendFrom(frames, i + 1, ifindex);
        }, gapUs / 1000);
        this.#timers.add(t);
        return;
      }
    }
  }

  #sendOne(frame: Uint8Array, v6: boolean, ifindex: number): void {
    try {
      this.#sock().send(frame, ifindex);
      if (v6) this.sentNa++;
      else this.sentArp++;
    } catch {
      this.errors++;
    }
  }

  close(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#socket?.close();
    this.#socket = null;
  }
}
