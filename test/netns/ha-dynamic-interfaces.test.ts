/**
 * Interfaces that come and go under a running keepalived-ts, with keepalived 2.2.7 as the
 * peer on a LAN of namespaces (daemon-lab.ts, names unique to the run, deleted afterwards):
 *
 * - without dynamic_interfaces: keepalived-ts (150) is MASTER; its eth0 (a veth) is
 *   deleted: FAULT ("Interface eth0 deleted"), keepalived (100) takes the VIP; a veth is
 *   created again as eth0 (a new ifindex) with the same address: keepalived-ts picks it
 *   up ("Interface eth0 added"), leaves FAULT and takes the VIP back, on the new ifindex,
 *   and keepalived returns to BACKUP;
 * - with dynamic_interfaces and eth0 absent at start: keepalived-ts (100) waits in FAULT
 *   ("... doesn't currently exist - will use if created"); once eth0 exists it runs as
 *   BACKUP to keepalived (150) and stays BACKUP past several Master_Down_Intervals (its
 *   socket on the new interface receives the master's adverts), and takes the VIP when
 *   keepalived stops;
 * - use_vmac: deleting the parent takes the VMAC with it ("Interface vrrp.52 deleted");
 *   when the parent is created again the VMAC is made again on it and the VIP returns
 *   to it, with the virtual MAC;
 * - the address keepalived-ts sends from is deleted: FAULT, keepalived takes over; another
 *   address is added: keepalived-ts runs from it and takes the VIP back;
 * - without dynamic_interfaces and eth0 absent at start: keepalived 2.2.7's refusal
 *   ("Non-existent interface specified in configuration", exit status 2).
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { BIN, DaemonLab, ip, labUnavailable, until, vrrpConf } from './daemon-lab.js';

const skip = labUnavailable(true);
const VIP = '10.100.1.20/24';
let plugs = 0;

/** A new veth `eth0` in `ns` at `address`, its peer on the LAN bridge (as DaemonLab.host makes it). */
function plugEth0(lab: DaemonLab, ns: string, address: string): void {
  const peer = `kdy${process.pid % 100000}p${plugs++}`.slice(0, 15);
  ip('link', 'add', peer, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
  ip('link', 'set', peer, 'netns', lab.lan);
  ip('-n', lab.lan, 'link', 'set', peer, 'master', 'br0', 'up');
  ip('-n', ns, 'addr', 'add', address, 'dev', 'eth0');
  ip('-n', ns, 'link', 'set', 'eth0', 'up');
}

function ifindex(ns: string): number {
  return (JSON.parse(ip('-n', ns, '-j', 'link', 'show', 'dev', 'eth0')) as { ifindex: number }[])[0]!.ifindex;
}

function holds(lab: DaemonLab, ns: string): boolean {
  try {
    return lab.addresses(ns).includes(VIP);
  } catch {
    return false; // no eth0
  }
}

describe('interfaces deleted, re-created or created after start', { skip: skip ?? false }, () => {
  let lab: DaemonLab;

  before(() => {
    lab = new DaemonLab();
  });

  after(async () => {
    await lab.cleanup();
  });

  it('eth0 deleted and re-created under a MASTER: FAULT, then the VIP comes back on the new ifindex', async () => {
    const a = lab.host('10.100.1.21/24');
    const b = lab.host('10.100.1.22/24');
    const kts = await lab.kts('kts', a, lab.file('a.conf', vrrpConf({ state: 'BACKUP', priority: 150 })));
    const peer = lab.keepalived(
      'keepalived',
      b,
      lab.file('b.conf', vrrpConf({ state: 'BACKUP', priority: 100 })),
    );
    await kts.waitFor(/\(VI_1\) Entering MASTER STATE/, 10_000);
    await peer.waitFor(/\(VI_1\) Entering BACKUP STATE/, 10_000);
    await until(() => holds(lab, a), 3000, 'the VIP on keepalived-ts');
    const before = ifindex(a);

    const mark = kts.lines.length;
    const peerMark = peer.lines.length;
    ip('-n', a, 'link', 'del', 'eth0');
    await kts.waitFor(/\(VI_1\) Entering FAULT STATE/, 5000, mark);
    await kts.waitFor(/Interface eth0 deleted/, 5000, mark);
    await peer.waitFor(/\(VI_1\) Entering MASTER STATE/, 10_000, peerMark);
    await until(() => holds(lab, b), 3000, 'the VIP on keepalived');

    plugEth0(lab, a, '10.100.1.21/24');
    const after = ifindex(a);
    assert.notEqual(after, before, 'the kernel gave eth0 a new ifindex');
    await kts.waitFor(/Interface eth0 added/, 5000, mark);
    await kts.waitFor(/\(VI_1\) Entering BACKUP STATE/, 5000, mark);
    await kts.waitFor(/\(VI_1\) Entering MASTER STATE/, 10_000, mark);
    await peer.waitFor(/\(VI_1\) Entering BACKUP STATE/, 10_000, peerMark);
    await until(() => holds(lab, a) && !holds(lab, b), 3000, 'the VIP back on keepalived-ts only');
    const status = await kts.status();
    assert.equal(status.instances[0]!.state, 'MASTER');
    assert.ok(
      !kts.lines.slice(mark).some((l) => /Failed to add address|send.*error/i.test(l.text)),
      kts.log(),
    );
    assert.equal(await lab.stop(kts), 0);
    await lab.stop(peer);
  });

  it('dynamic_interfaces, eth0 created after start: FAULT, then BACKUP to keepalived, MASTER when it stops', async () => {
    const a = lab.host('10.100.1.23/24');
    ip('-n', a, 'link', 'del', 'eth0');
    const b = lab.host('10.100.1.24/24');
    const peer = lab.keepalived(
      'keepalived2',
      b,
      lab.file('b2.conf', vrrpConf({ state: 'BACKUP', priority: 150 })),
    );
    await peer.waitFor(/\(VI_1\) Entering MASTER STATE/, 10_000);
    const conf = vrrpConf({ state: 'BACKUP', priority: 100, globalDefs: '        dynamic_interfaces' });
    const kts = await lab.kts('kts2', a, lab.file('a2.conf', conf));
    await kts.waitFor(
      /Configuration specifies interface eth0 which doesn't currently exist - will use if created/,
    );
    assert.equal((await kts.status()).instances[0]!.state, 'FAULT');

    plugEth0(lab, a, '10.100.1.23/24');
    await kts.waitFor(/Interface eth0 added/, 5000);
    await kts.waitFor(/\(VI_1\) Entering BACKUP STATE/, 5000);
    // Master_Down_Interval is ~3.6 s: a socket deaf to the master's adverts would take over.
    await new Promise((r) => setTimeout(r, 8000));
    assert.ok(!kts.lines.some((l) => /Entering MASTER STATE/.test(l.text)), kts.log());
    assert.ok(!holds(lab, a), 'no VIP on the backup');
    const backup = (await kts.status()).instances[0]!;
    assert.equal(backup.state, 'BACKUP', JSON.stringify(backup));

    const mark = kts.lines.length;
    await lab.stop(peer);
    await kts.waitFor(/\(VI_1\) Entering MASTER STATE/, 5000, mark);
    await until(() => holds(lab, a), 3000, 'the VIP on keepalived-ts');
    assert.equal(await lab.stop(kts), 0);
  });

  it('use_vmac: the VMAC goes with its parent and is made again when the parent is re-created', async () => {
    const a = lab.host('10.100.1.26/24');
    const b = lab.host('10.100.1.27/24');
    const vip = '10.100.1.30/24';
    const opts = { state: 'BACKUP', vrid: 52, vip } as const;
    const kts = await lab.kts(
      'kts4',
      a,
      lab.file('a4.conf', vrrpConf({ ...opts, priority: 150, extra: '        use_vmac\n' })),
    );
    const peer = lab.keepalived('keepalived4', b, lab.file('b4.conf', vrrpConf({ ...opts, priority: 100 })));
    const onVmac = () => {
      try {
        return lab.addresses(a, 'vrrp.52').includes(vip);
      } catch {
        return false; // no vrrp.52
      }
    };
    await kts.waitFor(/\(VI_1\) Entering MASTER STATE/, 10_000);
    await until(onVmac, 3000, 'the VIP on vrrp.52');

    const mark = kts.lines.length;
    const peerMark = peer.lines.length;
    ip('-n', a, 'link', 'del', 'eth0');
    await kts.waitFor(/Interface vrrp\.52 deleted/, 5000, mark);
    await peer.waitFor(/\(VI_1\) Entering MASTER STATE/, 10_000, peerMark);

    plugEth0(lab, a, '10.100.1.26/24');
    await kts.waitFor(/\(VI_1\): Success creating VMAC interface vrrp\.52/, 5000, mark);
    await kts.waitFor(/\(VI_1\) Entering MASTER STATE/, 10_000, mark);
    await peer.waitFor(/\(VI_1\) Entering BACKUP STATE/, 10_000, peerMark);
    await until(onVmac, 3000, 'the VIP back on the new vrrp.52');
    const link = JSON.parse(ip('-n', a, '-j', 'link', 'show', 'dev', 'vrrp.52')) as {
      address: string;
      link: string;
    }[];
    assert.equal(link[0]!.address, '00:00:5e:00:01:34', 'the VRRP virtual MAC');
    assert.equal(link[0]!.link, 'eth0', 'on the new eth0');
    assert.equal(await lab.stop(kts), 0);
    assert.throws(() => ip('-n', a, 'link', 'show', 'dev', 'vrrp.52'), 'VMAC removed on stop');
    await lab.stop(peer);
  });

  it('the address an instance sends from is deleted: FAULT until another one comes, then it runs from that one', async () => {
    const a = lab.host('10.100.1.31/24');
    const b = lab.host('10.100.1.32/24');
    const vip = '10.100.1.33/24';
    const opts = { state: 'BACKUP', vrid: 53, vip } as const;
    const kts = await lab.kts('kts5', a, lab.file('a5.conf', vrrpConf({ ...opts, priority: 150 })));
    const peer = lab.keepalived('keepalived5', b, lab.file('b5.conf', vrrpConf({ ...opts, priority: 100 })));
    await kts.waitFor(/\(VI_1\) Entering MASTER STATE/, 10_000);
    await peer.waitFor(/\(VI_1\) Entering BACKUP STATE/, 10_000);
    const mark = kts.lines.length;
    const peerMark = peer.lines.length;
    ip('-n', a, 'addr', 'del', '10.100.1.31/24', 'dev', 'eth0');
    await kts.waitFor(/\(VI_1\) Entering FAULT STATE/, 5000, mark);
    await peer.waitFor(/\(VI_1\) Entering MASTER STATE/, 10_000, peerMark);
    ip('-n', a, 'addr', 'add', '10.100.1.34/24', 'dev', 'eth0');
    await kts.waitFor(/\(VI_1\) Entering MASTER STATE/, 10_000, mark);
    await peer.waitFor(/\(VI_1\) Entering BACKUP STATE/, 10_000, peerMark);
    await until(() => lab.addresses(a).includes(vip), 3000, 'the VIP back on keepalived-ts');
    assert.equal((await kts.status()).instances[0]!.state, 'MASTER');
    assert.ok(!kts.lines.slice(mark).some((l) => /send.*error|Failed to add/i.test(l.text)), kts.log());
    assert.equal(await lab.stop(kts), 0);
    await lab.stop(peer);
  });

  it('without dynamic_interfaces an interface missing at start stops the daemon (exit 2), as keepalived', async () => {
    const a = lab.host('10.100.1.25/24');
    const conf = vrrpConf({ state: 'BACKUP', priority: 100 }).replace('interface eth0', 'interface eth7');
    const argv = [process.execPath, BIN, '-n', '-l', '-f', lab.file('m.conf', conf)];
    const child = spawn('ip', ['netns', 'exec', a, ...argv, '--control-socket', `${lab.dir}/m.sock`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (out += c));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    assert.equal(code, 2, out);
    assert.match(out, /Non-existent interface specified in configuration/);
  });
});
