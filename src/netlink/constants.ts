/**
 * @module Netlink numbers: message types and flags (netlink.h, rtnetlink.h), link and
 * address attributes and enum values (if_link.h, if_addr.h, if.h, ip.h), as Linux's uapi
 * headers define them. Routing and rule numbers are in route-constants.ts, generic netlink
 * and IPVS in genl-constants.ts. Only numbers live here; layouts live in the codec files.
 */

/** Linux address families (socket.h). */
export const AF = { UNSPEC: 0, INET: 2, INET6: 10 } as const;

/** nlmsghdr.nlmsg_type values below NLMSG_MIN_TYPE (netlink.h). */
export const NLMSG = { NOOP: 1, ERROR: 2, DONE: 3, OVERRUN: 4, MIN_TYPE: 0x10 } as const;

/** nlmsghdr.nlmsg_flags (netlink.h). Several share a bit and differ by request kind. */
export const NLM_F = {
  REQUEST: 0x01,
  MULTI: 0x02,
  ACK: 0x04,
  ECHO: 0x08,
  DUMP_INTR: 0x10,
  DUMP_FILTERED: 0x20,
  // GET requests
  ROOT: 0x100,
  MATCH: 0x200,
  ATOMIC: 0x400,
  DUMP: 0x300,
  // NEW requests
  REPLACE: 0x100,
  EXCL: 0x200,
  CREATE: 0x400,
  APPEND: 0x800,
  // DELETE requests
  NONREC: 0x100,
  BULK: 0x200,
  // ACK messages
  CAPPED: 0x100,
  ACK_TLVS: 0x200,
} as const;

/** Extended ACK attributes after an NLMSG_ERROR (netlink.h enum nlmsgerr_attrs). */
export const NLMSGERR_ATTR = { MSG: 1, OFFS: 2, COOKIE: 3, POLICY: 4, MISS_TYPE: 5, MISS_NEST: 6 } as const;

/** nlattr.nla_type flag bits (netlink.h). */
export const NLA_F = { NESTED: 0x8000, NET_BYTEORDER: 0x4000, TYPE_MASK: 0x3fff } as const;

/** rtnetlink message types (rtnetlink.h). */
export const RTM = {
  NEWLINK: 16,
  DELLINK: 17,
  GETLINK: 18,
  SETLINK: 19,
  NEWADDR: 20,
  DELADDR: 21,
  GETADDR: 22,
  NEWROUTE: 24,
  DELROUTE: 25,
  GETROUTE: 26,
  NEWRULE: 32,
  DELRULE: 33,
  GETRULE: 34,
} as const;

/** rtnetlink multicast groups (rtnetlink.h enum rtnetlink_groups); subscribe with setsockopt. */
export const RTNLGRP = {
  LINK: 1,
  NEIGH: 3,
  IPV4_IFADDR: 5,
  IPV4_ROUTE: 7,
  IPV4_RULE: 8,
  IPV6_IFADDR: 9,
  IPV6_ROUTE: 11,
  IPV6_RULE: 19,
} as const;

/** net_device flags in ifinfomsg.ifi_flags (if.h). */
export const IFF = {
  UP: 0x1,
  BROADCAST: 0x2,
  LOOPBACK: 0x8,
  POINTOPOINT: 0x10,
  NOARP: 0x80,
  RUNNING: 0x40,
  PROMISC: 0x100,
  MULTICAST: 0x1000,
  LOWER_UP: 0x10000,
  DORMANT: 0x20000,
} as const;

/** Link attributes (if_link.h). */
export const IFLA = {
  ADDRESS: 1,
  BROADCAST: 2,
  IFNAME: 3,
  MTU: 4,
  LINK: 5,
  MASTER: 10,
  TXQLEN: 13,
  OPERSTATE: 16,
  LINKMODE: 17,
  LINKINFO: 18,
  AF_SPEC: 26,
  GROUP: 27,
  EXT_MASK: 29,
  CARRIER: 33,
} as const;

/** IFLA_EXT_MASK bits: what a GETLINK reply should include or skip (rtnetlink.h RTEXT_FILTER_*). */
export const RTEXT_FILTER = { VF: 1, BRVLAN: 2, BRVLAN_COMPRESSED: 4, SKIP_STATS: 8 } as const;

/** Nested in IFLA_AF_SPEC / AF_INET (if_link.h). */
export const IFLA_INET = { CONF: 1 } as const;

/** Nested in IFLA_AF_SPEC / AF_INET6 (if_link.h). */
export const IFLA_INET6 = { FLAGS: 1, CONF: 2, TOKEN: 7, ADDR_GEN_MODE: 8, RA_MTU: 9 } as const;

/** IPv6 link-local address generation (if_link.h enum in6_addr_gen_mode); VMACs use NONE. */
export const IN6_ADDR_GEN_MODE = { EUI64: 0, NONE: 1, STABLE_PRIVACY: 2, RANDOM: 3 } as const;

/** IPv4 per-device sysctls by IFLA_INET_CONF index (ip.h IPV4_DEVCONF_*), the ones keepalived sets. */
export const IPV4_DEVCONF = {
  FORWARDING: 1,
  RP_FILTER: 8,
  ARPFILTER: 13,
  ARP_ANNOUNCE: 18,
  ARP_IGNORE: 19,
  PROMOTE_SECONDARIES: 20,
  ARP_ACCEPT: 21,
  ARP_NOTIFY: 22,
  ACCEPT_LOCAL: 23,
} as const;

/** Nested in IFLA_LINKINFO (if_link.h). */
export const IFLA_INFO = { KIND: 1, DATA: 2, SLAVE_KIND: 4 } as const;

/** Nested in IFLA_INFO_DATA for kind "macvlan" (if_link.h). */
export const IFLA_MACVLAN = { MODE: 1, FLAGS: 2 } as const;

/** macvlan modes (if_link.h enum macvlan_mode). */
export const MACVLAN_MODE = { PRIVATE: 1, VEPA: 2, BRIDGE: 4, PASSTHRU: 8, SOURCE: 16 } as const;

/** RFC 2863 operational states in IFLA_OPERSTATE (if.h). */
export const IF_OPER = {
  UNKNOWN: 0,
  NOTPRESENT: 1,
  DOWN: 2,
  LOWERLAYERDOWN: 3,
  TESTING: 4,
  DORMANT: 5,
  UP: 6,
} as const;

/** Address attributes (if_addr.h). */
export const IFA = {
  ADDRESS: 1,
  LOCAL: 2,
  LABEL: 3,
  BROADCAST: 4,
  ANYCAST: 5,
  CACHEINFO: 6,
  MULTICAST: 7,
  FLAGS: 8,
  RT_PRIORITY: 9,
  PROTO: 11,
} as const;

/** Address flags: ifaddrmsg.ifa_flags (low 8 bits) and IFA_FLAGS (all 32) (if_addr.h). */
export const IFA_F = {
  SECONDARY: 0x01,
  NODAD: 0x02,
  OPTIMISTIC: 0x04,
  DADFAILED: 0x08,
  HOMEADDRESS: 0x10,
  DEPRECATED: 0x20,
  TENTATIVE: 0x40,
  PERMANENT: 0x80,
  MANAGETEMPADDR: 0x100,
  NOPREFIXROUTE: 0x200,
  MCAUTOJOIN: 0x400,
  STABLE_PRIVACY: 0x800,
} as const;

/** Route and address scopes (rtnetlink.h enum rt_scope_t). */
export const RT_SCOPE = { UNIVERSE: 0, SITE: 200, LINK: 253, HOST: 254, NOWHERE: 255 } as const;
