/**
 * @module Loader and raw signatures of the C addon (native/, built by node-gyp).
 *
 * This is the only file in the tree with loose types at the boundary: the addon is
 * loaded through `createRequire` and cast to {@link NativeBinding}. The addon is
 * loaded lazily on first use, so importing a facade never fails on a machine
 * without the build; the first socket does, with a message naming the build step.
 * The addon is looked up at native/build/Release/kts_native.node above this file
 * (from src/ under type stripping or from dist/src/), or at $KTS_NATIVE_PATH.
 *
 * Conventions of the raw API: file descriptors are numbers; addresses are byte
 * arrays (`Uint8Array`, network order); `family` fields are the kernel's AF_*
 * numbers; an AF_PACKET protocol is the ethertype in host order. Every failing
 * system call throws {@link ErrnoError}; bad arguments throw `TypeError`.
 */

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrnoError } from './errno-error.js';

/** Kernel constants exported by the addon (values from the C headers it was built against). */
export interface NativeConstants {
  readonly AF_INET: number;
  readonly AF_INET6: number;
  readonly AF_PACKET: number;
  readonly AF_NETLINK: number;
  readonly AF_UNIX: number;
  readonly SOCK_RAW: number;
  readonly SOCK_DGRAM: number;
  readonly SOL_SOCKET: number;
  readonly IPPROTO_IP: number;
  readonly IPPROTO_IPV6: number;
  readonly SOL_PACKET: number;
  readonly SOL_NETLINK: number;
  readonly SO_RCVBUF: number;
  readonly SO_SNDBUF: number;
  readonly SO_RCVBUFFORCE: number;
  readonly SO_SNDBUFFORCE: number;
  readonly SO_PRIORITY: number;
  readonly SO_REUSEADDR: number;
  readonly SO_ERROR: number;
  readonly SO_TYPE: number;
  readonly SO_DOMAIN: number;
  readonly SO_PROTOCOL: number;
  readonly IP_MULTICAST_TTL: number;
  readonly IP_MULTICAST_LOOP: number;
  readonly IP_MULTICAST_ALL: number;
  readonly IP_PKTINFO: number;
  readonly IP_RECVTTL: number;
  readonly IP_HDRINCL: number;
  readonly IP_TOS: number;
  readonly IP_TTL: number;
  readonly IPV6_MULTICAST_HOPS: number;
  readonly IPV6_MULTICAST_IF: number;
  readonly IPV6_MULTICAST_LOOP: number;
  readonly IPV6_MULTICAST_ALL: number;
  readonly IPV6_UNICAST_HOPS: number;
  readonly IPV6_RECVPKTINFO: number;
  readonly IPV6_RECVHOPLIMIT: number;
  readonly IPV6_TCLASS: number;
  readonly IPV6_CHECKSUM: number;
  readonly IPV6_V6ONLY: number;
  readonly PACKET_IGNORE_OUTGOING: number;
  readonly NETLINK_ROUTE: number;
  readonly NETLINK_GENERIC: number;
  readonly NETLINK_ADD_MEMBERSHIP: number;
  readonly NETLINK_DROP_MEMBERSHIP: number;
  readonly NETLINK_EXT_ACK: number;
  readonly NETLINK_CAP_ACK: number;
  readonly NETLINK_NO_ENOBUFS: number;
  readonly NETLINK_BROADCAST_ERROR: number;
  readonly NETLINK_GET_STRICT_CHK: number;
  readonly ETH_P_ALL: number;
  readonly ETH_P_IP: number;
  readonly ETH_P_ARP: number;
  readonly ETH_P_IPV6: number;
  readonly MSG_TRUNC: number;
  readonly MSG_CTRUNC: number;
  readonly PACKET_HOST: number;
  readonly PACKET_BROADCAST: number;
  readonly PACKET_MULTICAST: number;
  readonly PACKET_OTHERHOST: number;
  readonly PACKET_OUTGOING: number;
  readonly SCHED_OTHER: number;
  readonly SCHED_RR: number;
  /** OR'd into a policy: children and new threads start with normal scheduling. */
  readonly SCHED_RESET_ON_FORK: number;
  readonly SCHED_FIFO: number;
}

/** A socket address as the addon reads it (AF_* in `family`). */
export type NativeSockaddr =
  | {
      readonly family: number;
      readonly address: Uint8Array;
      readonly port?: number;
      readonly scopeId?: number;
    }
  | {
      readonly family: number;
      readonly ifindex: number;
      readonly protocol?: number;
      readonly addr?: Uint8Array;
    }
  | { readonly family: number; readonly pid?: number; readonly groups?: number }
  | { readonly family: number; readonly path: string };

/** Ancillary data for sendmsg: IP_PKTINFO / IPV6_PKTINFO and IP_TTL / IPV6_HOPLIMIT. */
export interface NativeAncillary {
  /** AF_INET or AF_INET6: which cmsg family to build. */
  readonly family: number;
  /** Outgoing interface (ipi_ifindex / ipi6_ifindex); 0 or absent: routing decides. */
  readonly ifindex?: number;
  /** Source address (ipi_spec_dst, 4 bytes / ipi6_addr, 16 bytes). */
  readonly source?: Uint8Array;
  /** TTL / hop limit for this packet only. */
  readonly hopLimit?: number;
}

/** Signal details read from the signalfd (struct signalfd_siginfo subset). */
export interface NativeSignalInfo {
  readonly signo: number;
  readonly pid: number;
  readonly uid: number;
  readonly code: number;
  readonly value: number;
}

/**
 * Layout of the receive metadata block (`Int32Array(META_INT32S)`) that recvmsg
 * and getsockname fill; byte views of the same buffer hold the addresses.
 */
export const META = {
  /** Full datagram length; larger than the copied bytes when truncated. */
  length: 0,
  /** msg_flags (MSG_TRUNC, MSG_CTRUNC). */
  flags: 1,
  /** Source address family (AF_*). */
  family: 2,
  /** IPv4 TTL or IPv6 hop limit from ancillary data; -1 when absent. */
  hops: 3,
  /** Arrival interface from pktinfo; -1 when absent. */
  ifindex: 4,
  /** IPv6 scope id | sll_ifindex | nl_pid. */
  a: 5,
  /** sll_protocol (host order) | nl_groups. */
  b: 6,
  /** sll_pkttype. */
  c: 7,
  /** sll_hatype. */
  d: 8,
  /** Valid bytes of the source address: 4, 16 or sll_halen. */
  addrLength: 9,
  /** Destination family from pktinfo; 0 when absent. */
  destinationFamily: 10,
  /** Byte offset of the 16-byte source address. */
  sourceByteOffset: 48,
  /** Byte offset of the 16-byte destination address. */
  destinationByteOffset: 64,
} as const;
export const META_INT32S = 20;

/** Raw addon surface. */
export interface NativeBinding {
  readonly constants: NativeConstants;
  setErrnoErrorClass(
    ctor: new (message: string, syscall: string, errno: number, code: string) => Error,
  ): void;
  socket(domain: number, type: number, protocol: number): number;
  close(fd: number): void;
  bind(fd: number, address: NativeSockaddr): void;
  getsockname(fd: number, meta: Int32Array): void;
  ifNameToIndex(name: string): number;
  ifIndexToName(index: number): string | null;
  sendmsg(
    fd: number,
    data: Uint8Array,
    dest: NativeSockaddr | null,
    ancillary: NativeAncillary | null,
  ): number;
  recvmsg(fd: number, buffer: Uint8Array, meta: Int32Array): number;
  /**
   * Up to `count` (1..64) datagrams in one call: datagram i in
   * buffer[i * slotSize, (i + 1) * slotSize), its metadata at meta[i * META_INT32S]
   * (META layout). Returns how many were read; 0 when none was queued.
   */
  recvmmsg(fd: number, buffer: Uint8Array, slotSize: number, meta: Int32Array, count: number): number;
  /**
   * `count` (1..64) datagrams in one call, without ancillary data: datagram i is the next
   * lengths[i] bytes of `data`, to addresses[i * 16 ...] (4 bytes for AF_INET, 16 with
   * scopeIds[i] for AF_INET6). Returns how many were sent (fewer: the kernel stopped at an
   * error after those); an error on the first throws.
   */
  sendmmsg(
    fd: number,
    family: number,
    data: Uint8Array,
    lengths: Int32Array,
    addresses: Uint8Array,
    scopeIds: Int32Array,
    count: number,
  ): number;
  pollStart(fd: number, events: number, callback: (status: number, events: number) => void): void;
  pollStop(fd: number): void;
  pollRef(fd: number, ref: boolean): void;
  /** [fds with a watcher in this thread, watcher records not yet freed in the process]. */
  pollStats(): [number, number];
  setIntOpt(fd: number, level: number, name: number, value: number): void;
  getIntOpt(fd: number, level: number, name: number): number;
  setMembership(
    fd: number,
    family: number,
    join: boolean,
    group: Uint8Array,
    ifindex: number,
    local?: Uint8Array,
  ): void;
  setMulticastIf4(fd: number, ifindex: number, address?: Uint8Array): void;
  bindToDevice(fd: number, name: string): void;
  attachFilter(fd: number, program: Uint8Array): void;
  detachFilter(fd: number): void;
  signalOpen(): number;
  signalSet(fd: number, signals: readonly number[]): void;
  signalRead(fd: number): NativeSignalInfo | null;
  signalClose(fd: number): void;
  signalRange(): [number, number];
  /**
   * Keeps a copy of one datagram (sendmsg's arguments) that the stop signals' handler
   * sends itself (native/stop-send.c); returns its slot, or -1 when no slot is free or
   * the datagram is larger than a slot (1,500 bytes).
   */
  stopSendArm(fd: number, data: Uint8Array, dest: NativeSockaddr, ancillary: NativeAncillary | null): number;
  /** Frees a slot: nothing is sent from it. */
  stopSendDisarm(slot: number): void;
  /** Whether a stop signal sent the slot's datagram. */
  stopSendSent(slot: number): boolean;
  /** Puts the stop sends in front of `signal`'s current handler (which must be a function). */
  stopSendInstall(signal: number): void;
  /** Puts the handler that was there before back, if the stop sends' handler is still in place. */
  stopSendUninstall(signal: number): void;
  /** 4 bytes over the int32 the handler sets to the number of the stop signal it handled. */
  stopSendFlag(): ArrayBuffer;
  /** Sets that int32 back to 0 (tests). */
  stopSendReset(): void;
  /** A CLOCK_MONOTONIC timerfd, CLOEXEC|NONBLOCK, disarmed (native/timer.c). */
  timerOpen(): number;
  /** Fires once after `delayUs` microseconds; a negative delay disarms. */
  timerSet(fd: number, delayUs: number): void;
  /** Expirations since the last read (0 when none). */
  timerRead(fd: number): number;
  /** sched_setscheduler(tid, policy, priority); tid 0 is the calling thread. */
  setScheduler(tid: number, policy: number, priority: number): void;
  /** setrlimit(RLIMIT_RTTIME) in microseconds; -1 is unlimited. */
  setRttimeLimit(softUs: number, hardUs: number): void;
  /** mlockall(MCL_CURRENT | MCL_FUTURE). */
  lockMemory(): void;
  /** sched_setaffinity(tid, cpus). */
  setAffinity(tid: number, cpus: readonly number[]): void;
  /** setns(open(path), CLONE_NEWNET) for the calling thread. */
  enterNetNamespace(path: string): void;
  /** execve(file, argv, envp); returns only by throwing. */
  execve(file: string, argv: readonly string[], envp: readonly string[]): never;
  /** madvise(address, length, MADV_DONTNEED): for read-only file mappings only. */
  dropPages(address: number, length: number): void;
}

/** Poll event bits (UV_READABLE, UV_WRITABLE). */
export const POLL_READABLE = 1;
export const POLL_WRITABLE = 2;

let loaded: NativeBinding | undefined;

function candidates(): string[] {
  const fromEnv = process.env['KTS_NATIVE_PATH'];
  const here = dirname(fileURLToPath(import.meta.url));
  const rel = join('native', 'build', 'Release', 'kts_native.node');
  // src/native (type stripping) is two levels below the root; dist/src/native three.
  const found = [join(here, '..', '..', rel), join(here, '..', '..', '..', rel)];
  return fromEnv ? [fromEnv, ...found] : found;
}

/** Loads the addon once; throws an Error naming the build command when it is missing. */
export function native(): NativeBinding {
  if (loaded !== undefined) return loaded;
  const path = candidates().find((p) => existsSync(p));
  if (path === undefined) {
    throw new Error(
      'keepalived-ts native addon not built: run `npx node-gyp rebuild --directory native --nodedir=/usr` (make native)',
    );
  }
  const require = createRequire(import.meta.url);
  const binding = require(path) as NativeBinding;
  binding.setErrnoErrorClass(ErrnoError);
  loaded = binding;
  return binding;
}

/** True when the addon can be loaded (tests skip with a reason otherwise). */
export function nativeAvailable(): boolean {
  try {
    native();
    return true;
  } catch {
    return false;
  }
}
