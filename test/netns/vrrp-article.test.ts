/**
 * @module The article's scenario on a real kernel (issue 3): server1 10.100.1.21 and
 * server2 10.100.1.22 run keepalived-ts with examples/server1.conf and server2.conf
 * verbatim (VRRPv2, advert_int 1, PASS 12345, priorities 255 / 254), a client sits on
 * the same bridge. server1 holds 10.100.1.20/24; cutting its link moves the VIP to
 * server2 within Master_Down_Interval (3 x 1 s + skew); restoring it moves the VIP
 * back; stopping server1 hands over at once (priority 0). tshark judges every packet.
 *
 * KTS_NETNS_IMPL=keepalived runs keepalived on both servers (harness self-check).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  announceFrames,
  articleLab,
  Capture,
  captureUnavailable,
  cleanupAll,
  hasAddress,
  type Impl,
  implUnavailable,
  judgeAdverts,
  judgeAnnounces,
  labUnavailable,
  neighbourBecomes,
  ping,
  repoRoot,
  VIP4,
  VrrpNode,
  vrrpFrames,
} from './harness/index.js';

const impl = (process.env['KTS_NETNS_IMPL'] as Impl | undefined) ?? 'keepalived-ts';
const skip = labUnavailable() ?? captureUnavailable() ?? implUnavailable(impl);
const conf = (name: string) => readFileSync(join(repoRoot(), 'examples', name), 'latin1');
/** Master_Down_Interval for priority 254 at advert_int 1: 3 x 1 s + (256 - 254) / 256 s. */
const MASTER_DOWN_MS = 3000 + (2 * 1000) / 256;

after(cleanupAll);

test("the article's two servers: election, link-cut failover, preemption back, graceful stop", {
  skip: skip ?? false,
}, async (t) => {
  const lab = articleLab('article');
  const [s1, s2, client] = [lab.host('server1'), lab.host('server2'), lab.host('client')];
  const nodes: VrrpNode[] = [];
  try {
    const capture = await Capture.start(lab, 'article');
    const n1 = new VrrpNode(lab, s1, impl, conf('server1.conf'));
    const n2 = new VrrpNode(lab, s2, impl, conf('server2.conf'));
    nodes.push(n1, n2);
    const t0 = Date.now();
    await n1.waitState('MASTER', 8000);
    await n2.waitState('BACKUP', 8000);
    assert.ok(ping(client.ns, VIP4, 2), 'client reaches the VIP on server1');
    assert.ok(hasAddress(s1.ns, VIP4) && !hasAddress(s2.ns, VIP4), 'VIP on server1 only');
    assert.equal((await neighbourBecomes(client.ns, VIP4, s1.mac, 2000))?.lladdr, s1.mac);
    if (impl === 'keepalived-ts') {
      const st1 = await n1.status();
      // The backup learns who the master is from the next advert (advert_int 1 s).
      let st2 = await n2.status();
      for (let i = 0; i < 30 && !st2.instances[0]?.masterAddress; i++) {
        await new Promise((r) => setTimeout(r, 100));
        st2 = await n2.status();
      }
      assert.equal(st1.instances[0]?.state, 'MASTER', 'status: server1 MASTER');
      assert.equal(st2.instances[0]?.state, 'BACKUP', 'status: server2 BACKUP');
      assert.equal(st2.instances[0]?.masterAddress, s1.v4, 'status: server2 knows server1 is master');
    }

    const m2 = n2.mark();
    const cut = lab.cut('server1');
    const master2 = await n2.waitState('MASTER', 6000, m2);
    const failoverMs = master2.t - cut.after;
    t.diagnostic(`link cut -> server2 Entering MASTER STATE: ${failoverMs.toFixed(0)} ms`);
    assert.ok(failoverMs < MASTER_DOWN_MS + 300, `failover took ${failoverMs} ms`);
    assert.ok(hasAddress(s2.ns, VIP4), 'server2 holds the VIP');
    assert.equal(
      (await neighbourBecomes(client.ns, VIP4, s2.mac, 3000))?.lladdr,
      s2.mac,
      'GARP moved the client',
    );
    assert.ok(ping(client.ns, VIP4, 2), 'client reaches the VIP on server2');

    const [m1b, m2b] = [n1.mark(), n2.mark()];
    lab.restore('server1');
    await n1.waitState('MASTER', 8000, m1b);
    await n2.waitState('BACKUP', 3000, m2b);
    assert.equal(
      (await neighbourBecomes(client.ns, VIP4, s1.mac, 3000))?.lladdr,
      s1.mac,
      'VIP back on server1',
    );
    assert.ok(!hasAddress(s2.ns, VIP4), 'server2 released the VIP');

    const m2c = n2.mark();
    const sent = await n1.terminate();
    const master2c = await n2.waitState('MASTER', 2500, m2c);
    t.diagnostic(`SIGTERM -> server2 Entering MASTER STATE: ${(master2c.t - sent).toFixed(0)} ms`);
    assert.ok(master2c.t - sent < 1500, 'priority 0 gives a fast takeover');
    assert.ok(!hasAddress(s1.ns, VIP4), 'server1 left no VIP behind');
    await n2.stop();
    assert.ok(!hasAddress(s2.ns, VIP4), 'server2 left no VIP behind');

    const file = await capture.stop();
    const frames = vrrpFrames(file);
    const base = { version: 2, vrid: 51, authType: 1, authString: '12345', adverInt: 1, ah: false } as const;
    const common = { ...base, dst: '224.0.0.18', addresses: [VIP4] };
    const problems = [
      ...judgeAdverts(frames, s1.mac, { ...common, priority: 255, src: s1.v4 }, 3),
      ...judgeAdverts(frames, s2.mac, { ...common, priority: 254, src: s2.v4 }, 3),
      ...judgeAnnounces(announceFrames(file), s2.mac, VIP4, t0),
      ...judgeAnnounces(announceFrames(file), s1.mac, VIP4, t0),
    ];
    t.diagnostic(`${frames.length} VRRP frames judged by tshark`);
    assert.deepEqual(problems, []);
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    lab.destroy();
  }
});
