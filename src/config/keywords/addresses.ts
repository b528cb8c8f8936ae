/**
 * @module Lines of `virtual_ipaddress`, `static_ipaddress`, `virtual_routes`,
 * `static_routes`, `virtual_rules` and `static_rules` blocks, as `ip address`, `ip route`
 * and `ip rule` would read them, with keepalived's diagnostics.
 */
import type { ListItem, Word } from '../ast.js';
import type { DiagnosticSink } from '../diagnostic.js';
import type { AddressScope, IpPrefix, RouteSpec, RuleSpec, VirtualAddress } from '../model.js';
import { parseIpPrefix } from '../values.js';

const SCOPES: Readonly<Record<string, AddressScope>> = {
  global: 'global',
  site: 'site',
  link: 'link',
  host: 'host',
  nowhere: 'nowhere',
};

function loc(item: ListItem, w: Word | undefined) {
  return { ...item.loc, col: w?.col ?? item.loc.col };
}

/** One `virtual_ipaddress` line; `what` is the wording keepalived uses for the block. */
export function parseAddressItem(
  diags: DiagnosticSink,
  item: ListItem,
  invalidMessage: (text: string) => string,
): VirtualAddress | undefined {
  const [first, ...rest] = item.words;
  if (!first) return undefined;
  const ip = parseIpPrefix(first.text);
  if (!ip) {
    diags.error('semantic', invalidMessage(first.text), loc(item, first), {
      text: first.text,
      hint: 'write an IPv4 or IPv6 address, optionally with /prefix',
    });
    return undefined;
  }
  const out: {
    -readonly [K in keyof VirtualAddress]: VirtualAddress[K];
  } = { ...ip, noPrefixRoute: false, homeAddress: false, noDad: false, loc: loc(item, first) };
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    const next = rest[i + 1];
    const takeValue = (): string | undefined => {
      if (!next) {
        diags.error('syntax', `virtual address option '${w.text}' needs a value`, loc(item, w), {
          text: w.text,
        });
        return undefined;
      }
      i++;
      return next.text;
    };
    switch (w.text) {
      case 'dev': {
        const v = takeValue();
        if (v !== undefined) out.dev = v;
        break;
      }
      case 'label': {
        const v = takeValue();
        if (v !== undefined) out.label = v;
        break;
      }
      case 'brd':
      case 'broadcast': {
        const v = takeValue();
        if (v !== undefined) out.broadcast = v;
        break;
      }
      case 'scope': {
        const v = takeValue();
        if (v === undefined) break;
        const scope = SCOPES[v] ?? (/^\d+$/.test(v) ? Number(v) : undefined);
        if (scope === undefined)
          diags.error('semantic', `Invalid scope '${v}'`, loc(item, next), {
            text: v,
            hint: 'use global, site, link, host or nowhere',
          });
        else out.scope = scope;
        break;
      }
      case 'peer': {
        const v = takeValue();
        const p = v === undefined ? undefined : parseIpPrefix(v);
        if (p) out.peer = p;
        else if (v !== undefined)
          diags.error('semantic', `Invalid peer address ${v}`, loc(item, next), { text: v });
        break;
      }
      case 'home':
        out.homeAddress = true;
        break;
      case '-nodad':
      case 'nodad':
        out.noDad = true;
        break;
      case 'noprefixroute':
        out.noPrefixRoute = true;
        break;
      case 'autojoin':
        break;
      case 'track':
      case 'no_track':
        out.track = w.text;
        break;
      case 'use_vmac':
        out.useVmac = true;
        break;
      default:
        diags.error(
          'syntax',
          `Unknown configuration entry '${w.text}' for ip address - ignoring`,
          loc(item, w),
          { text: w.text },
        );
    }
  }
  return out;
}

const ROUTE_TYPES = new Set([
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'local',
  'broadcast',
  'multicast',
  'nat',
]);
const ROUTE_VALUE_OPTIONS = new Set([
  'table',
  'metric',
  'preference',
  'priority',
  'protocol',
  'scope',
  'mtu',
  'advmss',
  'rtt',
  'rttvar',
  'reordering',
  'window',
  'cwnd',
  'ssthresh',
  'realms',
  'rto_min',
  'initcwnd',
  'initrwnd',
  'features',
  'quickack',
  'congctl',
  'pref',
  'fastopen_no_cookie',
  'tos',
  'dsfield',
  'expires',
  'hoplimit',
  'ttl-propagate',
  'encap',
]);

/** One route line: `[type] dst [src ADDR] [via|gw ADDR] [dev IF] [table N] [metric N] ...`. */
/**
 * One route line. `tracked` routes (virtual_routes) need an interface to be watched;
 * keepalived warns about those that have none unless they say `no_track`.
 */
export function parseRouteItem(
  diags: DiagnosticSink,
  item: ListItem,
  tracked = false,
): RouteSpec | undefined {
  const words = [...item.words];
  const route: { -readonly [K in keyof RouteSpec]: RouteSpec[K] } & {
    options: Record<string, string>;
    nexthops: RouteSpec['nexthops'][number][];
  } = {
    type: 'unicast',
    onlink: false,
    options: {},
    nexthops: [],
    loc: item.loc,
  };
  if (words[0] && ROUTE_TYPES.has(words[0].text)) route.type = words.shift()!.text as RouteSpec['type'];
  const destination = (w: Word): boolean => {
    const dst =
      w.text === 'default'
        ? ({ family: 4, address: '0.0.0.0', prefixLen: 0 } as const)
        : parseIpPrefix(w.text);
    if (!dst) {
      diags.error('semantic', `Invalid route destination ${w.text}`, loc(item, w), { text: w.text });
      return false;
    }
    route.dst = dst;
    return true;
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const v = words[i + 1];
    const addr = (): IpPrefix | undefined => {
      i++;
      const p = v ? parseIpPrefix(v.text) : undefined;
      if (!p)
        diags.error(
          'semantic',
          `Invalid address '${v?.text ?? ''}' for route option ${w.text}`,
          loc(item, v ?? w),
        );
      return p;
    };
    switch (w.text) {
      case 'src': {
        const p = addr();
        if (p) route.src = p;
        break;
      }
      case 'to':
        i++;
        if (v && !destination(v)) return undefined;
        break;
      case 'gw':
      case 'via':
      case 'or': {
        if (w.text === 'gw')
          diags.error('semantic', '"gw" for routes is deprecated. Please use "via"', loc(item, w), {
            text: 'gw',
            hint: 'replace gw with via',
          });
        if (w.text === 'or')
          diags.error('semantic', '"or" for routes is deprecated. Please use "nexthop"', loc(item, w), {
            text: 'or',
            hint: 'write each gateway as nexthop via ADDR',
          });
        const p = addr();
        if (p) route.via = p;
        break;
      }
      case 'dev':
      case 'oif':
        i++;
        if (v) route.dev = v.text;
        break;
      case 'onlink':
        route.onlink = true;
        break;
      case 'nexthop':
        break;
      case 'no_track':
      case 'track':
        route.options[w.text] = 'true';
        break;
      default:
        if (route.dst === undefined && !ROUTE_VALUE_OPTIONS.has(w.text)) {
          if (!destination(w)) return undefined;
        } else if (ROUTE_VALUE_OPTIONS.has(w.text) && v) {
          i++;
          if (w.text === 'table') route.table = /^\d+$/.test(v.text) ? Number(v.text) : v.text;
          else if (w.text === 'metric' || w.text === 'preference' || w.text === 'priority')
            route.metric = Number(v.text);
          else route.options[w.text] = v.text;
        } else diags.error('syntax', `Unknown route option '${w.text}'`, loc(item, w), { text: w.text });
    }
  }
  if (route.dst && tracked && route.dev === undefined && !('no_track' in route.options))
    diags.error(
      'semantic',
      `Warning - cannot track route ${route.dst.address}/${route.dst.prefixLen} with no interface specified, not tracking`,
      item.loc,
      { hint: 'add dev IFNAME, or no_track' },
    );
  if (!route.dst) {
    diags.error('semantic', 'Route has no destination', item.loc, {
      text: item.raw,
      hint: 'write the destination prefix, e.g. 10.0.0.0/8',
    });
    return undefined;
  }
  return route;
}

/** One rule line: `from ADDR to ADDR [table N] [priority N] [fwmark N[/M]] [iif IF] ...`. */
export function parseRuleItem(diags: DiagnosticSink, item: ListItem): RuleSpec | undefined {
  const rule: { -readonly [K in keyof RuleSpec]: RuleSpec[K] } & { options: Record<string, string> } = {
    family: 4,
    options: {},
    loc: item.loc,
  };
  const words = item.words;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const v = words[i + 1];
    const value = (): string | undefined => {
      i++;
      if (!v) diags.error('syntax', `rule option '${w.text}' needs a value`, loc(item, w));
      return v?.text;
    };
    switch (w.text) {
      case 'from':
      case 'to': {
        const t = value();
        if (t === undefined) break;
        const p =
          t === 'all'
            ? { family: rule.family, address: rule.family === 4 ? '0.0.0.0' : '::', prefixLen: 0 }
            : parseIpPrefix(t);
        if (!p) {
          diags.error('semantic', `Invalid rule ${w.text} address ${t}`, loc(item, v), { text: t });
          return undefined;
        }
        rule.family = p.family;
        rule[w.text] = p;
        break;
      }
      case 'priority':
      case 'preference':
      case 'pref': {
        const t = value();
        if (t !== undefined) rule.priority = Number(t);
        break;
      }
      case 'table':
      case 'lookup': {
        const t = value();
        if (t !== undefined) {
          rule.table = /^\d+$/.test(t) ? Number(t) : t;
          rule.action = 'table';
        }
        break;
      }
      case 'goto': {
        const t = value();
        if (t !== undefined) rule.options.goto = t;
        rule.action = 'goto';
        break;
      }
      case 'blackhole':
      case 'unreachable':
      case 'prohibit':
      case 'nop':
        rule.action = w.text;
        break;
      case 'fwmark': {
        const t = value();
        if (t !== undefined) {
          const [mark, mask] = t.split('/');
          rule.fwmark = Number(mark);
          if (mask !== undefined) rule.fwmask = Number(mask);
        }
        break;
      }
      case 'iif':
      case 'dev': {
        const t = value();
        if (t !== undefined) rule.iif = t;
        break;
      }
      case 'oif': {
        const t = value();
        if (t !== undefined) rule.oif = t;
        break;
      }
      case 'no_track':
      case 'track':
      case 'l3mdev':
        rule.options[w.text] = 'true';
        break;
      default: {
        const t = value();
        if (t !== undefined) rule.options[w.text] = t;
      }
    }
  }
  return rule;
}
