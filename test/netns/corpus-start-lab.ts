/**
 * @module One corpus config's private world: a network namespace holding a bridge per
 * interface the config names (with the addresses corpus-start-env.ts decides), and the
 * command that runs keepalived-ts there inside a private mount namespace where
 * - every script path the config names is a `#!/bin/sh\nexit 0` stub (an overlay on the
 *   deepest existing directory above it, so nothing outside the mount namespace changes
 *   and the config text is used as is);
 * - `/run/netns` is a private tmpfs (configs with `net_namespace` never touch the host's).
 * Names are `kts-cs-<pid>-<n>`; namespaces of dead runs are swept at start.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CorpusNeeds, existingAncestor } from './corpus-start-env.js';

/** A stub that succeeds and records how it was called (one `$0 $*` line in `calls`). */
const stub = (calls: string) => `#!/bin/sh\nprintf '%s\\n' "$0 $*" >> ${calls} 2>/dev/null\nexit 0\n`;

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
}

export function namespaceName(n: number): string {
  return `kts-cs-${process.pid}-${n}`;
}

/** Runs a command without blocking the event loop (several configs run at once). */
function run(
  cmd: string,
  args: readonly string[],
  input = '',
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: 20_000 });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', (e) => resolve({ code: null, out, err: e.message }));
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

async function must(cmd: string, args: readonly string[], input?: string): Promise<void> {
  const r = await run(cmd, args, input);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.code}: ${r.err.trim()}`);
}

function killAll(pids: string): void {
  for (const p of pids
    .split('\n')
    .map(Number)
    .filter((x) => x > 0)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** Kills what still runs in `ns` (the checker child, stubs) and deletes it. Never throws. */
export async function dropCorpusNamespace(ns: string): Promise<void> {
  killAll((await run('ip', ['netns', 'pids', ns])).out);
  await run('ip', ['netns', 'del', ns]);
}

/** The same, synchronously (exit handlers). */
export function removeCorpusNamespace(ns: string): void {
  killAll(spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '');
  spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
}

export function sweepStaleCorpusNamespaces(): void {
  const out = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of out.split('\n')) {
    const m = /^(kts-cs-(\d+)-\d+)/.exec(line);
    if (m && !existsSync(`/proc/${m[2]}`)) removeCorpusNamespace(m[1]!);
  }
}

/** Creates the namespace with its interfaces (bridges, up), addresses and routes. */
export async function buildNamespace(
  ns: string,
  needs: Pick<CorpusNeeds, 'interfaces' | 'addresses' | 'defaultRoutes'>,
): Promise<void> {
  await must('ip', ['netns', 'add', ns]);
  // No DAD: IPv6 link-local addresses are usable at once (IPv6 instances send from them).
  const noDad = 'sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0';
  await must('ip', ['netns', 'exec', ns, 'sh', '-c', noDad]);
  const batch = ['link set lo up'];
  for (const name of needs.interfaces) batch.push(`link add ${name} type bridge`, `link set ${name} up`);
  for (const [dev, list] of needs.addresses) for (const a of list) batch.push(`addr add ${a} dev ${dev}`);
  for (const dev of needs.defaultRoutes) batch.push(`route add default dev ${dev}`);
  await must('ip', ['-n', ns, '-batch', '-'], `${batch.join('\n')}\n`);
}

/**
 * Writes the stubs under `work` and returns the shell lines that mount them: one overlay
 * per existing directory, its upper layer holding the missing path down to the stub.
 * Every call is appended to `work/calls` (readable with {@link stubCalls}).
 */
export function stubMounts(scripts: readonly string[], work: string): string[] {
  mkdirSync(work, { recursive: true, mode: 0o755 });
  chmodSync(work, 0o755);
  const calls = join(work, 'calls');
  writeFileSync(calls, '', { mode: 0o666 });
  chmodSync(calls, 0o666);
  const byDir = new Map<string, string[][]>();
  for (const s of scripts) {
    const { dir, rest } = existingAncestor(s);
    byDir.set(dir, [...(byDir.get(dir) ?? []), rest]);
  }
  const lines: string[] = [];
  [...byDir.keys()]
    .sort((a, b) => a.length - b.length)
    .forEach((dir, n) => {
      const upper = join(work, `stub${n}`, 'upper');
      const ovwork = join(work, `stub${n}`, 'work');
      mkdirSync(ovwork, { recursive: true });
      mkdirSync(upper, { recursive: true, mode: 0o755 });
      chmodSync(upper, 0o755);
      for (const rest of byDir.get(dir)!) {
        const file = join(upper, ...rest);
        mkdirSync(join(file, '..'), { recursive: true, mode: 0o755 });
        writeFileSync(file, stub(calls), { mode: 0o755 });
      }
      lines.push(`mount -t overlay kts-stub -o lowerdir=${dir},upperdir=${upper},workdir=${ovwork} ${dir}`);
    });
  return lines;
}

/**
 * argv (to run under `ip netns exec NS`) that runs `command` with the stubs mounted, in
 * `cwd`. A config's `net_namespace NAME` names this same namespace (a bind mount of it
 * at /run/netns/NAME), so keepalived finds the interfaces there too.
 */
export function wrappedCommand(
  mounts: readonly string[],
  cwd: string,
  command: readonly string[],
  netNamespace?: string,
): string[] {
  const netns =
    netNamespace && /^[\w.-]+$/.test(netNamespace)
      ? [`touch /run/netns/${netNamespace}`, `mount --bind /proc/self/ns/net /run/netns/${netNamespace}`]
      : [];
  const script = [
    'set -e',
    'mount -t tmpfs kts-netns /run/netns',
    ...netns,
    ...mounts,
    'cd "$1"',
    'shift',
    'exec "$@"',
  ];
  return [
    'unshare',
    '--mount',
    '--propagation',
    'private',
    'sh',
    '-c',
    script.join('\n'),
    'sh',
    cwd,
    ...command,
  ];
}

/** Global (non-link-local) addresses per interface, and the interface names: what must be back after stop. */
export function addressSnapshot(ns: string): string[] {
  const links = JSON.parse(ip('-j', '-n', ns, 'addr', 'show')) as {
    ifname: string;
    addr_info: { local: string; prefixlen: number; scope: string }[];
  }[];
  return links
    .flatMap((l) => [
      `link ${l.ifname}`,
      ...l.addr_info.filter((a) => a.scope !== 'link').map((a) => `${l.ifname} ${a.local}/${a.prefixlen}`),
    ])
    .sort();
}

/** Whether keepalived-ts's nftables table exists in `ns`, and its JSON listing. */
export function nftTable(ns: string): string | null {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-j', 'list', 'table', 'inet', 'keepalived_ts'], {
    encoding: 'utf8',
  });
  return r.status === 0 ? r.stdout : null;
}

/** The `address port` / `fwmark N` keys the table's prerouting chain matches on. */
export function tableServiceKeys(listing: string): string[] {
  type Match = { match?: { left?: Record<string, { field?: string; key?: string }>; right?: unknown } };
  const doc = JSON.parse(listing) as { nftables: { rule?: { chain: string; expr: Match[] } }[] };
  const keys = new Set<string>();
  for (const item of doc.nftables) {
    if (item.rule?.chain !== 'prerouting') continue;
    let address = '';
    let port = 0;
    let mark: unknown;
    for (const e of item.rule.expr) {
      const left = e.match?.left ?? {};
      if (left.payload?.field === 'daddr') address = String(e.match?.right);
      if (left.payload?.field === 'dport') port = Number(e.match?.right);
      if (left.meta?.key === 'mark') mark = e.match?.right;
    }
    keys.add(mark !== undefined ? `fwmark ${mark}` : `${address} ${port}`);
  }
  return [...keys].sort();
}

/**
 * What a VRRP daemon changes in a namespace, comparable across two namespaces built alike:
 * links, global addresses, routes of every table and policy rules (`ip -j`, IPv4 and
 * IPv6, without kernel-generated link-local and multicast entries).
 */
export function kernelSnapshot(ns: string): string[] {
  type Route = Record<string, unknown> & { dst: string; dev?: string; table?: string; type?: string };
  const routes = (family: string) =>
    (JSON.parse(ip('-j', '-n', ns, family, 'route', 'show', 'table', 'all') || '[]') as Route[])
      .filter((r) => !/^(fe80:|ff00:|ff02:|multicast)/.test(r.dst) && r.type !== 'multicast')
      .map(
        (r) =>
          `route ${family} ${r.type ?? 'unicast'} ${r.dst} dev ${r.dev ?? '-'} table ${r.table ?? 'main'}${r.gateway ? ` via ${r.gateway}` : ''}${r.metric ? ` metric ${r.metric}` : ''}`,
      );
  const rules = (family: string) =>
    (JSON.parse(ip('-j', '-n', ns, family, 'rule', 'show') || '[]') as Record<string, unknown>[]).map(
      (r) => `rule ${family} ${JSON.stringify(r)}`,
    );
  return [...addressSnapshot(ns), ...routes('-4'), ...routes('-6'), ...rules('-4'), ...rules('-6')].sort();
}

/** The stub calls recorded under `work` (see {@link stubMounts}), one `path args` per call. */
export function stubCalls(work: string): string[] {
  try {
    return readFileSync(join(work, 'calls'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * A minimal SMTP server (greeting, 250 to every command, 354 to DATA, 221 to QUIT) run
 * with `node -e` inside a namespace, so a config's smtp_server accepts the alerts keepalived
 * sends there. Prints "ready" once listening; counts nothing, keeps nothing.
 */
const SMTP_SINK = `
const net = require('node:net');
const [host, port] = process.argv.slice(1);
net.createServer((s) => {
  s.on('error', () => {});
  let data = false, buf = '';
  s.write('220 sink ESMTP\\r\\n');
  s.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\\n')) >= 0) {
      const line = buf.slice(0, i).replace(/\\r$/, '');
      buf = buf.slice(i + 1);
      if (data) { if (line === '.') { data = false; s.write('250 queued\\r\\n'); } continue; }
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === 'DATA') { data = true; s.write('354 go ahead\\r\\n'); }
      else if (verb === 'QUIT') s.end('221 bye\\r\\n');
      else s.write('250 ok\\r\\n');
    }
  });
}).listen(Number(port), host, () => console.log('ready'));
`;

/** argv (to run under `ip netns exec NS`) of an SMTP sink on `host`:`port`. */
export function smtpSinkCommand(host: string, port: number): string[] {
  return [process.execPath, '-e', SMTP_SINK, host, String(port)];
}
