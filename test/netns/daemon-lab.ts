/**
 * @module Namespace lab for the daemon tests: a LAN namespace holding a bridge, hosts
 * joined to it by veth (their side is `eth0`), 10.x addresses only, and daemons
 * (keepalived-ts through `bin/keepalived-ts -n -l -D`, or keepalived 2.2.7) run inside
 * the hosts with `ip netns exec`. Names are unique per run (`kts-d-<pid>-<n>`);
 * `cleanup()` kills every daemon it started (by pid) and deletes every namespace, also
 * after a failure; namespaces of dead earlier runs are swept at construction.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { controlRequest } from '../../src/daemon/control-client.js';
import { nativeAvailable } from '../../src/native/binding.js';

export const BIN = fileURLToPath(new URL('../../../bin/keepalived-ts', import.meta.url));

export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Why these tests cannot run here, or null. */
/** keepalived 2.2.7 in the foreground with its pid files in `dir`. */
export function keepalivedArgv(dir: string, name: string, conf: string): string[] {
  const p = (s: string) => join(dir, `${name}.${s}`);
  return [
    'keepalived',
    '-n',
    '-l',
    '-D',
    '-f',
    conf,
    '-p',
    p('pid'),
    '-r',
    p('vrrp.pid'),
    '-c',
    p('check.pid'),
    // Its own BFD pid file too: the default /run/keepalived_bfd.pid of a keepalived another
    // test runs makes this one exit with "daemon is already running".
    '-b',
    p('bfd.pid'),
  ];
}

export function labUnavailable(needKeepalived = false): string | null {
  if (process.getuid?.() !== 0) return 'needs root for network namespaces and raw sockets';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'iproute2 (ip) is not installed';
  }
  if (!nativeAvailable()) return 'native addon not built (make native)';
  if (needKeepalived) {
    try {
      execFileSync('keepalived', ['--version'], { stdio: 'ignore' });
    } catch {
      return 'keepalived is not installed (apt-get install keepalived)';
    }
  }
  return null;
}

/** A daemon process: its log lines (stdout+stderr) and exit. */
export class Daemon {
  readonly child: ChildProcess;
  readonly lines: { atMs: number; text: string }[] = [];
  readonly exited: Promise<number | null>;
  readonly socket: string;
  readonly name: string;
  #waiters: (() => void)[] = [];

  constructor(name: string, ns: string, argv: string[], socket: string) {
    this.name = name;
    this.socket = socket;
    this.child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: stream }).on('line', (text) => {
        this.lines.push({ atMs: performance.now(), text });
        for (const w of this.#waiters.splice(0)) w();
      });
    }
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    void this.exited.then(() => {
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the first line (at or after index `from`) matching `re`. */
  async waitFor(re: RegExp, timeoutMs = 10_000, from = 0): Promise<{ atMs: number; text: string }> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.slice(from).find((l) => re.test(l.text));
      if (hit) return hit;
      if (!this.running || performance.now() > deadline) {
        throw new Error(`${this.name}: no line matching ${re} (running ${this.running})\n${this.log()}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - performance.now()));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  log(): string {
    return this.lines.map((l) => `  ${this.name}| ${l.text}`).join('\n');
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running) this.child.kill(sig);
  }

  async status(): Promise<StatusJson> {
    return JSON.parse(await controlRequest(this.socket, 'status json')) as StatusJson;
  }
}

export type StatusJson = {
  pid: number;
  instances: {
    name: string;
    state: string;
    priority: number;
    effectivePriority: number;
    masterAddress: string | null;
    stats: Record<string, number | string>;
    drops: { reason: string; counter: string; count: number }[];
  }[];
  /** VIPs put back after another process deleted them. */
  vipRestores: number;
};

let counter = 0;

function sweepStale(): void {
  let names: string[] = [];
  try {
    names = ip('netns', 'list')
      .split('\n')
      .map((l) => l.split(' ')[0] ?? '');
  } catch {
    return;
  }
  for (const n of names) {
    const m = /^kts-d-(\d+)-\d+$/.exec(n);
    if (m === null || existsSync(`/proc/${m[1]}`)) continue;
    try {
      ip('netns', 'del', n);
    } catch {
      // raced
    }
  }
}

export class DaemonLab {
  readonly dir = mkdtempSync(join(tmpdir(), 'kts-d-'));
  readonly #namespaces: string[] = [];
  readonly #daemons: Daemon[] = [];
  readonly lan: string;

  constructor() {
    sweepStale();
    process.once('exit', () => this.#deleteNamespaces());
    this.lan = this.#namespace();
    ip('-n', this.lan, 'link', 'add', 'br0', 'type', 'bridge', 'forward_delay', '0');
    ip('-n', this.lan, 'link', 'set', 'br0', 'up');
  }

  #namespace(): string {
    const name = `kts-d-${process.pid}-${counter++}`;
    ip('netns', 'add', name);
    this.#namespaces.push(name);
    ip('-n', name, 'link', 'set', 'lo', 'up');
    for (const key of ['all', 'default']) {
      execFileSync('ip', ['netns', 'exec', name, 'sysctl', '-qw', `net.ipv6.conf.${key}.accept_dad=0`]);
    }
    return name;
  }

  /** A host on the LAN with `eth0` at `address` (e.g. 10.100.1.21/24). */
  host(address: string): string {
    const ns = this.#namespace();
    const peer = `kd${process.pid % 100000}h${counter++}`.slice(0, 15);
    ip('link', 'add', peer, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    ip('link', 'set', peer, 'netns', this.lan);
    ip('-n', this.lan, 'link', 'set', peer, 'master', 'br0', 'up');
    ip('-n', ns, 'addr', 'add', address, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    return ns;
  }

  file(name: string, text: string, mode = 0o644): string {
    const p = join(this.dir, name);
    writeFileSync(p, text, { mode });
    return p;
  }

  /** Starts keepalived-ts in `ns`; waits until its control socket answers. */
  async kts(name: string, ns: string, conf: string, extra: string[] = []): Promise<Daemon> {
    const socket = join(this.dir, `${name}.sock`);
    const argv = [process.execPath, BIN, '-n', '-l', '-D', '-f', conf, '--control-socket', socket, ...extra];
    const d = new Daemon(name, ns, argv, socket);
    this.#daemons.push(d);
    await d.waitFor(/Control socket .* ready/);
    return d;
  }

  /** Starts keepalived 2.2.7 in `ns`. */
  keepalived(name: string, ns: string, conf: string): Daemon {
    const argv = keepalivedArgv(this.dir, name, conf);
    const d = new Daemon(name, ns, argv, '');
    this.#daemons.push(d);
    return d;
  }

  /** IPv4/IPv6 addresses on `dev` in `ns` (`ip -j addr`). */
  addresses(ns: string, dev = 'eth0'): string[] {
    const out = JSON.parse(ip('-n', ns, '-j', 'addr', 'show', 'dev', dev)) as {
      addr_info: { local: string; prefixlen: number }[];
    }[];
    return out.flatMap((l) => l.addr_info.map((a) => `${a.local}/${a.prefixlen}`));
  }

  async stop(d: Daemon, timeoutMs = 5000): Promise<number | null> {
    d.signal('SIGTERM');
    const t = setTimeout(() => d.signal('SIGKILL'), timeoutMs);
    const code = await d.exited;
    clearTimeout(t);
    return code;
  }

  #deleteNamespaces(): void {
    for (const ns of this.#namespaces.splice(0)) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
  }

  async cleanup(): Promise<void> {
    for (const d of this.#daemons) d.signal('SIGTERM');
    const kill = setTimeout(() => {
      for (const d of this.#daemons) d.signal('SIGKILL');
    }, 3000);
    await Promise.all(this.#daemons.map((d) => d.exited));
    clearTimeout(kill);
    this.#deleteNamespaces();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls `pred` every 10 ms until true; resolves with the time it became true. */
export async function until(pred: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (!pred()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now();
}

export function vrrpConf(o: {
  state: 'MASTER' | 'BACKUP';
  priority: number;
  vip?: string;
  vrid?: number;
  /** 'none': no authentication block (VRRPv3). */
  auth?: 'PASS' | 'AH' | 'none';
  extra?: string;
  globalDefs?: string;
}): string {
  return `${o.globalDefs ? `global_defs {\n${o.globalDefs}\n}\n` : ''}vrrp_instance VI_1 {
        state ${o.state}
        interface eth0
        virtual_router_id ${o.vrid ?? 51}
        priority ${o.priority}
        advert_int 1
${o.auth === 'none' ? '' : `        authentication {\n              auth_type ${o.auth ?? 'PASS'}\n              auth_pass 12345\n        }\n`}        virtual_ipaddress {
              ${o.vip ?? '10.100.1.20/24'}
        }
${o.extra ?? ''}}
`;
}

/**
 * The MAC in the first ARP reply for `address` that `ns` sees on eth0 after `probe()` (a
 * packet to the address that makes `ns` resolve it). Reads the reply itself with tcpdump,
 * not the neighbour table: the host answering may also ARP for the client with the VIP as
 * sender (to send its ICMP reply), which rewrites the client's entry for the VIP with
 * whatever MAC that request left from.
 */
export async function arpReplyMac(ns: string, address: string, probe: () => void): Promise<string | null> {
  const hex = address
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0'))
    .join('');
  const filter = `arp and arp[6:2] == 2 and arp[14:4] == 0x${hex}`;
  const dump = spawn(
    'ip',
    ['netns', 'exec', ns, 'timeout', '8', 'tcpdump', '-l', '-n', '-c', '1', '-i', 'eth0', filter],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  dump.stdout!.on('data', (d: Buffer) => (out += d));
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, 3000);
    dump.stderr!.on('data', (d: Buffer) => {
      if (d.toString().includes('listening on')) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  try {
    execFileSync('ip', ['-n', ns, 'neigh', 'flush', 'to', address], { stdio: 'ignore' });
  } catch {
    // nothing to flush
  }
  const send = setInterval(probe, 500);
  probe();
  await new Promise((r) => dump.on('exit', r));
  clearInterval(send);
  return (
    new RegExp(`${address.replaceAll('.', '\\.')} is-at (\\S+)`).exec(out)?.[1]?.replace(/,$/, '') ?? null
  );
}
