/**
 * @module Routes: RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE (rtnetlink.h), what
 * keepalived's virtual_routes and static_routes need: struct rtmsg (12 bytes) then RTA_*
 * attributes. The structured parts (metrics, multipath nexthops, RTA_VIA, encapsulation)
 * live in route-parts.ts.
 *
 * Tables above 255 do not fit rtm_table: like iproute2 we send those in RTA_TABLE with
 * rtm_table = RT_TABLE_UNSPEC, and smaller ones in rtm_table only. On decode RTA_TABLE wins.
 */

import { ok, type Result } from '../wire/result.js';
import type { AttrValues } from './attr.js';
import { defined } from './bytes.js';
import { NLM_F, RT_SCOPE, RTM } from './constants.js';
import { fail, type NetlinkDecodeError } from './decode-error.js';
import { encodeMessage, type NlMessage } from './message.js';
import { RT_TABLE, RTA, RTN, RTPROT } from './route-constants.js';
import {
  addrLen,
  decodeNexthops,
  encodeNexthops,
  metricsSchema,
  type Nexthop,
  type RouteEncap,
  type RouteMetrics,
  type RouteVia,
  viaFrom,
  viaTo,
} from './route-parts.js';
import { decodeBody, encodeBody } from './struct.js';

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

/** RTA_* attributes, in the order iproute2 writes them for keepalived-style routes. */
export const routeSchema = {
  dst: { type: RTA.DST, kind: 'ip' },
  src: { type: RTA.SRC, kind: 'ip' },
  iif: { type: RTA.IIF, kind: 'u32' },
  prefsrc: { type: RTA.PREFSRC, kind: 'ip' },
  gateway: { type: RTA.GATEWAY, kind: 'ip' },
  via: { type: RTA.VIA, kind: 'binary' },
  priority: { type: RTA.PRIORITY, kind: 'u32' },
  table: { type: RTA.TABLE, kind: 'u32' },
  mark: { type: RTA.MARK, kind: 'u32' },
  realm: { type: RTA.FLOW, kind: 'u32' },
  pref: { type: RTA.PREF, kind: 'u8' },
  expires: { type: RTA.EXPIRES, kind: 'u32' },
  uid: { type: RTA.UID, kind: 'u32' },
  ttlPropagate: { type: RTA.TTL_PROPAGATE, kind: 'u8' },
  encap: { type: RTA.ENCAP, kind: 'binary', flagNested: true },
  encapType: { type: RTA.ENCAP_TYPE, kind: 'u16' },
  oif: { type: RTA.OIF, kind: 'u32' },
  metrics: { type: RTA.METRICS, kind: 'nested', schema: metricsSchema },
  multipath: { type: RTA.MULTIPATH, kind: 'binary' },
} as const;

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
  /** RTA_VIA: a gateway of another family. */
  readonly via?: RouteVia;
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
  /** RTA_ENCAP_TYPE + RTA_ENCAP (lightweight tunnels: ip, mpls...). */
  readonly encap?: RouteEncap;
};

const ROUTE_TYPES: readonly number[] = [RTM.NEWROUTE, RTM.DELROUTE, RTM.GETROUTE];

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
  const via = a.via === undefined ? undefined : viaFrom(a.via);
  if (a.via !== undefined && via === undefined) return fail('attr-size', base, RTA.VIA);
  const { table, multipath: _m, via: _v, encap: raw, encapType, ...rest } = a;
  const encap =
    raw === undefined && encapType === undefined
      ? undefined
      : { type: encapType ?? 0, data: raw ?? new Uint8Array(0) };
  return ok({ ...hdr, table: table ?? hdr.table, ...defined({ ...rest, via, multipath, encap }) });
}

/** Encodes a Route as an RTM_*ROUTE message. */
export function encodeRoute(r: Route, h: { type: number; flags: number; seq: number }): Uint8Array {
  const {
    family,
    dstLen,
    srcLen,
    tos,
    table,
    protocol,
    scope,
    type,
    flags,
    multipath,
    via,
    encap,
    ...attrs
  } = r;
  const small = table <= 0xff;
  const hdr = { family, dstLen, srcLen, tos, table: small ? table : 0, protocol, scope, type, flags };
  const wire: AttrValues<typeof routeSchema> = {
    ...attrs,
    table: small ? undefined : table,
    via: via === undefined ? undefined : viaTo(via),
    encap: encap?.data,
    encapType: encap?.type,
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
  const direct =
    type === RTN.UNICAST && s.gateway === undefined && s.via === undefined && s.multipath === undefined;
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
