/**
 * @module Desired LVS state → one nftables JSON document (`nft -j -f -`) that atomically
 * replaces the table keepalived-ts owns, `inet keepalived_ts`. Pure: no `node:*`.
 *
 * Layout: base chains `prerouting` (nat, dstnat) and `output` (nat, -100, for local
 * clients) jump to one chain per service (`svcN`) on its match (daddr + l4proto + dport,
 * or meta mark for fwmark services). `svcN` picks a destination with a verdict map to
 * per-destination chains (`svcN_dM`) that DNAT to the real server.
 *
 * Scheduler mapping (IPVS → nftables), over destinations with weight > 0 where each gets
 * a share of the key space proportional to its weight:
 * - rr: `numgen inc` with equal shares; wrr, lc, wlc, sed, nq, lblc, lblcr: `numgen inc`
 *   weighted (nftables cannot see connection counts, so the least-connection family is
 *   approximated by weighted round robin);
 * - sh, mh, and any service with persistence_timeout: `jhash ip saddr` weighted (a
 *   client sticks to a server while the destination set is unchanged; no timeout);
 * - dh: `jhash ip daddr` weighted; twos: `numgen random` weighted;
 * - fo, ovf: the highest-weight destination only.
 * Weight 0 (inhibit_on_failure, quiesced) takes no new connections; established ones
 * keep their conntrack NAT binding, as IPVS keeps its connection entries.
 * No selectable destination: new connections get ICMP port unreachable (as IPVS).
 * Forwarding: NAT is DNAT; real servers must route replies back through the balancer,
 * as with LVS-NAT. DR and TUN cannot be expressed in the nat hooks (no MAC rewrite or
 * encapsulation there): they are programmed as DNAT too, and the plane logs it.
 */
import type { Destination, ServiceMatch, ServiceState } from './model.js';

export const NFT_TABLE = 'keepalived_ts';
export const NFT_FAMILY = 'inet';

type Json = Record<string, unknown>;
type Expr = Json;

const table = { family: NFT_FAMILY, name: NFT_TABLE };
const inTable = { family: NFT_FAMILY, table: NFT_TABLE };

function matchExprs(m: ServiceMatch): Expr[] {
  if (m.kind === 'fwmark')
    return [
      { match: { op: '==', left: { meta: { key: 'nfproto' } }, right: m.family === 4 ? 'ipv4' : 'ipv6' } },
      { match: { op: '==', left: { meta: { key: 'mark' } }, right: m.fwmark } },
    ];
  const proto = m.family === 4 ? 'ip' : 'ip6';
  const out: Expr[] = [
    { match: { op: '==', left: { payload: { protocol: proto, field: 'daddr' } }, right: m.address } },
    { match: { op: '==', left: { meta: { key: 'l4proto' } }, right: m.protocol.toLowerCase() } },
  ];
  if (m.port !== 0)
    out.push({ match: { op: '==', left: { payload: { protocol: 'th', field: 'dport' } }, right: m.port } });
  return out;
}

/** Which selector a scheduler maps to. */
export type Selector = 'inc' | 'random' | 'saddr' | 'daddr' | 'first';

export function selectorFor(s: ServiceState): Selector {
  if (s.scheduler === 'fo' || s.scheduler === 'ovf') return 'first';
  if (s.scheduler === 'sh' || s.scheduler === 'mh' || s.persistenceTimeoutS !== undefined) return 'saddr';
  if (s.scheduler === 'dh') return 'daddr';
  if (s.scheduler === 'twos') return 'random';
  return 'inc';
}

/** Shares of the key space: [from, to] per selectable destination (index into `dests`). */
export function shares(
  weights: readonly number[],
  equal: boolean,
): { index: number; from: number; to: number }[] {
  const out: { index: number; from: number; to: number }[] = [];
  let next = 0;
  weights.forEach((w, index) => {
    if (w <= 0) return;
    const n = equal ? 1 : w;
    out.push({ index, from: next, to: next + n - 1 });
    next += n;
  });
  return out;
}

/** IPVS answers a connection with no destination by ICMP port unreachable; so do we. */
const REJECT: Expr = { reject: { type: 'icmpx', expr: 'port-unreachable' } };

const l4 = (p: string): Expr => ({ match: { op: '==', left: { meta: { key: 'l4proto' } }, right: p } });

function dnat(d: Destination): Expr {
  return {
    dnat: {
      family: d.family === 4 ? 'ip' : 'ip6',
      addr: d.address,
      ...(d.port !== 0 ? { port: d.port } : {}),
    },
  };
}

function selectorKey(sel: Selector, family: 4 | 6, mod: number): Expr {
  if (sel === 'inc' || sel === 'random') return { numgen: { mode: sel, mod, offset: 0 } };
  const field = sel === 'saddr' ? 'saddr' : 'daddr';
  return {
    jhash: { mod, seed: 0, offset: 0, expr: { payload: { protocol: family === 4 ? 'ip' : 'ip6', field } } },
  };
}

function serviceRule(chain: string, s: ServiceState, family: 4 | 6): Expr[] {
  const sel = selectorFor(s);
  const weights = s.destinations.map((d) => d.weight);
  if (sel === 'first') {
    const best = weights.reduce((bi, w, i) => (w > 0 && (bi < 0 || w > weights[bi]!) ? i : bi), -1);
    return best < 0 ? [REJECT] : [{ goto: { target: `${chain}_d${best}` } }];
  }
  const sh = shares(weights, s.scheduler === 'rr');
  if (sh.length === 0) return [REJECT];
  if (sh.length === 1) return [{ goto: { target: `${chain}_d${sh[0]!.index}` } }];
  const mod = sh[sh.length - 1]!.to + 1;
  const set = sh.map((x) => [
    x.from === x.to ? x.from : { range: [x.from, x.to] },
    { goto: { target: `${chain}_d${x.index}` } },
  ]);
  return [{ vmap: { key: selectorKey(sel, family, mod), data: { set } } }];
}

const rule = (chain: string, expr: Expr[]): Json => ({ add: { rule: { ...inTable, chain, expr } } });
const chain = (name: string, base?: Json): Json => ({
  add: { chain: { ...inTable, name, ...(base ?? {}) } },
});

/** The whole document: create-if-missing, delete, re-create, all in one transaction. */
export function nftDocument(services: readonly ServiceState[]): Json {
  const cmds: Json[] = [{ add: { table } }, { delete: { table } }];
  if (services.length === 0) return { nftables: cmds };
  cmds.push({ add: { table: { ...table, comment: 'managed by keepalived-ts' } } });
  const jumps: Expr[][] = [];
  services.forEach((s, i) => {
    const name = `svc${i}`;
    const family = s.match.family;
    // A port mapping needs a transport protocol match before it (nft's rule).
    const protos = s.match.kind === 'address' ? [s.match.protocol.toLowerCase()] : ['tcp', 'udp', 'sctp'];
    s.destinations.forEach((d, j) => {
      cmds.push(chain(`${name}_d${j}`));
      if (d.port === 0) cmds.push(rule(`${name}_d${j}`, [dnat(d)]));
      else for (const p of protos) cmds.push(rule(`${name}_d${j}`, [l4(p), dnat(d)]));
    });
    cmds.push(chain(name));
    cmds.push(rule(name, serviceRule(name, s, family)));
    jumps.push([...matchExprs(s.match), { jump: { target: name } }]);
  });
  cmds.push(chain('prerouting', { type: 'nat', hook: 'prerouting', prio: -100, policy: 'accept' }));
  cmds.push(chain('output', { type: 'nat', hook: 'output', prio: -100, policy: 'accept' }));
  for (const j of jumps) cmds.push(rule('prerouting', j), rule('output', j));
  return { nftables: cmds };
}

/** `nft -j list table inet keepalived_ts` arguments. */
export const NFT_LIST_ARGS = ['-j', 'list', 'table', NFT_FAMILY, NFT_TABLE] as const;

/** Services whose lb_kind nftables can only emulate with DNAT (for the plane's log). */
export function emulatedKinds(services: readonly ServiceState[]): string[] {
  const out = new Set<string>();
  for (const s of services) for (const d of s.destinations) if (d.lbKind !== 'NAT') out.add(d.lbKind);
  return [...out];
}
