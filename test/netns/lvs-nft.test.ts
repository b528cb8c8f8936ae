/**
 * The nftables data plane end to end: a client namespace, a balancer namespace running
 * startLvs (test/netns/lvs-nft-lb.ts) and three backend namespaces with small Node HTTP
 * servers. Checks: traffic follows the weights (chi-squared over 3,000 connections); a
 * killed backend is removed within delay_loop + retry x delay_before_retry (+ timeouts)
 * and the client then sees no refused connection; a restored one comes back; quorum
 * loss switches to the sorry server and runs quorum_down, recovery runs quorum_up;
 * notify_down runs; UDP flows pinned (conntrack) to a removed backend move to a live one.
 * Namespaces are `kts-<pid>-lvs-*` and are deleted in after().
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

const root = process.getuid?.() === 0;
const hasNft = (() => {
  try {
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const skip = !root || !hasNft ? 'needs root and nft' : false;

const P = `kts-${process.pid}-lvs`;
const NS = { client: `${P}-c`, lb: `${P}-lb`, b: [`${P}-b1`, `${P}-b2`, `${P}-b3`] };
const ALL_NS = [NS.client, NS.lb, ...NS.b];
const VIP = '10.77.0.100';
const BACKEND = (i: number) => `10.77.${i + 1}.2`;
const DIST = new URL('.', import.meta.url).pathname;
const procs = new Set<ChildProcess>();
let dir = '';

const sh = (args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const inNs = (ns: string, ...args: string[]) => sh(['-n', ns, ...args]);

function sweepStale(): void {
  const out = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const m of out.matchAll(/^(kts-(\d+)-lvs-\S+)/gm)) {
    if (existsSync(`/proc/${m[2]}`)) continue;
    try {
      sh(['netns', 'del', m[1]!]);
    } catch {}
  }
}

function topology(): void {
  for (const ns of ALL_NS) sh(['netns', 'add', ns]);
  for (const ns of ALL_NS) inNs(ns, 'link', 'set', 'lo', 'up');
  inNs(NS.lb, 'link', 'add', 'c0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS.client);
  inNs(NS.lb, 'addr', 'add', '10.77.0.1/24', 'dev', 'c0');
  inNs(NS.lb, 'addr', 'add', `${VIP}/32`, 'dev', 'c0');
  inNs(NS.lb, 'link', 'set', 'c0', 'up');
  inNs(NS.client, 'addr', 'add', '10.77.0.2/24', 'dev', 'eth0');
  inNs(NS.client, 'link', 'set', 'eth0', 'up');
  NS.b.forEach((ns, i) => {
    inNs(NS.lb, 'link', 'add', `b${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    inNs(NS.lb, 'addr', 'add', `10.77.${i + 1}.1/24`, 'dev', `b${i}`);
    inNs(NS.lb, 'link', 'set', `b${i}`, 'up');
    inNs(ns, 'addr', 'add', `${BACKEND(i)}/24`, 'dev', 'eth0');
    inNs(ns, 'link', 'set', 'eth0', 'up');
    inNs(ns, 'route', 'add', 'default', 'via', `10.77.${i + 1}.1`);
  });
  execFileSync('ip', ['netns', 'exec', NS.lb, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
}

const SERVER = `
const name = process.argv[1], port = Number(process.argv[2]);
require('node:http').createServer((q, s) => { s.setHeader('connection', 'close'); s.end(name); })
  .listen(port, process.argv[3], () => console.log('up'));`;

/** Starts one backend HTTP server answering its name; resolves when it listens. */
function backend(i: number, port: number, name = `b${i + 1}`): Promise<ChildProcess> {
  const p = spawn(
    'ip',
    ['netns', 'exec', NS.b[i]!, process.execPath, '-e', SERVER, name, String(port), BACKEND(i)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  procs.add(p);
  p.on('exit', () => procs.delete(p));
  return new Promise((resolve, reject) => {
    p.stdout!.once('data', () => resolve(p));
    p.once('exit', (c) => reject(new Error(`backend ${name} exited ${c}`)));
  });
}

const UDP_SERVER = `
const name = process.argv[1], port = Number(process.argv[2]);
const s = require('node:dgram').createSocket('udp4');
s.on('message', (m, r) => s.send(Buffer.from(name), r.port, r.address));
s.bind(port, process.argv[3], () => console.log('up'));`;

/** Starts one backend UDP server answering its name. */
function udpBackend(i: number, port: number, name: string): Promise<ChildProcess> {
  const p = spawn(
    'ip',
    ['netns', 'exec', NS.b[i]!, process.execPath, '-e', UDP_SERVER, name, String(port), BACKEND(i)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  procs.add(p);
  p.on('exit', () => procs.delete(p));
  return new Promise((resolve, reject) => {
    p.stdout!.once('data', () => resolve(p));
    p.once('exit', (c) => reject(new Error(`udp backend ${name} exited ${c}`)));
  });
}

// Each datagram from its own source port, base + i: a batch sent after a backend died must
// not reuse a port whose conntrack NAT binding still points at it (IPVS keeps such UDP
// entries too, until they expire).
const UDP_CLIENT = `
const [host, port, n, base] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3]), Number(process.argv[4])];
const dgram = require('node:dgram'); const counts = {}; let lost = 0, done = 0;
for (let i = 0; i < n; i++) {
  const s = dgram.createSocket('udp4');
  const t = setTimeout(() => { lost++; s.close(); fin(); }, 2000);
  s.on('message', (m) => { clearTimeout(t); counts[m] = (counts[m] ?? 0) + 1; s.close(); fin(); });
  s.bind(base + i, () => s.send('ping', port, host));
}
function fin() { if (++done === n) console.log(JSON.stringify({ counts, lost })); }`;

function udpTraffic(
  port: number,
  n: number,
  sourcePortBase: number,
): { counts: Record<string, number>; lost: number } {
  const out = execFileSync(
    'ip',
    [
      'netns',
      'exec',
      NS.client,
      process.execPath,
      '-e',
      UDP_CLIENT,
      VIP,
      String(port),
      String(n),
      String(sourcePortBase),
    ],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  return JSON.parse(out) as { counts: Record<string, number>; lost: number };
}

const CLIENT = `
const [host, port, n, conc] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3]), Number(process.argv[4])];
const http = require('node:http'); const counts = {}; const errors = {}; let started = 0, done = 0;
function one() {
  if (started >= n) return; started++;
  const req = http.get({ host, port, path: '/', agent: false, timeout: 3000 }, (res) => {
    let body = ''; res.on('data', (d) => (body += d)); res.on('end', () => { counts[body] = (counts[body] ?? 0) + 1; fin(); });
  });
  req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
  req.on('error', (e) => { errors[e.code ?? e.message] = (errors[e.code ?? e.message] ?? 0) + 1; fin(); });
}
function fin() { done++; if (done === n) console.log(JSON.stringify({ counts, errors })); else one(); }
for (let i = 0; i < conc; i++) one();`;

/** n connections from the client namespace; counts per backend name and errors per code. */
function traffic(
  port: number,
  n: number,
  conc = 16,
): { counts: Record<string, number>; errors: Record<string, number> } {
  const out = execFileSync(
    'ip',
    ['netns', 'exec', NS.client, process.execPath, '-e', CLIENT, VIP, String(port), String(n), String(conc)],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return JSON.parse(out) as { counts: Record<string, number>; errors: Record<string, number> };
}

/** The balancer process and its log lines. */
class Lb {
  readonly lines: { t: number; line: string }[] = [];
  readonly #waiters: { re: RegExp; resolve: (l: { t: number; line: string }) => void }[] = [];
  readonly proc: ChildProcess;
  constructor(confPath: string) {
    this.proc = spawn(
      'ip',
      ['netns', 'exec', NS.lb, process.execPath, join(DIST, 'lvs-nft-lb.js'), confPath],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    procs.add(this.proc);
    let buf = '';
    this.proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const entry = JSON.parse(buf.slice(0, nl)) as { t: number; line: string };
        buf = buf.slice(nl + 1);
        this.lines.push(entry);
        for (const w of [...this.#waiters])
          if (w.re.test(entry.line)) {
            this.#waiters.splice(this.#waiters.indexOf(w), 1);
            w.resolve(entry);
          }
      }
    });
  }
  /** Waits for a log line matching `re` logged at or after `since` (ms epoch). */
  waitFor(re: RegExp, timeoutMs: number, since = 0): Promise<{ t: number; line: string }> {
    const seen = this.lines.find((l) => l.t >= since && re.test(l.line));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no log line ${re} within ${timeoutMs} ms; log:\n${this.lines.map((l) => l.line).join('\n')}`,
            ),
          ),
        timeoutMs,
      );
      this.#waiters.push({
        re,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }
}

function chiSquared(observed: number[], weights: number[]): number {
  const n = observed.reduce((a, b) => a + b, 0);
  const w = weights.reduce((a, b) => a + b, 0);
  return observed.reduce((sum, o, i) => {
    const e = (n * weights[i]!) / w;
    return sum + (o - e) ** 2 / e;
  }, 0);
}

// delay_loop 1, retry 1, delay_before_retry 1, connect_timeout 1: down within ~2-4 s.
const conf = (d: string) => `
virtual_server ${VIP} 80 {
  delay_loop 1
  lb_algo wrr
  lb_kind NAT
  protocol TCP
  real_server ${BACKEND(0)} 8080 {
    weight 1
    HTTP_GET { url { path / } connect_timeout 1 retry 1 delay_before_retry 1 warmup 0 }
  }
  real_server ${BACKEND(1)} 8080 {
    weight 2
    TCP_CHECK { connect_timeout 1 retry 1 delay_before_retry 1 warmup 0 }
  }
  real_server ${BACKEND(2)} 8080 {
    weight 3
    notify_down "/usr/bin/touch ${d}/b3-down"
    notify_up "/usr/bin/touch ${d}/b3-up"
    TCP_CHECK { connect_timeout 1 retry 1 delay_before_retry 1 warmup 0 }
  }
}
virtual_server ${VIP} 81 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  quorum 2
  quorum_up "/usr/bin/touch ${d}/quorum-up"
  quorum_down "/usr/bin/touch ${d}/quorum-down"
  sorry_server ${BACKEND(2)} 8082
  real_server ${BACKEND(0)} 8081 {
    TCP_CHECK { connect_timeout 1 retry 0 warmup 0 }
  }
  real_server ${BACKEND(1)} 8081 {
    TCP_CHECK { connect_timeout 1 retry 0 warmup 0 }
  }
}
`;

const confExtra = () => `
virtual_server ${VIP} 82 {
  delay_loop 1
  lb_algo sh
  lb_kind NAT
  protocol TCP
  real_server ${BACKEND(0)} 8080 {
    TCP_CHECK { connect_timeout 1 warmup 0 }
  }
  real_server ${BACKEND(1)} 8080 {
    TCP_CHECK { connect_timeout 1 warmup 0 }
  }
}
virtual_server ${VIP} 53 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol UDP
  real_server ${BACKEND(0)} 5300 {
    UDP_CHECK { connect_timeout 1 warmup 0 payload 70696e67 require_reply }
  }
  real_server ${BACKEND(1)} 5300 {
    UDP_CHECK { connect_timeout 1 warmup 0 payload 70696e67 require_reply }
  }
}
`;

describe('lvs: nftables data plane in namespaces', { skip }, () => {
  let lb: Lb;
  const b: Record<string, ChildProcess> = {};

  before(async () => {
    sweepStale();
    topology();
    dir = mkdtempSync(join(tmpdir(), 'kts-lvs-'));
    writeFileSync(join(dir, 'keepalived.conf'), conf(dir) + confExtra());
    b.b1 = await backend(0, 8080);
    b.b2 = await backend(1, 8080);
    b.b3 = await backend(2, 8080);
    b.b1q = await backend(0, 8081, 'q1');
    b.b2q = await backend(1, 8081, 'q2');
    b.sorry = await backend(2, 8082, 'sorry');
    b.u1 = await udpBackend(0, 5300, 'u1');
    b.u2 = await udpBackend(1, 5300, 'u2');
    lb = new Lb(join(dir, 'keepalived.conf'));
    await lb.waitFor(/^READY$/, 10_000);
  });

  after(() => {
    try {
      lb?.proc.kill('SIGTERM');
    } catch {}
    for (const p of procs) p.kill('SIGKILL');
    for (const ns of ALL_NS)
      try {
        sh(['netns', 'del', ns]);
      } catch {}
    if (dir) rmSync(dir, { recursive: true, force: true });
    const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    assert.ok(!left.includes(P), `namespaces left behind: ${left}`);
  });

  test('3,000 connections follow the weights 1:2:3 (chi-squared, df 2, p > 0.001)', (t) => {
    const r = traffic(80, 3000, 32);
    assert.deepEqual(r.errors, {}, lb.lines.map((l) => l.line).join('\n'));
    const observed = ['b1', 'b2', 'b3'].map((n) => r.counts[n] ?? 0);
    const chi2 = chiSquared(observed, [1, 2, 3]);
    t.diagnostic(`counts ${observed.join('/')} chi2 ${chi2.toFixed(3)}`);
    assert.ok(chi2 < 13.82, `chi2 ${chi2.toFixed(2)} for ${observed}`);
  });

  test('a killed backend is removed within delay_loop + retry x delay_before_retry (+ timeouts); no refusals after', async (t) => {
    const killedAt = Date.now();
    b.b3!.kill('SIGKILL');
    const removed = await lb.waitFor(/Removing service \[10\.77\.3\.2\]:tcp:8080/, 10_000, killedAt);
    // delay_loop 1 + retry 1 x (delay_before_retry 1 + connect_timeout 1) + a first timeout 1, + 1 s of slack
    t.diagnostic(`removed ${removed.t - killedAt} ms after the kill`);
    assert.ok(removed.t - killedAt <= 5000, `removed after ${removed.t - killedAt} ms`);
    await new Promise((r) => setTimeout(r, 300)); // the nft transaction follows the log line
    const r = traffic(80, 300);
    assert.deepEqual(r.errors, {});
    assert.equal(r.counts.b3 ?? 0, 0);
    assert.ok(existsSync(join(dir, 'b3-down')), 'notify_down ran');
  });

  test('a restored backend comes back and takes its share again', async () => {
    const at = Date.now();
    b.b3 = await backend(2, 8080);
    await lb.waitFor(/Adding service \[10\.77\.3\.2\]:tcp:8080/, 10_000, at);
    await new Promise((r) => setTimeout(r, 300));
    const r = traffic(80, 600);
    assert.deepEqual(r.errors, {});
    assert.ok((r.counts.b3 ?? 0) >= 250, JSON.stringify(r.counts));
    assert.ok(existsSync(join(dir, 'b3-up')), 'notify_up ran');
  });

  test('quorum loss switches to the sorry server and runs quorum_down; recovery runs quorum_up', async () => {
    const before = traffic(81, 100);
    assert.deepEqual(Object.keys(before.counts).sort(), ['q1', 'q2']);
    const at = Date.now();
    b.b2q!.kill('SIGKILL');
    await lb.waitFor(/Lost quorum/, 10_000, at);
    await new Promise((r) => setTimeout(r, 300));
    const sorry = traffic(81, 100);
    assert.deepEqual(sorry, { counts: { sorry: 100 }, errors: {} });
    assert.ok(existsSync(join(dir, 'quorum-down')), 'quorum_down ran');
    const at2 = Date.now();
    b.b2q = await backend(1, 8081, 'q2');
    await lb.waitFor(/Gained quorum/, 10_000, at2);
    await new Promise((r) => setTimeout(r, 300));
    const back = traffic(81, 100);
    assert.deepEqual(back.errors, {});
    assert.deepEqual(Object.keys(back.counts).sort(), ['q1', 'q2']);
    assert.ok(existsSync(join(dir, 'quorum-up')), 'quorum_up ran');
  });

  test('sh: one client always reaches the same backend', () => {
    const r = traffic(82, 200);
    assert.deepEqual(r.errors, {});
    assert.equal(Object.keys(r.counts).length, 1, JSON.stringify(r.counts));
  });

  test('UDP service with UDP_CHECK: datagrams shared round robin; a dead backend is removed', async () => {
    const r = udpTraffic(53, 200, 40000);
    assert.deepEqual(r, { counts: { u1: 100, u2: 100 }, lost: 0 });
    const at = Date.now();
    b.u2!.kill('SIGKILL');
    await lb.waitFor(/Removing service \[10\.77\.2\.2\]:udp:5300/, 10_000, at);
    await new Promise((res) => setTimeout(res, 300));
    assert.deepEqual(udpTraffic(53, 50, 41000), { counts: { u1: 50 }, lost: 0 });
  });

  test('UDP flows pinned to a removed backend move: its conntrack entries are deleted with it', async () => {
    // The first 50 source ports of the batch above: conntrack bound half of them to u2,
    // now dead. Its entries (seconds old, 30 s+ to live) went with its removal, so the
    // same 5-tuples are scheduled again, to u1; kept, those datagrams would be lost.
    assert.deepEqual(udpTraffic(53, 50, 40000), { counts: { u1: 50 }, lost: 0 });
    const deleted = await lb.waitFor(/(\d+) conntrack entries of 10\.77\.2\.2:5300 deleted/, 5000);
    const count = Number(/(\d+) conntrack/.exec(deleted.line)![1]);
    assert.ok(count >= 25, deleted.line);
  });

  test('reload: a new weight takes effect without flushing the table', async () => {
    writeFileSync(
      join(dir, 'keepalived.conf'),
      conf(dir).replace(/weight 1\n {4}HTTP_GET/, 'weight 4\n    HTTP_GET'),
    );
    const at = Date.now();
    lb.proc.kill('SIGHUP');
    await lb.waitFor(/^RELOADED$/, 10_000, at);
    await new Promise((r) => setTimeout(r, 300));
    const r = traffic(80, 900);
    assert.deepEqual(r.errors, {});
    const got = [r.counts.b1 ?? 0, r.counts.b2 ?? 0, r.counts.b3 ?? 0];
    for (const [i, want] of [400, 200, 300].entries())
      assert.ok(Math.abs(got[i]! - want) <= 10, `${got} vs 400,200,300`);
  });

  test('an external change to the table is reconciled; stop removes the table', async () => {
    execFileSync('ip', [
      'netns',
      'exec',
      NS.lb,
      'nft',
      'flush',
      'chain',
      'inet',
      'keepalived_ts',
      'prerouting',
    ]);
    await lb.waitFor(/changed outside keepalived-ts/, 5000);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(traffic(80, 60).errors, {});
    lb.proc.kill('SIGTERM');
    await lb.waitFor(/^STOPPED$/, 5000);
    const tables = execFileSync('ip', ['netns', 'exec', NS.lb, 'nft', 'list', 'tables'], {
      encoding: 'utf8',
    });
    assert.ok(!tables.includes('keepalived_ts'), tables);
  });
});

// Last resort if the process dies between before() and after().
process.on('exit', () => {
  for (const ns of ALL_NS)
    if (readdirSync('/run/netns').includes(ns))
      try {
        sh(['netns', 'del', ns]);
      } catch {}
});
