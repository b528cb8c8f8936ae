/**
 * @module keepalived-ts daemons honouring issue 4's tracking on a real LAN of namespaces
 * (`kts-<pid>-ha-*`, deleted in after() and at exit; daemons killed by pid):
 *
 * - a `vrrp_script` with weight -60 that starts failing takes the master from 150 to 90
 *   ("Changing effective priority from 150 to 90"), and the VIP moves to the peer (100);
 * - a `track_file` value moves the priority by value × weight;
 * - a sync group moves two VIPs together: a member faulted by a tracked file puts both
 *   members in FAULT and both VIPs move to the peer, with keepalived's notify order;
 * - use_vmac against keepalived 2.2.7 running the same config as the peer: the master's
 *   VIP sits on vrrp.51 with MAC 00:00:5e:00:01:33, a client resolves the VIP to that MAC,
 *   keepalived takes over when keepalived-ts stops, and the VMAC is removed.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { arpReplyMac, BIN, Daemon, keepalivedArgv, labUnavailable, until } from './daemon-lab.js';

const skip = labUnavailable();
const TAG = `kts-${process.pid}-ha`;

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A LAN namespace with a bridge per segment, and hosts with one interface per segment. */
class HaLab {
  readonly dir = mkdtempSync(join(tmpdir(), `${TAG}-`));
  readonly namespaces: string[] = [];
  readonly daemons: Daemon[] = [];
  readonly lan: string;
  #n = 0;

  constructor() {
    process.once('exit', () => this.#deleteNamespaces());
    this.lan = this.namespace('lan');
    for (const br of ['br0', 'br1']) {
      ip('-n', this.lan, 'link', 'add', br, 'type', 'bridge', 'forward_delay', '0');
      ip('-n', this.lan, 'link', 'set', br, 'up');
    }
  }

  namespace(role: string): string {
    const name = `${TAG}-${role}`;
    ip('netns', 'add', name);
    this.namespaces.push(name);
    ip('-n', name, 'link', 'set', 'lo', 'up');
    return name;
  }

  /** A host with eth0 on br0 and eth1 on br1 at the given addresses. */
  host(role: string, a0: string, a1: string): string {
    const ns = this.namespace(role);
    for (const [dev, br, addr] of [
      ['eth0', 'br0', a0],
      ['eth1', 'br1', a1],
    ] as const) {
      const peer = `kh${process.pid % 10000}x${this.#n++}`;
      ip('link', 'add', peer, 'type', 'veth', 'peer', 'name', dev, 'netns', ns);
      ip('link', 'set', peer, 'netns', this.lan);
      ip('-n', this.lan, 'link', 'set', peer, 'master', br, 'up');
      ip('-n', ns, 'addr', 'add', addr, 'dev', dev);
      ip('-n', ns, 'link', 'set', dev, 'up');
    }
    return ns;
  }

  file(name: string, text: string, mode = 0o644): string {
    const p = join(this.dir, name);
    writeFileSync(p, text, { mode });
    return p;
  }

  keepalived(name: string, ns: string, conf: string): Daemon {
    const argv = keepalivedArgv(this.dir, name, conf);
    const d = new Daemon(name, ns, argv, '');
    this.daemons.push(d);
    return d;
  }

  async kts(name: string, ns: string, conf: string): Promise<Daemon> {
    const socket = join(this.dir, `${name}.sock`);
    const argv = [process.execPath, BIN, '-n', '-l', '-D', '-f', conf, '--control-socket', socket];
    const d = new Daemon(name, ns, argv, socket);
    this.daemons.push(d);
    await d.waitFor(/Control socket .* ready/);
    return d;
  }

  addresses(ns: string, dev: string): string[] {
    const out = JSON.parse(ip('-n', ns, '-j', 'addr', 'show', 'dev', dev)) as {
      addr_info: { local: string; prefixlen: number }[];
    }[];
    return out.flatMap((l) => l.addr_info.map((a) => `${a.local}/${a.prefixlen}`));
  }

  #deleteNamespaces(): void {
    for (const ns of this.namespaces.splice(0)) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
  }

  async cleanup(): Promise<void> {
    for (const d of this.daemons) d.signal('SIGTERM');
    const kill = setTimeout(() => {
      for (const d of this.daemons) d.signal('SIGKILL');
    }, 3000);
    await Promise.all(this.daemons.map((d) => d.exited));
    clearTimeout(kill);
    this.#deleteNamespaces();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function conf(o: { priority: number; rc: string; tf: string; syncGroup: boolean; notify?: string }): string {
  const notify = o.notify === undefined ? '' : `  notify ${o.notify}\n`;
  const group = o.syncGroup ? `vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n${notify}}\n` : '';
  const inst = (
    name: string,
    dev: string,
    vrid: number,
    vip: string,
    track: string,
  ) => `vrrp_instance ${name} {
  state BACKUP
  interface ${dev}
  virtual_router_id ${vrid}
  priority ${o.priority}
  advert_int 1
  virtual_ipaddress {
    ${vip}
  }
${notify}${track}}
`;
  const scriptTrack = o.syncGroup ? '' : '  track_script {\n    chk\n  }\n';
  return `global_defs {
  enable_script_security
  script_user root
}
vrrp_script chk {
  script "/bin/sh -c 'exit $(cat ${o.rc})'"
  interval 1
  weight -60
}
vrrp_track_file tf {
  file ${o.tf}
  weight ${o.syncGroup ? 0 : 5}
}
${group}${inst('VI_1', 'eth0', 51, '10.252.0.100/24', `${scriptTrack}  track_file {\n    tf\n  }\n`)}${inst('VI_2', 'eth1', 52, '10.252.1.100/24', '')}`;
}

for (const syncGroup of [false, true]) {
  const what = syncGroup ? 'a sync group follows a faulted member' : 'a failing track script moves the VIP';
  describe(`keepalived-ts tracking on a LAN: ${what}`, { skip: skip ?? false }, () => {
    let lab: HaLab;
    let s1: string;
    let s2: string;
    let d1: Daemon;
    let rc: string;
    let tf: string;
    let notifyLog: string;

    before(async () => {
      lab = new HaLab();
      s1 = lab.host('s1', '10.252.0.1/24', '10.252.1.1/24');
      s2 = lab.host('s2', '10.252.0.2/24', '10.252.1.2/24');
      notifyLog = lab.file('notify.log', '');
      const notify = lab.file('notify.sh', `#!/bin/sh\necho "$@" >> ${notifyLog}\n`, 0o755);
      rc = lab.file('rc1', '0');
      tf = lab.file('tf1', '0\n');
      const rc2 = lab.file('rc2', '0');
      const tf2 = lab.file('tf2', '0\n');
      d1 = await lab.kts('s1', s1, lab.file('s1.conf', conf({ priority: 150, rc, tf, syncGroup, notify })));
      await lab.kts('s2', s2, lab.file('s2.conf', conf({ priority: 100, rc: rc2, tf: tf2, syncGroup })));
      await d1.waitFor(/\(VI_1\) Entering MASTER STATE/, 15_000);
      await d1.waitFor(/\(VI_2\) Entering MASTER STATE/, 15_000);
    });

    after(async () => {
      await lab?.cleanup();
    });

    if (!syncGroup) {
      it('track_file value × weight raises the priority (2 × 5: 150 to 160)', async () => {
        writeFileSync(tf, '2\n');
        await d1.waitFor(/\(VI_1\) Changing effective priority from 150 to 160/, 5000);
      });

      it('the script failing lowers the master by 60 and the VIP moves to the peer', async () => {
        const from = d1.lines.length;
        writeFileSync(rc, '1');
        await d1.waitFor(/VRRP_Script\(chk\) failed/, 5000, from);
        await d1.waitFor(/\(VI_1\) Changing effective priority from 160 to 100/, 5000, from);
        writeFileSync(tf, '-2\n');
        await d1.waitFor(/\(VI_1\) Changing effective priority from 100 to 80/, 5000, from);
        await until(() => lab.addresses(s2, 'eth0').includes('10.252.0.100/24'), 8000, 'VIP on s2');
        await until(() => !lab.addresses(s1, 'eth0').includes('10.252.0.100/24'), 3000, 'VIP gone from s1');
        assert.ok(lab.addresses(s1, 'eth1').includes('10.252.1.100/24'), 'the untracked VI_2 stays on s1');
      });
    } else {
      it('a member faulted by its track_file takes the whole group to FAULT; both VIPs move', async () => {
        const from = d1.lines.length;
        writeFileSync(tf, '1\n');
        await d1.waitFor(/\(VI_1\) Entering FAULT STATE/, 5000, from);
        await d1.waitFor(/VRRP_Group\(G\) Syncing instances to FAULT state/, 5000, from);
        await d1.waitFor(/\(VI_2\) Entering FAULT STATE/, 5000, from);
        await until(() => lab.addresses(s2, 'eth0').includes('10.252.0.100/24'), 8000, 'VIP 1 on s2');
        await until(() => lab.addresses(s2, 'eth1').includes('10.252.1.100/24'), 8000, 'VIP 2 on s2');
        // keepalived 2.2.7 (observed): each instance's notify, then the group's "GROUP G FAULT 0"
        // (each script is its own process, so only which lines appear is certain, not their order)
        const notes = () => readFileSync(notifyLog, 'utf8').trim().split('\n');
        const want = ['INSTANCE VI_1 FAULT 150', 'INSTANCE VI_2 FAULT 150', 'GROUP G FAULT 0'];
        await until(() => want.every((w) => notes().includes(w)), 3000, 'instance and group notifies');
        writeFileSync(tf, '0\n');
        await d1.waitFor(/VRRP_Group\(G\) Syncing instances to BACKUP state/, 5000, from);
      });
    }
  });
}

function vmacConf(priority: number): string {
  return `vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority ${priority}
  advert_int 1
  use_vmac
  virtual_ipaddress {
    10.252.0.100/24
  }
}
`;
}

describe('keepalived-ts use_vmac against keepalived 2.2.7', {
  skip: skip ?? labUnavailable(true) ?? false,
}, () => {
  let lab: HaLab;
  let s1: string;
  let s2: string;
  let client: string;
  let d1: Daemon;

  before(async () => {
    lab = new HaLab();
    s1 = lab.host('s1', '10.252.0.1/24', '10.252.1.1/24');
    s2 = lab.host('s2', '10.252.0.2/24', '10.252.1.2/24');
    client = lab.host('client', '10.252.0.9/24', '10.252.1.9/24');
    d1 = await lab.kts('s1', s1, lab.file('s1.conf', vmacConf(150)));
    lab.keepalived('s2', s2, lab.file('s2.conf', vmacConf(100)));
    await d1.waitFor(/\(VI_1\) Entering MASTER STATE/, 15_000);
  });

  after(async () => {
    await lab?.cleanup();
  });

  it('the master holds the VIP on vrrp.51 with the virtual MAC; the client resolves it there', async () => {
    assert.ok(d1.lines.some((l) => l.text.includes('(VI_1): Success creating VMAC interface vrrp.51')));
    const link = ip('-n', s1, '-d', 'link', 'show', 'vrrp.51');
    assert.match(link, /link\/ether 00:00:5e:00:01:33 /);
    assert.match(link, /macvlan mode private/);
    await until(() => lab.addresses(s1, 'vrrp.51').includes('10.252.0.100/24'), 5000, 'VIP on vrrp.51');
    assert.ok(!lab.addresses(s1, 'eth0').includes('10.252.0.100/24'));
    // keepalived hears our adverts sent from the VMAC and stays BACKUP: no VIP on its side.
    await new Promise((r) => setTimeout(r, 4000));
    assert.ok(!lab.addresses(s2, 'vrrp.51').includes('10.252.0.100/24'), 'keepalived must stay BACKUP');
    // No ping here: a UDP datagram to the VIP makes the client resolve it.
    const send = "require('dgram').createSocket('udp4').send('x', 9, '10.252.0.100', () => process.exit(0))";
    const mac = await arpReplyMac(client, '10.252.0.100', () =>
      execFileSync('ip', ['netns', 'exec', client, process.execPath, '-e', send]),
    );
    assert.equal(mac, '00:00:5e:00:01:33', 'the VIP is answered with the virtual MAC');
  });

  it('on stop keepalived takes over on its own VMAC and the VMAC is removed', async () => {
    d1.signal('SIGTERM');
    await d1.exited;
    await until(
      () => lab.addresses(s2, 'vrrp.51').includes('10.252.0.100/24'),
      8000,
      'VIP on keepalived vrrp.51',
    );
    assert.throws(() => ip('-n', s1, 'link', 'show', 'vrrp.51'));
    assert.ok(d1.lines.some((l) => l.text.includes('(VI_1) Success removing VMAC interface vrrp.51')));
  });
});
