/**
 * @module Routing numbers: route types, protocols, tables, RTA_* / RTAX_* attributes and
 * nexthop flags (rtnetlink.h), and policy-rule attributes and actions (fib_rules.h).
 */

/** Route types (rtnetlink.h). */
export const RTN = {
  UNSPEC: 0,
  UNICAST: 1,
  LOCAL: 2,
  BROADCAST: 3,
  ANYCAST: 4,
  MULTICAST: 5,
  BLACKHOLE: 6,
  UNREACHABLE: 7,
  PROHIBIT: 8,
  THROW: 9,
  NAT: 10,
} as const;

/** Route protocols (rtnetlink.h); keepalived uses its own, RTPROT_KEEPALIVED = 18. */
export const RTPROT = {
  UNSPEC: 0,
  REDIRECT: 1,
  KERNEL: 2,
  BOOT: 3,
  STATIC: 4,
  RA: 9,
  KEEPALIVED: 18,
} as const;

/** Reserved routing table ids (rtnetlink.h). Ids above 255 travel in RTA_TABLE / FRA_TABLE. */
export const RT_TABLE = { UNSPEC: 0, COMPAT: 252, DEFAULT: 253, MAIN: 254, LOCAL: 255 } as const;

/** Route attributes (rtnetlink.h enum rtattr_type_t). */
export const RTA = {
  DST: 1,
  SRC: 2,
  IIF: 3,
  OIF: 4,
  GATEWAY: 5,
  PRIORITY: 6,
  PREFSRC: 7,
  METRICS: 8,
  MULTIPATH: 9,
  FLOW: 11,
  CACHEINFO: 12,
  TABLE: 15,
  MARK: 16,
  VIA: 18,
  PREF: 20,
  ENCAP_TYPE: 21,
  ENCAP: 22,
  EXPIRES: 23,
  UID: 25,
  TTL_PROPAGATE: 26,
} as const;

/** rtmsg.rtm_flags (rtnetlink.h). */
export const RTM_F = { NOTIFY: 0x100, CLONED: 0x200, EQUALIZE: 0x400, PREFIX: 0x800 } as const;

/** rtnexthop.rtnh_flags (rtnetlink.h). */
export const RTNH_F = { DEAD: 1, PERVASIVE: 2, ONLINK: 4, OFFLOAD: 8, LINKDOWN: 16 } as const;

/** Route metrics nested in RTA_METRICS (rtnetlink.h). */
export const RTAX = {
  LOCK: 1,
  MTU: 2,
  WINDOW: 3,
  RTT: 4,
  RTTVAR: 5,
  SSTHRESH: 6,
  CWND: 7,
  ADVMSS: 8,
  REORDERING: 9,
  HOPLIMIT: 10,
  INITCWND: 11,
  FEATURES: 12,
  RTO_MIN: 13,
  INITRWND: 14,
  QUICKACK: 15,
  CC_ALGO: 16,
  FASTOPEN_NO_COOKIE: 17,
} as const;

/** Rule attributes (fib_rules.h). */
export const FRA = {
  DST: 1,
  SRC: 2,
  IIFNAME: 3,
  GOTO: 4,
  PRIORITY: 6,
  FWMARK: 10,
  FLOW: 11,
  TUN_ID: 12,
  SUPPRESS_IFGROUP: 13,
  SUPPRESS_PREFIXLEN: 14,
  TABLE: 15,
  FWMASK: 16,
  OIFNAME: 17,
  L3MDEV: 19,
  UID_RANGE: 20,
  PROTOCOL: 21,
  IP_PROTO: 22,
  SPORT_RANGE: 23,
  DPORT_RANGE: 24,
} as const;

/** fib_rule_hdr.action (fib_rules.h). */
export const FR_ACT = {
  UNSPEC: 0,
  TO_TBL: 1,
  GOTO: 2,
  NOP: 3,
  BLACKHOLE: 6,
  UNREACHABLE: 7,
  PROHIBIT: 8,
} as const;

/** fib_rule_hdr.flags (fib_rules.h). */
export const FIB_RULE = {
  PERMANENT: 0x1,
  INVERT: 0x2,
  UNRESOLVED: 0x4,
  IIF_DETACHED: 0x8,
  OIF_DETACHED: 0x10,
} as const;
