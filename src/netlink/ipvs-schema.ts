/**
 * @module IPVS attribute schemas (ip_vs.h), in the order keepalived's libipvs writes them.
 * Nested attributes carry NLA_F_NESTED as libnl's nla_nest_start sets it. Addresses travel
 * as 16 bytes (union nf_inet_addr) whatever the family; ports are network order; the
 * service netmask is a raw u32 (see ipvs.ts).
 */

import {
  IPVS_CMD_ATTR,
  IPVS_DAEMON_ATTR,
  IPVS_DEST_ATTR,
  IPVS_INFO_ATTR,
  IPVS_STATS_ATTR,
  IPVS_SVC_ATTR,
} from './genl-constants.js';

/** IPVS_STATS_ATTR_* as u64 (STATS64). */
export const ipvsStats64Schema = {
  conns: { type: IPVS_STATS_ATTR.CONNS, kind: 'u64' },
  inpkts: { type: IPVS_STATS_ATTR.INPKTS, kind: 'u64' },
  outpkts: { type: IPVS_STATS_ATTR.OUTPKTS, kind: 'u64' },
  inbytes: { type: IPVS_STATS_ATTR.INBYTES, kind: 'u64' },
  outbytes: { type: IPVS_STATS_ATTR.OUTBYTES, kind: 'u64' },
  cps: { type: IPVS_STATS_ATTR.CPS, kind: 'u64' },
  inpps: { type: IPVS_STATS_ATTR.INPPS, kind: 'u64' },
  outpps: { type: IPVS_STATS_ATTR.OUTPPS, kind: 'u64' },
  inbps: { type: IPVS_STATS_ATTR.INBPS, kind: 'u64' },
  outbps: { type: IPVS_STATS_ATTR.OUTBPS, kind: 'u64' },
} as const;

/** IPVS_STATS_ATTR_* in the legacy STATS nest: u32 except the byte counters. */
export const ipvsStatsSchema = {
  conns: { type: IPVS_STATS_ATTR.CONNS, kind: 'u32' },
  inpkts: { type: IPVS_STATS_ATTR.INPKTS, kind: 'u32' },
  outpkts: { type: IPVS_STATS_ATTR.OUTPKTS, kind: 'u32' },
  inbytes: { type: IPVS_STATS_ATTR.INBYTES, kind: 'u64' },
  outbytes: { type: IPVS_STATS_ATTR.OUTBYTES, kind: 'u64' },
  cps: { type: IPVS_STATS_ATTR.CPS, kind: 'u32' },
  inpps: { type: IPVS_STATS_ATTR.INPPS, kind: 'u32' },
  outpps: { type: IPVS_STATS_ATTR.OUTPPS, kind: 'u32' },
  inbps: { type: IPVS_STATS_ATTR.INBPS, kind: 'u32' },
  outbps: { type: IPVS_STATS_ATTR.OUTBPS, kind: 'u32' },
} as const;

/** IPVS_SVC_ATTR_*. `flags` is struct ip_vs_flags {u32 flags, u32 mask}. */
export const ipvsServiceSchema = {
  af: { type: IPVS_SVC_ATTR.AF, kind: 'u16' },
  fwmark: { type: IPVS_SVC_ATTR.FWMARK, kind: 'u32' },
  protocol: { type: IPVS_SVC_ATTR.PROTOCOL, kind: 'u16' },
  addr: { type: IPVS_SVC_ATTR.ADDR, kind: 'binary' },
  port: { type: IPVS_SVC_ATTR.PORT, kind: 'be16' },
  schedName: { type: IPVS_SVC_ATTR.SCHED_NAME, kind: 'string' },
  peName: { type: IPVS_SVC_ATTR.PE_NAME, kind: 'string' },
  flags: { type: IPVS_SVC_ATTR.FLAGS, kind: 'binary' },
  timeout: { type: IPVS_SVC_ATTR.TIMEOUT, kind: 'u32' },
  netmask: { type: IPVS_SVC_ATTR.NETMASK, kind: 'u32' },
  stats: { type: IPVS_SVC_ATTR.STATS, kind: 'nested', schema: ipvsStatsSchema, flagNested: true },
  stats64: { type: IPVS_SVC_ATTR.STATS64, kind: 'nested', schema: ipvsStats64Schema, flagNested: true },
} as const;

/** IPVS_DEST_ATTR_*. */
export const ipvsDestSchema = {
  addrFamily: { type: IPVS_DEST_ATTR.ADDR_FAMILY, kind: 'u16' },
  addr: { type: IPVS_DEST_ATTR.ADDR, kind: 'binary' },
  port: { type: IPVS_DEST_ATTR.PORT, kind: 'be16' },
  fwdMethod: { type: IPVS_DEST_ATTR.FWD_METHOD, kind: 'u32' },
  weight: { type: IPVS_DEST_ATTR.WEIGHT, kind: 's32' },
  tunType: { type: IPVS_DEST_ATTR.TUN_TYPE, kind: 'u8' },
  tunPort: { type: IPVS_DEST_ATTR.TUN_PORT, kind: 'be16' },
  tunFlags: { type: IPVS_DEST_ATTR.TUN_FLAGS, kind: 'u16' },
  uThreshold: { type: IPVS_DEST_ATTR.U_THRESH, kind: 'u32' },
  lThreshold: { type: IPVS_DEST_ATTR.L_THRESH, kind: 'u32' },
  activeConns: { type: IPVS_DEST_ATTR.ACTIVE_CONNS, kind: 'u32' },
  inactConns: { type: IPVS_DEST_ATTR.INACT_CONNS, kind: 'u32' },
  persistConns: { type: IPVS_DEST_ATTR.PERSIST_CONNS, kind: 'u32' },
  stats: { type: IPVS_DEST_ATTR.STATS, kind: 'nested', schema: ipvsStatsSchema, flagNested: true },
  stats64: { type: IPVS_DEST_ATTR.STATS64, kind: 'nested', schema: ipvsStats64Schema, flagNested: true },
} as const;

/** IPVS_DAEMON_ATTR_*. MCAST_GROUP is an IPv4 address in network order. */
export const ipvsDaemonSchema = {
  state: { type: IPVS_DAEMON_ATTR.STATE, kind: 'u32' },
  mcastIfn: { type: IPVS_DAEMON_ATTR.MCAST_IFN, kind: 'string' },
  syncId: { type: IPVS_DAEMON_ATTR.SYNC_ID, kind: 'u32' },
  syncMaxlen: { type: IPVS_DAEMON_ATTR.SYNC_MAXLEN, kind: 'u16' },
  mcastPort: { type: IPVS_DAEMON_ATTR.MCAST_PORT, kind: 'u16' },
  mcastTtl: { type: IPVS_DAEMON_ATTR.MCAST_TTL, kind: 'u8' },
  mcastGroup6: { type: IPVS_DAEMON_ATTR.MCAST_GROUP6, kind: 'ipv6' },
  mcastGroup: { type: IPVS_DAEMON_ATTR.MCAST_GROUP, kind: 'ipv4' },
} as const;

/** Top-level IPVS_CMD_ATTR_*. */
export const ipvsCmdSchema = {
  service: { type: IPVS_CMD_ATTR.SERVICE, kind: 'nested', schema: ipvsServiceSchema, flagNested: true },
  dest: { type: IPVS_CMD_ATTR.DEST, kind: 'nested', schema: ipvsDestSchema, flagNested: true },
  daemon: { type: IPVS_CMD_ATTR.DAEMON, kind: 'nested', schema: ipvsDaemonSchema, flagNested: true },
  timeoutTcp: { type: IPVS_CMD_ATTR.TIMEOUT_TCP, kind: 'u32' },
  timeoutTcpFin: { type: IPVS_CMD_ATTR.TIMEOUT_TCP_FIN, kind: 'u32' },
  timeoutUdp: { type: IPVS_CMD_ATTR.TIMEOUT_UDP, kind: 'u32' },
} as const;

/** Top-level attributes of GET_INFO / SET_INFO (they reuse numbers 1 and 2). */
export const ipvsInfoSchema = {
  version: { type: IPVS_INFO_ATTR.VERSION, kind: 'u32' },
  connTabSize: { type: IPVS_INFO_ATTR.CONN_TAB_SIZE, kind: 'u32' },
} as const;
