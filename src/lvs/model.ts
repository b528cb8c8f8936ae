/**
 * @module The LVS model: virtual services and their real servers as the data planes see
 * them, built from the Config (pure, no `node:*`). A `virtual_server group NAME` expands
 * into one service per group entry (address ranges into one per address); all share the
 * group's real servers and health checks, as in keepalived.
 */
import { checkSpec, rsKey } from '../check/spec.js';
import type { CheckSpec } from '../check/types.js';
import type {
  Config,
  IpPrefix,
  LbAlgo,
  LbKind,
  LvsProtocol,
  RealServer,
  ScriptCommand,
  TunnelSpec,
  VirtualServer,
} from '../config/model.js';

/** How a service is matched: address + port (+ protocol), or firewall mark. */
export type ServiceMatch =
  | {
      readonly kind: 'address';
      readonly family: 4 | 6;
      readonly address: string;
      readonly port: number;
      readonly protocol: LvsProtocol;
    }
  | { readonly kind: 'fwmark'; readonly family: 4 | 6; readonly fwmark: number };

/** A destination (real server or sorry server) in the kernel. Weight 0 = quiesced. */
export interface Destination {
  readonly family: 4 | 6;
  readonly address: string;
  /** 0: keep the client's destination port. */
  readonly port: number;
  readonly weight: number;
  readonly lbKind: LbKind;
  /** TUN only: encapsulation (absent: ipip). */
  readonly tunnel?: TunnelSpec;
  /** Connection thresholds (uthreshold / lthreshold); absent or 0: none. */
  readonly uThreshold?: number;
  readonly lThreshold?: number;
}

/** The kernel-level view of one service: what a data plane programs and reads back. */
export interface ServiceState {
  readonly match: ServiceMatch;
  readonly scheduler: LbAlgo;
  readonly schedulerFlags: readonly string[];
  readonly persistenceTimeoutS?: number;
  readonly persistenceGranularity?: string;
  /** persistence_engine (IPVS: "sip"). */
  readonly persistenceEngine?: string;
  /** `ops`: one-packet scheduling (IP_VS_SVC_F_ONEPACKET), UDP and fwmark services only. */
  readonly onePacket?: boolean;
  readonly destinations: readonly Destination[];
}

export interface RealSpec {
  /** `addr:port` / `[addr]:port`. */
  readonly id: string;
  readonly address: IpPrefix;
  /** As configured: what checkers and log lines use. */
  readonly port: number;
  /** The destination's port in the kernel (keepalived's rule: see kernelPort). */
  readonly kernelPort: number;
  readonly weight: number;
  readonly lbKind: LbKind;
  readonly tunnel?: TunnelSpec;
  readonly uThreshold?: number;
  readonly lThreshold?: number;
  readonly inhibitOnFailure: boolean;
  readonly notifyUp?: ScriptCommand;
  readonly notifyDown?: ScriptCommand;
  readonly checks: readonly CheckSpec[];
}

/** One configured virtual_server with everything the planner needs. */
export interface VirtualSpec {
  /** keepalived's FMT_VS text: `10.0.0.1:80`, `[fd00::1]:80`, `FWM 5`, `group NAME`. */
  readonly id: string;
  readonly matches: readonly ServiceMatch[];
  readonly scheduler: LbAlgo;
  readonly schedulerFlags: readonly string[];
  readonly persistenceTimeoutS?: number;
  readonly persistenceGranularity?: string;
  readonly persistenceEngine?: string;
  readonly onePacket: boolean;
  /** A `virtual_server group`: DR/TUN destinations take each entry's port (plan.ts). */
  readonly grouped: boolean;
  readonly lbKind: LbKind;
  readonly quorum: number;
  readonly hysteresis: number;
  readonly quorumUp?: ScriptCommand;
  readonly quorumDown?: ScriptCommand;
  readonly sorry?: Destination;
  readonly sorryInhibit: boolean;
  readonly alpha: boolean;
  readonly omega: boolean;
  readonly reals: readonly RealSpec[];
}

export function vsId(vs: VirtualServer): string {
  if (vs.kind === 'fwmark') return `FWM ${vs.fwmark}`;
  if (vs.kind === 'group') return `group ${vs.group}`;
  const a = vs.address!;
  return a.family === 6 ? `[${a.address}]:${vs.port}` : `${a.address}:${vs.port}`;
}

/** IPv4 ranges expand address by address (at most 256: the last octet varies). */
function expandRange(first: IpPrefix, last: IpPrefix): string[] {
  if (first.family !== 4 || first.address === last.address) return [first.address];
  const a = first.address.split('.').map(Number);
  const hi = Number(last.address.split('.')[3]);
  const out: string[] = [];
  for (let o = a[3]!; o <= hi && out.length < 256; o++) out.push(`${a[0]}.${a[1]}.${a[2]}.${o}`);
  return out;
}

function matchesOf(config: Config, vs: VirtualServer): ServiceMatch[] {
  if (vs.kind === 'fwmark') return [{ kind: 'fwmark', family: vs.family ?? 4, fwmark: vs.fwmark! }];
  if (vs.kind === 'address') {
    const a = vs.address!;
    return [
      { kind: 'address', family: a.family, address: a.address, port: vs.port ?? 0, protocol: vs.protocol },
    ];
  }
  const group = config.virtualServerGroups.find((g) => g.name === vs.group);
  const out: ServiceMatch[] = [];
  for (const e of group?.entries ?? []) {
    if (e.kind === 'fwmark') out.push({ kind: 'fwmark', family: vs.family ?? 4, fwmark: e.fwmark });
    else
      for (const address of expandRange(e.first, e.last))
        out.push({ kind: 'address', family: e.first.family, address, port: e.port, protocol: vs.protocol });
  }
  return out;
}

/**
 * A real or sorry server's port, as keepalived 2.2.7 sets it (validate_check_config):
 * DR and TUN servers of an address service take the service's port (IPVS ignores it,
 * ipvsadm shows it), those of a fwmark service port 0; a NAT real server without a port
 * takes the service's. A group's servers keep theirs here (FMT_RS); in the kernel its
 * DR/TUN ones take each entry's port (plan.ts forMatch).
 */
export function kernelPort(
  vs: Pick<VirtualServer, 'kind' | 'port'>,
  lbKind: LbKind,
  port: number,
  sorry = false,
): number {
  if (vs.kind === 'group') return port;
  if (lbKind === 'NAT') return vs.kind === 'address' && port === 0 && !sorry ? (vs.port ?? 0) : port;
  return vs.kind === 'fwmark' ? 0 : (vs.port ?? 0);
}

/** keepalived drops `ops` from a service matched by address unless it is UDP. */
function onePacket(config: Config, vs: VirtualServer): boolean {
  if (!vs.opsFlag) return false;
  const byAddress =
    vs.kind === 'address' ||
    (vs.kind === 'group' &&
      (config.virtualServerGroups.find((g) => g.name === vs.group)?.entries.some((e) => e.kind === 'range') ??
        false));
  return !byAddress || vs.protocol === 'UDP';
}

function realSpec(config: Config, id: string, vs: VirtualServer, rs: RealServer): RealSpec {
  return {
    id: rsKey(rs),
    address: rs.address,
    port: rs.port,
    kernelPort: kernelPort(vs, rs.lbKind ?? vs.lbKind, rs.port),
    weight: rs.weight,
    lbKind: rs.lbKind ?? vs.lbKind,
    // A real server without lvs_method takes the virtual server's, tunnel settings included.
    ...tunnelOf(rs.lbKind ?? vs.lbKind, rs.lbKind ? rs.tunnel : vs.tunnel),
    ...(rs.uthreshold ? { uThreshold: rs.uthreshold } : {}),
    ...(rs.lthreshold ? { lThreshold: rs.lthreshold } : {}),
    inhibitOnFailure: rs.inhibitOnFailure ?? vs.inhibitOnFailure,
    ...(rs.notifyUp ? { notifyUp: rs.notifyUp } : {}),
    ...(rs.notifyDown ? { notifyDown: rs.notifyDown } : {}),
    checks: rs.checkers.map((c, i) => checkSpec(id, vs, rs, c, i, config)),
  };
}

function tunnelOf(kind: LbKind, tunnel: TunnelSpec | undefined): { tunnel?: TunnelSpec } {
  return kind === 'TUN' && tunnel ? { tunnel } : {};
}

/** keepalived: persistence_granularity without persistence_timeout makes the service persistent for 360 s. */
function persistenceTimeout(vs: VirtualServer): number | undefined {
  return vs.persistenceTimeoutS ?? (vs.persistenceGranularity === undefined ? undefined : 360);
}

export function virtualSpec(config: Config, vs: VirtualServer): VirtualSpec {
  const id = vsId(vs);
  const s = vs.sorryServer;
  return {
    id,
    matches: matchesOf(config, vs),
    scheduler: vs.lbAlgo,
    schedulerFlags: vs.schedulerFlags,
    ...(persistenceTimeout(vs) === undefined ? {} : { persistenceTimeoutS: persistenceTimeout(vs) }),
    ...(vs.persistenceGranularity === undefined ? {} : { persistenceGranularity: vs.persistenceGranularity }),
    ...(vs.persistenceEngine === undefined ? {} : { persistenceEngine: vs.persistenceEngine }),
    onePacket: onePacket(config, vs),
    grouped: vs.kind === 'group',
    lbKind: vs.lbKind,
    quorum: vs.quorum,
    hysteresis: vs.hysteresis,
    ...(vs.quorumUp ? { quorumUp: vs.quorumUp } : {}),
    ...(vs.quorumDown ? { quorumDown: vs.quorumDown } : {}),
    ...(s
      ? {
          sorry: {
            family: s.address.family,
            address: s.address.address,
            port: kernelPort(vs, s.lbKind ?? vs.lbKind, s.port, true),
            weight: 1,
            lbKind: s.lbKind ?? vs.lbKind,
            ...tunnelOf(s.lbKind ?? vs.lbKind, s.lbKind ? s.tunnel : vs.tunnel),
          },
        }
      : {}),
    sorryInhibit: vs.sorryServerInhibit,
    alpha: vs.alpha,
    omega: vs.omega,
    reals: vs.realServers.map((rs) => realSpec(config, id, vs, rs)),
  };
}

export function lvsModel(config: Config): VirtualSpec[] {
  return config.virtualServers.map((vs) => virtualSpec(config, vs));
}

/** Stable key of a service match, for maps and diffs. */
export function matchKey(m: ServiceMatch): string {
  return m.kind === 'fwmark'
    ? `fwm/${m.family}/${m.fwmark}`
    : `${m.protocol}/${m.family}/${m.address}/${m.port}`;
}

/** Stable key of a destination within its service. */
export function destKey(d: Pick<Destination, 'address' | 'port'>): string {
  return `${d.address}/${d.port}`;
}
