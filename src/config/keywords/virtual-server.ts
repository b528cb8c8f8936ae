/**
 * @module `virtual_server`, `virtual_server_group`, `real_server` and the checker
 * blocks: the LVS half of keepalived.conf, with keepalived 2.2.7's defaults and checks.
 */
import type { Statement } from '../ast.js';
import type {
  CheckerCommon,
  CheckerType,
  HttpUrl,
  LbAlgo,
  LbKind,
  Mutable,
  RealServer,
  TunnelSpec,
  VirtualServer,
  VirtualServerGroup,
} from '../model.js';
import { parseIpPrefix, readBool, readInt, readTimerS, readUnsigned, wordLoc } from '../values.js';
import { applyBlock, arg, type BuildContext, type KeywordTable, lineScript, notifyScript } from './common.js';
import { simpleHandlers } from './simple.js';
import { VIRTUAL_SERVER_SIMPLE } from './simple-tables.js';

type Arr<T> = T extends readonly (infer U)[] ? U[] : T;
type Target<T> = { -readonly [K in keyof T]: Arr<T[K]> };
export type VsTarget = Target<Mutable<VirtualServer>> & { other: Record<string, string[]> };
export type RsTarget = Target<Mutable<RealServer>>;
type CheckerTarget = Mutable<CheckerCommon> & { settings: Record<string, unknown> };

/** IPVS scheduler flags keepalived accepts as bare keywords in virtual_server. */
export const SCHEDULER_FLAGS = [
  'flag-1',
  'flag-2',
  'flag-3',
  'sh-fallback',
  'sh-port',
  'mh-fallback',
  'mh-port',
] as const;

export const LB_ALGOS: readonly LbAlgo[] = [
  'rr',
  'wrr',
  'lc',
  'wlc',
  'lblc',
  'lblcr',
  'dh',
  'sh',
  'sed',
  'nq',
  'mh',
  'fo',
  'ovf',
  'twos',
];
export const CHECKER_TYPES: readonly CheckerType[] = [
  'TCP_CHECK',
  'HTTP_GET',
  'SSL_GET',
  'MISC_CHECK',
  'SMTP_CHECK',
  'DNS_CHECK',
  'UDP_CHECK',
  'PING_CHECK',
  'FILE_CHECK',
  'BFD_CHECK',
];

export function newVirtualServer(stmt: Statement, ctx: BuildContext): VsTarget | undefined {
  const base: VsTarget = {
    loc: stmt.loc,
    kind: 'address',
    // keepalived 2.2.7: no protocol line means UDP (the kernel's reading of protocol 0).
    protocol: 'UDP',
    protocolConfigured: false,
    lbAlgo: 'wlc',
    lbKind: 'NAT',
    lbKindConfigured: false,
    schedulerFlags: [],
    delayLoopS: 60,
    quorum: 1,
    hysteresis: 0,
    sorryServerInhibit: false,
    alpha: false,
    omega: false,
    inhibitOnFailure: false,
    opsFlag: false,
    realServers: [],
    other: {},
  };
  const a = stmt.args[0];
  const b = stmt.args[1];
  if (!a) {
    ctx.diags.error('syntax', 'virtual_server needs an address and port, fwmark N or group NAME', stmt.loc);
    return undefined;
  }
  if (a.text === 'fwmark' || a.text === 'group') {
    if (!b) {
      ctx.diags.error('syntax', `virtual_server ${a.text} needs a value`, stmt.loc);
      return undefined;
    }
    if (a.text === 'fwmark') {
      const mark = readUnsigned(ctx.diags, stmt, b, 1, 4294967295);
      if (mark === undefined) return undefined;
      base.kind = 'fwmark';
      base.fwmark = mark;
      return base;
    }
    base.kind = 'group';
    base.group = b.text;
    return base;
  }
  const ip = parseIpPrefix(a.text, false);
  if (!ip) {
    ctx.diags.error('semantic', `Invalid virtual server IP address ${a.text} - skipping`, wordLoc(stmt, a), {
      text: a.text,
    });
    return undefined;
  }
  const port = b ? readUnsigned(ctx.diags, stmt, b, 0, 65535) : 0;
  if (port === undefined) return undefined;
  // Set in place (not spread into a copy): the same fields in the same order, one object.
  base.address = ip;
  base.port = port;
  base.family = ip.family;
  return base;
}

function timer(key: string, minUs = 1) {
  return (t: Record<string, unknown>, s: Statement, c: BuildContext): void => {
    const v = readTimerS(c.diags, s, arg(c, s), minUs);
    if (v !== undefined) t[key] = v;
  };
}

function count(key: string, min: number, max: number) {
  return (t: Record<string, unknown>, s: Statement, c: BuildContext): void => {
    const v = readUnsigned(c.diags, s, arg(c, s), min, max);
    if (v !== undefined) t[key] = v;
  };
}

/** `KEYWORD [BOOL]`: true when bare, else the word read as keepalived reads booleans. */
function boolOrTrue(key: string) {
  return (t: Record<string, unknown>, s: Statement, c: BuildContext): void => {
    const v = readBool(c.diags, s, s.args[0]);
    if (v !== undefined) t[key] = v;
  };
}

function setTrue(key: string) {
  return (t: Record<string, unknown>): void => {
    t[key] = true;
  };
}

/** The words after `TUN`: `type {ipip|gue port N|gre} [nocsum|csum|remcsum]` (keepalived 2.2.7). */
function tunnelOf(s: Statement, c: BuildContext): TunnelSpec | undefined {
  const words = s.args.slice(1).map((w) => w.text);
  if (words.length === 0) return undefined;
  const bad = (why: string): undefined => {
    c.diags.error('semantic', `lvs_method TUN: ${why}`, wordLoc(s, s.args[1]), { text: words.join(' ') });
    return undefined;
  };
  if (words[0] !== 'type') return bad(`unknown option ${words[0]}`);
  const type = words[1];
  if (type !== 'ipip' && type !== 'gue' && type !== 'gre') return bad(`unknown tunnel type ${type ?? ''}`);
  let i = 2;
  let port: number | undefined;
  if (type === 'gue') {
    if (words[i] !== 'port' || !/^\d+$/.test(words[i + 1] ?? '')) return bad('gue needs port NUM');
    port = Number(words[i + 1]);
    if (port < 1 || port > 65535) return bad(`invalid gue port ${words[i + 1]}`);
    i += 2;
  }
  const csum = words[i];
  if (csum !== undefined && csum !== 'nocsum' && csum !== 'csum' && csum !== 'remcsum')
    return bad(`unknown checksum option ${csum}`);
  if (csum !== undefined && type === 'ipip') return bad('ipip takes no checksum option');
  if (csum === 'remcsum' && type === 'gre') return bad('gre does not support remcsum');
  return { type, ...(port === undefined ? {} : { port }), ...(csum === undefined ? {} : { csum }) };
}

function lbKind(
  t: { lbKind?: LbKind; lbKindConfigured?: boolean; tunnel?: TunnelSpec },
  s: Statement,
  c: BuildContext,
): void {
  const w = arg(c, s);
  if (!w) return;
  if (w.text === 'NAT' || w.text === 'DR' || w.text === 'TUN') {
    t.lbKind = w.text;
    t.lbKindConfigured = true;
    const tunnel = w.text === 'TUN' ? tunnelOf(s, c) : undefined;
    if (tunnel) t.tunnel = tunnel;
    else delete t.tunnel;
  } else
    c.diags.error(
      'semantic',
      `PARSER : unknown [${w.text}] routing method for virtual server.`,
      wordLoc(s, w),
      {
        text: w.text,
        hint: 'use NAT, DR or TUN',
      },
    );
}

const CHECKER_COMMON: KeywordTable<CheckerTarget> = {
  connect_ip: (t, s, c) => {
    const w = arg(c, s);
    const ip = w && parseIpPrefix(w.text, false);
    if (ip) t.connectIp = ip;
    else if (w) c.diags.error('semantic', `Invalid connect_ip address ${w.text}`, wordLoc(s, w));
  },
  connect_port: count('connectPort', 0, 65535),
  bindto: (t, s, c) => {
    const w = arg(c, s);
    const ip = w && parseIpPrefix(w.text, false);
    if (ip) t.bindTo = ip;
    else if (w) c.diags.error('semantic', `Invalid bindto address ${w.text}`, wordLoc(s, w));
  },
  bind_port: count('bindPort', 1, 65535),
  bind_if: (t, s, c) => {
    const w = arg(c, s);
    if (w) t.bindIf = w.text;
  },
  connect_timeout: timer('connectTimeoutS'),
  retry: count('retry', 0, 4294967295),
  nb_get_retry: (t, s, c) => {
    c.diags.error('semantic', "nb_get_retry is deprecated - please use 'retry'", s.loc, {
      hint: 'rename nb_get_retry to retry',
    });
    count('retry', 0, 4294967295)(t, s, c);
  },
  delay_before_retry: timer('delayBeforeRetryS', 0),
  warmup: timer('warmupS', 0),
  delay_loop: timer('delayLoopS'),
  alpha: setTrue('alpha'),
  fwmark: count('fwmark', 0, 4294967295),
};

function url(c: BuildContext, s: Statement): HttpUrl {
  const out: Mutable<HttpUrl> & { statusCodes: { from: number; to: number }[] } = {
    statusCodes: [],
    loc: s.loc,
  };
  for (const sub of s.body ?? []) {
    const w = arg(c, sub);
    if (!w) continue;
    if (sub.keyword === 'path') out.path = w.text;
    else if (sub.keyword === 'digest') out.digest = w.text;
    else if (sub.keyword === 'virtualhost') out.virtualhost = w.text;
    else if (sub.keyword === 'regex') out.regex = sub.args.map((a) => a.text).join(' ');
    else if (sub.keyword === 'status_code')
      for (const a of sub.args) {
        const m = /^(\d{3})(?:-(\d{3}))?$/.exec(a.text);
        if (!m)
          c.diags.error('semantic', `Invalid status_code ${a.text}`, wordLoc(sub, a), {
            hint: 'use NNN or NNN-NNN with codes 100..599',
          });
        else out.statusCodes.push({ from: Number(m[1]), to: Number(m[2] ?? m[1]) });
      }
  }
  return out;
}

/**
 * The settings of a checker that has none (a plain TCP_CHECK): one shared frozen object,
 * where a fresh `{}` each is 56 bytes of every such checker that scavenges copy and
 * fresh pages hold (10,000 real servers: ~0.5 MB). The model's settings are read-only.
 */
const NO_SETTINGS: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/** The checker's own settings object, made on its first setting. */
function ownSettings(t: CheckerTarget): Record<string, unknown> {
  if (t.settings === NO_SETTINGS) t.settings = {};
  return t.settings;
}

function newChecker(type: CheckerType, s: Statement, c: BuildContext): CheckerCommon {
  const t: CheckerTarget = { type, loc: s.loc, settings: NO_SETTINGS };
  const body = s.body ?? [];
  for (let i = 0; i < body.length; i++) {
    const sub = body[i]!;
    const common = CHECKER_COMMON[sub.keyword];
    if (common) common(t, sub, c);
    else if (sub.keyword === 'url') {
      const settings = ownSettings(t);
      settings.urls ??= [];
      (settings.urls as HttpUrl[]).push(url(c, sub));
    } else if (sub.keyword === 'misc_path') {
      const sc = lineScript(c, sub);
      if (sc) ownSettings(t).script = sc;
    } else if (sub.keyword === 'misc_timeout') {
      const v = readUnsigned(c.diags, sub, arg(c, sub), 1, 4294967295);
      if (v !== undefined) ownSettings(t).timeoutS = v;
    } else if (sub.keyword === 'misc_dynamic') ownSettings(t).dynamic = true;
    else
      ownSettings(t)[sub.keyword] = sub.body
        ? sub.body.map((b) => [b.keyword, ...b.args.map((a) => a.text)])
        : sub.args.map((a) => a.text);
  }
  return t;
}

export function newRealServer(s: Statement, c: BuildContext): RsTarget | undefined {
  const a = s.args[0];
  const b = s.args[1];
  const ip = a && parseIpPrefix(a.text, false);
  if (!ip) {
    if (a)
      c.diags.error('semantic', `Invalid real server ip address ${a.text} - skipping`, wordLoc(s, a), {
        text: a.text,
      });
    else c.diags.error('syntax', 'real_server needs an address', s.loc);
    return undefined;
  }
  const port = b ? readUnsigned(c.diags, s, b, 0, 65535) : 0;
  if (port === undefined) return undefined;
  return { address: ip, port, loc: s.loc, weight: 1, checkers: [] };
}

const REAL_SERVER: KeywordTable<RsTarget> = {
  weight: (t, s, c) => {
    const v = readInt(c.diags, s, arg(c, s), 0, 65535);
    if (v !== undefined) t.weight = v;
  },
  lvs_method: lbKind as never,
  lb_kind: lbKind as never,
  inhibit_on_failure: setTrue('inhibitOnFailure') as never,
  notify_up: (t, s, c) => {
    const sc = notifyScript(c, s);
    if (sc) t.notifyUp = sc;
  },
  notify_down: (t, s, c) => {
    const sc = notifyScript(c, s);
    if (sc) t.notifyDown = sc;
  },
  uthreshold: count('uthreshold', 0, 4294967295) as never,
  lthreshold: count('lthreshold', 0, 4294967295) as never,
  delay_loop: timer('delayLoopS') as never,
  retry: count('retry', 0, 4294967295) as never,
  delay_before_retry: timer('delayBeforeRetryS', 0) as never,
  warmup: timer('warmupS', 0) as never,
  connect_timeout: timer('connectTimeoutS') as never,
  alpha: setTrue('alpha') as never,
  virtualhost: (t, s, c) => {
    const w = arg(c, s);
    if (w) t.virtualhost = w.text;
  },
  smtp_alert: boolOrTrue('smtpAlert') as never,
  ...Object.fromEntries(
    CHECKER_TYPES.map((type) => [
      type,
      (t: RsTarget, s: Statement, c: BuildContext) => t.checkers.push(newChecker(type, s, c)),
    ]),
  ),
};

function realServer(t: VsTarget, s: Statement, c: BuildContext): void {
  const rs = newRealServer(s, c);
  if (!rs) return;
  applyBlock(REAL_SERVER, rs, s.body, c);
  // A pushed-to `[]` reserves 17 slots: trimmed, each real server keeps ~140 bytes less
  // (a fifth of it), which every scavenge of a large configuration copies twice.
  if (rs.checkers.length > 0) rs.checkers = rs.checkers.slice();
  t.realServers.push(rs);
}

function sorryServer(t: VsTarget, s: Statement, c: BuildContext): void {
  const [a, b] = s.args;
  const ip = a && parseIpPrefix(a.text, false);
  if (!ip) {
    c.diags.error('semantic', `Invalid sorry_server address ${a?.text ?? ''}`, wordLoc(s, a));
    return;
  }
  const port = b ? readUnsigned(c.diags, s, b, 0, 65535) : 0;
  if (port !== undefined) t.sorryServer = { address: ip, port };
}

export const VIRTUAL_SERVER: KeywordTable<VsTarget> = {
  ...simpleHandlers<VsTarget>(VIRTUAL_SERVER_SIMPLE),
  ...Object.fromEntries(
    SCHEDULER_FLAGS.map((f) => [
      f,
      (t: VsTarget, s: Statement) => {
        if (!t.schedulerFlags.includes(s.keyword)) t.schedulerFlags.push(s.keyword);
      },
    ]),
  ),
  lb_algo: (t, s, c) => VIRTUAL_SERVER.lvs_sched!(t, s, c),
  lvs_sched: (t, s, c) => {
    const w = arg(c, s);
    if (!w) return;
    if ((LB_ALGOS as readonly string[]).includes(w.text)) t.lbAlgo = w.text as LbAlgo;
    else
      c.diags.error('semantic', `Invalid lvs_scheduler '${w.text}' - ignoring`, wordLoc(s, w), {
        text: w.text,
        hint: `use one of ${LB_ALGOS.join(', ')}`,
      });
  },
  lb_kind: lbKind,
  lvs_method: lbKind,
  protocol: (t, s, c) => {
    const w = arg(c, s);
    // keepalived compares case-insensitively (strcasecmp).
    const name = w?.text.toUpperCase();
    if (name === 'TCP' || name === 'UDP' || name === 'SCTP') {
      t.protocol = name;
      t.protocolConfigured = true;
    } else if (w)
      c.diags.error('semantic', `Unknown protocol ${w.text} - ignoring`, wordLoc(s, w), {
        hint: 'use TCP, UDP or SCTP',
      });
  },
  persistence_timeout: (t, s, c) => {
    const w = s.args[0];
    // Bare `persistence_timeout`: keepalived's default, 360 s.
    const v = w ? Number(w.text) : 360;
    if (w && (!/^\d+$/.test(w.text) || v < 1 || v > 2678400)) {
      c.diags.error('semantic', 'persistence_timeout invalid', wordLoc(s, w), {
        text: w?.text ?? '',
        hint: 'persistence_timeout must be 1..2678400 seconds',
      });
      return;
    }
    t.persistenceTimeoutS = v;
  },
  persistence_granularity: (t, s, c) => {
    const w = arg(c, s);
    if (w) t.persistenceGranularity = w.text;
  },
  persistence_engine: (t, s, c) => {
    const w = arg(c, s);
    if (w) t.persistenceEngine = w.text;
  },
  delay_loop: timer('delayLoopS') as never,
  retry: count('retry', 0, 4294967295) as never,
  delay_before_retry: timer('delayBeforeRetryS', 0) as never,
  warmup: timer('warmupS', 0) as never,
  connect_timeout: timer('connectTimeoutS') as never,
  quorum: (t, s, c) => {
    const v = readUnsigned(c.diags, s, arg(c, s), 0, 4294967295);
    if (v === undefined) return;
    if (v < 1 || v > 65535) {
      c.diags.error('semantic', `Quorum ${v} must be in [1, 65535]. Setting to 1.`, wordLoc(s, s.args[0]));
      t.quorum = 1;
    } else t.quorum = v;
  },
  hysteresis: count('hysteresis', 0, 65535) as never,
  quorum_up: (t, s, c) => {
    const sc = notifyScript(c, s);
    if (sc) t.quorumUp = sc;
  },
  quorum_down: (t, s, c) => {
    const sc = notifyScript(c, s);
    if (sc) t.quorumDown = sc;
  },
  sorry_server: sorryServer,
  sorry_server_inhibit: setTrue('sorryServerInhibit') as never,
  sorry_server_lvs_method: (t, s, c) => {
    const w = arg(c, s);
    if (w && t.sorryServer && (w.text === 'NAT' || w.text === 'DR' || w.text === 'TUN')) {
      const tunnel = w.text === 'TUN' ? tunnelOf(s, c) : undefined;
      const { tunnel: _old, ...rest } = t.sorryServer;
      t.sorryServer = { ...rest, lbKind: w.text, ...(tunnel ? { tunnel } : {}) };
    }
  },
  alpha: setTrue('alpha') as never,
  omega: setTrue('omega') as never,
  inhibit_on_failure: setTrue('inhibitOnFailure') as never,
  virtualhost: (t, s, c) => {
    const w = arg(c, s);
    if (w) t.virtualhost = w.text;
  },
  ops: setTrue('opsFlag') as never,
  real_server: realServer,
};

export function virtualServerGroup(name: string, s: Statement, c: BuildContext): VirtualServerGroup {
  const entries: Arr<VirtualServerGroup['entries']> = [];
  for (const item of s.items ?? []) {
    const [a, b] = item.words;
    if (!a) continue;
    const loc = { ...item.loc, col: a.col };
    if (a.text === 'fwmark') {
      const mark = Number(b?.text);
      if (!b || !Number.isInteger(mark))
        c.diags.error('semantic', `virtual_server_group ${name}: invalid fwmark ${b?.text ?? ''}`, loc);
      else entries.push({ kind: 'fwmark', fwmark: mark, loc });
      continue;
    }
    const m = /^(.*?)(?:-([0-9a-fA-F]+))?$/.exec(a.text)!;
    const first = parseIpPrefix(m[1]!, false);
    const port = b ? Number(b.text) : 0;
    if (!first || !Number.isInteger(port) || port < 0 || port > 65535) {
      c.diags.error('semantic', `virtual_server_group ${name}: invalid entry '${item.raw}'`, loc, {
        text: item.raw,
      });
      continue;
    }
    let last = first;
    if (m[2] !== undefined) {
      const parts = first.address.split(first.family === 4 ? '.' : ':');
      parts[parts.length - 1] = first.family === 4 ? String(Number(m[2])) : m[2];
      last = parseIpPrefix(parts.join(first.family === 4 ? '.' : ':'), false) ?? first;
    }
    entries.push({ kind: 'range', first, last, port, loc });
  }
  return { name, loc: s.loc, entries };
}

export function applyVirtualServer(t: VsTarget, s: Statement, c: BuildContext): void {
  applyBlock(VIRTUAL_SERVER, t, s.body, c);
}
