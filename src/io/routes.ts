/**
 * @module virtual_routes / virtual_rules / static_routes / static_rules through rtnetlink,
 * from the config's RouteSpec / RuleSpec. As keepalived 2.2.7 installs them (observed here
 * with `ip -d route show table all` / `ip -d rule` next to keepalived in a namespace):
 * protocol `keepalived` (RTPROT 18) unless `protocol` is given, scope global unless
 * `scope` is given (even for a route with only `dev`), a rule without `priority` at 16384,
 * `src` as the preferred source, `onlink` as RTNH_F_ONLINK, route options (mtu, advmss,
 * ...) as RTA_METRICS. Adding is idempotent (EEXIST is success) and so is removing
 * (ESRCH/ENOENT); the manager remembers what each owner (an instance, or "static")
 * installed, so `removeAll()` never leaves one behind. keepalived's order: routes then
 * rules when setting, rules then routes when removing.
 */

import type { AddressScope, IpPrefix, RouteSpec, RuleSpec } from '../config/model.js';
import { isErrno } from '../native/index.js';
import {
  AF,
  addRouteRequest,
  addRuleRequest,
  deleteRouteRequest,
  deleteRuleRequest,
  FIB_RULE,
  FR_ACT,
  type RouteSpec as NlRoute,
  type RuleSpec as NlRule,
  type RouteMetrics,
  RT_SCOPE,
  RT_TABLE,
  RTN,
  RTNH_F,
  RTPROT,
} from '../netlink/index.js';
import { parseIp } from '../wire/ip.js';
import type { RtnetlinkClient } from './rtnetlink-client.js';

/** keepalived's preference for a rule configured without one (it warns about it). */
export const RULE_DEFAULT_PRIORITY = 16384;

/** Names the conversion needs resolved: interfaces, tables (rt_tables) and protocols. */
export interface RouteNames {
  readonly ifindex: (name: string) => number | undefined;
  /** Extra table names (from /etc/iproute2/rt_tables); main, local, default are built in. */
  readonly tables?: ReadonlyMap<string, number>;
}

const TABLES: Readonly<Record<string, number>> = {
  main: RT_TABLE.MAIN,
  local: RT_TABLE.LOCAL,
  default: RT_TABLE.DEFAULT,
};
const PROTOS: Readonly<Record<string, number>> = {
  kernel: RTPROT.KERNEL,
  boot: RTPROT.BOOT,
  static: RTPROT.STATIC,
  keepalived: RTPROT.KEEPALIVED,
};
const SCOPES: Readonly<Record<string, number>> = {
  global: RT_SCOPE.UNIVERSE,
  site: RT_SCOPE.SITE,
  link: RT_SCOPE.LINK,
  host: RT_SCOPE.HOST,
  nowhere: RT_SCOPE.NOWHERE,
};
const TYPES: Readonly<Record<RouteSpec['type'], number>> = {
  unicast: RTN.UNICAST,
  blackhole: RTN.BLACKHOLE,
  unreachable: RTN.UNREACHABLE,
  prohibit: RTN.PROHIBIT,
  throw: RTN.THROW,
  local: RTN.LOCAL,
  broadcast: RTN.BROADCAST,
  multicast: RTN.MULTICAST,
  nat: RTN.NAT,
};
const ACTIONS: Readonly<Record<NonNullable<RuleSpec['action']>, number>> = {
  table: FR_ACT.TO_TBL,
  goto: FR_ACT.GOTO,
  blackhole: FR_ACT.BLACKHOLE,
  unreachable: FR_ACT.UNREACHABLE,
  prohibit: FR_ACT.PROHIBIT,
  nop: FR_ACT.NOP,
};
/** Route options carried as RTA_METRICS (iproute2 names → RouteMetrics keys). */
const METRICS: Readonly<Record<string, keyof RouteMetrics>> = {
  mtu: 'mtu',
  advmss: 'advmss',
  window: 'window',
  rtt: 'rtt',
  rttvar: 'rttvar',
  ssthresh: 'ssthresh',
  cwnd: 'cwnd',
  initcwnd: 'initcwnd',
  initrwnd: 'initrwnd',
  hoplimit: 'hoplimit',
  reordering: 'reordering',
  rto_min: 'rtoMin',
  quickack: 'quickack',
  features: 'features',
};
const IGNORED_OPTIONS = new Set(['track', 'no_track']);

function bytes(p: IpPrefix): Uint8Array {
  const r = parseIp(p.address);
  if (!r.ok) throw new Error(`bad address ${p.address}`);
  return r.value.bytes;
}

function lookup(
  v: number | string | undefined,
  names: Readonly<Record<string, number>>,
  extra?: ReadonlyMap<string, number>,
): number | undefined {
  if (v === undefined || typeof v === 'number') return v;
  if (/^\d+$/.test(v)) return Number(v);
  return names[v] ?? extra?.get(v);
}

function scopeOf(s: AddressScope | undefined): number {
  return s === undefined ? RT_SCOPE.UNIVERSE : typeof s === 'number' ? s : (SCOPES[s] ?? RT_SCOPE.UNIVERSE);
}

/** A config route as a netlink route; problems (unknown device, table, option) are thrown as messages. */
export function toNetlinkRoute(r: RouteSpec, names: RouteNames): NlRoute {
  const family = (r.dst ?? r.via ?? r.src)?.family === 6 ? AF.INET6 : AF.INET;
  const table = lookup(r.table ?? 'main', TABLES, names.tables);
  if (table === undefined) throw new Error(`unknown table ${r.table}`);
  const protocol = lookup(r.protocol, PROTOS) ?? RTPROT.KEEPALIVED;
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.options)) {
    const m = METRICS[k];
    if (m !== undefined) metrics[m] = Number(v);
    else if (!IGNORED_OPTIONS.has(k)) throw new Error(`route option ${k} is not supported`);
  }
  let oif: number | undefined;
  if (r.dev !== undefined) {
    oif = names.ifindex(r.dev);
    if (oif === undefined) throw new Error(`unknown interface ${r.dev}`);
  }
  const via = r.via;
  const sameFamily = via === undefined || via.family === (family === AF.INET6 ? 6 : 4);
  return {
    family,
    dstLen: r.dst?.prefixLen ?? 0,
    table,
    protocol,
    scope: scopeOf(r.scope),
    type: TYPES[r.type],
    flags: r.onlink ? RTNH_F.ONLINK : 0,
    ...(r.dst === undefined ? {} : { dst: bytes(r.dst) }),
    ...(r.src === undefined ? {} : { prefsrc: bytes(r.src) }),
    ...(via === undefined
      ? {}
      : sameFamily
        ? { gateway: bytes(via) }
        : { via: { family: via.family === 6 ? AF.INET6 : AF.INET, addr: bytes(via) } }),
    ...(oif === undefined ? {} : { oif }),
    ...(r.metric === undefined ? {} : { priority: r.metric }),
    ...(Object.keys(metrics).length === 0 ? {} : { metrics: metrics as RouteMetrics }),
  };
}

/** A config rule as a netlink rule. */
export function toNetlinkRule(r: RuleSpec, names: RouteNames): NlRule {
  const action = ACTIONS[r.action ?? 'table'];
  const table = action === FR_ACT.TO_TBL ? (lookup(r.table ?? 'main', TABLES, names.tables) ?? -1) : 0;
  if (table < 0) throw new Error(`unknown table ${r.table}`);
  let flags = 0;
  for (const k of Object.keys(r.options)) {
    if (k === 'not') flags |= FIB_RULE.INVERT;
    else throw new Error(`rule option ${k} is not supported`);
  }
  return {
    family: r.family === 6 ? AF.INET6 : AF.INET,
    action,
    table,
    flags,
    protocol: RTPROT.KEEPALIVED,
    priority: r.priority ?? RULE_DEFAULT_PRIORITY,
    ...(r.from === undefined ? {} : { src: bytes(r.from), srcLen: r.from.prefixLen }),
    ...(r.to === undefined ? {} : { dst: bytes(r.to), dstLen: r.to.prefixLen }),
    ...(r.fwmark === undefined ? {} : { fwmark: r.fwmark }),
    ...(r.fwmask === undefined ? {} : { fwmask: r.fwmask }),
    ...(r.iif === undefined ? {} : { iifname: r.iif }),
    ...(r.oif === undefined ? {} : { oifname: r.oif }),
  };
}

type Installed = { readonly routes: NlRoute[]; readonly rules: NlRule[] };

export class RouteManager {
  readonly #nl: RtnetlinkClient;
  readonly #names: RouteNames;
  readonly #installed = new Map<string, Installed>();
  /** A route or rule that could not be converted or installed (for logging). */
  onError: (owner: string, what: string, e: Error) => void = () => {};

  constructor(nl: RtnetlinkClient, names: RouteNames) {
    this.#nl = nl;
    this.#names = names;
  }

  #slot(owner: string): Installed {
    let s = this.#installed.get(owner);
    if (s === undefined) {
      s = { routes: [], rules: [] };
      this.#installed.set(owner, s);
    }
    return s;
  }

  /** Installs routes then rules for `owner` (keepalived "setting Virtual Routes/Rules"). */
  async install(owner: string, routes: readonly RouteSpec[], rules: readonly RuleSpec[]): Promise<void> {
    const slot = this.#slot(owner);
    for (const r of routes) {
      await this.#apply(
        owner,
        'route',
        () => toNetlinkRoute(r, this.#names),
        (nl, seq) => addRouteRequest(nl, seq),
        slot.routes,
      );
    }
    for (const r of rules) {
      await this.#apply(
        owner,
        'rule',
        () => toNetlinkRule(r, this.#names),
        (nl, seq) => addRuleRequest(nl, seq),
        slot.rules,
      );
    }
  }

  async #apply<T>(
    owner: string,
    what: string,
    convert: () => T,
    build: (v: T, seq: number) => Uint8Array,
    into: T[],
  ): Promise<void> {
    let v: T;
    try {
      v = convert();
    } catch (e) {
      this.onError(owner, what, e as Error);
      return;
    }
    try {
      await this.#nl.request((seq) => build(v, seq));
      into.push(v);
    } catch (e) {
      if (isErrno(e, 'EEXIST')) into.push(v);
      else this.onError(owner, what, e as Error);
    }
  }

  /** Removes rules then routes that `owner` installed. */
  async remove(owner: string): Promise<void> {
    const slot = this.#installed.get(owner);
    if (slot === undefined) return;
    this.#installed.delete(owner);
    for (const r of slot.rules) await this.#delete(owner, 'rule', (seq) => deleteRuleRequest(r, seq));
    for (const r of slot.routes) await this.#delete(owner, 'route', (seq) => deleteRouteRequest(r, seq));
  }

  async #delete(owner: string, what: string, build: (seq: number) => Uint8Array): Promise<void> {
    try {
      await this.#nl.request(build);
    } catch (e) {
      if (!isErrno(e, 'ESRCH') && !isErrno(e, 'ENOENT')) this.onError(owner, what, e as Error);
    }
  }

  /** Owners with something installed. */
  owners(): string[] {
    return [...this.#installed.keys()];
  }

  async removeAll(): Promise<void> {
    for (const o of this.owners()) await this.remove(o);
  }
}
