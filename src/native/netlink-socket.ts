/**
 * @module AF_NETLINK sockets (NETLINK_ROUTE, NETLINK_GENERIC): bind, multicast
 * group membership, send bytes, receive datagrams as bytes.
 *
 * Only the socket lives here. Message framing, sequence numbers, multipart dumps
 * and ACK / extended-ACK matching belong to the codecs in src/netlink: each
 * 'message' event carries one datagram, which may hold several nlmsghdr messages.
 */

import { native } from './binding.js';
import { isErrno } from './errno-error.js';
import { FdHandle, receiveBuffer, recvMeta } from './fd-handle.js';
import { PolledSocket } from './polled-socket.js';

/** Netlink families this layer opens by name (NETLINK_ROUTE 0, NETLINK_GENERIC 16). */
export type NetlinkProtocol = 'route' | 'generic';

export interface NetlinkSocketOptions {
  readonly protocol: NetlinkProtocol;
  /** Legacy group bitmask for bind (RTMGRP_*). Prefer addMembership(group number). */
  readonly groups?: number;
  /** Port id to bind (0, default: the kernel picks one, see portId). */
  readonly pid?: number;
  /** Start reading at once (default true). */
  readonly receive?: boolean;
  /** Bytes per receive (default 65536: more than the kernel's 32 KiB dump chunks). */
  readonly bufferSize?: number;
}

/** Where a datagram came from. */
export interface NetlinkMessageInfo {
  /** Sender port id: 0 for the kernel. */
  readonly pid: number;
  /** Multicast group mask the datagram was sent to (0 for unicast replies). */
  readonly groups: number;
  /** True when the datagram was longer than the receive buffer (its tail is lost). */
  readonly truncated: boolean;
  /** Full datagram length in bytes. */
  readonly length: number;
}

/** Destination of send(): the kernel (pid 0) unless told otherwise. */
export interface NetlinkDestination {
  readonly pid?: number;
  readonly groups?: number;
}

export type NetlinkSocketEvents = {
  message: [Uint8Array, NetlinkMessageInfo];
  /** ENOBUFS (the kernel dropped notifications: resynchronise) and other receive errors. */
  error: [Error];
  close: [];
};

export class NetlinkSocket extends PolledSocket<NetlinkSocketEvents> {
  readonly protocol: NetlinkProtocol;
  readonly #buffer: Uint8Array;
  readonly #meta = recvMeta();
  #portId = -1;

  private constructor(fd: number, options: NetlinkSocketOptions) {
    super();
    this.protocol = options.protocol;
    this.#buffer = receiveBuffer(options.bufferSize ?? 65536);
    this.handle = new FdHandle(
      this,
      fd,
      () => this.#drain(),
      (err) => this.emit('error', err),
    );
  }

  /** Opens and binds the socket. Throws ErrnoError. */
  static open(options: NetlinkSocketOptions): NetlinkSocket {
    const b = native();
    const c = b.constants;
    const proto = options.protocol === 'route' ? c.NETLINK_ROUTE : c.NETLINK_GENERIC;
    const fd = b.socket(c.AF_NETLINK, c.SOCK_RAW, proto);
    let socket: NetlinkSocket;
    try {
      socket = new NetlinkSocket(fd, options);
    } catch (err) {
      b.close(fd);
      throw err;
    }
    try {
      b.bind(fd, { family: c.AF_NETLINK, pid: options.pid ?? 0, groups: options.groups ?? 0 });
      if (options.receive !== false) socket.handle.resume();
    } catch (err) {
      socket.close();
      throw err;
    }
    return socket;
  }

  /** The port id (nl_pid) the kernel assigned at bind (read once with getsockname). */
  get portId(): number {
    if (this.#portId < 0) {
      const meta = recvMeta();
      native().getsockname(this.handle.live(), meta.ints);
      this.#portId = meta.get('a') >>> 0;
    }
    return this.#portId;
  }

  #setFlag(name: number, value: number): void {
    native().setIntOpt(this.handle.live(), native().constants.SOL_NETLINK, name, value);
  }

  /** NETLINK_ADD_MEMBERSHIP: join a multicast group by number (RTNLGRP_LINK is 1). */
  addMembership(group: number): void {
    this.#setFlag(native().constants.NETLINK_ADD_MEMBERSHIP, group);
  }

  dropMembership(group: number): void {
    this.#setFlag(native().constants.NETLINK_DROP_MEMBERSHIP, group);
  }

  /** NETLINK_EXT_ACK: error ACKs carry extended attributes (message, offset). */
  setExtendedAck(on: boolean): void {
    this.#setFlag(native().constants.NETLINK_EXT_ACK, on ? 1 : 0);
  }

  /** NETLINK_CAP_ACK: error ACKs do not echo the whole request. */
  setCapAck(on: boolean): void {
    this.#setFlag(native().constants.NETLINK_CAP_ACK, on ? 1 : 0);
  }

  /** NETLINK_GET_STRICT_CHK: the kernel validates dump requests strictly. */
  setStrictCheck(on: boolean): void {
    this.#setFlag(native().constants.NETLINK_GET_STRICT_CHK, on ? 1 : 0);
  }

  /** NETLINK_NO_ENOBUFS: do not report multicast overruns. */
  setNoEnobufs(on: boolean): void {
    this.#setFlag(native().constants.NETLINK_NO_ENOBUFS, on ? 1 : 0);
  }

  /** SO_RCVBUF, or SO_RCVBUFFORCE with `force` (needs CAP_NET_ADMIN). */
  setReceiveBufferSize(bytes: number, force = false): void {
    const c = native().constants;
    native().setIntOpt(this.handle.live(), c.SOL_SOCKET, force ? c.SO_RCVBUFFORCE : c.SO_RCVBUF, bytes);
  }

  /** Sends one datagram (one or more nlmsghdr messages). EAGAIN is thrown, never waited for. */
  send(data: Uint8Array, destination: NetlinkDestination = {}): number {
    const c = native().constants;
    const dest = { family: c.AF_NETLINK, pid: destination.pid ?? 0, groups: destination.groups ?? 0 };
    return native().sendmsg(this.handle.live(), data, dest, null);
  }

  pause(): void {
    this.handle.pause();
  }

  resume(): void {
    this.handle.resume();
  }

  #drain(): void {
    const meta = this.#meta;
    this.handle.drain(this.#buffer, meta, (n) => {
      this.emit('message', this.#buffer.slice(0, n), {
        pid: meta.get('a') >>> 0,
        groups: meta.get('b') >>> 0,
        truncated: meta.truncated(),
        length: meta.get('length'),
      });
    });
  }
}

/** True for the receive error that means "notifications were lost": resynchronise with a dump. */
export function isOverrun(err: unknown): boolean {
  return isErrno(err, 'ENOBUFS');
}
