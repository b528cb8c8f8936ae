/**
 * @module AF_PACKET sockets: send whole Ethernet frames (gratuitous ARP, unsolicited
 * neighbour advertisements) on an interface, and optionally receive frames of one
 * ethertype.
 *
 * Mode 'raw' (SOCK_RAW) sends and receives frames including the link-layer
 * header; mode 'dgram' (SOCK_DGRAM) leaves the header to the kernel, which then
 * needs the destination hardware address and the ethertype on send. Ethertypes
 * are numbers in host order (0x0806 for ARP).
 */

import { native } from './binding.js';
import { FdHandle, receiveBuffer, recvMeta } from './fd-handle.js';
import { PolledSocket } from './polled-socket.js';

export const ETH_P_ALL = 0x0003;
export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_IPV6 = 0x86dd;

export interface PacketSocketOptions {
  /** 'raw' (default): frames with link-layer header. 'dgram': payload only. */
  readonly mode?: 'raw' | 'dgram';
  /** Ethertype to receive (ETH_P_ALL for everything). Absent or 0: send only, nothing is received. */
  readonly protocol?: number;
  /** Receive only from this interface (bind). Absent: all interfaces. */
  readonly ifindex?: number;
  /** PACKET_IGNORE_OUTGOING: do not see frames this host sends. */
  readonly ignoreOutgoing?: boolean;
  /** Receive buffer per frame in bytes (default 65535). */
  readonly bufferSize?: number;
}

/** One received frame. */
export interface PacketMessage {
  /** Frame bytes (with link-layer header in 'raw' mode). A fresh copy. */
  readonly data: Uint8Array;
  /** Interface the frame was seen on (sll_ifindex). */
  readonly ifindex: number;
  /** Ethertype, host order. */
  readonly protocol: number;
  /** sll_pkttype: PACKET_HOST 0, BROADCAST 1, MULTICAST 2, OTHERHOST 3, OUTGOING 4. */
  readonly packetType: number;
  /** sll_hatype: ARPHRD_* (1 for Ethernet). */
  readonly hardwareType: number;
  /** Source hardware address (6 bytes on Ethernet). */
  readonly source: Uint8Array;
  readonly truncated: boolean;
  readonly length: number;
}

export interface PacketSendOptions {
  /**
   * Ethertype of the frame (sll_protocol, which becomes skb->protocol). Default:
   * the socket's receive protocol, else in 'raw' mode the frame's own ethertype
   * (bytes 12-13). Needed in 'dgram' mode.
   */
  readonly protocol?: number;
  /** Destination hardware address ('dgram' mode: the kernel writes it into the header). */
  readonly destination?: Uint8Array;
}

export type PacketSocketEvents = {
  message: [PacketMessage];
  error: [Error];
  close: [];
};

export class PacketSocket extends PolledSocket<PacketSocketEvents> {
  readonly mode: 'raw' | 'dgram';
  /** Ethertype received (0: none). */
  readonly protocol: number;
  readonly #buffer: Uint8Array;
  readonly #meta = recvMeta();

  private constructor(fd: number, options: PacketSocketOptions) {
    super();
    this.mode = options.mode ?? 'raw';
    this.protocol = options.protocol ?? 0;
    this.#buffer = receiveBuffer(options.protocol ? (options.bufferSize ?? 65535) : 0);
    this.handle = new FdHandle(
      this,
      fd,
      () => this.#drain(),
      (err) => this.emit('error', err),
    );
  }

  /**
   * Opens the socket with protocol 0 (so nothing is queued before the bind), then,
   * when receiving, binds it to (ifindex, protocol) and starts reading. Throws
   * ErrnoError: EPERM without CAP_NET_RAW, ENODEV for an unknown ifindex.
   */
  static open(options: PacketSocketOptions = {}): PacketSocket {
    const b = native();
    const c = b.constants;
    const fd = b.socket(c.AF_PACKET, options.mode === 'dgram' ? c.SOCK_DGRAM : c.SOCK_RAW, 0);
    let socket: PacketSocket;
    try {
      socket = new PacketSocket(fd, options);
    } catch (err) {
      b.close(fd);
      throw err;
    }
    try {
      if (options.ignoreOutgoing === true) b.setIntOpt(fd, c.SOL_PACKET, c.PACKET_IGNORE_OUTGOING, 1);
      if (socket.protocol !== 0 || options.ifindex !== undefined) {
        b.bind(fd, { family: c.AF_PACKET, ifindex: options.ifindex ?? 0, protocol: socket.protocol });
      }
      if (socket.protocol !== 0) socket.handle.resume();
    } catch (err) {
      socket.close();
      throw err;
    }
    return socket;
  }

  /**
   * Sends one frame out of `ifindex`; returns bytes sent. Never blocks: EAGAIN is
   * thrown (retry after `await writable()`).
   */
  send(frame: Uint8Array, ifindex: number, options: PacketSendOptions = {}): number {
    const c = native().constants;
    const dest = {
      family: c.AF_PACKET,
      ifindex,
      protocol: options.protocol ?? this.#defaultProtocol(frame),
      ...(options.destination === undefined ? {} : { addr: options.destination }),
    };
    return native().sendmsg(this.handle.live(), frame, dest, null);
  }

  /** Recent kernels derive skb->protocol from a SOCK_RAW frame's header when it is 0; older ones do not. */
  #defaultProtocol(frame: Uint8Array): number {
    if (this.protocol !== 0 || this.mode !== 'raw' || frame.length < 14) return this.protocol;
    return (frame[12]! << 8) | frame[13]!;
  }

  /** SO_ATTACH_FILTER with a classic BPF program (8 bytes per instruction, host order). */
  attachFilter(program: Uint8Array): void {
    native().attachFilter(this.handle.live(), program);
  }

  /** SO_PRIORITY for frames sent on this socket. */
  setPriority(priority: number): void {
    const c = native().constants;
    native().setIntOpt(this.handle.live(), c.SOL_SOCKET, c.SO_PRIORITY, priority);
  }

  pause(): void {
    this.handle.pause();
  }

  resume(): void {
    if (this.protocol !== 0) this.handle.resume();
  }

  #drain(): void {
    const meta = this.#meta;
    this.handle.drain(this.#buffer, meta, (n) => {
      this.emit('message', {
        data: this.#buffer.slice(0, n),
        ifindex: meta.get('a'),
        protocol: meta.get('b'),
        packetType: meta.get('c'),
        hardwareType: meta.get('d'),
        source: meta.source(),
        truncated: meta.truncated(),
        length: meta.get('length'),
      });
    });
  }
}
