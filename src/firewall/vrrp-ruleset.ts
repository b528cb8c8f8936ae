/**
 * @module The VRRP firewall as keepalived 2.2.7 lays it out in nftables, as JSON commands
 * for `nft -j -f`. Pure: no `node:*`.
 *
 * keepalived uses a firewall for two things: no_accept mode (a MASTER that does not own its
 * VIPs drops traffic to and from them) and VMAC hygiene (IGMP/MLD reports leaving a VMAC are
 * duplicated onto its parent and dropped, IPv6 router solicitations from a VMAC dropped). The
 * layout below reproduces what `nft list ruleset` shows for keepalived, per family:
 *
 *   table ip keepalived  { map vmac_map; set vips; chain out; chain in }
 *   table ip6 keepalived { map vmac_map; set vmac_set; set vips; set neighbor-discovery;
 *                          set vips_link_local; chain out; chain in;
 *                          chain in_link_local; chain out_link_local }
 *
 * Only the parts a config needs exist (a VMAC-only config gets the map and one rule). The
 * structure is created once; VIPs move in and out of the sets as instances enter and leave
 * MASTER (`elementCommands`), which keeps counters across transitions.
 */

export type Family = 'ip' | 'ip6';

export interface FirewallSettings {
  /** `nftables TABLENAME` (default keepalived). */
  readonly table: string;
  /** `nftables_priority` (default -1, shown by nft as "filter - 1"). */
  readonly priority: number;
  /** `nftables_counters`: a counter on every rule. */
  readonly counters: boolean;
}

/** Which parts of each family's table the config needs. */
export interface FirewallShape {
  readonly ip: { readonly vips: boolean; readonly vmac: boolean };
  readonly ip6: { readonly vips: boolean; readonly linkLocal: boolean; readonly vmac: boolean };
}

/** The elements the sets and maps hold right now. */
export interface FirewallContents {
  readonly vips4: readonly string[];
  readonly vips6: readonly string[];
  /** IPv6 link-local VIPs with the interface they live on. */
  readonly linkLocal6: readonly { readonly address: string; readonly ifname: string }[];
  /** VMAC interface → its parent, per family the VMAC carries. */
  readonly vmacs4: readonly { readonly vmac: string; readonly parent: string }[];
  readonly vmacs6: readonly { readonly vmac: string; readonly parent: string }[];
}

export const EMPTY_CONTENTS: FirewallContents = {
  vips4: [],
  vips6: [],
  linkLocal6: [],
  vmacs4: [],
  vmacs6: [],
};

type Json = Record<string, unknown>;

export function familiesOf(shape: FirewallShape): Family[] {
  const out: Family[] = [];
  if (shape.ip.vips || shape.ip.vmac) out.push('ip');
  if (shape.ip6.vips || shape.ip6.linkLocal || shape.ip6.vmac) out.push('ip6');
  return out;
}

const payload = (protocol: string, field: string) => ({ payload: { protocol, field } });
const meta = (key: string) => ({ meta: { key } });
const match = (left: unknown, right: unknown) => ({ match: { op: '==', left, right } });

function rule(s: FirewallSettings, family: Family, chain: string, exprs: Json[], verdict: Json): Json {
  const expr = s.counters ? [...exprs, { counter: { packets: 0, bytes: 0 } }, verdict] : [...exprs, verdict];
  return { add: { rule: { family, table: s.table, chain, expr } } };
}

function baseChain(s: FirewallSettings, family: Family, name: 'in' | 'out'): Json {
  const hook = name === 'in' ? 'input' : 'output';
  return {
    add: {
      chain: { family, table: s.table, name, type: 'filter', hook, prio: s.priority, policy: 'accept' },
    },
  };
}

const DROP = { drop: null };
const ACCEPT = { accept: null };

/** The VMAC part: keepalived's map (and, for IPv6, set) and its rules at the head of `out`. */
function vmacObjects(s: FirewallSettings, family: Family): { objects: Json[]; outRules: Json[] } {
  const t = { family, table: s.table };
  const objects: Json[] = [
    { add: { map: { ...t, name: 'vmac_map', type: 'iface_index', map: 'iface_index' } } },
  ];
  const dupToParent = {
    dup: { addr: payload(family, 'daddr'), dev: { map: { key: meta('oif'), data: '@vmac_map' } } },
  };
  const macvlan = match(meta('oifkind'), 'macvlan');
  if (family === 'ip') {
    return {
      objects,
      outRules: [
        rule(s, family, 'out', [match(payload('ip', 'protocol'), 'igmp'), macvlan, dupToParent], DROP),
      ],
    };
  }
  objects.push({ add: { set: { ...t, name: 'vmac_set', type: 'iface_index' } } });
  return {
    objects,
    outRules: [
      rule(
        s,
        family,
        'out',
        [match(payload('icmpv6', 'type'), 'mld2-listener-report'), macvlan, dupToParent],
        DROP,
      ),
      rule(
        s,
        family,
        'out',
        [match(payload('icmpv6', 'type'), 'nd-router-solicit'), macvlan, match(meta('oif'), '@vmac_set')],
        DROP,
      ),
    ],
  };
}

/** The no_accept part of one family: the sets and the rules of `out` and `in`. */
function dropObjects(
  s: FirewallSettings,
  family: Family,
  linkLocal: boolean,
): { objects: Json[]; outRules: Json[]; inRules: Json[]; chains: Json[] } {
  const t = { family, table: s.table };
  if (family === 'ip') {
    return {
      objects: [{ add: { set: { ...t, name: 'vips', type: 'ipv4_addr' } } }],
      outRules: [rule(s, family, 'out', [match(payload('ip', 'saddr'), '@vips')], DROP)],
      inRules: [rule(s, family, 'in', [match(payload('ip', 'daddr'), '@vips')], DROP)],
      chains: [],
    };
  }
  const objects: Json[] = [
    { add: { set: { ...t, name: 'vips', type: 'ipv6_addr' } } },
    {
      add: {
        set: {
          ...t,
          name: 'neighbor-discovery',
          type: 'icmpv6_type',
          flags: ['constant'],
          elem: ['nd-neighbor-solicit', 'nd-neighbor-advert'],
        },
      },
    },
  ];
  if (linkLocal)
    objects.push({ add: { set: { ...t, name: 'vips_link_local', type: ['ipv6_addr', 'iface_index'] } } });
  const linkLocalNet = { prefix: { addr: 'fe80::', len: 10 } };
  const side = (dir: 'in' | 'out') => {
    const addr = payload('ip6', dir === 'in' ? 'daddr' : 'saddr');
    return [
      rule(s, family, dir, [match(payload('icmpv6', 'type'), '@neighbor-discovery')], ACCEPT),
      rule(s, family, dir, [match(addr, linkLocalNet)], { goto: { target: `${dir}_link_local` } }),
      rule(s, family, dir, [match(addr, '@vips')], DROP),
    ];
  };
  const chains: Json[] = [
    { add: { chain: { ...t, name: 'in_link_local' } } },
    { add: { chain: { ...t, name: 'out_link_local' } } },
  ];
  if (linkLocal) {
    for (const dir of ['in', 'out'] as const) {
      const pair = {
        concat: [payload('ip6', dir === 'in' ? 'daddr' : 'saddr'), meta(dir === 'in' ? 'iif' : 'oif')],
      };
      chains.push(rule(s, family, `${dir}_link_local`, [match(pair, '@vips_link_local')], DROP));
    }
  }
  return { objects, outRules: side('out'), inRules: side('in'), chains };
}

/**
 * Commands that (re)create every table the shape needs, atomically replacing any table of
 * the same name left behind (`add` then `delete` then build, in one transaction), and fill it.
 */
export function createCommands(
  s: FirewallSettings,
  shape: FirewallShape,
  contents: FirewallContents,
): Json[] {
  const out: Json[] = [];
  for (const family of familiesOf(shape)) {
    const table = { family, name: s.table };
    out.push({ add: { table } }, { delete: { table } }, { add: { table } });
    const part = family === 'ip' ? shape.ip : shape.ip6;
    const vmac = part.vmac ? vmacObjects(s, family) : { objects: [], outRules: [] };
    const drop = part.vips || (family === 'ip6' && shape.ip6.linkLocal);
    const d = drop
      ? dropObjects(s, family, family === 'ip6' && shape.ip6.linkLocal)
      : { objects: [], outRules: [], inRules: [], chains: [] };
    out.push(...vmac.objects, ...d.objects);
    if (vmac.outRules.length + d.outRules.length > 0) out.push(baseChain(s, family, 'out'));
    if (d.inRules.length > 0) out.push(baseChain(s, family, 'in'));
    out.push(...d.chains.filter((c) => 'chain' in (c.add as Json)));
    out.push(...vmac.outRules, ...d.outRules, ...d.inRules);
    out.push(...d.chains.filter((c) => 'rule' in (c.add as Json)));
  }
  return [...out, ...elementCommands(s, shape, contents)];
}

/** Commands that set every set and map of the shape to `contents` (flush, then add). */
export function elementCommands(s: FirewallSettings, shape: FirewallShape, c: FirewallContents): Json[] {
  const out: Json[] = [];
  const fill = (family: Family, kind: 'set' | 'map', name: string, elem: unknown[]) => {
    out.push({ flush: { [kind]: { family, table: s.table, name } } });
    if (elem.length > 0) out.push({ add: { element: { family, table: s.table, name, elem } } });
  };
  if (shape.ip.vmac)
    fill(
      'ip',
      'map',
      'vmac_map',
      c.vmacs4.map((v) => [v.vmac, v.parent]),
    );
  if (shape.ip.vips) fill('ip', 'set', 'vips', [...c.vips4]);
  if (shape.ip6.vmac) {
    fill(
      'ip6',
      'map',
      'vmac_map',
      c.vmacs6.map((v) => [v.vmac, v.parent]),
    );
    fill(
      'ip6',
      'set',
      'vmac_set',
      c.vmacs6.map((v) => v.vmac),
    );
  }
  if (shape.ip6.vips || shape.ip6.linkLocal) fill('ip6', 'set', 'vips', [...c.vips6]);
  if (shape.ip6.linkLocal)
    fill(
      'ip6',
      'set',
      'vips_link_local',
      c.linkLocal6.map((l) => ({ concat: [l.address, l.ifname] })),
    );
  return out;
}

/** Commands that delete every table of the shape (on stop). */
export function deleteCommands(s: FirewallSettings, shape: FirewallShape): Json[] {
  return familiesOf(shape).flatMap((family) => {
    const table = { family, name: s.table };
    return [{ add: { table } }, { delete: { table } }];
  });
}

/** One `nft -j -f` document. */
export function nftDocument(commands: readonly Json[]): string {
  return JSON.stringify({ nftables: [{ metainfo: { json_schema_version: 1 } }, ...commands] });
}
