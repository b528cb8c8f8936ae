/**
 * @module From the typed config to what one running instance needs: the engine's
 * InstanceConfig (global defaults applied, v2/v3, source address from the interface or
 * `unicast_src_ip`), the receive expectations, the advert sender's settings, the VIPs as
 * rtnetlink address specs and the GARP target. Pure apart from the interface table it
 * is given; errors (missing interface, no source address) are returned, not thrown.
 */

import type { Config, GlobalDefs, VirtualAddress, VrrpInstance } from '../config/model.js';
import type { AdvertSenderConfig } from '../io/advert-sender.js';
import type { InterfaceInfo } from '../io/interfaces.js';
import { type AddressSpec, AF, IFA_F, RT_SCOPE } from '../netlink/index.js';
import type { InstanceConfig } from '../vrrp/index.js';
import {
  authDataFromPassword,
  type InstanceExpectations,
  type IpAddress,
  ip,
  parseIp,
  VRRP_AUTH,
} from '../wire/index.js';

export interface InstancePlan {
  readonly source: VrrpInstance;
  readonly name: string;
  readonly ifname: string;
  readonly ifindex: number;
  readonly family: 'ipv4' | 'ipv6';
  /** IP protocol of the channel: 112, or 51 for auth_type AH. */
  readonly protocol: number;
  /** Multicast group, or null for a unicast instance. */
  readonly group: IpAddress | null;
  readonly engine: InstanceConfig;
  readonly expectations: Omit<InstanceExpectations, 'ahLastSequence'>;
  readonly advert: AdvertSenderConfig;
  readonly vips: readonly AddressSpec[];
  readonly vipAddresses: readonly IpAddress[];
  /** Why the instance cannot run (it starts in FAULT), or null. */
  readonly problem: string | null;
}

const SCOPES: Record<string, number> = {
  global: RT_SCOPE.UNIVERSE,
  site: RT_SCOPE.SITE,
  link: RT_SCOPE.LINK,
  host: RT_SCOPE.HOST,
  nowhere: RT_SCOPE.NOWHERE,
};

export function vipSpec(v: VirtualAddress, ifindex: number): AddressSpec {
  const local = ip(v.address).bytes;
  const v6 = v.family === 6;
  let flags = v6 ? IFA_F.NODAD : 0;
  if (v.noPrefixRoute) flags |= IFA_F.NOPREFIXROUTE;
  const brd = v.broadcast === undefined ? undefined : parseIp(v.broadcast);
  const scope = v.scope === undefined ? undefined : typeof v.scope === 'number' ? v.scope : SCOPES[v.scope];
  return {
    family: v6 ? AF.INET6 : AF.INET,
    ifindex,
    local,
    prefixLen: v.prefixLen,
    ...(flags ? { flags } : {}),
    ...(v.label && !v6 ? { label: v.label } : {}),
    ...(scope === undefined ? {} : { scope }),
    ...(brd?.ok && !v6 ? { broadcast: brd.value.bytes } : {}),
    ...(v.peer ? { peer: ip(v.peer.address).bytes } : {}),
  };
}

function familyOf(i: VrrpInstance): 'ipv4' | 'ipv6' {
  const first = i.virtualAddresses[0] ?? i.unicastSrcIp ?? i.unicastPeers[0]?.address;
  return first?.family === 6 ? 'ipv6' : 'ipv4';
}

function sourceAddress(i: VrrpInstance, family: 'ipv4' | 'ipv6', iface: InterfaceInfo | undefined) {
  if (i.unicastSrcIp) return ip(i.unicastSrcIp.address);
  const bytes = family === 'ipv4' ? iface?.ipv4[0] : iface?.ipv6LinkLocal[0];
  return bytes === undefined ? null : { family, bytes };
}

function garpConfig(i: VrrpInstance, g: GlobalDefs): InstanceConfig['garp'] {
  return {
    masterDelayMs: (i.garpMasterDelayS ?? g.vrrpGarpMasterDelayS) * 1000,
    masterRepeat: i.garpMasterRepeat ?? g.vrrpGarpMasterRepeat,
    masterRefreshMs: (i.garpMasterRefreshS ?? g.vrrpGarpMasterRefreshS) * 1000,
    masterRefreshRepeat: i.garpMasterRefreshRepeat ?? g.vrrpGarpMasterRefreshRepeat,
    lowerPrioDelayMs: (i.garpLowerPrioDelayS ?? g.vrrpGarpLowerPrioDelayS) * 1000,
    lowerPrioRepeat: i.garpLowerPrioRepeat ?? g.vrrpGarpLowerPrioRepeat,
  };
}

/** The plan for one `vrrp_instance`, given the host's interfaces by name. */
export function planInstance(
  i: VrrpInstance,
  config: Config,
  interfaces: ReadonlyMap<string, InterfaceInfo>,
): InstancePlan {
  const g = config.global;
  const ifname = i.interface ?? '';
  const iface = interfaces.get(ifname);
  const family = familyOf(i);
  const version = family === 'ipv6' ? 3 : (i.version ?? g.vrrpVersion);
  const src = sourceAddress(i, family, iface);
  const unicast = i.unicastPeers.length > 0;
  const group = unicast ? null : ip(family === 'ipv4' ? g.vrrpMcastGroup4 : g.vrrpMcastGroup6);
  const auth = version === 2 && family === 'ipv4' ? i.authentication : undefined;
  const authType = auth === undefined ? VRRP_AUTH.none : auth.type === 'AH' ? VRRP_AUTH.ah : VRRP_AUTH.pass;
  const authData = auth === undefined ? new Uint8Array(8) : authDataFromPassword(auth.password);
  const vipAddresses = i.virtualAddresses
    .filter((v) => (v.family === 6) === (family === 'ipv6'))
    .map((v) => ip(v.address));
  // Excluded VIPs move with the VIPs (and get GARPs) but stay out of the adverts.
  const vips = [...i.virtualAddresses, ...i.excludedAddresses].map((v) =>
    vipSpec(v, v.dev ? (interfaces.get(v.dev)?.ifindex ?? 0) : (iface?.ifindex ?? 0)),
  );
  const source = src ?? { family, bytes: new Uint8Array(family === 'ipv4' ? 4 : 16) };
  const skipCheck = g.vrrpSkipCheckAdvAddr || 'skip_check_adv_addr' in i.other;
  const engine: InstanceConfig = {
    name: i.name,
    vrid: i.virtualRouterId ?? 0,
    version,
    family,
    priority: i.priority,
    adverIntCs: i.advertIntCs,
    preempt: i.preempt,
    preemptDelayMs: i.preemptDelayMs,
    // keepalived clears state MASTER with AH ("Initial state master is incompatible with AH
    // authentication"): the router must first learn the peers' AH sequence as a backup.
    initialState: auth?.type === 'AH' ? 'BACKUP' : (i.initialState ?? 'BACKUP'),
    sourceAddress: source.bytes,
    accept: i.accept ?? !g.vrrpStrict,
    downTimerAdverts: Number(i.other.down_timer_adverts?.[0] ?? 3),
    lowerPrioNoAdvert: i.lowerPrioNoAdvert ?? g.vrrpLowerPrioNoAdvert,
    higherPrioSendAdvert: i.higherPrioSendAdvert ?? g.vrrpHigherPrioSendAdvert,
    garp: garpConfig(i, g),
  };
  const problem =
    iface === undefined
      ? `interface ${ifname} doesn't exist`
      : src === null
        ? `no ${family === 'ipv4' ? 'IPv4' : 'IPv6 link-local'} address on ${ifname}`
        : null;
  return {
    source: i,
    name: i.name,
    ifname,
    ifindex: iface?.ifindex ?? 0,
    family,
    protocol: authType === VRRP_AUTH.ah ? 51 : 112,
    group,
    engine,
    expectations: {
      version,
      family,
      vrid: engine.vrid,
      addresses: vipAddresses,
      checkAddresses: !skipCheck,
      authType,
      authData,
      adverIntCs: i.advertIntCs,
      unicastPeers: i.unicastPeers.map((p) => ({
        address: ip(p.address.address),
        minTtl: p.minTtl ?? 0,
        maxTtl: p.maxTtl ?? 255,
      })),
      checkUnicastSource: g.vrrpCheckUnicastSrc || 'check_unicast_src' in i.other,
      dropIfLocalOwner: false,
      localPriority: i.priority,
    },
    advert: {
      version,
      family,
      vrid: engine.vrid,
      addresses: vipAddresses,
      authType,
      authData,
      source,
      destinations: unicast ? i.unicastPeers.map((p) => ip(p.address.address)) : [group!],
      unicast,
    },
    vips,
    vipAddresses,
    problem,
  };
}
