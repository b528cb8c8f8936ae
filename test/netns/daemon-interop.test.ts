/**
 * keepalived-ts against keepalived 2.2.7 on one bridge, the article's configs (VRRPv2,
 * advert_int 1, auth PASS 12345), in both roles: election, no packet of either dropped by
 * the other, failover on graceful stop (and on link cut with keepalived as master),
 * preemption back.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Daemon, DaemonLab, ip, labUnavailable, until, vrrpConf } from './daemon-lab.js';

const skip = labUnavailable(true);
if (skip) console.log(`# skipping keepalived interop tests: ${skip}`);

const VIP = '10.100.1.20/24';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('interop with keepalived 2.2.7, VRRPv2 PASS', { skip: skip ?? false }, () => {
  let lab: DaemonLab;
  let s1: string;
  let s2: string;
  let masterConf: string;
  let backupConf: string;

  before(() => {
    lab = new DaemonLab();
    s1 = lab.host('10.100.1.21/24');
    s2 = lab.host('10.100.1.22/24');
    masterConf = lab.file('master.conf', vrrpConf({ state: 'MASTER', priority: 255 }));
    backupConf = lab.file('backup.conf', vrrpConf({ state: 'BACKUP', priority: 254 }));
  });

  after(async () => {
    await lab?.cleanup();
  });

  describe('keepalived-ts master, keepalived backup', () => {
    let kts: Daemon;
    let ka: Daemon;

    it('keepalived accepts our adverts and stays BACKUP', async () => {
      kts = await lab.kts('kts-master', s1, masterConf);
      await kts.waitFor(/\(VI_1\) Entering MASTER STATE/);
      ka = lab.keepalived('ka-backup', s2, backupConf);
      await ka.waitFor(/\(VI_1\) Entering BACKUP STATE/);
      await sleep(4500); // longer than Master_Down_Interval: it would have taken over
      assert.ok(!ka.lines.some((l) => /Entering MASTER STATE/.test(l.text)), ka.log());
      assert.ok(lab.addresses(s1).includes(VIP));
      assert.ok(!lab.addresses(s2).includes(VIP));
      const st = await kts.status();
      assert.equal(st.instances[0]?.state, 'MASTER');
    });

    it('keepalived takes over when keepalived-ts stops (priority 0)', async () => {
      const mark = ka.lines.length;
      const t0 = performance.now();
      assert.equal(await lab.stop(kts), 0);
      const hit = await ka.waitFor(/\(VI_1\) Entering MASTER STATE/, 5000, mark);
      console.log(`# keepalived takeover after keepalived-ts SIGTERM: ${(hit.atMs - t0).toFixed(1)} ms`);
      assert.ok(hit.atMs - t0 < 2000);
      assert.ok(!lab.addresses(s1).includes(VIP), 'keepalived-ts left its VIP behind');
      await until(() => lab.addresses(s2).includes(VIP), 3000, 'VIP on keepalived host');
    });

    it('keepalived-ts preempts back', async () => {
      const mark = ka.lines.length;
      kts = await lab.kts('kts-master2', s1, masterConf);
      await kts.waitFor(/\(VI_1\) Entering MASTER STATE/);
      await ka.waitFor(/\(VI_1\) Entering BACKUP STATE/, 5000, mark);
      await until(
        () => lab.addresses(s1).includes(VIP) && !lab.addresses(s2).includes(VIP),
        3000,
        'VIP back',
      );
      await lab.stop(kts);
      await lab.stop(ka);
    });
  });

  describe('keepalived master, keepalived-ts backup', () => {
    let kts: Daemon;
    let ka: Daemon;

    it('keepalived-ts accepts keepalived adverts and stays BACKUP', async () => {
      ka = lab.keepalived('ka-master', s1, masterConf);
      await ka.waitFor(/\(VI_1\) Entering MASTER STATE/);
      kts = await lab.kts('kts-backup', s2, backupConf);
      await kts.waitFor(/\(VI_1\) Entering BACKUP STATE/);
      await sleep(4500);
      assert.ok(!kts.lines.some((l) => /Entering MASTER STATE/.test(l.text)), kts.log());
      const st = await kts.status();
      const i = st.instances[0]!;
      assert.equal(i.state, 'BACKUP');
      assert.equal(i.masterAddress, '10.100.1.21');
      assert.ok(Number(i.stats.advertRcvd) >= 4, JSON.stringify(i.stats));
      assert.deepEqual(i.drops, []);
      assert.ok(lab.addresses(s1).includes(VIP));
      assert.ok(!lab.addresses(s2).includes(VIP));
    });

    it('keepalived-ts takes over when keepalived stops (priority 0)', async () => {
      const mark = kts.lines.length;
      const t0 = performance.now();
      await lab.stop(ka);
      const hit = await kts.waitFor(/\(VI_1\) Entering MASTER STATE/, 5000, mark);
      console.log(`# keepalived-ts takeover after keepalived SIGTERM: ${(hit.atMs - t0).toFixed(1)} ms`);
      assert.ok(hit.atMs - t0 < 2000);
      await until(() => lab.addresses(s2).includes(VIP), 3000, 'VIP on keepalived-ts host');
    });

    it('keepalived preempts back, then a link cut fails over to keepalived-ts', async () => {
      let mark = kts.lines.length;
      ka = lab.keepalived('ka-master2', s1, masterConf);
      await ka.waitFor(/\(VI_1\) Entering MASTER STATE/, 10_000);
      await kts.waitFor(/\(VI_1\) Entering BACKUP STATE/, 5000, mark);
      await until(
        () => lab.addresses(s1).includes(VIP) && !lab.addresses(s2).includes(VIP),
        3000,
        'VIP back',
      );
      mark = kts.lines.length;
      const t0 = performance.now();
      ip('-n', s1, 'link', 'set', 'eth0', 'down');
      const hit = await kts.waitFor(/\(VI_1\) Entering MASTER STATE/, 6000, mark);
      console.log(`# keepalived-ts takeover after keepalived link cut: ${(hit.atMs - t0).toFixed(1)} ms`);
      await until(() => lab.addresses(s2).includes(VIP), 3000, 'VIP on keepalived-ts host');
      mark = kts.lines.length;
      ip('-n', s1, 'link', 'set', 'eth0', 'up');
      await kts.waitFor(/\(VI_1\) Entering BACKUP STATE/, 10_000, mark);
    });
  });
});
