/**
 * @module The structured parts of a route: RTA_METRICS (nested RTAX_*), RTA_MULTIPATH (a list
 * of struct rtnexthop, each followed by its own attributes), RTA_VIA (struct rtvia: a gateway
 * of another family, e.g. an IPv4 route via an IPv6 link-local), and RTA_ENCAP_TYPE /
 * RTA_ENCAP (lightweight tunnel encapsulation, kept as the raw nest for its type).
 */

import { ok, type Result } from '../wire/result.js';
import { type AttrValues, encodeAttrs } from './attr.js';
import { concatBytes, defined, view } from './bytes.js';
import { AF } from './constants.js';
import { fail, type NetlinkDecodeError } from './decode-error.js';
import { RTA, RTAX } from './route-constants.js';
import { decodeBody, encodeStruct } from './struct.js';

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
  via: { type: RTA.VIA, kind: 'binary' },
  realm: { type: RTA.FLOW, kind: 'u32' },
} as const;

/** A gateway of another address family (RTA_VIA). */
export type RouteVia = {
  /** AF_INET or AF_INET6 (others are kept with their raw address). */
  readonly family: number;
  /** 4 or 16 bytes for AF_INET / AF_INET6. */
  readonly addr: Uint8Array;
};

/** Lightweight tunnel encapsulation: LWTUNNEL_ENCAP_* type and the nest's raw attributes. */
export type RouteEncap = { readonly type: number; readonly data: Uint8Array };

/** One nexthop of a multipath route. */
export type Nexthop = {
  readonly ifindex: number;
  /** RTNH_F_* bits. */
  readonly flags: number;
  /** 1..256 (rtnh_hops + 1). */
  readonly weight: number;
  readonly gateway?: Uint8Array;
  readonly via?: RouteVia;
  readonly realm?: number;
};

/** Address size of a family, bytes (undefined for families without a fixed size here). */
export function addrLen(family: number): number | undefined {
  return family === AF.INET ? 4 : family === AF.INET6 ? 16 : undefined;
}

/** struct rtvia {u16 family; u8 addr[]} → RouteVia; undefined when malformed. */
export function viaFrom(raw: Uint8Array): RouteVia | undefined {
  if (raw.length < 2) return undefined;
  const family = view(raw).getUint16(0, true);
  const addr = raw.slice(2);
  const size = addrLen(family);
  return size !== undefined && addr.length !== size ? undefined : { family, addr };
}

/** RouteVia → struct rtvia. */
export function viaTo(v: RouteVia): Uint8Array {
  const out = new Uint8Array(2 + v.addr.length);
  view(out).setUint16(0, v.family, true);
  out.set(v.addr, 2);
  return out;
}

/** Decodes the rtnexthop list of RTA_MULTIPATH; gateways must be `size` bytes. */
export function decodeNexthops(
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
    const via = attrs.via === undefined ? undefined : viaFrom(attrs.via);
    if (attrs.via !== undefined && via === undefined) return fail('attr-size', base + at, RTA.VIA);
    out.push({ ifindex: hdr.ifindex, flags: hdr.flags, weight: hdr.hops + 1, ...defined({ ...attrs, via }) });
    at += (len + 3) & ~3;
  }
  return ok(out);
}

/** Encodes nexthops as RTA_MULTIPATH's payload; asserts weights 1..256. */
export function encodeNexthops(nhs: readonly Nexthop[]): Uint8Array {
  return concatBytes(
    nhs.flatMap((nh) => {
      if (!Number.isInteger(nh.weight) || nh.weight < 1 || nh.weight > 256) {
        throw new RangeError('netlink: nexthop weight 1..256');
      }
      const via = nh.via === undefined ? undefined : viaTo(nh.via);
      const attrs = encodeAttrs(nexthopSchema, { gateway: nh.gateway, via, realm: nh.realm });
      const hdr = { len: 8 + attrs.length, flags: nh.flags, hops: nh.weight - 1, ifindex: nh.ifindex };
      return [encodeStruct(rtnexthopLayout, hdr), attrs];
    }),
  );
}
