/**
 * `net_namespace NAME`: keepalived-ts started in the root namespace runs VRRP inside
 * /run/netns/NAME, as keepalived 2.2.7 does. A LAN of namespaces (daemon-lab.ts, names
 * unique to the run, deleted afterwards): host A is the namespace the config names, host
 * B runs keepalived 2.2.7 as the backup.
 *
 * - keepalived-ts (priority 150), started with `bin/keepalived-ts -f conf` from the root
 *   namespace, becomes MASTER and holds the VIP in A; keepalived in B stays BACKUP;
 * - every thread of the daemon is in A (same nsfs inode as /run/netns/A), its pid is the
 *   one it was started with (it re-executes itself in place), and its notify_master
 *   script ran in A;
 * - its default control socket is /run/keepalived-ts-NAME.sock, which `status -s NAME` reads;
 * - nothing appears in the root namespace: no VIP, no VRRP socket (/proc/net/raw of root);
 * - SIGTERM: keepalived takes the VIP over in B, keepalived-ts exits 0, A is left without it;
 * - a namespace that does not exist: keepalived's two lines, exit status 0 (as keepalived
 *   2.2.7), no control socket left.
 */

import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { BIN, DaemonLab, labUnavailable, until, vrrpConf } from './daemon-lab.js';

const skip = labUnavailable(true);

/** keepalived-ts started in the root namespace (no `ip netns exec`), its lines collected. */
class RootDaemon {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;

  constructor(argv: readonly string[]) {
    this.child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const s of [this.child.stdout!, this.child.stderr!])
      createInterface({ input: s }).on('line', (l) => this.lines.push(l));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    process.once('exit', () => this.child.kill('SIGKILL'));
  }

  has(re: RegExp): boolean {
    return this.lines.some((l) => re.test(l));
  }

  log(): string {
    return this.lines.map((l) => `  kts| ${l}`).join('\n');
  }
}

/** Addresses of every interface of the namespace `ns` (root when undefined). */
function allAddresses(ns?: string): string[] {
  const args = ns === undefined ? ['-j', 'addr'] : ['-n', ns, '-j', 'addr'];
  const out = JSON.parse(execFileSync('ip', args, { encoding: 'utf8' })) as {
    addr_info: { local: string }[];
  }[];
  return out.flatMap((l) => l.addr_info.map((a) => a.local));
}

/** The nsfs identity of a namespace file. */
function nsId(path: string): string {
  const s = statSync(path);
  return `${s.dev}:${s.ino}`;
}

/** Raw IP sockets for protocol 112 open in the root namespace (hex protocol in /proc/net/raw). */
function rootVrrpSockets(): number {
  const text = readFileSync('/proc/1/net/raw', 'utf8');
  return text.split('\n').filter((l) => /^\s*\d+: [0-9A-F]+:0070 /.test(l)).length;
}

describe('net_namespace: keepalived-ts started in the root namespace runs in the named one', {
  skip: skip ?? false,
}, () => {
  let lab: DaemonLab;
  let kts: RootDaemon | null = null;

  before(() => {
    lab = new DaemonLab();
  });

  after(async () => {
    if (kts !== null && kts.child.exitCode === null) {
      kts.child.kill('SIGTERM');
      const t = setTimeout(() => kts?.child.kill('SIGKILL'), 3000);
      await kts.exited;
      clearTimeout(t);
    }
    await lab.cleanup();
  });

  it('holds the VIP in the namespace with keepalived 2.2.7 as the peer, nothing in the root', async () => {
    const a = lab.host('10.100.1.21/24');
    const b = lab.host('10.100.1.22/24');
    const rootBefore = rootVrrpSockets();
    const nsFile = lab.file('ns-of-notify', '');
    const notify = lab.file('notify.sh', `#!/bin/sh\nreadlink /proc/self/ns/net > ${nsFile}\n`, 0o755);
    const conf = lab.file(
      'kts.conf',
      `net_namespace ${a}\n${vrrpConf({ state: 'BACKUP', priority: 150, extra: `        notify_master ${notify}\n` })}`,
    );
    const peer = lab.keepalived(
      'keepalived',
      b,
      lab.file('ka.conf', vrrpConf({ state: 'BACKUP', priority: 100 })),
    );
    // No --control-socket: the daemon of a namespace has its own default one.
    const socket = `/run/keepalived-ts-${a}.sock`;
    kts = new RootDaemon([process.execPath, BIN, '-n', '-l', '-D', '-f', conf]);
    const pid = kts.child.pid!;
    await until(
      () => kts!.has(/\(VI_1\) Entering MASTER STATE/),
      15_000,
      `keepalived-ts MASTER\n${kts.log()}`,
    );
    await until(() => lab.addresses(a).includes('10.100.1.20/24'), 3000, 'the VIP in A');
    await peer.waitFor(/\(VI_1\) Entering BACKUP STATE/, 10_000);
    assert.ok(!allAddresses(b).includes('10.100.1.20'), 'the backup does not hold the VIP');
    assert.ok(kts.has(/Changing syslog ident to Keepalived_vrrp_/), kts.log());

    // The same process, every thread of it in A.
    const inA = nsId(`/run/netns/${a}`);
    assert.equal(nsId(`/proc/${pid}/ns/net`), inA, 'the daemon is in A');
    for (const task of execFileSync('ls', [`/proc/${pid}/task`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean))
      assert.equal(nsId(`/proc/${pid}/task/${task}/ns/net`), inA, `thread ${task} is in A`);
    await until(() => readFileSync(nsFile, 'utf8').trim() !== '', 3000, 'notify_master ran');
    assert.equal(
      readFileSync(nsFile, 'utf8').trim(),
      `net:[${statSync(`/run/netns/${a}`).ino}]`,
      'notify ran in A',
    );

    // `status -s NAME` finds it.
    assert.ok(existsSync(socket), socket);
    const status = JSON.parse(
      execFileSync(process.execPath, [BIN, 'status', '--json', '-s', a], { encoding: 'utf8' }),
    ) as { pid: number; instances: { state: string }[] };
    assert.equal(status.pid, pid);
    assert.equal(status.instances[0]?.state, 'MASTER');

    // Nothing in the root namespace.
    assert.ok(!allAddresses().includes('10.100.1.20'), 'no VIP in the root namespace');
    assert.equal(rootVrrpSockets(), rootBefore, 'no VRRP socket in the root namespace');

    // Graceful stop: the peer takes over, nothing is left in A.
    kts.child.kill('SIGTERM');
    assert.equal(await kts.exited, 0, kts.log());
    await peer.waitFor(/\(VI_1\) Entering MASTER STATE/, 5000);
    await until(() => allAddresses(b).includes('10.100.1.20'), 3000, 'the VIP in B');
    assert.ok(!allAddresses(a).includes('10.100.1.20'), 'A left without the VIP');
    assert.ok(!existsSync(socket), 'control socket removed');
  });

  it('a namespace that does not exist: keepalived 2.2.7 lines and exit status 0', async () => {
    const missing = `kts-missing-${process.pid}`;
    const conf = lab.file(
      'missing.conf',
      `net_namespace ${missing}\n${vrrpConf({ state: 'BACKUP', priority: 100 })}`,
    );
    const socket = join(lab.dir, 'missing.sock');
    const d = new RootDaemon([process.execPath, BIN, '-n', '-l', '-f', conf, '--control-socket', socket]);
    const code = await d.exited;
    assert.equal(code, 0, d.log());
    assert.ok(d.has(new RegExp(`Failed to open /run/netns/${missing}$`)), d.log());
    assert.ok(d.has(new RegExp(`Unable to set network namespace ${missing} - exiting$`)), d.log());
    assert.ok(!existsSync(socket), 'no control socket');
  });
});
