/**
 * @module Routes: RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE (rtnetlink.h), what
 * keepalived's virtual_routes and static_routes need: struct rtmsg (12 bytes) then RTA_*
 * attributes, RTA_METRICS (nested RTAX_*) and RTA_MULTIPATH (a list of struct rtnexthop,
 * each followed by its own attributes).
 *
 * Tables above 255 do not fit rtm_table: like iproute2 we send those in RTA_TABLE with
 * rtm_table = RT_TABLE_UNSPEC, and smaller ones in rtm_table only. On decode RTA_TABLE wins.
 */

import { ok, type Result } from '../wire/result.js';
import { type AttrValues, encodeAttrs } from './attr.js';
import { concatBytes, defined, view } from './bytes.js';
import { AF, NLM_F, RT_SCOPE, RT_TABLE, RTA, RTAX, RTM, RTN, RTPROT } from './constants.js';
import { fail, type NetlinkDecodeError } from './decode-error.js';
import { encodeMessage, type NlMessage } from './message.js';
import { decodeBody, encodeBody, encodeStruct } from './struct.js';

/** struct rtmsg. */
export const rtmsgLayout = [
  ['family', 'u8'],
  ['dstLen', 'u8'],
  ['srcLen', 'u8'],
  ['tos', 'u8'],
  ['table', 'u8'],
  ['protocol', 'u8'],
  ['scope', 'u8'],
  ['type', 'u8'],
  ['flags', 'u32'],
] as const;

/** struct rtnexthop: length (with its attributes), flags (RTNH_F_*), hops (weight - 1), ifindex. */
export const rtnexthopLayout = [
  ['len', 'u16'],
  ['flags', 'u8'],
  ['hops', 'u8'],
  ['ifindex', 's32'],
] as const;

/** RTA_METRICS: RTAX_* values, all u32 except the congestion control name. */
export const metricsSchema = {
  lock: { type: RTAX.LOCK, kind: 'u32' },
  mtu: { type: RTAX.MTU, kind: 'u32' },
  window: { type: RTAX.WINDOW, kind: 'u32' },
  rtt: { type: RTAX.RTT, kind: 'u32' },
  rttvar: { type: RTAX.RTTVAR, kind: 'u32' },
  ssthresh: { type: RTAX.SSTHRESH, kind: 'u32' },
  cwnd: { type: RTAX.CWND, kind: 'u32' },
  advmss: { type: RTAX.ADVMSS, kind: 'u32' },
  reordering: { type: RTAX.REORDERING, kind: 'u32' },
  hoplimit: { type: RTAX.HOPLIMIT, kind: 'u32' },
  initcwnd: { type: RTAX.INITCWND, kind: 'u32' },
  features: { type: RTAX.FEATURES, kind: 'u32' },
  rtoMin: { type: RTAX.RTO_MIN, kind: 'u32' },
  initrwnd: { type: RTAX.INITRWND, kind: 'u32' },
  quickack: { type: RTAX.QUICKACK, kind: 'u32' },
  congctl: { type: RTAX.CC_ALGO, kind: 'string' },
  fastopenNoCookie: { type: RTAX.FASTOPEN_NO_COOKIE, kind: 'u32' },
} as const;

/** Route metrics (RTAX_*): MTU and ADVMSS bytes, RTT and RTO_MIN ms as the kernel reports them. */
export type RouteMetrics = AttrValues<typeof metricsSchema>;

/** Attributes inside one rtnexthop. */
export const nexthopSchema = {
  gateway: { type: RTA.GATEWAY, kind: 'ip' },
  realm: { type: RTA.FLOW, kind: 'u32' },
} as const;

/** RTA_* attributes, in the order iproute2 writes them for keepalived-style routes. */
export const routeSchema = {
  dst: { type: RTA.DST, kind: 'ip' },
  src: { type: RTA.SRC, kind: 'ip' },
  iif: { type: RTA.IIF, kind: 'u32' },
  prefsrc: { type: RTA.PREFSRC, kind: 'ip' },
  gateway: { type: RTA.GATEWAY, kind: 'ip' },
  priority: { type: RTA.PRIORITY, kind: 'u32' },
  table: { type: RTA.TABLE, kind: 'u32' },
  mark: { type: RTA.MARK, kind: 'u32' },
  realm: { type: RTA.FLOW, kind: 'u32' },
  pref: { type: RTA.PREF, kind: 'u8' },
  expires: { type: RTA.EXPIRES, kind: 'u32' },
  uid: { type: RTA.UID, kind: 'u32' },
  ttlPropagate: { type: RTA.TTL_PROPAGATE, kind: 'u8' },
  oif: { type: RTA.OIF, kind: 'u32' },
  metrics: { type: RTA.METRICS, kind: 'nested', schema: metricsSchema },
  multipath: { type: RTA.MULTIPATH, kind: 'binary' },
} as const;

/** One nexthop of a multipath route. */
export type Nexthop = {
  readonly ifindex: number;
  /** RTNH_F_* bits. */
  readonly flags: number;
  /** 1..256 (rtnh_hops + 1). */
  readonly weight: number;
  readonly gateway?: Uint8Array;
  readonly realm?: number;
};

/** A route. Addresses are 4 or 16 bytes, per `family`. */
export type Route = {
  readonly family: number;
  readonly dstLen: number;
  readonly srcLen: number;
  readonly tos: number;
  /** Full table id (u32): RTA_TABLE, or rtm_table when absent. */
  readonly table: number;
  /** RTPROT_*. */
  readonly protocol: number;
  /** RT_SCOPE_*. */
  readonly scope: number;
  /** RTN_*: unicast, blackhole, unreachable, prohibit... */
  readonly type: number;
  /** RTM_F_* bits. */
  readonly flags: number;
  readonly dst?: Uint8Array;
  readonly src?: Uint8Array;
  readonly gateway?: Uint8Array;
  readonly prefsrc?: Uint8Array;
  readonly oif?: number;
  readonly iif?: number;
  /** RTA_PRIORITY: the metric. */
  readonly priority?: number;
  readonly mark?: number;
  readonly realm?: number;
  readonly pref?: number;
  readonly expires?: number;
  readonly uid?: number;
  readonly ttlPropagate?: number;
  readonly metrics?: RouteMetrics;
  readonly multipath?: readonly Nexthop[];
};

const ROUTE_TYPES: readonly number[] = [RTM.NEWROUTE, RTM.DELROUTE, RTM.GETROUTE];

function addrLen(family: number): number | undefined {
  return family === AF.INET ? 4 : family === AF.INET6 ? 16 : undefined;
}

function decodeNexthops(
  bytes: Uint8Array,
  base: number,
  size: number,
): Result<Nexthop[], NetlinkDecodeError> {
  const out: Nexthop[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 8) return fail('nexthop-length', base + at);
    const len = view(bytes).getUint16(at, true);
    if (len < 8 || len > bytes.length - at) return fail('nexthop-length', base + at);
    const body = decodeBody(rtnexthopLayout, nexthopSchema, bytes.subarray(at, at + len), base + at);
    if (!body.ok) return body;
    const { hdr, attrs } = body.value;
    if (attrs.gateway !== undefined && attrs.gateway.length !== size)
      return fail('attr-size', base + at, RTA.GATEWAY);
    out.push({ ifindex: hdr.ifindex, flags: hdr.flags, weight: hdr.hops + 1, ...defined(attrs) });
    at += (len + 3) & ~3;
  }
  return ok(out);
}

function encodeNexthops(nhs: readonly Nexthop[]): Uint8Array {
  return concatBytes(
    nhs.flatMap((nh) => {
      const attrs = encodeAttrs(nexthopSchema, { gateway: nh.gateway, realm: nh.realm });
      const hdr = { len: 8 + attrs.length, flags: nh.flags, hops: nh.weight - 1, ifindex: nh.ifindex };
      return [encodeStruct(rtnexthopLayout, hdr), attrs];
    }),
  );
}

/** Decodes an RTM_*ROUTE message. Address attributes must match the family's size. */
export function decodeRoute(msg: NlMessage): Result<Route, NetlinkDecodeError> {
  if (!ROUTE_TYPES.includes(msg.header.type)) return fail('unexpected-type', msg.offset);
  const base = msg.offset + 16;
  const body = decodeBody(rtmsgLayout, routeSchema, msg.payload, base);
  if (!body.ok) return body;
  const { hdr, attrs: a } = body.value;
  const size = addrLen(hdr.family);
  if (size === undefined) return fail('address-family', base);
  if (hdr.dstLen > size * 8 || hdr.srcLen > size * 8) return fail('attr-value', base + 1);
  const addrs = { dst: RTA.DST, src: RTA.SRC, gateway: RTA.GATEWAY, prefsrc: RTA.PREFSRC } as const;
  for (const [k, t] of Object.entries(addrs)) {
    const v = a[k as keyof typeof addrs];
    if (v !== undefined && v.length !== size) return fail('attr-size', base, t);
  }
  let multipath: Nexthop[] | undefined;
  if (a.multipath !== undefined) {
    const nh = decodeNexthops(a.multipath, base, size);
    if (!nh.ok) return nh;
    multipath = nh.value;
  }
  const { table, multipath: _m, ...rest } = a;
  return ok({ ...hdr, table: table ?? hdr.table, ...defined({ ...rest, multipath }) });
}

/** Encodes a Route as an RTM_*ROUTE message. */
export function encodeRoute(r: Route, h: { type: number; flags: number; seq: number }): Uint8Array {
  const { family, dstLen, srcLen, tos, table, protocol, scope, type, flags, multipath, ...attrs } = r;
  const small = table <= 0xff;
  for (const nh of multipath ?? []) {
    if (!Number.isInteger(nh.weight) || nh.weight < 1 || nh.weight > 256)
      throw new RangeError('netlink: nexthop weight 1..256');
  }
  const hdr = { family, dstLen, srcLen, tos, table: small ? table : 0, protocol, scope, type, flags };
  const wire: AttrValues<typeof routeSchema> = {
    ...attrs,
    table: small ? undefined : table,
    multipath: multipath === undefined ? undefined : encodeNexthops(multipath),
  };
  return encodeMessage(h, encodeBody(rtmsgLayout, routeSchema, hdr, wire));
}

/** RTM_GETROUTE dump of every table; family AF_INET or AF_INET6 (AF_UNSPEC for both). */
export function getRoutesRequest(family: number, seq: number): Uint8Array {
  const r: Route = {
    family,
    dstLen: 0,
    srcLen: 0,
    tos: 0,
    table: 0,
    protocol: 0,
    scope: 0,
    type: 0,
    flags: 0,
  };
  return encodeRoute(r, { type: RTM.GETROUTE, flags: NLM_F.REQUEST | NLM_F.DUMP, seq });
}

/** A route to add or delete; header fields default as `ip route` chooses them. */
export type RouteSpec = Partial<Route> & { readonly family: number; readonly dstLen: number };

/** iproute2's defaults for adding: unicast, RTPROT_BOOT, main table, scope link without gateway. */
function withAddDefaults(s: RouteSpec): Route {
  const type = s.type ?? RTN.UNICAST;
  const direct = type === RTN.UNICAST && s.gateway === undefined && s.multipath === undefined;
  const scope = type === RTN.LOCAL ? RT_SCOPE.HOST : direct ? RT_SCOPE.LINK : RT_SCOPE.UNIVERSE;
  return {
    srcLen: 0,
    tos: 0,
    table: RT_TABLE.MAIN,
    protocol: RTPROT.BOOT,
    flags: 0,
    ...s,
    type,
    scope: s.scope ?? scope,
  };
}

/** RTM_NEWROUTE (create, exclusive unless `replace`), as `ip route add|replace` sends it. */
export function addRouteRequest(spec: RouteSpec, seq: number, opts: { replace?: boolean } = {}): Uint8Array {
  const excl = opts.replace === true ? NLM_F.REPLACE : NLM_F.EXCL;
  const flags = NLM_F.REQUEST | NLM_F.ACK | NLM_F.CREATE | excl;
  return encodeRoute(withAddDefaults(spec), { type: RTM.NEWROUTE, flags, seq });
}

/** RTM_DELROUTE; like `ip route del`, unspecified type/protocol match anything (scope NOWHERE). */
export function deleteRouteRequest(spec: RouteSpec, seq: number): Uint8Array {
  const r: Route = {
    srcLen: 0,
    tos: 0,
    table: RT_TABLE.MAIN,
    protocol: 0,
    scope: RT_SCOPE.NOWHERE,
    type: RTN.UNSPEC,
    flags: 0,
    ...spec,
  };
  return encodeRoute(r, { type: RTM.DELROUTE, flags: NLM_F.REQUEST | NLM_F.ACK, seq });
}
