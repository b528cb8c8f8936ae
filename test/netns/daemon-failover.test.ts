/**
 * Two keepalived-ts daemons on one bridge, the article's configs (VRRPv2, advert_int 1,
 * PASS): election and VIP placement, the status socket, failover on SIGTERM of the
 * master (priority 0) and on link down, preemption back, notify scripts with
 * keepalived's arguments, and a VIP deleted by hand put back by the MASTER.
 */

import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { controlRequest } from '../../src/daemon/control-client.js';
import { realtimeSignals } from '../../src/native/index.js';
import { type Daemon, DaemonLab, ip, labUnavailable, until, vrrpConf } from './daemon-lab.js';

const skip = labUnavailable();
if (skip) console.log(`# skipping daemon failover tests: ${skip}`);

const VIP = '10.100.1.20/24';

function mac(ns: string): string {
  return (JSON.parse(ip('-n', ns, '-j', 'link', 'show', 'dev', 'eth0')) as { address: string }[])[0]!.address;
}

function neighbour(ns: string, addr: string): string | undefined {
  const out = JSON.parse(ip('-n', ns, '-j', 'neigh', 'show', addr)) as { lladdr?: string }[];
  return out[0]?.lladdr;
}

describe('keepalived-ts pair in network namespaces', { skip: skip ?? false }, () => {
  let lab: DaemonLab;
  let s1: string;
  let s2: string;
  let client: string;
  let d1: Daemon;
  let d2: Daemon;
  let conf1: string;
  let conf2: string;
  let notifyLog: string;

  before(async () => {
    lab = new DaemonLab();
    s1 = lab.host('10.100.1.21/24');
    s2 = lab.host('10.100.1.22/24');
    client = lab.host('10.100.1.99/24');
    notifyLog = lab.file('notify.log', '');
    const script = lab.file('notify.sh', `#!/bin/sh\necho "$@" >> ${notifyLog}\n`, 0o755);
    conf1 = lab.file('s1.conf', vrrpConf({ state: 'MASTER', priority: 255 }));
    conf2 = lab.file(
      's2.conf',
      vrrpConf({
        state: 'BACKUP',
        priority: 254,
        extra: `        notify ${script}\n`,
        globalDefs: '        vrrp_rt_priority 10',
      }),
    );
    d1 = await lab.kts('s1', s1, conf1);
    d2 = await lab.kts('s2', s2, conf2);
  });

  after(async () => {
    await lab?.cleanup();
  });

  it('elects the priority 255 server and places the VIP on it only', async () => {
    await d1.waitFor(/\(VI_1\) Entering MASTER STATE/);
    await d2.waitFor(/\(VI_1\) Entering BACKUP STATE/);
    await until(() => lab.addresses(s1).includes(VIP), 3000, 'VIP on s1');
    assert.ok(!lab.addresses(s2).includes(VIP), 'VIP must not be on the backup');
  });

  it('applies vrrp_rt_priority (SCHED_RR) at start-up', async () => {
    const line = await d2.waitFor(/real-time priority 10/, 3000);
    console.log(`# ${line.text}`);
  });

  it('answers status on the control socket as JSON and text', async () => {
    let st2 = await d2.status();
    const deadline = performance.now() + 3000;
    while (st2.instances[0]?.masterAddress === null && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      st2 = await d2.status();
    }
    const st1 = await d1.status();
    assert.equal(st1.instances[0]?.state, 'MASTER');
    assert.equal(st2.instances[0]?.state, 'BACKUP');
    assert.equal(st2.instances[0]?.masterAddress, '10.100.1.21');
    assert.equal(st2.instances[0]?.priority, 254);
    assert.ok(Number(st2.instances[0]?.stats.advertRcvd) >= 1);
    const text = await controlRequest(d2.socket, 'status');
    assert.match(text, /VRRP Instance VI_1\n {2}State: BACKUP/);
    assert.match(await controlRequest(d2.socket, 'bogus'), /^error: unknown command bogus/);
  });

  it('fails over on SIGTERM of the master (priority 0) and leaves no VIP behind', async () => {
    // Any datagram to the VIP makes the client resolve it by ARP (no ping here).
    const probe =
      "require('dgram').createSocket('udp4').send('x', 9, '10.100.1.20', (e, n) => process.exit(0))";
    ip('netns', 'exec', client, process.execPath, '-e', probe);
    await until(() => neighbour(client, '10.100.1.20') === mac(s1), 2000, 'client resolves the VIP to s1');
    const mark = d2.lines.length;
    const t0 = performance.now();
    const wall0 = performance.timeOrigin + t0;
    const code = await lab.stop(d1);
    assert.equal(code, 0);
    assert.ok(!lab.addresses(s1).includes(VIP), 'stopped master left its VIP');
    const hit = await d2.waitFor(/\(VI_1\) Entering MASTER STATE/, 5000, mark);
    await until(() => lab.addresses(s2).includes(VIP), 3000, 'VIP on s2');
    const tr = (await d2.status()) as unknown as { instances: { lastTransition: { atWallMs: number } }[] };
    const inDaemonMs = tr.instances[0]!.lastTransition.atWallMs - wall0;
    const timers = ((await d2.status()) as unknown as { timers: { maxLateMs: number } }).timers;
    console.log(`# timer lateness so far (max): ${timers.maxLateMs} ms`);
    console.log(
      `# graceful-stop failover: ${inDaemonMs.toFixed(1)} ms SIGTERM to backup's MASTER transition, ${(hit.atMs - t0).toFixed(1)} ms to its log line`,
    );
    assert.ok(hit.atMs - t0 < 2000, 'priority 0 must give a fast takeover');
    await until(() => neighbour(client, '10.100.1.20') === mac(s2), 2000, "client's ARP entry moved by GARP");
    const st = (await d2.status()) as unknown as { garp: { arp: number } };
    assert.ok(st.garp.arp >= 5, `vrrp_garp_master_repeat 5: ${JSON.stringify(st.garp)}`);
  });

  it('preempts back when the priority 255 server returns (started with -p and -r pid files)', async () => {
    const mark = d2.lines.length;
    const pids = [join(lab.dir, 's1.pid'), join(lab.dir, 's1.vrrp.pid')];
    d1 = await lab.kts('s1b', s1, conf1, ['-p', pids[0]!, '-r', pids[1]!]);
    for (const p of pids) assert.equal(readFileSync(p, 'utf8').trim(), String(d1.child.pid));
    await d1.waitFor(/\(VI_1\) Entering MASTER STATE/);
    await d2.waitFor(/\(VI_1\) Entering BACKUP STATE/, 5000, mark);
    await until(
      () => lab.addresses(s1).includes(VIP) && !lab.addresses(s2).includes(VIP),
      3000,
      'VIP back on s1',
    );
  });

  it('puts back a VIP deleted by someone else while MASTER, staying MASTER', async () => {
    const mark = d1.lines.length;
    ip('-n', s1, 'addr', 'del', VIP, 'dev', 'eth0');
    await until(() => lab.addresses(s1).includes(VIP), 2000, 'VIP restored on s1');
    // keepalived 2.2.7's line first (operators grep for it), then ours.
    await d1.waitFor(
      new RegExp(`Netlink reflector reports IP ${VIP.split('/')[0]} removed from eth0`),
      2000,
      mark,
    );
    await d1.waitFor(/deleted by another process - restoring/, 2000, mark);
    assert.ok(
      !d1.lines.slice(mark).some((l) => /Entering BACKUP STATE/.test(l.text)),
      'no pass through BACKUP (keepalived 2.2.7 does one, with a priority-0 advert)',
    );
    const st = await d1.status();
    assert.equal(st.instances[0]?.state, 'MASTER');
    assert.ok(st.vipRestores >= 1, `vipRestores ${st.vipRestores}`);
  });

  it('fails over on link down (FAULT) and preempts back on link up', async () => {
    const m1 = d1.lines.length;
    const m2 = d2.lines.length;
    const t0 = performance.now();
    ip('-n', s1, 'link', 'set', 'eth0', 'down');
    await d1.waitFor(/\(VI_1\) Entering FAULT STATE/, 3000, m1);
    const hit = await d2.waitFor(/\(VI_1\) Entering MASTER STATE/, 6000, m2);
    console.log(`# link-down failover: ${(hit.atMs - t0).toFixed(1)} ms (link down to MASTER log line)`);
    await until(() => lab.addresses(s2).includes(VIP), 3000, 'VIP on s2');
    assert.equal((await d1.status()).instances[0]?.state, 'FAULT');
    const m2b = d2.lines.length;
    ip('-n', s1, 'link', 'set', 'eth0', 'up');
    await d2.waitFor(/\(VI_1\) Entering BACKUP STATE/, 8000, m2b);
    await until(
      () => lab.addresses(s1).includes(VIP) && !lab.addresses(s2).includes(VIP),
      3000,
      'VIP back on s1',
    );
  });

  it('ran the notify script with keepalived arguments', async () => {
    await until(() => readFileSync(notifyLog, 'utf8').includes('MASTER'), 3000, 'notify MASTER');
    const lines = readFileSync(notifyLog, 'utf8').trim().split('\n');
    assert.ok(lines.includes('INSTANCE VI_1 BACKUP 254'), lines.join('|'));
    assert.ok(lines.includes('INSTANCE VI_1 MASTER 254'), lines.join('|'));
  });

  it('SIGHUP with a broken config keeps the running one', async () => {
    const mark = d1.lines.length;
    const good = readFileSync(conf1, 'utf8');
    lab.file('s1.conf', 'vrrp_instance VI_1 {\n  priority 300\n  bogus_keyword\n');
    d1.signal('SIGHUP');
    await d1.waitFor(/Reload refused/, 3000, mark);
    lab.file('s1.conf', good);
    assert.equal((await d1.status()).instances[0]?.state, 'MASTER');
  });

  it('SIGHUP applies a changed config as a diff: unchanged kept, changed restarted', async () => {
    let mark = d2.lines.length;
    d2.signal('SIGHUP');
    await d2.waitFor(/Reload done: kept 1, restarted 0/, 3000, mark);
    mark = d2.lines.length;
    lab.file('s2.conf', readFileSync(conf2, 'utf8').replace('priority 254', 'priority 100'));
    d2.signal('SIGHUP');
    await d2.waitFor(/Reload done: kept 0, restarted 1/, 3000, mark);
    await d2.waitFor(/\(VI_1\) Entering BACKUP STATE/, 3000, mark);
    const st = (await d2.status()).instances[0]!;
    assert.equal(st.priority, 100);
    assert.equal(st.state, 'BACKUP');
    assert.ok(lab.addresses(s1).includes(VIP) && !lab.addresses(s2).includes(VIP));
  });

  it('SIGJSON writes the status as JSON, SIGSTATS_CLEAR zeroes the counters', async () => {
    const { SIGJSON, SIGSTATS_CLEAR } = realtimeSignals();
    const pid = d2.child.pid!;
    rmSync('/tmp/keepalived-ts.json', { force: true });
    process.kill(pid, SIGJSON);
    await until(() => existsSync('/tmp/keepalived-ts.json'), 2000, '/tmp/keepalived-ts.json');
    await until(() => readFileSync('/tmp/keepalived-ts.json', 'utf8').endsWith('}'), 2000, 'complete JSON');
    assert.equal((JSON.parse(readFileSync('/tmp/keepalived-ts.json', 'utf8')) as { pid: number }).pid, pid);
    const rcvd = async () => Number((await d2.status()).instances[0]!.stats.advertRcvd);
    for (let i = 0; i < 40 && (await rcvd()) < 2; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok((await rcvd()) >= 2);
    process.kill(pid, SIGSTATS_CLEAR);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(Number((await d2.status()).instances[0]!.stats.advertRcvd) <= 1);
    rmSync('/tmp/keepalived-ts.json', { force: true });
  });
});
