/**
 * @module One raw socket per (interface, family, IP protocol), shared by every instance
 * on it and demultiplexed by VRID. IPv4 uses IP_HDRINCL (the advert sender builds
 * keepalived's header: TOS 0xc0, TTL 255, its own id counter, optional AH); IPv6 lets the
 * kernel build the header (hop limit 255 from the socket). Multicast groups are joined on
 * the interface; unicast adverts arrive on the same socket (bound to the device).
 *
 * Receive path: decode (never throws) → find the instances with that VRID →
 * `checkReceivedAdvert` against each one's expectations → the member's `onAdvert`.
 * Every drop is counted under its DropReason: decode failures and unknown VRIDs on the
 * channel, configuration mismatches on the member.
 */

import {
  type RawIpDestination,
  type RawIpMessage,
  type RawIpSendOptions,
  RawIpSocket,
} from '../native/index.js';
import {
  checkReceivedAdvert,
  type DropReason,
  decodeIpv4Advert,
  decodeVrrp,
  type InstanceExpectations,
  type IpAddress,
  ipFromBytes,
  type ReceivedAdvert,
  receivedFromIpv4,
  type VrrpPacket,
} from '../wire/index.js';

/** An instance listening on a channel. */
export interface ChannelMember {
  readonly vrid: number;
  /** What the instance expects now (the AH sequence moves). */
  expectations(): InstanceExpectations;
  onAdvert(packet: VrrpPacket, rx: ReceivedAdvert): void;
  onDrop(reason: DropReason, detail: string): void;
}

/** What the channel needs of a raw socket (RawIpSocket's shape). */
export interface ChannelSocket {
  on(event: 'message', listener: (m: RawIpMessage) => void): unknown;
  on(event: 'error', listener: (e: Error) => void): unknown;
  send(data: Uint8Array, destination: RawIpDestination, options?: RawIpSendOptions): number;
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
  readonly #members = new Map<number, Set<ChannelMember>>();
  /** Drops not attributable to an instance: decode failures and VRIDs nobody runs. */
  readonly drops = new Map<DropReason, number>();
  received = 0;
  sent = 0;
  sendErrors = 0;

  /** Wraps an open socket (tests pass a fake); `VrrpChannel.open` makes the real one. */
  constructor(options: ChannelOptions, socket: ChannelSocket) {
    this.options = options;
    socket.on('message', (m) => this.#onMessage(m));
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
    const set = this.#members.get(member.vrid) ?? new Set();
    set.add(member);
    this.#members.set(member.vrid, set);
  }

  remove(member: ChannelMember): void {
    this.#members.get(member.vrid)?.delete(member);
  }

  get size(): number {
    let n = 0;
    for (const s of this.#members.values()) n += s.size;
    return n;
  }

  /** Sends one datagram (IPv4: with its header; IPv6: the VRRP message). Never throws. */
  send(bytes: Uint8Array, destination: IpAddress, source?: IpAddress): boolean {
    try {
      const scopeId = this.options.family === 'ipv6' ? this.options.ifindex : 0;
      const opts =
        this.options.family === 'ipv6'
          ? { ifindex: this.options.ifindex, hopLimit: 255, ...(source ? { source: source.bytes } : {}) }
          : undefined;
      this.#socket.send(bytes, { address: destination.bytes, scopeId }, opts);
      this.sent++;
      return true;
    } catch {
      this.sendErrors++;
      return false;
    }
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

  #decode(m: RawIpMessage): { rx: ReceivedAdvert } | { reason: DropReason } {
    if (this.options.family === 'ipv4') {
      const r = decodeIpv4Advert(m.data);
      return r.ok ? { rx: receivedFromIpv4(r.value) } : { reason: r.error.reason };
    }
    if (m.destination === null) return { reason: 'vrrp-truncated' };
    const source = ipFromBytes(m.source);
    const destination = ipFromBytes(m.destination);
    const r = decodeVrrp(m.data, { source, destination });
    if (!r.ok) return { reason: r.error.reason };
    return { rx: { packet: r.value, source, destination, ttl: m.ttl, ah: null } };
  }

  #onMessage(m: RawIpMessage): void {
    this.received++;
    if (m.ifindex !== null && m.ifindex !== this.options.ifindex) return;
    const d = this.#decode(m);
    if ('reason' in d) {
      this.#count(d.reason);
      return;
    }
    const members = this.#members.get(d.rx.packet.vrid);
    if (members === undefined || members.size === 0) {
      this.#count('vrid-mismatch');
      return;
    }
    for (const member of members) {
      const verdict = checkReceivedAdvert(d.rx, member.expectations());
      if (verdict.ok) member.onAdvert(verdict.value, d.rx);
      else member.onDrop(verdict.error.reason, verdict.error.detail);
    }
  }

  close(): void {
    this.#socket.close();
  }
}
