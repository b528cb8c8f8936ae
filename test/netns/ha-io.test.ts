/**
 * @module Issue 4's io pieces against the real kernel, in a namespace of this run
 * (`kts-<pid>-ha-io`, deleted in after() and at exit): a VMAC created with keepalived's MAC,
 * mode and sysctls, then removed; virtual routes and rules installed as keepalived installs
 * them (proto keepalived, scope global, rule preference 16384), then removed. Netlink
 * sockets open in the namespace they are created in, so the rtnetlink work runs in a child
 * of this same file started with `ip netns exec` (role in KTS_HA_CHILD), steered over stdin.
 */

import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RouteSpec, RuleSpec } from '../../src/config/model.js';

const NS = `kts-${process.pid}-ha-io`;
const ROLE = process.env.KTS_HA_CHILD;
const loc = { file: 'test', line: 1, col: 1 };
const p4 = (address: string, prefixLen = 32) => ({ family: 4 as const, address, prefixLen });

function sh(cmd: string, ...args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const ROUTES: RouteSpec[] = [
  {
    type: 'unicast',
    dst: p4('198.51.100.0', 24),
    via: p4('10.251.0.254'),
    dev: 'hd0',
    onlink: false,
    options: {},
    nexthops: [],
    loc,
  },
  {
    type: 'unicast',
    dst: p4('203.0.113.0', 24),
    dev: 'hd0',
    table: 100,
    metric: 5,
    onlink: false,
    options: {},
    nexthops: [],
    loc,
  },
  { type: 'blackhole', dst: p4('10.9.0.0', 16), onlink: false, options: {}, nexthops: [], loc },
  {
    type: 'unicast',
    dst: p4('10.8.0.0', 16),
    src: p4('10.251.0.1'),
    via: p4('10.251.0.254'),
    onlink: false,
    options: { mtu: '1400' },
    nexthops: [],
    loc,
  },
];
const RULES: RuleSpec[] = [
  { family: 4, from: p4('10.251.0.100'), table: 100, priority: 1000, options: {}, loc },
  { family: 4, to: p4('10.7.0.0', 16), table: 100, options: {}, loc },
  { family: 4, fwmark: 0x10, fwmask: 0xff, table: 'main', priority: 1010, options: {}, loc },
];

/** Child side: do the netlink work inside the namespace, one step per stdin line. */
async function child(role: string): Promise<void> {
  const { RtnetlinkClient, readInterfaces } = await import('../../src/io/index.js');
  const { VmacManager } = await import('../../src/io/vmac.js');
  const { RouteManager } = await import('../../src/io/routes.js');
  const nl = new RtnetlinkClient();
  const logs: string[] = [];
  const ifs = await readInterfaces(nl);
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
  if (role === 'vmac' || role === 'vmac6') {
    const m = new VmacManager(nl, (l) => logs.push(l));
    const v = await m.create({
      instance: 'VI_1',
      vrid: 51,
      family: role === 'vmac' ? 'ipv4' : 'ipv6',
      parent: ifs.get('hd0')?.ifindex ?? 0,
    });
    say({ step: 'created', name: v.name, logs });
    await lines.next();
    await m.removeAll();
    say({ step: 'removed', logs });
  } else {
    const m = new RouteManager(nl, { ifindex: (n) => ifs.get(n)?.ifindex });
    const errors: string[] = [];
    m.onError = (_o, what, e) => errors.push(`${what}: ${e.message}`);
    await m.install('VI_1', ROUTES, RULES);
    say({ step: 'installed', errors });
    await lines.next();
    await m.removeAll();
    say({ step: 'removed', errors });
  }
  nl.close();
  process.exit(0);
}

class Child {
  readonly proc: ChildProcess;
  readonly #lines: AsyncIterator<string>;

  constructor(role: string) {
    const file = fileURLToPath(import.meta.url);
    this.proc = spawn('ip', ['netns', 'exec', NS, process.execPath, file], {
      env: { ...process.env, KTS_HA_CHILD: role },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.#lines = createInterface({ input: this.proc.stdout! })[Symbol.asyncIterator]();
  }

  async next(): Promise<Record<string, unknown>> {
    const timeout = new Promise<never>((_, rej) =>
      setTimeout(() => rej(new Error('child timed out')), 10_000).unref(),
    );
    const r = await Promise.race([this.#lines.next(), timeout]);
    if (r.done) throw new Error('child exited');
    return JSON.parse(r.value) as Record<string, unknown>;
  }

  go(): void {
    this.proc.stdin?.write('go\n');
  }
}

function cleanup(): void {
  try {
    sh('ip', 'netns', 'del', NS);
  } catch {
    // not there
  }
}

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;

if (ROLE !== undefined) {
  void child(ROLE);
} else {
  describe('issue 4 io against the kernel', { skip }, () => {
    before(() => {
      process.once('exit', cleanup);
      sh('ip', 'netns', 'add', NS);
      sh('ip', '-n', NS, 'link', 'set', 'lo', 'up');
      sh(
        'ip',
        'netns',
        'exec',
        NS,
        'sysctl',
        '-qw',
        'net.ipv6.conf.all.accept_dad=0',
        'net.ipv6.conf.default.accept_dad=0',
      );
      sh('ip', '-n', NS, 'link', 'add', 'hd0', 'type', 'veth', 'peer', 'name', 'hd1');
      sh('ip', '-n', NS, 'link', 'set', 'hd0', 'up');
      sh('ip', '-n', NS, 'link', 'set', 'hd1', 'up');
      sh('ip', '-n', NS, 'addr', 'add', '10.251.0.1/24', 'dev', 'hd0');
    });
    after(cleanup);

    test('use_vmac: macvlan private vrrp.51 with 00:00:5e:00:01:33 and keepalived 2.2.7 sysctls, removed on exit', async () => {
      const c = new Child('vmac');
      const made = await c.next();
      assert.deepEqual(made, {
        step: 'created',
        name: 'vrrp.51',
        logs: ['(VI_1): Success creating VMAC interface vrrp.51'],
      });
      const link = sh('ip', '-n', NS, '-d', 'link', 'show', 'vrrp.51');
      assert.match(link, /vrrp\.51@hd0: <[^>]*\bUP\b/);
      assert.match(link, /link\/ether 00:00:5e:00:01:33 /);
      assert.match(link, /macvlan mode private/);
      assert.match(link, /addrgenmode none/);
      const sysctl = (dev: string, key: string) =>
        sh('ip', 'netns', 'exec', NS, 'cat', `/proc/sys/net/ipv4/conf/${dev}/${key}`).trim();
      const vmac = Object.fromEntries(
        ['arp_ignore', 'arp_filter', 'accept_local', 'rp_filter', 'promote_secondaries'].map((k) => [
          k,
          sysctl('vrrp.51', k),
        ]),
      );
      assert.deepEqual(vmac, {
        arp_ignore: '1',
        arp_filter: '0',
        accept_local: '1',
        rp_filter: '0',
        promote_secondaries: '1',
      });
      assert.deepEqual([sysctl('hd0', 'arp_ignore'), sysctl('hd0', 'arp_filter')], ['1', '1']);
      assert.equal(
        sh('ip', 'netns', 'exec', NS, 'cat', '/proc/sys/net/ipv6/conf/vrrp.51/disable_ipv6').trim(),
        '1',
      );
      c.go();
      const gone = await c.next();
      assert.deepEqual((gone.logs as string[])[1], '(VI_1) Success removing VMAC interface vrrp.51');
      assert.throws(() => sh('ip', '-n', NS, 'link', 'show', 'vrrp.51'));
    });

    test('use_vmac for IPv6: 00:00:5e:00:02:33, addrgenmode none, the parent link-local, no IPv4 sysctls', async () => {
      const c = new Child('vmac6');
      assert.equal((await c.next()).step, 'created');
      const link = sh('ip', '-n', NS, '-d', 'link', 'show', 'vrrp.51');
      assert.match(link, /link\/ether 00:00:5e:00:02:33 /);
      assert.match(link, /macvlan mode private/);
      assert.match(link, /addrgenmode none/);
      const ll = (dev: string) =>
        /inet6 (fe80::[0-9a-f:]+)\/64/.exec(sh('ip', '-n', NS, '-6', 'addr', 'show', 'dev', dev))?.[1];
      assert.ok(ll('hd0'));
      assert.equal(ll('vrrp.51'), ll('hd0'));
      const cat = (path: string) => sh('ip', 'netns', 'exec', NS, 'cat', path).trim();
      assert.equal(cat('/proc/sys/net/ipv4/conf/vrrp.51/arp_ignore'), '0');
      assert.equal(cat('/proc/sys/net/ipv6/conf/vrrp.51/disable_ipv6'), '0');
      c.go();
      assert.equal((await c.next()).step, 'removed');
      assert.throws(() => sh('ip', '-n', NS, 'link', 'show', 'vrrp.51'));
    });

    test('virtual_routes / virtual_rules installed as keepalived 2.2.7 does, then removed', async () => {
      const c = new Child('routes');
      const done = await c.next();
      assert.deepEqual(done, { step: 'installed', errors: [] });
      const routes = sh('ip', '-n', NS, '-d', 'route', 'show', 'table', 'all');
      for (const want of [
        /unicast 198\.51\.100\.0\/24 via 10\.251\.0\.254 dev hd0 table main proto keepalived scope global/,
        /unicast 203\.0\.113\.0\/24 dev hd0 table 100 proto keepalived scope global metric 5/,
        /blackhole 10\.9\.0\.0\/16 table main proto keepalived scope global/,
        /unicast 10\.8\.0\.0\/16 via 10\.251\.0\.254 dev hd0 table main proto keepalived scope global src 10\.251\.0\.1 mtu 1400/,
      ]) {
        assert.match(routes, want);
      }
      const rules = sh('ip', '-n', NS, 'rule');
      assert.match(rules, /1000:\tfrom 10\.251\.0\.100 lookup 100 proto keepalived/);
      assert.match(rules, /1010:\tfrom all fwmark 0x10\/0xff lookup main proto keepalived/);
      assert.match(rules, /16384:\tfrom all to 10\.7\.0\.0\/16 lookup 100 proto keepalived/);
      c.go();
      assert.deepEqual(await c.next(), { step: 'removed', errors: [] });
      assert.doesNotMatch(sh('ip', '-n', NS, 'route', 'show', 'table', 'all'), /proto keepalived/);
      assert.doesNotMatch(sh('ip', '-n', NS, 'rule'), /keepalived/);
    });
  });
}
