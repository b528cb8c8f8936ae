/**
 * keepalived-ts against keepalived 2.2.7 for the other wire variants: VRRPv2 AH,
 * VRRPv3 over IPv4, VRRPv3 over IPv6 and VRRPv2 unicast. For each: keepalived stays
 * BACKUP under a keepalived-ts MASTER (it accepts our adverts), takes over when
 * keepalived-ts stops, and a lower-priority keepalived-ts then sits BACKUP accepting
 * keepalived's adverts with no drop.
 */

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DaemonLab, ip, labUnavailable, until, vrrpConf } from './daemon-lab.js';

const skip = labUnavailable(true);
if (skip) console.log(`# skipping keepalived variant interop tests: ${skip}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Variant = {
  name: string;
  vip: string;
  auth: 'PASS' | 'AH' | 'none';
  globalDefs?: string;
  extra?: (self: string, peer: string) => string;
};

const unicast = (self: string, peer: string) =>
  `        unicast_src_ip ${self}\n        unicast_peer {\n              ${peer}\n        }\n`;

const VARIANTS: Variant[] = [
  { name: 'VRRPv2 AH', vip: '10.100.1.20/24', auth: 'AH' },
  { name: 'VRRPv3 IPv4', vip: '10.100.1.20/24', auth: 'none', globalDefs: '        vrrp_version 3' },
  { name: 'VRRPv3 IPv6', vip: 'fd00:100::20/64', auth: 'none', globalDefs: '        vrrp_version 3' },
  { name: 'VRRPv2 unicast', vip: '10.100.1.20/24', auth: 'PASS', extra: unicast },
];

describe('interop variants with keepalived 2.2.7', { skip: skip ?? false }, () => {
  let lab: DaemonLab;
  let s1: string;
  let s2: string;

  before(() => {
    lab = new DaemonLab();
    s1 = lab.host('10.100.1.21/24');
    s2 = lab.host('10.100.1.22/24');
  });

  after(async () => {
    await lab?.cleanup();
  });

  it('two instances on one interface share one socket, each elects its own master', async () => {
    const two = (p51: number, p52: number) =>
      vrrpConf({ state: 'BACKUP', priority: p51, vrid: 51 }) +
      vrrpConf({ state: 'BACKUP', priority: p52, vrid: 52, vip: '10.100.1.30/24' }).replace('VI_1', 'VI_2');
    const a = await lab.kts('two-a', s1, lab.file('two-a.conf', two(200, 100)));
    const b = await lab.kts('two-b', s2, lab.file('two-b.conf', two(100, 200)));
    await a.waitFor(/\(VI_1\) Entering MASTER STATE/);
    await b.waitFor(/\(VI_2\) Entering MASTER STATE/);
    await until(
      () => lab.addresses(s1).includes('10.100.1.20/24') && lab.addresses(s2).includes('10.100.1.30/24'),
      3000,
      'one VIP on each host',
    );
    await sleep(1500);
    const st = (await a.status()) as unknown as {
      channels: { instances: number }[];
      instances: { state: string }[];
    };
    assert.equal(st.channels.length, 1);
    assert.equal(st.channels[0]!.instances, 2);
    assert.deepEqual(
      st.instances.map((i) => i.state),
      ['MASTER', 'BACKUP'],
    );
    assert.ok(!lab.addresses(s1).includes('10.100.1.30/24'));
    await lab.stop(a);
    await lab.stop(b);
  });

  it('virtual_routes follow the master and are removed on stop', async () => {
    const routes = '        virtual_routes {\n              10.77.0.0/16 dev eth0\n        }\n';
    const has = (ns: string) => ip('-n', ns, 'route', 'show', '10.77.0.0/16').includes('10.77.0.0/16');
    const a = await lab.kts(
      'rt-a',
      s1,
      lab.file('rt-a.conf', vrrpConf({ state: 'BACKUP', priority: 200, extra: routes })),
    );
    const b = await lab.kts(
      'rt-b',
      s2,
      lab.file('rt-b.conf', vrrpConf({ state: 'BACKUP', priority: 150, extra: routes })),
    );
    await a.waitFor(/\(VI_1\) Entering MASTER STATE/);
    await until(() => has(s1), 3000, 'route on the master');
    assert.ok(!has(s2), 'route must not be on the backup');
    const mark = b.lines.length;
    assert.equal(await lab.stop(a), 0);
    assert.ok(!has(s1), 'route left behind by the stopped master');
    await b.waitFor(/\(VI_1\) Entering MASTER STATE/, 5000, mark);
    await until(() => has(s2), 3000, 'route on the new master');
    await lab.stop(b);
    assert.ok(!has(s2), 'route left behind');
  });

  it('track_interface weight lowers the priority while the tracked link is down', async () => {
    ip('-n', s1, 'link', 'add', 'trk0', 'type', 'veth', 'peer', 'name', 'trk1');
    ip('-n', s1, 'link', 'set', 'trk1', 'up');
    ip('-n', s1, 'link', 'set', 'trk0', 'up');
    const track = '        track_interface {\n              trk0 weight -60\n        }\n';
    const a = await lab.kts(
      'trk-a',
      s1,
      lab.file('trk-a.conf', vrrpConf({ state: 'BACKUP', priority: 200, extra: track })),
    );
    const b = await lab.kts(
      'trk-b',
      s2,
      lab.file('trk-b.conf', vrrpConf({ state: 'BACKUP', priority: 150 })),
    );
    await a.waitFor(/\(VI_1\) Entering MASTER STATE/);
    const mark = b.lines.length;
    ip('-n', s1, 'link', 'set', 'trk0', 'down');
    await a.waitFor(/\(VI_1\) Changing effective priority from 200 to 140/);
    await b.waitFor(/\(VI_1\) Entering MASTER STATE/, 5000, mark);
    assert.equal((await a.status()).instances[0]!.effectivePriority, 140);
    ip('-n', s1, 'link', 'set', 'trk0', 'up');
    await a.waitFor(/\(VI_1\) Changing effective priority from 140 to 200/);
    await b.waitFor(/\(VI_1\) Entering BACKUP STATE/, 5000, mark);
    await lab.stop(a);
    await lab.stop(b);
  });

  it('track_script weight lowers the priority while the script fails', async () => {
    const flag = `${lab.dir}/fail-flag`;
    const chk = lab.file('chk.sh', `#!/bin/sh\ntest ! -e ${flag}\n`, 0o755);
    const defs = `vrrp_script chk {\n        script "${chk}"\n        interval 1\n        weight -60\n        fall 1\n        rise 1\n}\n`;
    const track = '        track_script {\n              chk\n        }\n';
    const confA = defs + vrrpConf({ state: 'BACKUP', priority: 200, extra: track });
    const a = await lab.kts('scr-a', s1, lab.file('scr-a.conf', confA));
    const b = await lab.kts(
      'scr-b',
      s2,
      lab.file('scr-b.conf', vrrpConf({ state: 'BACKUP', priority: 150 })),
    );
    await a.waitFor(/\(VI_1\) Entering MASTER STATE/);
    const mark = b.lines.length;
    lab.file('fail-flag', '');
    await a.waitFor(/VRRP_Script\(chk\) failed/, 4000);
    await a.waitFor(/\(VI_1\) Changing effective priority from 200 to 140/);
    await b.waitFor(/\(VI_1\) Entering MASTER STATE/, 5000, mark);
    rmSync(flag);
    await a.waitFor(/VRRP_Script\(chk\) succeeded/, 4000);
    await b.waitFor(/\(VI_1\) Entering BACKUP STATE/, 5000, mark);
    await lab.stop(a);
    await lab.stop(b);
  });

  for (const v of VARIANTS) {
    it(`${v.name}: both directions`, async () => {
      const conf = (tag: string, state: 'MASTER' | 'BACKUP', priority: number, self: string, peer: string) =>
        lab.file(
          `${tag}.conf`,
          vrrpConf({
            state,
            priority,
            vip: v.vip,
            auth: v.auth,
            ...(v.globalDefs ? { globalDefs: v.globalDefs } : {}),
            ...(v.extra ? { extra: v.extra(self, peer) } : {}),
          }),
        );
      const tag = v.name.replace(/\W+/g, '-');
      const ktsMaster = conf(`${tag}-m`, 'MASTER', 255, '10.100.1.21', '10.100.1.22');
      const kaBackup = conf(`${tag}-b`, 'BACKUP', 254, '10.100.1.22', '10.100.1.21');
      const ktsLow = conf(`${tag}-l`, 'BACKUP', 100, '10.100.1.21', '10.100.1.22');
      const vipOn = (ns: string) => lab.addresses(ns).includes(v.vip);

      const kts = await lab.kts(`${tag}-kts`, s1, ktsMaster);
      await kts.waitFor(/\(VI_1\) Entering MASTER STATE/);
      const ka = lab.keepalived(`${tag}-ka`, s2, kaBackup);
      await ka.waitFor(/\(VI_1\) Entering BACKUP STATE/);
      await sleep(4500);
      assert.ok(!ka.lines.some((l) => /Entering MASTER STATE/.test(l.text)), ka.log());
      assert.ok(vipOn(s1) && !vipOn(s2), 'VIP on the keepalived-ts master only');

      const mark = ka.lines.length;
      assert.equal(await lab.stop(kts), 0);
      await ka.waitFor(/\(VI_1\) Entering MASTER STATE/, 3000, mark);
      assert.ok(!vipOn(s1), 'keepalived-ts left its VIP behind');
      await until(() => vipOn(s2), 3000, 'VIP on keepalived');

      const low = await lab.kts(`${tag}-low`, s1, ktsLow);
      await low.waitFor(/\(VI_1\) Entering BACKUP STATE/);
      await sleep(3500);
      const st = (await low.status()).instances[0]!;
      assert.equal(st.state, 'BACKUP', low.log());
      assert.ok(Number(st.stats.advertRcvd) >= 2, JSON.stringify(st));
      assert.deepEqual(st.drops, []);
      assert.equal(st.masterAddress, v.vip.includes(':') ? st.masterAddress : '10.100.1.22');
      await lab.stop(low);
      await lab.stop(ka);
      assert.ok(!vipOn(s2), 'keepalived left its VIP behind');
    });
  }
});
