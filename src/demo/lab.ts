/**
 * @module The demo's network: namespaces `kts-<pid>-demo-{lan,server1,server2,client}`,
 * a bridge in the lan namespace and one veth per host (eth0 inside the host), with the
 * article's addresses (10.100.1.0/24) only inside them. Daemons run with `ip netns
 * exec`, their log lines stamped with the wall time they arrived. `destroy()` kills
 * every process in the namespaces and deletes them; it also runs on exit and Ctrl-C.
 * (The test harness in test/netns/harness does the same with more knobs; the demo
 * keeps its own copy so that nothing under src/ imports tests.)
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

/** Wall-clock ms with sub-ms resolution. */
export const wallMs = (): number => performance.timeOrigin + performance.now();

function run(args: readonly string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr?.trim() ?? r.error?.message}`);
  return r.stdout;
}

export interface DemoHost {
  readonly ns: string;
  readonly port: string;
  readonly mac: string;
  readonly v4: string;
}

/** A daemon in a namespace with its timestamped output lines. */
export class NsProcess {
  readonly child: ChildProcess;
  readonly lines: { t: number; text: string }[] = [];
  #wake: Array<() => void> = [];

  constructor(ns: string, argv: readonly string[]) {
    this.child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const s of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: s }).on('line', (text) => {
        this.lines.push({ t: wallMs(), text });
        for (const w of this.#wake.splice(0)) w();
      });
    }
    this.child.on('exit', () => {
      for (const w of this.#wake.splice(0)) w();
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The first line at index >= from matching re; rejects after timeoutMs or on exit. */
  async waitFor(re: RegExp, timeoutMs: number, from = 0): Promise<{ t: number; text: string }> {
    const deadline = wallMs() + timeoutMs;
    for (let i = 0; i < 100_000; i++) {
      const hit = this.lines.slice(from).find((l) => re.test(l.text));
      if (hit) return hit;
      const left = deadline - wallMs();
      if (left <= 0 || !this.running) {
        const tail = this.lines.slice(-15).map((l) => `    ${l.text}`);
        throw new Error(`no log line matching ${re} within ${timeoutMs} ms\n${tail.join('\n')}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    throw new Error('waitFor gave up');
  }
}

export class DemoLab {
  readonly dir = mkdtempSync(join(tmpdir(), 'kts-demo-'));
  readonly lan: string;
  readonly hosts = new Map<string, DemoHost>();
  readonly #namespaces: string[] = [];
  readonly #procs: NsProcess[] = [];
  #destroyed = false;

  constructor() {
    const onSignal = () => {
      this.destroy();
      process.exit(130);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.once('exit', () => this.destroy());
    this.lan = this.#namespace('lan');
    run(['-n', this.lan, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
    run(['-n', this.lan, 'link', 'set', 'br0', 'up']);
  }

  #namespace(role: string): string {
    const ns = `kts-${process.pid}-demo-${role}`;
    run(['netns', 'add', ns]);
    this.#namespaces.push(ns);
    run(['-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /** Adds host `role` at 10.100.1.<n>/24 with MAC 02:00:0a:64:01:<n>. */
  addHost(role: string, n: number): DemoHost {
    const ns = this.#namespace(role);
    const port = `p-${role}`.slice(0, 15);
    const mac = `02:00:0a:64:01:${n.toString(16).padStart(2, '0')}`;
    run(['-n', this.lan, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    run(['-n', this.lan, 'link', 'set', port, 'master', 'br0', 'up']);
    run(['-n', ns, 'link', 'set', 'eth0', 'address', mac]);
    run(['-n', ns, 'addr', 'add', `10.100.1.${n}/24`, 'dev', 'eth0']);
    run(['-n', ns, 'link', 'set', 'eth0', 'up']);
    const host = { ns, port, mac, v4: `10.100.1.${n}` };
    this.hosts.set(role, host);
    return host;
  }

  host(role: string): DemoHost {
    const h = this.hosts.get(role);
    if (!h) throw new Error(`no host ${role}`);
    return h;
  }

  spawn(role: string, argv: readonly string[]): NsProcess {
    const p = new NsProcess(this.host(role).ns, argv);
    this.#procs.push(p);
    return p;
  }

  /** Sets the bridge port of `role` down or up (a pulled cable); returns the wall time after. */
  setLink(role: string, state: 'up' | 'down'): number {
    run(['-n', this.lan, 'link', 'set', this.host(role).port, state]);
    return wallMs();
  }

  brief(role: string): string {
    return run(['-n', this.host(role).ns, '-brief', 'address', 'show']).trimEnd();
  }

  /** The client's neighbour entry (MAC) for `addr`, or ''. */
  neighbourMac(role: string, addr: string): string {
    const out = run(['-j', '-n', this.host(role).ns, 'neigh', 'show', 'to', addr]).trim();
    const entries = (out === '' ? [] : JSON.parse(out)) as { lladdr?: string }[];
    return entries[0]?.lladdr ?? '';
  }

  /** Kills everything in our namespaces and deletes them. Idempotent, never throws. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const p of this.#procs) if (p.running) p.child.kill('SIGKILL');
    for (const ns of this.#namespaces.reverse()) {
      const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
      for (const pid of pids.split('\n').filter((s) => s !== '')) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone
        }
      }
      spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
