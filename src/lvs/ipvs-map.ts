/**
 * @module ServiceState ⇄ IPVS genetlink values (pure): protocol numbers, scheduler
 * flags (sh-fallback / sh-port, mh-fallback / mh-port → IP_VS_SVC_F_SCHED1/2),
 * persistence (IP_VS_SVC_F_PERSISTENT, timeout, netmask), forwarding methods
 * (NAT → MASQ, DR → DROUTE, TUN → TUNNEL with its tunnel type, GUE port and checksum
 * flag), one-packet scheduling (IP_VS_SVC_F_ONEPACKET), the persistence engine
 * (PE_NAME) and the connection thresholds, as keepalived
 * 2.2.7 and ipvsadm send them.
 */
import type { LbAlgo, LbKind, LvsProtocol, TunnelSpec } from '../config/model.js';
import { AF } from '../netlink/constants.js';
import {
  IP_VS_CONN_F,
  IP_VS_SVC_F,
  IP_VS_TUNNEL_FLAG,
  IP_VS_TUNNEL_TYPE,
} from '../netlink/genl-constants.js';
import type { IpvsDest, IpvsService } from '../netlink/ipvs.js';
import { formatIp, ipFromBytes, parseIp } from '../wire/ip.js';
import type { Destination, ServiceMatch, ServiceState } from './model.js';

const PROTO: Record<LvsProtocol, number> = { TCP: 6, UDP: 17, SCTP: 132 };
const KIND: Record<LbKind, number> = {
  NAT: IP_VS_CONN_F.MASQ,
  DR: IP_VS_CONN_F.DROUTE,
  TUN: IP_VS_CONN_F.TUNNEL,
};

function addrBytes(text: string): Uint8Array {
  const r = parseIp(text);
  if (!r.ok) throw new RangeError(`bad address ${text}`);
  return r.value.bytes;
}

function schedFlags(algo: LbAlgo, flags: readonly string[]): number {
  let f = 0;
  for (const x of flags) {
    if (x.endsWith('-fallback') || x === 'flag-1') f |= IP_VS_SVC_F.SCHED1;
    else if (x.endsWith('-port') || x === 'flag-2') f |= IP_VS_SVC_F.SCHED2;
    else if (x === 'flag-3') f |= IP_VS_SVC_F.SCHED3;
  }
  return algo === 'sh' || algo === 'mh' || flags.length > 0 ? f : 0;
}

function netmask(s: ServiceState): number {
  const g = s.persistenceGranularity;
  if (s.match.family === 6) return g && /^\d+$/.test(g) ? Number(g) : 128;
  if (!g) return 0xffffffff;
  const b = parseIp(g);
  return b.ok && b.value.bytes.length === 4
    ? new DataView(b.value.bytes.buffer, b.value.bytes.byteOffset).getUint32(0)
    : 0xffffffff;
}

/** The key part of a service (what GET/DEL need). */
export function ipvsServiceKey(m: ServiceMatch): IpvsService {
  const af = m.family === 4 ? AF.INET : AF.INET6;
  if (m.kind === 'fwmark') return { af, fwmark: m.fwmark };
  return { af, protocol: PROTO[m.protocol], addr: addrBytes(m.address), port: m.port };
}

/** A full service for NEW/SET: scheduler, flags, persistence timeout, netmask. */
export function toIpvsService(s: ServiceState): IpvsService {
  const persistent = s.persistenceTimeoutS !== undefined;
  return {
    ...ipvsServiceKey(s.match),
    schedName: s.scheduler,
    flags: {
      flags:
        (persistent ? IP_VS_SVC_F.PERSISTENT : 0) |
        (s.onePacket ? IP_VS_SVC_F.ONEPACKET : 0) |
        schedFlags(s.scheduler, s.schedulerFlags),
      mask: 0xffffffff,
    },
    timeout: s.persistenceTimeoutS ?? 0,
    netmask: netmask(s),
    ...(s.persistenceEngine ? { peName: s.persistenceEngine } : {}),
  };
}

const TUN_TYPE: Record<TunnelSpec['type'], number> = {
  ipip: IP_VS_TUNNEL_TYPE.IPIP,
  gue: IP_VS_TUNNEL_TYPE.GUE,
  gre: IP_VS_TUNNEL_TYPE.GRE,
};
// keepalived sends one of the three values, never a combination.
const TUN_FLAGS: Record<NonNullable<TunnelSpec['csum']>, number> = {
  nocsum: IP_VS_TUNNEL_FLAG.NOCSUM,
  csum: IP_VS_TUNNEL_FLAG.CSUM,
  remcsum: IP_VS_TUNNEL_FLAG.REMCSUM,
};

/** TUN_TYPE / TUN_PORT / TUN_FLAGS for a tunnelled destination (ipip without a tunnel spec). */
function tunnelAttrs(d: Destination): Pick<IpvsDest, 'tunType' | 'tunPort' | 'tunFlags'> {
  if (d.lbKind !== 'TUN') return {};
  const t = d.tunnel;
  return {
    tunType: TUN_TYPE[t?.type ?? 'ipip'],
    ...(t?.type === 'gue' ? { tunPort: t.port ?? 0 } : {}),
    ...(t && t.type !== 'ipip' ? { tunFlags: TUN_FLAGS[t.csum ?? 'nocsum'] } : {}),
  };
}

export function toIpvsDest(d: Destination): IpvsDest {
  return {
    af: d.family === 4 ? AF.INET : AF.INET6,
    addr: addrBytes(d.address),
    port: d.port,
    fwdMethod: KIND[d.lbKind],
    weight: d.weight,
    uThreshold: d.uThreshold ?? 0,
    lThreshold: d.lThreshold ?? 0,
    ...tunnelAttrs(d),
  };
}

/** The kernel's tunnel attributes back as a TunnelSpec; plain ipip gives none (the default). */
function tunnelFrom(d: IpvsDest): { tunnel?: TunnelSpec } {
  const type =
    d.tunType === IP_VS_TUNNEL_TYPE.GUE ? 'gue' : d.tunType === IP_VS_TUNNEL_TYPE.GRE ? 'gre' : 'ipip';
  if (type === 'ipip') return {};
  const f = d.tunFlags ?? 0;
  const csum = f & IP_VS_TUNNEL_FLAG.REMCSUM ? 'remcsum' : f & IP_VS_TUNNEL_FLAG.CSUM ? 'csum' : 'nocsum';
  return { tunnel: { type, ...(type === 'gue' ? { port: d.tunPort ?? 0 } : {}), csum } };
}

function granularity(
  family: 4 | 6,
  mask: number | undefined,
): { persistenceGranularity: string } | undefined {
  if (mask === undefined) return undefined;
  if (family === 6) return mask === 128 ? undefined : { persistenceGranularity: String(mask) };
  if (mask >>> 0 === 0xffffffff) return undefined;
  return { persistenceGranularity: [24, 16, 8, 0].map((s) => (mask >>> s) & 255).join('.') };
}

const PROTO_NAME = new Map(Object.entries(PROTO).map(([k, v]) => [v, k as LvsProtocol]));
const KIND_NAME = new Map(Object.entries(KIND).map(([k, v]) => [v, k as LbKind]));

/** A kernel service and its destinations back as a ServiceState; undefined if not representable. */
export function fromIpvs(svc: IpvsService, dests: readonly IpvsDest[]): ServiceState | undefined {
  const family = svc.af === AF.INET6 ? 6 : 4;
  let match: ServiceMatch;
  if (svc.fwmark) match = { kind: 'fwmark', family, fwmark: svc.fwmark };
  else {
    const protocol = PROTO_NAME.get(svc.protocol ?? -1);
    if (!protocol || !svc.addr) return undefined;
    match = {
      kind: 'address',
      family,
      address: formatIp(ipFromBytes(svc.addr)),
      port: svc.port ?? 0,
      protocol,
    };
  }
  const flags = svc.flags?.flags ?? 0;
  const sched: string[] = [];
  // ipvsadm's names: sh-/mh-fallback and -port for those two schedulers, flag-N otherwise.
  const named = svc.schedName === 'sh' || svc.schedName === 'mh';
  if (flags & IP_VS_SVC_F.SCHED1) sched.push(named ? `${svc.schedName}-fallback` : 'flag-1');
  if (flags & IP_VS_SVC_F.SCHED2) sched.push(named ? `${svc.schedName}-port` : 'flag-2');
  if (flags & IP_VS_SVC_F.SCHED3) sched.push('flag-3');
  return {
    match,
    scheduler: (svc.schedName ?? 'wlc') as LbAlgo,
    schedulerFlags: sched,
    ...(flags & IP_VS_SVC_F.PERSISTENT ? { persistenceTimeoutS: svc.timeout ?? 0 } : {}),
    ...(granularity(family, svc.netmask) ?? {}),
    ...(svc.peName ? { persistenceEngine: svc.peName } : {}),
    ...(flags & IP_VS_SVC_F.ONEPACKET ? { onePacket: true } : {}),
    destinations: dests.map((d) => {
      const lbKind = KIND_NAME.get((d.fwdMethod ?? 0) & IP_VS_CONN_F.FWD_MASK) ?? 'NAT';
      return {
        family: d.addr.length === 16 ? 6 : 4,
        address: formatIp(ipFromBytes(d.addr)),
        port: d.port,
        weight: d.weight ?? 0,
        lbKind,
        ...(lbKind === 'TUN' ? tunnelFrom(d) : {}),
        ...(d.uThreshold ? { uThreshold: d.uThreshold } : {}),
        ...(d.lThreshold ? { lThreshold: d.lThreshold } : {}),
      };
    }),
  };
}
