/**
 * @module IPVS over generic netlink (ip_vs.h): services, real servers (destinations), sync
 * daemons, timeouts, info, zero and flush, as keepalived's libipvs speaks them. The family
 * id comes from CTRL_CMD_GETFAMILY "IPVS" (genl.ts) and is passed to every builder.
 *
 * Wire quirks kept out of the domain values: addresses are 16-byte nf_inet_addr on the wire
 * but 4 or 16 bytes here; an IPv4 service netmask is a network-order mask on the wire
 * (0xffffff00 here), an IPv6 one a host-order prefix length; stats arrive as STATS (mixed
 * u32/u64) and STATS64, and are bigints here (STATS64 preferred, and what we encode).
 */

import { ok, type Result } from '../wire/result.js';
import { type AttrValues, encodeAttrs } from './attr.js';
import { defined } from './bytes.js';
import { AF } from './constants.js';
import { fail, type NetlinkDecodeError } from './decode-error.js';
import { decodeGenl, decodeGenlBatch, encodeGenl, type GenlItem } from './genl.js';
import { IPVS_CMD, IPVS_DAEMON_ATTR, IPVS_DEST_ATTR, IPVS_GENL, IPVS_SVC_ATTR } from './genl-constants.js';
import { addrFromWire, decodeIpvsLean, swap32 } from './ipvs-lean.js';
import {
  ipvsCmdSchema,
  type ipvsDaemonSchema,
  type ipvsDestSchema,
  ipvsInfoSchema,
  type ipvsServiceSchema,
  ipvsStats64Schema,
} from './ipvs-schema.js';
import type { NlMessage } from './message.js';
import { decodeStruct, encodeStruct } from './struct.js';

/** Counters of a service or destination (packets, bytes, and per-second rates). */
export type IpvsStats = { readonly [K in keyof typeof ipvsStats64Schema]: bigint };

/** struct ip_vs_flags: the IP_VS_SVC_F_* bits to set, and which bits the request changes. */
export type IpvsFlags = { readonly flags: number; readonly mask: number };

/** A virtual service: either (protocol, addr, port) or fwmark, plus its options. */
export type IpvsService = {
  /** AF_INET or AF_INET6. */
  readonly af: number;
  /** IPPROTO_TCP / UDP / SCTP. */
  readonly protocol?: number;
  /** Virtual address, 4 or 16 bytes per `af`. */
  readonly addr?: Uint8Array;
  readonly port?: number;
  readonly fwmark?: number;
  /** Scheduler: "rr", "wlc", "sh"... at most 15 bytes. */
  readonly schedName?: string;
  /** Persistence engine: "sip". */
  readonly peName?: string;
  readonly flags?: IpvsFlags;
  /** Persistence timeout, seconds. */
  readonly timeout?: number;
  /** Persistence granularity: IPv4 mask (0xffffffff), IPv6 prefix length (128). */
  readonly netmask?: number;
  readonly stats?: IpvsStats;
};

/** A real server of a service. */
export type IpvsDest = {
  /** IPVS_DEST_ATTR_ADDR_FAMILY; absent in old kernels (then the service's family). */
  readonly af?: number;
  readonly addr: Uint8Array;
  readonly port: number;
  /** IP_VS_CONN_F_MASQ / TUNNEL / DROUTE. */
  readonly fwdMethod?: number;
  readonly weight?: number;
  /** Upper / lower connection thresholds; 0 = none. */
  readonly uThreshold?: number;
  readonly lThreshold?: number;
  /** IP_VS_TUNNEL_TYPE_*, and for GUE the UDP port and IP_VS_TUNNEL_FLAG_* bits. */
  readonly tunType?: number;
  readonly tunPort?: number;
  readonly tunFlags?: number;
  readonly activeConns?: number;
  readonly inactConns?: number;
  readonly persistConns?: number;
  readonly stats?: IpvsStats;
};

/** A connection-sync daemon (lvs_sync_daemon). */
export type IpvsDaemon = {
  /** IP_VS_STATE_MASTER or BACKUP. */
  readonly state: number;
  readonly mcastIfn?: string;
  readonly syncId?: number;
  readonly syncMaxlen?: number;
  readonly mcastPort?: number;
  readonly mcastTtl?: number;
  /** Multicast group, 4 or 16 bytes. */
  readonly mcastGroup?: Uint8Array;
};

/** Connection timeouts, seconds; 0 leaves one unchanged. */
export type IpvsTimeouts = { readonly tcp?: number; readonly tcpFin?: number; readonly udp?: number };

/** GET_INFO reply: version (0x010201 = 1.2.1) and connection hash table size. */
export type IpvsInfo = { readonly version?: number; readonly connTabSize?: number };

/** One IPVS message: its command and whichever parts it carries. */
export type IpvsMessage = {
  readonly cmd: number;
  readonly service?: IpvsService;
  readonly dest?: IpvsDest;
  readonly daemon?: IpvsDaemon;
  readonly timeouts?: IpvsTimeouts;
  readonly info?: IpvsInfo;
};

const flagsLayout = [
  ['flags', 'u32'],
  ['mask', 'u32'],
] as const;

function addrToWire(a: Uint8Array): Uint8Array {
  if (a.length !== 4 && a.length !== 16) throw new RangeError('netlink: IPVS address must be 4 or 16 bytes');
  const out = new Uint8Array(16);
  out.set(a);
  return out;
}

function statsFrom(
  s64?: AttrValues<typeof ipvsStats64Schema>,
  s32?: Record<string, number | bigint>,
): IpvsStats | undefined {
  const src = s64 ?? s32;
  if (src === undefined) return undefined;
  const out: Record<string, bigint> = {};
  for (const k of Object.keys(ipvsStats64Schema))
    out[k] = BigInt((src as Record<string, number | bigint>)[k] ?? 0);
  return out as IpvsStats;
}

type SvcWire = AttrValues<typeof ipvsServiceSchema>;
type DestWire = AttrValues<typeof ipvsDestSchema>;

function serviceFrom(w: SvcWire, base: number): Result<IpvsService, NetlinkDecodeError> {
  if (w.af === undefined) return fail('attr-missing', base, IPVS_SVC_ATTR.AF);
  const addr = w.addr === undefined ? undefined : addrFromWire(w.af, w.addr);
  if (w.addr !== undefined && addr === undefined) return fail('attr-size', base, IPVS_SVC_ATTR.ADDR);
  const flags = w.flags === undefined ? undefined : decodeStruct(flagsLayout, w.flags);
  if (flags !== undefined && (!flags.ok || w.flags?.length !== 8))
    return fail('attr-size', base, IPVS_SVC_ATTR.FLAGS);
  const netmask = w.netmask === undefined || w.af !== AF.INET ? w.netmask : swap32(w.netmask);
  const { stats, stats64, flags: _flags, ...rest } = w;
  return ok({
    ...defined({ ...rest, addr, netmask }),
    af: w.af,
    ...defined({ flags: flags?.value, stats: statsFrom(stats64, stats) }),
  });
}

function serviceTo(s: IpvsService): SvcWire {
  const { stats, addr, netmask, flags, ...rest } = s;
  return {
    ...rest,
    addr: addr === undefined ? undefined : addrToWire(addr),
    netmask: netmask === undefined || s.af !== AF.INET ? netmask : swap32(netmask),
    flags: flags === undefined ? undefined : encodeStruct(flagsLayout, flags),
    stats64: stats,
  };
}

function destFrom(
  w: DestWire,
  svcAf: number | undefined,
  base: number,
): Result<IpvsDest, NetlinkDecodeError> {
  if (w.addr === undefined) return fail('attr-missing', base, IPVS_DEST_ATTR.ADDR);
  if (w.port === undefined) return fail('attr-missing', base, IPVS_DEST_ATTR.PORT);
  const addr = addrFromWire(w.addrFamily ?? svcAf, w.addr);
  if (addr === undefined) return fail('attr-size', base, IPVS_DEST_ATTR.ADDR);
  const { addrFamily, stats, stats64, ...rest } = w;
  return ok({
    ...defined({ ...rest, af: addrFamily, stats: statsFrom(stats64, stats) }),
    addr,
    port: w.port,
  });
}

function destTo(d: IpvsDest): DestWire {
  const { af, addr, stats, ...rest } = d;
  return { ...rest, addrFamily: af, addr: addrToWire(addr), stats64: stats };
}

const INFO_CMDS: readonly number[] = [IPVS_CMD.SET_INFO, IPVS_CMD.GET_INFO];
/** The genl header alone (one schema object: the attribute decoder caches its index per schema). */
const NO_ATTRS = {} as const;

/** How to decode: see `decodeIpvs`. */
export type IpvsDecodeOptions = {
  /** The family of destinations when neither the dest nor a service says. */
  readonly destAf?: number;
  /** false: leave out counters (stats and connection counts), which most readers never look at. */
  readonly counters?: boolean;
};

/** Decodes an IPVS message. */
export function decodeIpvs(
  msg: NlMessage,
  opts: IpvsDecodeOptions = {},
): Result<IpvsMessage, NetlinkDecodeError> {
  const base = msg.offset;
  // The lean walk checks the genl header and every attribute header itself.
  const first = msg.payload[0];
  if (opts.counters === false && first !== undefined && !INFO_CMDS.includes(first)) {
    const lean = decodeIpvsLean(msg, first, opts.destAf);
    if (lean !== undefined) return lean;
  }
  const head = decodeGenl(msg, NO_ATTRS);
  if (!head.ok) return head;
  const cmd = head.value.cmd;
  if (INFO_CMDS.includes(cmd)) {
    const g = decodeGenl(msg, ipvsInfoSchema);
    return g.ok ? ok({ cmd, info: g.value.attrs }) : g;
  }
  const g = decodeGenl(msg, ipvsCmdSchema);
  if (!g.ok) return g;
  const a = g.value.attrs;
  let service: IpvsService | undefined;
  let dest: IpvsDest | undefined;
  if (a.service !== undefined) {
    const s = serviceFrom(a.service, base);
    if (!s.ok) return s;
    service = s.value;
  }
  if (a.dest !== undefined) {
    const d = destFrom(a.dest, service?.af ?? opts.destAf, base);
    if (!d.ok) return d;
    dest = d.value;
  }
  const t = defined({ tcp: a.timeoutTcp, tcpFin: a.timeoutTcpFin, udp: a.timeoutUdp });
  const timeouts = Object.keys(t).length > 0 ? t : undefined;
  const daemon = a.daemon === undefined ? undefined : daemonFrom(a.daemon, base);
  if (daemon !== undefined && !daemon.ok) return daemon;
  if (opts.counters === false) {
    // The lean walk leaves messages with a daemon or timeouts to this decoder.
    service = service && withoutServiceCounters(service);
    dest = dest && withoutDestCounters(dest);
  }
  return ok({ cmd, ...defined({ service, dest, daemon: daemon?.value, timeouts }) });
}

function withoutServiceCounters(s: IpvsService): IpvsService {
  const { stats: _stats, ...rest } = s;
  return rest;
}

function withoutDestCounters(d: IpvsDest): IpvsDest {
  const { stats: _stats, activeConns: _a, inactConns: _i, persistConns: _p, ...rest } = d;
  return rest;
}

function daemonFrom(
  w: AttrValues<typeof ipvsDaemonSchema>,
  base: number,
): Result<IpvsDaemon, NetlinkDecodeError> {
  if (w.state === undefined) return fail('attr-missing', base, IPVS_DAEMON_ATTR.STATE);
  const { mcastGroup, mcastGroup6, ...rest } = w;
  return ok({ ...defined({ ...rest, mcastGroup: mcastGroup6 ?? mcastGroup }), state: w.state });
}

function daemonTo(d: IpvsDaemon): AttrValues<typeof ipvsDaemonSchema> {
  const { mcastGroup, ...rest } = d;
  const v6 = mcastGroup !== undefined && mcastGroup.length === 16;
  return { ...rest, mcastGroup: v6 ? undefined : mcastGroup, mcastGroup6: v6 ? mcastGroup : undefined };
}

/** Encodes an IPVS message for family id `family`. */
export function encodeIpvs(family: number, m: IpvsMessage, h: { flags: number; seq: number }): Uint8Array {
  const g = { family, cmd: m.cmd, version: IPVS_GENL.VERSION, flags: h.flags, seq: h.seq };
  if (INFO_CMDS.includes(m.cmd)) return encodeGenl(g, encodeAttrs(ipvsInfoSchema, m.info ?? {}));
  const attrs: AttrValues<typeof ipvsCmdSchema> = {
    service: m.service === undefined ? undefined : serviceTo(m.service),
    dest: m.dest === undefined ? undefined : destTo(m.dest),
    daemon: m.daemon === undefined ? undefined : daemonTo(m.daemon),
    timeoutTcp: m.timeouts?.tcp,
    timeoutTcpFin: m.timeouts?.tcpFin,
    timeoutUdp: m.timeouts?.udp,
  };
  return encodeGenl(g, encodeAttrs(ipvsCmdSchema, attrs));
}

/** Decodes a whole IPVS datagram (a GET_SERVICE / GET_DEST dump part, or an ACK). */
export function decodeIpvsBatch(
  bytes: Uint8Array,
  family: number,
  opts: IpvsDecodeOptions = {},
): Result<GenlItem<IpvsMessage>[], NetlinkDecodeError> {
  return decodeGenlBatch(bytes, family, (m) => decodeIpvs(m, opts));
}

/** "1.2.1" from an IPVS version number (IPVS_INFO_ATTR_VERSION). */
export function ipvsVersionString(v: number): string {
  return `${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}
