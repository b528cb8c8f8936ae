/**
 * @module Raw IPv4/IPv6 sockets for one IP protocol: VRRP (112) or AH (51).
 *
 * The API follows `dgram.Socket`: open, join a multicast group on an interface,
 * send to a destination, 'message' events, close. What arrives differs by family,
 * as the kernel delivers it: an IPv4 raw socket hands over the IP header followed
 * by the payload; an IPv6 raw socket hands over the payload only. TTL / hop limit,
 * arrival interface and destination address come from ancillary data
 * (IP_RECVTTL + IP_PKTINFO, IPV6_RECVHOPLIMIT + IPV6_RECVPKTINFO), which open()
 * enables. Addresses are bytes in network order (4 or 16).
 */

import { META, META_INT32S, type NativeAncillary, type NativeConstants, native } from './binding.js';
import { DRAIN_BUDGET, dropAllFilter, FdHandle, receiveBuffer, recvMeta } from './fd-handle.js';
import { PolledSocket } from './polled-socket.js';
import { SendBatch } from './send-batch.js';

export type IpFamily = 4 | 6;

/** IANA protocol numbers this socket type is meant for. */
export const IPPROTO_VRRP = 112;
export const IPPROTO_AH = 51;

export interface RawIpSocketOptions {
  readonly family: IpFamily;
  /** IP protocol number: 112 (VRRP) or 51 (AH). Other values are passed to the kernel as is. */
  readonly protocol: number;
  /**
   * Start receiving at once (default true). A send-only socket (false) gets a BPF
   * filter that drops everything, so the kernel never queues packets for it;
   * resume() later removes the filter and starts receiving.
   */
  readonly receive?: boolean;
  /** Receive buffer per datagram in bytes (default 65535); longer datagrams are reported truncated. */
  readonly bufferSize?: number;
  /**
   * IP_MULTICAST_ALL / IPV6_MULTICAST_ALL (default false): when false, only groups
   * joined on this socket are delivered to it, as keepalived configures its sockets.
   */
  readonly multicastAll?: boolean;
}

/** One received datagram. */
export interface RawIpMessage {
  /** IPv4: IP header + payload. IPv6: payload only. A fresh copy. */
  readonly data: Uint8Array;
  /** Source address, 4 or 16 bytes. */
  readonly source: Uint8Array;
  /** IPv6 scope id (interface index of a link-local source); 0 otherwise. */
  readonly scopeId: number;
  /** IPv4 TTL or IPv6 hop limit; null when the kernel sent no ancillary value. */
  readonly ttl: number | null;
  /** Arrival interface index from pktinfo; null when absent. */
  readonly ifindex: number | null;
  /** Destination address of the packet (4 or 16 bytes) from pktinfo; null when absent. */
  readonly destination: Uint8Array | null;
  /** True when the datagram was longer than the receive buffer. */
  readonly truncated: boolean;
  /** Full datagram length in bytes (equals data.length unless truncated). */
  readonly length: number;
}

/**
 * One received datagram read in place (see `RawIpSocket.setDatagramHandler`): the
 * socket's receive buffer and metadata, valid only while the handler runs, since the
 * next datagram reuses them. Whatever must outlive the call is copied out by the handler.
 */
export interface RawIpDatagram {
  /** IPv4: IP header + payload. IPv6: payload only. `buffer[0, length)`; the rest is stale. */
  readonly buffer: Uint8Array;
  readonly length: number;
  /** IPv4 TTL or IPv6 hop limit; null when the kernel sent no ancillary value. */
  readonly ttl: number | null;
  /** Arrival interface index from pktinfo; null when absent. */
  readonly ifindex: number | null;
  /** True when the datagram was longer than the receive buffer. */
  readonly truncated: boolean;
  /** Holds the source address at `sourceAt` and the pktinfo destination at `destinationAt`. */
  readonly addresses: Uint8Array;
  readonly sourceAt: number;
  /** Source address length: 4 or 16. */
  readonly sourceLength: number;
  /** False when the kernel sent no pktinfo destination. */
  readonly hasDestination: boolean;
  readonly destinationAt: number;
}

/** The one mutable RawIpDatagram a socket hands to its handler, pointed at each datagram in turn. */
class DatagramSlot implements RawIpDatagram {
  buffer: Uint8Array;
  length = 0;
  ttl: number | null = null;
  ifindex: number | null = null;
  truncated = false;
  addresses: Uint8Array;
  sourceAt: number = META.sourceByteOffset;
  sourceLength = 0;
  hasDestination = false;
  destinationAt: number = META.destinationByteOffset;

  constructor(buffer: Uint8Array, addresses: Uint8Array) {
    this.buffer = buffer;
    this.addresses = addresses;
  }
}

/**
 * Datagrams one recvmmsg call reads. A backup of 255 instances at 0.1 s is woken
 * with ~3 datagrams queued; one call reads them all and, returning fewer than this,
 * shows the queue empty without a further call that would fail with EAGAIN.
 */
export const RECEIVE_BATCH = 16;

/**
 * recvmmsg's landing area: RECEIVE_BATCH slots of `slotSize` bytes and their
 * metadata blocks. Shared by every socket with that slot size, as receiveBuffer is:
 * a drain delivers every datagram of a batch before it returns.
 */
class ReceiveBatch {
  readonly slotSize: number;
  readonly buffer: Uint8Array;
  /** slots[i]: datagram i's bytes, a view made once. */
  readonly slots: Uint8Array[];
  readonly meta = new Int32Array(META_INT32S * RECEIVE_BATCH);
  readonly metaBytes = new Uint8Array(this.meta.buffer);
  /** A drain is delivering from this batch: a nested read (a handler reading a socket) must not refill it. */
  busy = false;

  constructor(slotSize: number) {
    this.slotSize = slotSize;
    this.buffer = new Uint8Array(slotSize * RECEIVE_BATCH);
    this.slots = [];
    for (let i = 0; i < RECEIVE_BATCH; i++)
      this.slots.push(this.buffer.subarray(i * slotSize, (i + 1) * slotSize));
  }
}

const batches = new Map<number, ReceiveBatch>();

function receiveBatch(slotSize: number): ReceiveBatch {
  let batch = batches.get(slotSize);
  if (batch === undefined) {
    batch = new ReceiveBatch(slotSize);
    batches.set(slotSize, batch);
  }
  return batch;
}

/** Where to send: address bytes (4 or 16) and, for IPv6 link-local or multicast, a scope id. */
export interface RawIpDestination {
  readonly address: Uint8Array;
  readonly scopeId?: number;
}

/** Per-packet options, carried as IP_PKTINFO / IPV6_PKTINFO (+ IP_TTL / IPV6_HOPLIMIT). */
export interface RawIpSendOptions {
  /** Outgoing interface index. */
  readonly ifindex?: number;
  /** Source address (4 or 16 bytes); must be local. */
  readonly source?: Uint8Array;
  /** TTL / hop limit for this packet only. */
  readonly hopLimit?: number;
}

export type RawIpSocketEvents = {
  message: [RawIpMessage];
  error: [Error];
  close: [];
};

export class RawIpSocket extends PolledSocket<RawIpSocketEvents> {
  readonly family: IpFamily;
  readonly protocol: number;
  readonly #buffer: Uint8Array;
  readonly #meta = recvMeta();
  readonly #af: number;
  readonly #multicastAll: boolean;
  #receiving = false;
  /** The drop-all filter of a send-only socket is attached. */
  #dropping = false;
  #datagramHandler: ((d: RawIpDatagram) => void) | null = null;
  readonly #destination: { family: number; address: Uint8Array; scopeId: number };
  readonly #slot: DatagramSlot;
  readonly #batch: ReceiveBatch;
  /** MSG_TRUNC, read once: #delivered runs per datagram. */
  readonly #msgTrunc: number;
  /** Made once: a nested drain (see #drain) runs through FdHandle.drain. */
  readonly #deliver = (n: number): void =>
    this.#delivered(this.#buffer, n, this.#meta.ints, this.#meta.bytes, 0);

  private constructor(fd: number, options: RawIpSocketOptions) {
    super();
    this.family = options.family;
    this.protocol = options.protocol;
    const c = native().constants;
    this.#af = options.family === 4 ? c.AF_INET : c.AF_INET6;
    this.#buffer = receiveBuffer(options.bufferSize ?? 65535);
    this.#batch = receiveBatch(options.bufferSize ?? 65535);
    this.#msgTrunc = c.MSG_TRUNC;
    this.#slot = new DatagramSlot(this.#buffer, this.#meta.bytes);
    this.#destination = { family: this.#af, address: this.#buffer, scopeId: 0 };
    this.#multicastAll = options.multicastAll === true;
    this.handle = new FdHandle(
      this,
      fd,
      () => this.#drain(),
      (err) => this.emit('error', err),
    );
  }

  /** Opens the socket; throws ErrnoError (EPERM without CAP_NET_RAW, EINVAL for a bad protocol). */
  static open(options: RawIpSocketOptions): RawIpSocket {
    const b = native();
    const c = b.constants;
    const v4 = options.family === 4;
    const fd = b.socket(v4 ? c.AF_INET : c.AF_INET6, c.SOCK_RAW, options.protocol);
    let socket: RawIpSocket;
    try {
      socket = new RawIpSocket(fd, options);
    } catch (err) {
      b.close(fd);
      throw err;
    }
    try {
      if (options.receive === false) {
        native().attachFilter(fd, dropAllFilter());
        socket.#dropping = true;
      } else {
        socket.resume();
      }
    } catch (err) {
      socket.close();
      throw err;
    }
    return socket;
  }

  /** Turns on the ancillary data receive() reports, once, before the first read. */
  #enableReceive(): void {
    const c = native().constants;
    const all = this.#multicastAll ? 1 : 0;
    if (this.family === 4) {
      this.#setInt(c.IPPROTO_IP, c.IP_PKTINFO, 1);
      this.#setInt(c.IPPROTO_IP, c.IP_RECVTTL, 1);
      this.#setInt(c.IPPROTO_IP, c.IP_MULTICAST_ALL, all);
    } else {
      this.#setInt(c.IPPROTO_IPV6, c.IPV6_RECVPKTINFO, 1);
      this.#setInt(c.IPPROTO_IPV6, c.IPV6_RECVHOPLIMIT, 1);
      this.#setInt(c.IPPROTO_IPV6, c.IPV6_MULTICAST_ALL, all);
    }
    this.#receiving = true;
  }

  #setInt(level: number, name: number, value: number): void {
    native().setIntOpt(this.handle.live(), level, name, value);
  }

  #getInt(level: number, name: number): number {
    return native().getIntOpt(this.handle.live(), level, name);
  }

  #ip(v4name: keyof NativeConstants, v6name: keyof NativeConstants): [number, number] {
    const c = native().constants;
    return this.family === 4 ? [c.IPPROTO_IP, c[v4name]] : [c.IPPROTO_IPV6, c[v6name]];
  }

  /** IP_ADD_MEMBERSHIP (ip_mreqn with ifindex) / IPV6_ADD_MEMBERSHIP. `local` is IPv4 only. */
  joinMulticast(group: Uint8Array, ifindex: number, local?: Uint8Array): void {
    this.#membership(true, group, ifindex, local);
  }

  leaveMulticast(group: Uint8Array, ifindex: number, local?: Uint8Array): void {
    this.#membership(false, group, ifindex, local);
  }

  #membership(join: boolean, group: Uint8Array, ifindex: number, local?: Uint8Array): void {
    const fd = this.handle.live();
    if (local === undefined) native().setMembership(fd, this.#af, join, group, ifindex);
    else native().setMembership(fd, this.#af, join, group, ifindex, local);
  }

  /** IP_MULTICAST_IF (ip_mreqn: ifindex and optional source address) / IPV6_MULTICAST_IF (ifindex). */
  setMulticastInterface(ifindex: number, address?: Uint8Array): void {
    if (this.family === 6) {
      const c = native().constants;
      this.#setInt(c.IPPROTO_IPV6, c.IPV6_MULTICAST_IF, ifindex);
    } else if (address === undefined) native().setMulticastIf4(this.handle.live(), ifindex);
    else native().setMulticastIf4(this.handle.live(), ifindex, address);
  }

  /** IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS (VRRP requires 255, RFC 5798 §5.1.1.3). */
  setMulticastHops(hops: number): void {
    const [level, name] = this.#ip('IP_MULTICAST_TTL', 'IPV6_MULTICAST_HOPS');
    this.#setInt(level, name, hops);
  }

  /** IP_TTL / IPV6_UNICAST_HOPS, for unicast peers. */
  setUnicastHops(hops: number): void {
    const [level, name] = this.#ip('IP_TTL', 'IPV6_UNICAST_HOPS');
    this.#setInt(level, name, hops);
  }

  /** IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP. */
  setMulticastLoop(on: boolean): void {
    const [level, name] = this.#ip('IP_MULTICAST_LOOP', 'IPV6_MULTICAST_LOOP');
    this.#setInt(level, name, on ? 1 : 0);
  }

  /** IP_TOS / IPV6_TCLASS. */
  setTrafficClass(value: number): void {
    const [level, name] = this.#ip('IP_TOS', 'IPV6_TCLASS');
    this.#setInt(level, name, value);
  }

  /**
   * IPV6_CHECKSUM (IPv6 only): the kernel computes the checksum at `offset` in the
   * payload on send and verifies it on receive (6 for VRRPv3); -1 turns it off.
   */
  setChecksumOffset(offset: number): void {
    if (this.family !== 6) throw new TypeError('IPV6_CHECKSUM applies to IPv6 sockets only');
    const c = native().constants;
    this.#setInt(c.IPPROTO_IPV6, c.IPV6_CHECKSUM, offset);
  }

  /** IP_HDRINCL (IPv4 only): data passed to send() starts with the IP header. */
  setHeaderIncluded(on: boolean): void {
    if (this.family !== 4) throw new TypeError('IP_HDRINCL applies to IPv4 sockets only');
    const c = native().constants;
    this.#setInt(c.IPPROTO_IP, c.IP_HDRINCL, on ? 1 : 0);
  }

  /** SO_BINDTODEVICE; '' removes the binding. */
  bindToDevice(name: string): void {
    native().bindToDevice(this.handle.live(), name);
  }

  /** bind(2) to a local address (source of sent packets, filter of received ones). */
  bind(address: Uint8Array, scopeId?: number): void {
    native().bind(this.handle.live(), { family: this.#af, address, scopeId: scopeId ?? 0 });
  }

  /** SO_RCVBUF, or SO_RCVBUFFORCE with `force` (needs CAP_NET_ADMIN). */
  setReceiveBufferSize(bytes: number, force = false): void {
    const c = native().constants;
    this.#setInt(c.SOL_SOCKET, force ? c.SO_RCVBUFFORCE : c.SO_RCVBUF, bytes);
  }

  /** SO_SNDBUF, or SO_SNDBUFFORCE with `force`. */
  setSendBufferSize(bytes: number, force = false): void {
    const c = native().constants;
    this.#setInt(c.SOL_SOCKET, force ? c.SO_SNDBUFFORCE : c.SO_SNDBUF, bytes);
  }

  /** Kernel value of SO_RCVBUF (twice what was set, as Linux reports it). */
  getReceiveBufferSize(): number {
    const c = native().constants;
    return this.#getInt(c.SOL_SOCKET, c.SO_RCVBUF);
  }

  /** SO_PRIORITY (queueing discipline band). */
  setPriority(priority: number): void {
    const c = native().constants;
    this.#setInt(c.SOL_SOCKET, c.SO_PRIORITY, priority);
  }

  /** SO_ATTACH_FILTER with a classic BPF program (8 bytes per instruction, host order). */
  attachFilter(program: Uint8Array): void {
    native().attachFilter(this.handle.live(), program);
    this.#dropping = false;
  }

  detachFilter(): void {
    native().detachFilter(this.handle.live());
    this.#dropping = false;
  }

  /**
   * Sends one datagram; returns the bytes sent. Never blocks: a full send buffer
   * throws ErrnoError EAGAIN (check with `isErrno(err, 'EAGAIN')`, retry after
   * `await writable()`).
   */
  send(data: Uint8Array, destination: RawIpDestination, options?: RawIpSendOptions): number {
    if (this.#corks > 0 && options === undefined && this.#queue(data, destination)) return data.length;
    // One sockaddr object per socket, refilled: the addon reads it before sendmsg returns,
    // and a master of 255 instances at 0.1 s sends 2,550 adverts a second.
    const dest = this.#destination;
    dest.address = destination.address;
    dest.scopeId = destination.scopeId ?? 0;
    return native().sendmsg(this.handle.live(), data, dest, this.#ancillary(options));
  }

  #ancillary(options: RawIpSendOptions | undefined): NativeAncillary | null {
    return options === undefined
      ? null
      : {
          family: this.#af,
          ifindex: options.ifindex ?? 0,
          hopLimit: options.hopLimit ?? -1,
          ...(options.source === undefined ? {} : { source: options.source }),
        };
  }

  /** Slots this socket holds in the stop signals' handler (src/native/stop-send.ts). */
  readonly #stopSlots = new Set<number>();

  /**
   * Keeps a copy of a datagram, as send() would send it now, that the handler of a stop
   * signal (SIGTERM, SIGINT) sends itself, before the loop hears of the signal; returns
   * its slot, or -1 when there is no room for it (send it at stop time then). Freed by
   * disarmStopSend() or close(): the handler never sends on a descriptor closed since.
   */
  armStopSend(data: Uint8Array, destination: RawIpDestination, options?: RawIpSendOptions): number {
    const dest = { family: this.#af, address: destination.address, scopeId: destination.scopeId ?? 0 };
    const slot = native().stopSendArm(this.handle.live(), data, dest, this.#ancillary(options));
    if (slot >= 0) this.#stopSlots.add(slot);
    return slot;
  }

  disarmStopSend(slot: number): void {
    if (this.#stopSlots.delete(slot)) native().stopSendDisarm(slot);
  }

  override close(): void {
    for (const slot of this.#stopSlots) this.disarmStopSend(slot);
    super.close();
  }

  #corks = 0;
  #sendBatch: SendBatch | null = null;

  /**
   * Until the matching uncork(), datagrams sent without options are queued and go out
   * together in one sendmmsg (src/native/send-batch.ts); send() then returns their
   * length, and a datagram the kernel refuses at uncork() is reported as an 'error'
   * event. Datagrams with options, or too large to queue, are sent at once. Nests.
   */
  cork(): void {
    this.#corks++;
  }

  uncork(): void {
    if (this.#corks === 0) return;
    this.#corks--;
    if (this.#corks === 0) this.#flushQueued();
  }

  /** Drops what the cork has queued: it is never sent. */
  discardQueued(): void {
    this.#sendBatch?.clear();
  }

  /** Sends what the cork has queued now; later sends are queued again until uncork(). */
  sendQueued(): void {
    if (this.#corks > 0) this.#flushQueued();
  }

  #queue(data: Uint8Array, destination: RawIpDestination): boolean {
    this.#sendBatch ??= new SendBatch(this.#af);
    if (!this.#sendBatch.fits(data.length)) {
      this.#flushQueued();
      if (!this.#sendBatch.fits(data.length)) return false;
    }
    this.#sendBatch.add(data, destination.address, destination.scopeId ?? 0);
    return true;
  }

  #flushQueued(): void {
    const batch = this.#sendBatch;
    if (batch === null || batch.size === 0) return;
    if (this.handle.closed) {
      batch.clear();
      return;
    }
    try {
      const refused = batch.flush(this.handle.live());
      if (refused > 0) this.emit('error', new Error(`sendmmsg: ${refused} datagrams not sent`));
    } catch (e) {
      this.emit('error', e as Error);
    }
  }

  /** Stops reading; packets queue in the kernel (up to SO_RCVBUF) until resume(). */
  pause(): void {
    this.handle.pause();
  }

  /** Starts (or restarts) receiving; on a send-only socket this first removes its drop-all filter. */
  resume(): void {
    if (!this.#receiving) {
      if (this.#dropping) native().detachFilter(this.handle.live());
      this.#dropping = false;
      this.#enableReceive();
    }
    this.handle.resume();
  }

  /**
   * Reads, now, what the kernel has queued (at most `rounds` drains of DRAIN_BUDGET),
   * emitting 'message' for each, instead of waiting for the loop's poll phase. For a
   * deadline that must not be declared while a datagram waits unread (a Master_Down_Timer
   * that fired before the loop polled). Does nothing while not receiving.
   */
  readPending(rounds = 16): void {
    if (!this.#receiving) return;
    for (let i = 0; i < rounds && this.#drain() >= DRAIN_BUDGET; i++);
  }

  /**
   * Hands each datagram to `handler` in place (RawIpDatagram) instead of emitting
   * 'message' with fresh copies: for a receive path that must not allocate per packet
   * (a VRRP backup of 255 instances reads 2,550 adverts a second). null: 'message' again.
   * Every socket reads into the same buffer and metadata, so the handler must not read
   * a socket itself (readPending): the daemon's timers that do run after the drain, as
   * microtasks (src/daemon/scheduler.ts), never inside it.
   */
  setDatagramHandler(handler: ((d: RawIpDatagram) => void) | null): void {
    this.#datagramHandler = handler;
  }

  /**
   * Reads up to DRAIN_BUDGET datagrams, RECEIVE_BATCH per recvmmsg call, and delivers
   * each; returns how many (DRAIN_BUDGET or more: there may be more queued). A drain
   * started while the shared batch is being delivered (a listener reading a socket)
   * reads one datagram per recvmsg into the single buffer instead, leaving the batch intact.
   */
  #drain(): number {
    const batch = this.#batch;
    if (batch.busy) return this.handle.drain(this.#buffer, this.#meta, this.#deliver);
    batch.busy = true;
    try {
      return this.#drainBatch(batch);
    } finally {
      batch.busy = false;
    }
  }

  #drainBatch(batch: ReceiveBatch): number {
    const b = native();
    let delivered = 0;
    while (delivered < DRAIN_BUDGET && !this.handle.closed) {
      let n: number;
      try {
        n = b.recvmmsg(this.handle.fd, batch.buffer, batch.slotSize, batch.meta, RECEIVE_BATCH);
      } catch (err) {
        this.emit('error', err as Error);
        break;
      }
      for (let i = 0; i < n && !this.handle.closed; i++) {
        const base = i * META_INT32S;
        const copied = Math.min(batch.meta[base + META.length]!, batch.slotSize);
        this.#delivered(batch.slots[i]!, copied, batch.meta, batch.metaBytes, base);
      }
      delivered += n;
      if (n < RECEIVE_BATCH) break;
    }
    return delivered;
  }

  /** Delivers the datagram of `n` bytes in `buffer`, described by meta[base, base + META_INT32S). */
  #delivered(buffer: Uint8Array, n: number, meta: Int32Array, metaBytes: Uint8Array, base: number): void {
    const hops = meta[base + META.hops]!;
    const ifindex = meta[base + META.ifindex]!;
    const truncated = (meta[base + META.flags]! & this.#msgTrunc) !== 0;
    const sourceLength = meta[base + META.addrLength]!;
    const destinationFamily = meta[base + META.destinationFamily]!;
    const byteBase = base * 4;
    const handler = this.#datagramHandler;
    if (handler !== null) {
      const d = this.#slot;
      d.buffer = buffer;
      d.length = n;
      d.ttl = hops < 0 ? null : hops;
      d.ifindex = ifindex < 0 ? null : ifindex;
      d.truncated = truncated;
      d.addresses = metaBytes;
      d.sourceAt = byteBase + META.sourceByteOffset;
      d.sourceLength = sourceLength;
      d.hasDestination = destinationFamily !== 0;
      d.destinationAt = byteBase + META.destinationByteOffset;
      handler(d);
      return;
    }
    const sourceAt = byteBase + META.sourceByteOffset;
    const destinationAt = byteBase + META.destinationByteOffset;
    const destinationLength = destinationFamily === native().constants.AF_INET ? 4 : 16;
    this.emit('message', {
      data: buffer.slice(0, n),
      source: metaBytes.slice(sourceAt, sourceAt + sourceLength),
      scopeId: this.family === 6 ? meta[base + META.a]! : 0,
      ttl: hops < 0 ? null : hops,
      ifindex: ifindex < 0 ? null : ifindex,
      destination:
        destinationFamily === 0 ? null : metaBytes.slice(destinationAt, destinationAt + destinationLength),
      truncated,
      length: meta[base + META.length]!,
    });
  }
}
