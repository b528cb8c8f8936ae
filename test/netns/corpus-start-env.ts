/**
 * @module What a corpus config needs from its host to start, read from its typed model
 * (pure apart from reading the config): the interfaces it names, the addresses those
 * interfaces need, and every script path it would run.
 *
 * Addresses, decided as an operator would set the box up:
 * - every interface gets one IPv4 address of its own (10.254.N.1/24, a range no corpus
 *   config uses), because keepalived puts an instance whose interface has no IPv4 address
 *   in FAULT; IPv6 instances use the link-local address the kernel gives every interface;
 * - `unicast_src_ip` goes on the instance's interface, with a /24 that also holds the
 *   peers when they share it; peers elsewhere are reached by an on-link default route on
 *   that interface (adverts must be routable, or every send fails);
 * - checker `bindto` addresses go on `lo` (a checker cannot bind an address the host lacks);
 * - an `smtp_server` given as an address goes on `lo`, where the test runs an SMTP sink
 *   (alerts are delivered, not refused for want of a mail server);
 * - virtual server addresses are not added: the nftables plane DNATs them without owning
 *   them, and where VRRP owns them the VIP appears when the instance becomes MASTER.
 */
import { realpathSync } from 'node:fs';
import { loadConfig } from '../../src/config/load.js';
import type { Config, IpPrefix, ScriptCommand } from '../../src/config/model.js';
import { nodeFileSystem } from '../../src/config/source.js';
import { parseIpPrefix } from '../../src/config/values.js';

export interface CorpusNeeds {
  readonly config: Config;
  /** Interface names to create, in a stable order. */
  readonly interfaces: readonly string[];
  /** `ip addr add` arguments per interface (`lo` included when needed). */
  readonly addresses: ReadonlyMap<string, readonly string[]>;
  /** Interfaces that need a default route (unicast peers off their subnet). */
  readonly defaultRoutes: readonly string[];
  /** Absolute script paths (argv[0] of every script the config names). */
  readonly scripts: readonly string[];
}

export function loadCorpusModel(dir: string, path: string, configId: string): Config {
  const r = loadConfig(path, { fs: nodeFileSystem, configId, cwd: dir });
  if (!r.config) throw new Error(`${path}: cannot be read`);
  return r.config;
}

/** Every ScriptCommand anywhere in the model (notify, trackers, checkers, fifos, quorum). */
function scriptCommands(value: unknown, out: ScriptCommand[] = []): ScriptCommand[] {
  if (Array.isArray(value)) for (const v of value) scriptCommands(v, out);
  else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (Array.isArray(o.argv) && typeof o.text === 'string') out.push(o as unknown as ScriptCommand);
    for (const v of Object.values(o)) scriptCommands(v, out);
  }
  return out;
}

/** Interface names under keys that name one (instance, tracking, addresses, routes, sync daemon). */
function interfaceNames(config: Config): string[] {
  const names = new Set<string>();
  const add = (n: string | undefined) => {
    if (n) names.add(n);
  };
  for (const i of config.vrrpInstances) {
    add(i.interface);
    for (const t of i.trackInterfaces) add(t.name);
    for (const a of [...i.virtualAddresses, ...i.excludedAddresses]) add(a.dev);
    for (const r of i.virtualRoutes) {
      add(r.dev);
      for (const h of r.nexthops) add(h.dev);
    }
    for (const r of i.virtualRules) {
      add(r.iif);
      add(r.oif);
    }
  }
  for (const g of config.vrrpSyncGroups) for (const t of g.trackInterfaces) add(t.name);
  for (const a of config.staticAddresses) add(a.dev);
  for (const r of config.staticRoutes) {
    add(r.dev);
    for (const h of r.nexthops) add(h.dev);
  }
  for (const r of config.staticRules) {
    add(r.iif);
    add(r.oif);
  }
  add(config.global.lvsSyncDaemon?.interface);
  for (const vs of config.virtualServers)
    for (const rs of vs.realServers) for (const c of rs.checkers) add(c.bindIf);
  names.delete('lo');
  return [...names];
}

const sameSlash24 = (a: IpPrefix, b: IpPrefix) =>
  a.family === 4 &&
  b.family === 4 &&
  a.address.split('.').slice(0, 3).join('.') === b.address.split('.').slice(0, 3).join('.');

function withPrefix(a: IpPrefix, len: number): string {
  return `${a.address}/${len}`;
}

/** Resolves a script's argv[0] as keepalived does: absolute, else relative to `dir`, else on PATH. */
function scriptPath(argv0: string, dir: string): string {
  if (argv0.startsWith('/')) return argv0;
  if (argv0.includes('/')) return `${dir}/${argv0}`;
  return `/usr/local/sbin/${argv0}`;
}

export function corpusNeeds(config: Config, dir: string, extraInterfaces: readonly string[]): CorpusNeeds {
  const interfaces = [...new Set([...extraInterfaces, ...interfaceNames(config)])].filter((n) => n !== 'lo');
  const addresses = new Map<string, string[]>();
  const push = (dev: string, a: string) => {
    const list = addresses.get(dev) ?? [];
    if (!list.includes(a)) list.push(a);
    addresses.set(dev, list);
  };
  const defaultRoutes = new Set<string>();
  interfaces.forEach((name, n) => {
    push(name, `10.254.${n + 1}.1/24`);
  });
  for (const i of config.vrrpInstances) {
    const src = i.unicastSrcIp;
    if (!src || !i.interface) continue;
    const v4 = src.family === 4;
    push(i.interface, withPrefix(src, v4 ? 24 : 64));
    if (i.unicastPeers.some((p) => !(v4 ? sameSlash24(p.address, src) : false)))
      defaultRoutes.add(i.interface);
  }
  for (const vs of config.virtualServers)
    for (const rs of vs.realServers)
      for (const c of rs.checkers)
        if (c.bindTo) push('lo', withPrefix(c.bindTo, c.bindTo.family === 4 ? 32 : 128));
  const smtp = smtpSink(config);
  if (smtp) push('lo', withPrefix(smtp.address, smtp.address.family === 4 ? 32 : 128));
  const scripts = [...new Set(scriptCommands(config).map((s) => scriptPath(s.argv[0] ?? '', dir)))].filter(
    (p) => p !== '' && !p.endsWith('/'),
  );
  return { config, interfaces, addresses, defaultRoutes: [...defaultRoutes], scripts };
}

/** The deepest existing directory on the way to `path` (real path), and the rest of the way. */
export function existingAncestor(path: string): { dir: string; rest: string[] } {
  const parts = path.split('/').filter(Boolean);
  const rest: string[] = [parts.pop()!];
  for (;;) {
    const candidate = `/${parts.join('/')}`;
    try {
      return { dir: realpathSync(candidate), rest };
    } catch {
      rest.unshift(parts.pop()!);
    }
  }
}

/** Addresses first..last of a `virtual_server_group` range (the last IPv4 octet or IPv6 group varies). */
function rangeAddresses(first: IpPrefix, last: IpPrefix): string[] {
  const sep = first.family === 4 ? '.' : ':';
  const parts = first.address.split(sep);
  const radix = first.family === 4 ? 10 : 16;
  const from = Number.parseInt(parts.at(-1) || '0', radix);
  const to = Number.parseInt(last.address.split(sep).at(-1) || '0', radix);
  const out: string[] = [];
  for (let v = from; v <= to; v++) out.push([...parts.slice(0, -1), v.toString(radix)].join(sep));
  return out;
}

/**
 * The services the config asks for, as `address port` / `fwmark N` keys: what the
 * nftables table must match (virtual server groups expanded as keepalived does).
 */
export function expectedServiceKeys(config: Config): string[] {
  const keys = new Set<string>();
  for (const vs of config.virtualServers) {
    if (vs.kind === 'address' && vs.address) keys.add(`${vs.address.address} ${vs.port ?? 0}`);
    else if (vs.kind === 'fwmark') keys.add(`fwmark ${vs.fwmark}`);
    else if (vs.kind === 'group') {
      const group = config.virtualServerGroups.find((g) => g.name === vs.group);
      for (const e of group?.entries ?? []) {
        if (e.kind === 'fwmark') keys.add(`fwmark ${e.fwmark}`);
        else for (const a of rangeAddresses(e.first, e.last)) keys.add(`${a} ${e.port}`);
      }
    }
  }
  return [...keys].sort();
}

/** The notify scripts (instances' and sync groups'), resolved as {@link corpusNeeds} resolves scripts. */
export function notifyScriptPaths(config: Config, dir: string): Set<string> {
  const sources = [
    ...config.vrrpInstances.flatMap((i) => [i.notify, { x: i.notifyMasterRxLowerPri }]),
    ...config.vrrpSyncGroups.map((g) => g.notify),
  ];
  return new Set(scriptCommands(sources).map((s) => scriptPath(s.argv[0] ?? '', dir)));
}

/** Where the config sends SMTP alerts, when smtp_server is an address (names need DNS). */
export function smtpSink(config: Config): { address: IpPrefix; port: number } | undefined {
  const server = config.global.smtpServer;
  const address = server && parseIpPrefix(server.host, false);
  return server && address ? { address, port: server.port } : undefined;
}
