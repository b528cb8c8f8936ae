/**
 * @module The import surface of the native layer: raw IP, packet and netlink
 * sockets, real-time signals, interface lookups and the ErrnoError type.
 * Nothing here loads the addon until a socket is opened or a function is called.
 */

export { nativeAvailable } from './binding.js';
export { ErrnoError, errnoError, isErrno } from './errno-error.js';
export { ifIndexToName, ifNameToIndex } from './interfaces.js';
export type {
  NetlinkDestination,
  NetlinkMessageInfo,
  NetlinkProtocol,
  NetlinkSocketEvents,
  NetlinkSocketOptions,
} from './netlink-socket.js';
export { isOverrun, NetlinkSocket } from './netlink-socket.js';
export type {
  PacketMessage,
  PacketSendOptions,
  PacketSocketEvents,
  PacketSocketOptions,
} from './packet-socket.js';
export { ETH_P_ALL, ETH_P_ARP, ETH_P_IP, ETH_P_IPV6, PacketSocket } from './packet-socket.js';
export type {
  IpFamily,
  RawIpDatagram,
  RawIpDestination,
  RawIpMessage,
  RawIpSendOptions,
  RawIpSocketEvents,
  RawIpSocketOptions,
} from './raw-ip-socket.js';
export { IPPROTO_AH, IPPROTO_VRRP, RawIpSocket } from './raw-ip-socket.js';
export type { RealtimeSignals, SignalInfo } from './signals.js';
export { onRealtimeSignal, realtimeSignals } from './signals.js';
export { TimerFd } from './timer-fd.js';
