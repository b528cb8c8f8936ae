/**
 * @module The VRRP firewall (no_accept under vrrp_strict, VMAC filtering) against
 * keepalived 2.2.7: the same config runs alone on two separate LANs of namespaces, one
 * under keepalived and one under keepalived-ts; once both are MASTER their nftables
 * rulesets must be the same (handles, counter values and element order aside). A client
 * on keepalived-ts's LAN then finds the no_accept VIP unreachable while the host's own
 * address answers, and on stop both daemons leave no table behind.
 */

import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { DaemonLab, labUnavailable, until } from './daemon-lab.js';

const skip = labUnavailable(true);

const CONFIG = `global_defs {
  vrrp_strict
  nftables_counters
}
static_ipaddress {
  10.100.1.70/24 dev eth0
}
vrrp_instance VI_4 {
  state BACKUP
  interface eth0
  virtual_router_id 61
  priority 100
  advert_int 1
  use_vmac
  virtual_ipaddress {
    10.100.1.61/24
  }
  virtual_ipaddress_excluded {
    fe80::61/64
    fd00::61/64
  }
}
vrrp_instance VI_6 {
  state BACKUP
  interface eth0
  virtual_router_id 62
  priority 100
  advert_int 1
  use_vmac
  virtual_ipaddress {
    fd00::62/64
  }
}
vrrp_instance VI_OWNER {
  state MASTER
  interface eth0
  virtual_router_id 63
  priority 255
  advert_int 1
  virtual_ipaddress {
    10.100.1.63/24
  }
}
`;

type Json = Record<string, unknown>;

/** `nft -j list ruleset` in `ns`, without handles and metainfo, counters zeroed, elements sorted. */
function ruleset(ns: string): Json[] {
  const out = execFileSync('ip', ['netns', 'exec', ns, 'nft', '-j', 'list', 'ruleset'], { encoding: 'utf8' });
  const doc = JSON.parse(out) as { nftables: Json[] };
  const clean = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(clean);
    if (v === null || typeof v !== 'object') return v;
    const o: Json = {};
    for (const [k, x] of Object.entries(v as Json)) {
      if (k === 'handle') continue;
      if (k === 'counter') o[k] = { packets: 0, bytes: 0 };
      else if (k === 'elem' && Array.isArray(x))
        o[k] = x.map(clean).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      else o[k] = clean(x);
    }
    return o;
  };
  return doc.nftables.filter((o) => !('metainfo' in o)).map((o) => clean(o) as Json);
}

function rulesetText(ns: string): string {
  return execFileSync('ip', ['netns', 'exec', ns, 'nft', 'list', 'ruleset'], { encoding: 'utf8' });
}

/** Whether a TCP connection from `ns` to `address`:7777 is answered within a second. */
function connects(ns: string, address: string): boolean {
  const probe = `const s=require('net').connect(7777,'${address}',()=>process.exit(0));s.on('error',()=>process.exit(1));setTimeout(()=>process.exit(1),1000)`;
  try {
    execFileSync('ip', ['netns', 'exec', ns, process.execPath, '-e', probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A TCP listener on every address of `ns`, port 7777, until killed. */
function listen(ns: string): ChildProcess {
  const server = "require('net').createServer((s)=>s.end()).listen(7777)";
  return spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', server], { stdio: 'ignore' });
}

describe('VRRP firewall in nftables, side by side with keepalived 2.2.7', { skip: skip ?? false }, () => {
  let ours: DaemonLab;
  let theirs: DaemonLab;

  before(() => {
    ours = new DaemonLab();
    theirs = new DaemonLab();
  });
  after(async () => {
    await ours?.cleanup();
    await theirs?.cleanup();
  });

  it('builds the same tables as keepalived, drops no_accept VIPs, and removes them on stop', async () => {
    const tsHost = ours.host('10.100.1.1/24');
    const client = ours.host('10.100.1.9/24');
    const kaHost = theirs.host('10.100.1.1/24');
    const ts = await ours.kts('kts', tsHost, ours.file('kts.conf', CONFIG));
    const ka = theirs.keepalived('ka', kaHost, theirs.file('ka.conf', CONFIG));
    for (const d of [ts, ka]) {
      await d.waitFor(/\(VI_4\) Entering MASTER STATE/, 15_000);
      await d.waitFor(/\(VI_6\) Entering MASTER STATE/, 15_000);
    }
    // The sets follow the VIPs; give both daemons' last nft run time to land.
    await until(() => rulesetText(tsHost).includes('10.100.1.61'), 5000, 'keepalived-ts drops VI_4 VIP');
    await until(() => rulesetText(kaHost).includes('10.100.1.61'), 5000, 'keepalived drops VI_4 VIP');
    // Addresses land where keepalived puts them: VIPs on the VMAC, excluded VIPs and
    // static addresses on the parent.
    for (const [lab, ns] of [
      [ours, tsHost],
      [theirs, kaHost],
    ] as const) {
      assert.ok(lab.addresses(ns, 'vrrp.61').includes('10.100.1.61/24'), `${ns}: VIP on the VMAC`);
      const parent = lab.addresses(ns, 'eth0');
      for (const a of ['fd00::61/64', 'fe80::61/64', '10.100.1.70/24'])
        assert.ok(parent.includes(a), `${ns}: ${a} on eth0`);
    }
    const a = ruleset(tsHost);
    const b = ruleset(kaHost);
    assert.deepEqual(a, b, `keepalived-ts:\n${rulesetText(tsHost)}\nkeepalived:\n${rulesetText(kaHost)}`);
    assert.ok(ts.lines.some((l) => l.text.includes('(VI_4) setting firewall drop rule')));
    assert.ok(!ts.lines.some((l) => l.text.includes('(VI_OWNER) setting firewall drop rule')));

    // no_accept: the VIP held by VI_4 does not answer; the owner's VIP and the host do.
    const server = listen(tsHost);
    try {
      await until(() => connects(client, '10.100.1.1'), 5000, 'host address answers');
      assert.equal(connects(client, '10.100.1.63'), true, 'address owner VIP answers (accept)');
      assert.equal(connects(client, '10.100.1.61'), false, 'no_accept VIP is dropped');
      // ... by the firewall: without its set element the same VIP answers.
      execFileSync('ip', [
        'netns',
        'exec',
        tsHost,
        'nft',
        'delete element ip keepalived vips { 10.100.1.61 }',
      ]);
      assert.equal(connects(client, '10.100.1.61'), true, 'VIP answers once the drop element is gone');
    } finally {
      server.kill();
    }

    assert.equal(await ours.stop(ts), 0);
    await theirs.stop(ka);
    assert.equal(rulesetText(tsHost).trim(), '', 'keepalived-ts leaves no table');
    assert.deepEqual(
      ours.addresses(tsHost).filter((x) => !x.startsWith('fe80::') || x === 'fe80::61/64'),
      ['10.100.1.1/24'],
      'keepalived-ts leaves no VIP, excluded VIP or static address',
    );
    assert.equal(rulesetText(kaHost).trim(), '', 'keepalived leaves no table');
    assert.ok(ts.lines.some((l) => l.text.includes('(VI_4) removing firewall drop rule')));
  });
});
