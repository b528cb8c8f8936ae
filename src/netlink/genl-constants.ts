/**
 * @module Generic netlink and IPVS numbers: genetlink.h (the "nlctrl" controller that maps
 * family names to ids) and ip_vs.h (the "IPVS" family: commands, attributes, flags).
 */

/** The controller's fixed family id (genetlink.h GENL_ID_CTRL). */
export const GENL_ID_CTRL = 0x10;

/** Controller commands (genetlink.h). */
export const CTRL_CMD = {
  NEWFAMILY: 1,
  DELFAMILY: 2,
  GETFAMILY: 3,
  NEWMCAST_GRP: 7,
  DELMCAST_GRP: 8,
} as const;

/** Controller attributes (genetlink.h). */
export const CTRL_ATTR = {
  FAMILY_ID: 1,
  FAMILY_NAME: 2,
  VERSION: 3,
  HDRSIZE: 4,
  MAXATTR: 5,
  OPS: 6,
  MCAST_GROUPS: 7,
} as const;

/** Nested in CTRL_ATTR_OPS entries. */
export const CTRL_ATTR_OP = { ID: 1, FLAGS: 2 } as const;

/** Nested in CTRL_ATTR_MCAST_GROUPS entries. */
export const CTRL_ATTR_MCAST_GRP = { NAME: 1, ID: 2 } as const;

/** The IPVS family's name and version (ip_vs.h IPVS_GENL_NAME / IPVS_GENL_VERSION). */
export const IPVS_GENL = { NAME: 'IPVS', VERSION: 1 } as const;

/** IPVS generic netlink commands (ip_vs.h). */
export const IPVS_CMD = {
  NEW_SERVICE: 1,
  SET_SERVICE: 2,
  DEL_SERVICE: 3,
  GET_SERVICE: 4,
  NEW_DEST: 5,
  SET_DEST: 6,
  DEL_DEST: 7,
  GET_DEST: 8,
  NEW_DAEMON: 9,
  DEL_DAEMON: 10,
  GET_DAEMON: 11,
  SET_CONFIG: 12,
  GET_CONFIG: 13,
  SET_INFO: 14,
  GET_INFO: 15,
  ZERO: 16,
  FLUSH: 17,
} as const;

/** Top-level IPVS attributes (ip_vs.h IPVS_CMD_ATTR_*). */
export const IPVS_CMD_ATTR = {
  SERVICE: 1,
  DEST: 2,
  DAEMON: 3,
  TIMEOUT_TCP: 4,
  TIMEOUT_TCP_FIN: 5,
  TIMEOUT_UDP: 6,
} as const;

/** Nested in IPVS_CMD_ATTR_SERVICE (ip_vs.h). */
export const IPVS_SVC_ATTR = {
  AF: 1,
  PROTOCOL: 2,
  ADDR: 3,
  PORT: 4,
  FWMARK: 5,
  SCHED_NAME: 6,
  FLAGS: 7,
  TIMEOUT: 8,
  NETMASK: 9,
  STATS: 10,
  PE_NAME: 11,
  STATS64: 12,
} as const;

/** Nested in IPVS_CMD_ATTR_DEST (ip_vs.h). */
export const IPVS_DEST_ATTR = {
  ADDR: 1,
  PORT: 2,
  FWD_METHOD: 3,
  WEIGHT: 4,
  U_THRESH: 5,
  L_THRESH: 6,
  ACTIVE_CONNS: 7,
  INACT_CONNS: 8,
  PERSIST_CONNS: 9,
  STATS: 10,
  ADDR_FAMILY: 11,
  STATS64: 12,
  TUN_TYPE: 13,
  TUN_PORT: 14,
  TUN_FLAGS: 15,
} as const;

/** Nested in IPVS_CMD_ATTR_DAEMON (ip_vs.h). */
export const IPVS_DAEMON_ATTR = {
  STATE: 1,
  MCAST_IFN: 2,
  SYNC_ID: 3,
  SYNC_MAXLEN: 4,
  MCAST_GROUP: 5,
  MCAST_GROUP6: 6,
  MCAST_PORT: 7,
  MCAST_TTL: 8,
} as const;

/** Nested in IPVS_*_ATTR_STATS / STATS64 (ip_vs.h). */
export const IPVS_STATS_ATTR = {
  CONNS: 1,
  INPKTS: 2,
  OUTPKTS: 3,
  INBYTES: 4,
  OUTBYTES: 5,
  CPS: 6,
  INPPS: 7,
  OUTPPS: 8,
  INBPS: 9,
  OUTBPS: 10,
} as const;

/** Top-level attributes of the GET_INFO reply (ip_vs.h IPVS_INFO_ATTR_*). */
export const IPVS_INFO_ATTR = { VERSION: 1, CONN_TAB_SIZE: 2 } as const;

/** Virtual service flags (ip_vs.h IP_VS_SVC_F_*). */
export const IP_VS_SVC_F = {
  PERSISTENT: 0x1,
  HASHED: 0x2,
  ONEPACKET: 0x4,
  SCHED1: 0x8,
  SCHED2: 0x10,
  SCHED3: 0x20,
  SCHED_SH_FALLBACK: 0x8,
  SCHED_SH_PORT: 0x10,
} as const;

/** Forwarding methods in IPVS_DEST_ATTR_FWD_METHOD (ip_vs.h IP_VS_CONN_F_*). */
export const IP_VS_CONN_F = { MASQ: 0, LOCALNODE: 1, TUNNEL: 2, DROUTE: 3, BYPASS: 4, FWD_MASK: 7 } as const;

/** Tunnel types in IPVS_DEST_ATTR_TUN_TYPE (ip_vs.h). */
export const IP_VS_TUNNEL_TYPE = { IPIP: 0, GUE: 1, GRE: 2 } as const;

/** Tunnel flags in IPVS_DEST_ATTR_TUN_FLAGS (ip_vs.h IP_VS_TUNNEL_ENCAP_FLAG_*). */
export const IP_VS_TUNNEL_FLAG = { NOCSUM: 0, CSUM: 1, REMCSUM: 2 } as const;

/** Sync daemon states (ip_vs.h IP_VS_STATE_*). */
export const IP_VS_STATE = { NONE: 0, MASTER: 1, BACKUP: 2 } as const;

/** Transport protocols of virtual services (in.h). */
export const IPPROTO = { TCP: 6, UDP: 17, SCTP: 132 } as const;
