/**
 * @module One raw socket per (interface, family, IP protocol), shared by every instance
 * on it and demultiplexed by VRID. IPv4 uses IP_HDRINCL (the advert sender builds
 * keepalived's header: TOS 0xc0, TTL 255, its own id counter, optional AH); IPv6 lets the
 * kernel build the header (hop limit 255 from the socket). Multicast groups are joined on
 * the interface; unicast adverts arrive on the same socket (bound to the device).
 *
 * Receive path, allocation-free for an advert that passes: the socket hands over the
 * datagram in its reused buffer (RawIpDatagram), one AdvertView per channel checks and
 * reads it in place, the members with that VRID are found and each checks it against
 * its expectations (`firstReceiveDrop`) → the member's `onAdvert(view)`. Every drop is
 * counted under its DropReason: decode failures and unknown VRIDs on the channel,
 * configuration mismatches on the member (with log text built only then).
 */

import type { RawIpDatagram, RawIpDestination, RawIpMessage, RawIpSendOptions } from '../native/index.js';
import { RawIpSocket } from '../native/index.js';
import {
  AdvertView,
  type DropReason,
  firstReceiveDrop,
  type InstanceExpectations,
  type IpAddress,
  receiveDropDetail,
} from '../wire/index.js';

/** An instance listening on a channel. */
export interface ChannelMember {
  readonly vrid: number;
  /** What the instance expects now (the AH sequence moves). */
  expectations(): InstanceExpectations;
  /** An accepted advert, valid during the call only: copy out what must be kept. */
  onAdvert(advert: AdvertView): void;
  onDrop(reason: DropReason, detail: string): void;
}

/** What the channel needs of a raw socket (RawIpSocket's shape). */
export interface ChannelSocket {
  on(event: 'message', listener: (m: RawIpMessage) => void): unknown;
  on(event: 'error', listener: (e: Error) => void): unknown;
  send(data: Uint8Array, destination: RawIpDestination, options?: RawIpSendOptions): number;
  /** Queue sends until uncork() (RawIpSocket); optional: test fakes send at once. */
  cork?(): void;
  uncork?(): void;
  sendQueued?(): void;
  discardQueued?(): void;
  /** Stop-signal sends (RawIpSocket.armStopSend); optional: test fakes have none. */
  armStopSend?(data: Uint8Array, destination: RawIpDestination, options?: RawIpSendOptions): number;
  disarmStopSend?(slot: number): void;
  /** Datagrams in place instead of 'message' events (RawIpSocket's; fakes may lack it). */
  setDatagramHandler?(handler: (d: RawIpDatagram) => void): void;
  /** Delivers what is queued in the kernel now, as 'message' events (RawIpSocket.readPending). */
  readPending?(): void;
  close(): void;
}

export interface ChannelOptions {
  readonly ifname: string;
  readonly ifindex: number;
  readonly family: 'ipv4' | 'ipv6';
  /** 112 (VRRP) or 51 (AH, VRRPv2 auth_type AH). */
  readonly protocol: number;
  /** Multicast group to join (224.0.0.18 / ff02::12 or the configured one); null: none. */
  readonly group: IpAddress | null;
}

export class VrrpChannel {
  readonly options: ChannelOptions;
  readonly #socket: ChannelSocket;
  /**
   * Indexed by VRID (0..255: an array, not a Map, for the lookup on every packet); each
   * list is replaced, never changed, so a delivery in progress keeps its own.
   */
  readonly #members: (readonly ChannelMember[] | undefined)[] = new Array(256).fill(undefined);
  readonly #view: AdvertView;
  readonly #to: { address: Uint8Array; scopeId: number };
  /** Drops not attributable to an instance: decode failures and VRIDs nobody runs. */
  readonly drops = new Map<DropReason, number>();
  received = 0;
  sent = 0;
  sendErrors = 0;

  /** Wraps an open socket (tests pass a fake); `VrrpChannel.open` makes the real one. */
  constructor(options: ChannelOptions, socket: ChannelSocket) {
    this.options = options;
    this.#view = new AdvertView(options.family);
    // IPv6 link-local and multicast destinations need the interface as scope id.
    this.#to = { address: new Uint8Array(0), scopeId: options.family === 'ipv6' ? options.ifindex : 0 };
    if (socket.setDatagramHandler) socket.setDatagramHandler((d) => this.#onDatagram(d));
    else socket.on('message', (m) => this.#onMessage(m));
    socket.on('error', () => {
      this.sendErrors++;
    });
    this.#socket = socket;
  }

  /** Opens and configures the raw socket for (interface, family, protocol). */
  static open(options: ChannelOptions): VrrpChannel {
    const v4 = options.family === 'ipv4';
    const s = RawIpSocket.open({ family: v4 ? 4 : 6, protocol: options.protocol });
    try {
      s.bindToDevice(options.ifname);
      if (v4) s.setHeaderIncluded(true);
      else {
        s.setMulticastHops(255);
        s.setUnicastHops(255);
      }
      s.setMulticastLoop(false);
      s.setMulticastInterface(options.ifindex);
      if (options.group) s.joinMulticast(options.group.bytes, options.ifindex);
      s.setReceiveBufferSize(1 << 20);
    } catch (e) {
      s.close();
      throw e;
    }
    return new VrrpChannel(options, s);
  }

  add(member: ChannelMember): void {
    const list = this.#members[member.vrid] ?? [];
    if (!list.includes(member)) this.#members[member.vrid] = [...list, member];
  }

  remove(member: ChannelMember): void {
    const list = this.#members[member.vrid];
    if (list?.includes(member)) this.#members[member.vrid] = list.filter((m) => m !== member);
  }

  get size(): number {
    let n = 0;
    for (const list of this.#members) n += list?.length ?? 0;
    return n;
  }

  /** Sends one datagram (IPv4: with its header; IPv6: the VRRP message). Never throws. */
  send(bytes: Uint8Array, destination: IpAddress, source?: IpAddress): boolean {
    try {
      // Refilled, not made per advert: the socket reads it before send returns.
      const to = this.#to;
      to.address = destination.bytes;
      this.#socket.send(bytes, to, this.#sendOptions(source));
      this.sent++;
      return true;
    } catch {
      this.sendErrors++;
      return false;
    }
  }

  #sendOptions(source: IpAddress | undefined): RawIpSendOptions | undefined {
    return this.options.family === 'ipv6'
      ? { ifindex: this.options.ifindex, hopLimit: 255, ...(source ? { source: source.bytes } : {}) }
      : undefined;
  }

  /**
   * The datagram send() would send, kept for a stop signal's handler to send at once
   * (src/native/stop-send.ts); its slot, or -1 when it cannot be kept (send it then).
   */
  armStopSend(bytes: Uint8Array, destination: IpAddress, source?: IpAddress): number {
    const to = { address: destination.bytes, scopeId: this.#to.scopeId };
    try {
      return this.#socket.armStopSend?.(bytes, to, this.#sendOptions(source)) ?? -1;
    } catch {
      return -1;
    }
  }

  disarmStopSend(slot: number): void {
    this.#socket.disarmStopSend?.(slot);
  }

  /**
   * IPv4 adverts sent until the matching uncork() go out together in one system call
   * (the daemon corks its channels while it fires a wake-up's Adver_Timers). A datagram
   * the kernel refuses then counts in sendErrors, not in send()'s result.
   */
  cork(): void {
    this.#socket.cork?.();
  }

  uncork(): void {
    this.#socket.uncork?.();
  }

  /** The adverts queued under the cork go out now, ahead of slower work (still corked after). */
  sendQueued(): void {
    this.#socket.sendQueued?.();
  }

  /** The adverts queued under the cork are dropped. */
  discardQueued(): void {
    this.#socket.discardQueued?.();
  }

  /** Reads what the kernel has queued for this channel now, before the loop would poll it. */
  readPending(): void {
    this.#socket.readPending?.();
  }

  clearStats(): void {
    this.drops.clear();
    this.received = 0;
    this.sent = 0;
    this.sendErrors = 0;
  }

  #count(reason: DropReason): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
  }

  #onDatagram(d: RawIpDatagram): void {
    this.received++;
    if (d.ifindex !== null && d.ifindex !== this.options.ifindex) return;
    const view = this.#view;
    const reason =
      this.options.family === 'ipv4'
        ? view.parseIpv4(d.buffer, d.length)
        : view.parseIpv6(
            d.buffer,
            d.length,
            d.addresses,
            d.sourceAt,
            d.hasDestination ? d.addresses : null,
            d.destinationAt,
            d.ttl,
          );
    this.#deliver(reason);
  }

  /** Sockets that emit copies ('message', test fakes) take the same path. */
  #onMessage(m: RawIpMessage): void {
    this.#onDatagram(datagramOf(m));
  }

  /** Hands a parsed advert to the members with its VRID, or counts why it goes nowhere. */
  #deliver(decodeDrop: DropReason | null): void {
    if (decodeDrop !== null) {
      this.#count(decodeDrop);
      return;
    }
    const view = this.#view;
    const members = this.#members[view.vrid];
    if (members === undefined || members.length === 0) {
      this.#count('vrid-mismatch');
      return;
    }
    for (let i = 0; i < members.length; i++) {
      const member = members[i]!;
      const want = member.expectations();
      const reason = firstReceiveDrop(view, want);
      if (reason === null) member.onAdvert(view);
      else member.onDrop(reason, receiveDropDetail(reason, view, want));
    }
  }

  close(): void {
    this.#socket.close();
  }
}

/** A copied message in the shape the real socket hands over in place (allocates: fakes only). */
function datagramOf(m: RawIpMessage): RawIpDatagram {
  const destination = m.destination ?? new Uint8Array(0);
  const addresses = new Uint8Array(m.source.length + destination.length);
  addresses.set(m.source, 0);
  addresses.set(destination, m.source.length);
  return {
    buffer: m.data,
    length: m.data.length,
    ttl: m.ttl,
    ifindex: m.ifindex,
    truncated: m.truncated,
    addresses,
    sourceAt: 0,
    sourceLength: m.source.length,
    hasDestination: m.destination !== null,
    destinationAt: m.source.length,
  };
}
