/**
 * @module Namespace plumbing for the native-layer tests: run-unique namespace and
 * interface names, veth links, and fixture processes run with `ip netns exec`.
 *
 * Everything created here is owned by a {@link Lab}; `lab.cleanup()` deletes the
 * namespaces (which takes their veths with them) and kills fixture processes.
 * Addresses are 10.x inside those namespaces only.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { nativeAvailable } from '../../src/native/binding.js';

let counter = 0;

/** Why namespace tests cannot run here, or null when they can. */
export function labUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root for network namespaces and raw sockets';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'iproute2 (ip) is not installed';
  }
  if (!nativeAvailable()) return 'native addon not built (make native)';
  if (!existsSync(fixturePath())) return `fixture not compiled: ${fixturePath()}`;
  return null;
}

export function fixturePath(): string {
  return fileURLToPath(new URL('./fixtures/native-peer.js', import.meta.url));
}

export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** One JSON line printed by a fixture. */
export type PeerEvent = { readonly event: string } & Record<string, unknown>;

/** A fixture process running inside a namespace, read line by line as JSON. */
export class Peer {
  readonly child: ChildProcess;
  readonly events: PeerEvent[] = [];
  readonly stderr: string[] = [];
  #waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;

  constructor(ns: string, role: string, args: Record<string, unknown>) {
    this.child = spawn(
      'ip',
      ['netns', 'exec', ns, process.execPath, fixturePath(), role, JSON.stringify(args)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as PeerEvent);
      } catch {
        this.stderr.push(`non-JSON stdout: ${line}`);
      }
      for (const wake of this.#waiters.splice(0)) wake();
    });
    createInterface({ input: this.child.stderr! }).on('line', (line) => this.stderr.push(line));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    this.exited.then(() => {
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Resolves with the first event matching `pred`; rejects after `timeoutMs` or if the process exits first. */
  async waitFor(pred: (e: PeerEvent) => boolean, timeoutMs = 5000): Promise<PeerEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find(pred);
      if (hit !== undefined) return hit;
      if (this.child.exitCode !== null || this.child.signalCode !== null || Date.now() > deadline) {
        throw new Error(
          `fixture: no matching event (exit ${this.child.exitCode}/${this.child.signalCode}); ` +
            `events ${JSON.stringify(this.events)}; stderr ${this.stderr.join('\n')}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** Deletes namespaces kts-<tag>-<pid>-<n> left by earlier runs whose process is gone. */
function sweepStale(tag: string): void {
  let names: string[];
  try {
    names = ip('netns', 'list')
      .split('\n')
      .map((line) => line.split(' ')[0] ?? '');
  } catch {
    return;
  }
  for (const name of names) {
    const m = new RegExp(`^kts-${tag}-(\\d+)-\\d+$`).exec(name);
    if (m === null || existsSync(`/proc/${m[1]}`)) continue;
    try {
      ip('netns', 'del', name);
    } catch {
      // raced with another sweeper
    }
  }
}

/** A set of namespaces and processes for one test file; cleanup() removes all of it. */
export class Lab {
  readonly #namespaces: string[] = [];
  readonly #peers: Peer[] = [];
  readonly tag: string;

  constructor(tag: string) {
    this.tag = tag;
    sweepStale(tag);
    // Last resort if the runner kills us between tests: still leave no namespace behind.
    process.once('exit', () => {
      for (const ns of this.#namespaces.splice(0)) {
        try {
          execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
        } catch {
          // already gone
        }
      }
    });
  }

  /** Creates a namespace named kts-<tag>-<pid>-<n> with lo up and IPv6 DAD off. */
  namespace(): string {
    const name = `kts-${this.tag}-${process.pid}-${counter++}`;
    ip('netns', 'add', name);
    this.#namespaces.push(name);
    ip('-n', name, 'link', 'set', 'lo', 'up');
    for (const key of ['all', 'default']) {
      execFileSync('ip', ['netns', 'exec', name, 'sysctl', '-qw', `net.ipv6.conf.${key}.accept_dad=0`]);
    }
    return name;
  }

  /** A run-unique interface name (IFNAMSIZ allows 15 characters). */
  ifname(suffix: string): string {
    return `k${process.pid % 100000}${counter++}${suffix}`.slice(0, 15);
  }

  /** Starts a fixture inside `ns`. */
  peer(ns: string, role: string, args: Record<string, unknown>): Peer {
    const p = new Peer(ns, role, args);
    this.#peers.push(p);
    return p;
  }

  /** Kills fixtures, then deletes namespaces (their interfaces go with them). Never throws. */
  async cleanup(): Promise<void> {
    for (const p of this.#peers) p.kill();
    await Promise.all(this.#peers.map((p) => p.exited));
    for (const ns of this.#namespaces.splice(0)) {
      try {
        ip('netns', 'del', ns);
      } catch (err) {
        process.stderr.write(`cleanup: could not delete namespace ${ns}: ${String(err)}\n`);
      }
    }
  }
}

/** Two namespaces joined by a veth pair, with fixed MACs, 10.x IPv4 and fe80:: addresses. */
export interface VethPair {
  readonly nsA: string;
  readonly nsB: string;
  readonly ifA: string;
  readonly ifB: string;
  readonly macA: string;
  readonly macB: string;
  readonly v4A: string;
  readonly v4B: string;
  readonly v6A: string;
  readonly v6B: string;
}

export function vethPair(lab: Lab, subnet: number): VethPair {
  const nsA = lab.namespace();
  const nsB = lab.namespace();
  const ifA = lab.ifname('a');
  const ifB = lab.ifname('b');
  const pair: VethPair = {
    nsA,
    nsB,
    ifA,
    ifB,
    macA: '02:00:5e:00:00:0a',
    macB: '02:00:5e:00:00:0b',
    v4A: `10.${subnet}.0.1`,
    v4B: `10.${subnet}.0.2`,
    v6A: 'fe80::a',
    v6B: 'fe80::b',
  };
  ip('-n', nsA, 'link', 'add', ifA, 'address', pair.macA, 'type', 'veth', 'peer', 'name', ifB, 'netns', nsB);
  ip('-n', nsB, 'link', 'set', ifB, 'address', pair.macB);
  for (const [ns, ifname, v4, v6] of [
    [nsA, ifA, pair.v4A, pair.v6A],
    [nsB, ifB, pair.v4B, pair.v6B],
  ] as const) {
    ip('-n', ns, 'link', 'set', ifname, 'addrgenmode', 'none');
    ip('-n', ns, 'addr', 'add', `${v4}/24`, 'dev', ifname);
    ip('-n', ns, 'addr', 'add', `${v6}/64`, 'dev', ifname, 'nodad');
    ip('-n', ns, 'link', 'set', ifname, 'up');
  }
  return pair;
}

/** Bytes of a dotted-quad or colon-hex address (test helper; the real parser lives in src/wire). */
export function addrBytes(text: string): number[] {
  if (text.includes('.')) return text.split('.').map(Number);
  const [head = '', tail = ''] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => {
    const v = Number.parseInt(g, 16);
    return [v >> 8, v & 0xff];
  });
}

export function hex(bytes: ArrayLike<number>): string {
  return Buffer.from(Uint8Array.from(bytes)).toString('hex');
}
