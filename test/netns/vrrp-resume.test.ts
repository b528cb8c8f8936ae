/**
 * A master that was stopped (SIGSTOP) while a better router took over, then continued
 * (SIGCONT), finds its Adver_Timer long overdue and a better master's adverts queued in
 * its socket. It must yield on reading them, without sending a stale advert of its own
 * first. Set up with keepalived-ts on both sides: server1 (priority 100) becomes MASTER
 * alone, server2 (priority 200, nopreempt) joins as BACKUP, server1 is frozen, server2
 * takes over, server1 continues. VRRPv3 at 0.1 s, judged on the capture.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  articleLab,
  Capture,
  captureUnavailable,
  implUnavailable,
  type Lab,
  labUnavailable,
  sleep,
  VrrpNode,
  vrrpConf,
  vrrpFrames,
} from './harness/index.js';

const skip = labUnavailable() ?? captureUnavailable() ?? implUnavailable('keepalived-ts');
if (skip) console.log(`# skipping the resumed-master test: ${skip}`);

describe('a stopped master continued after a better one took over', { skip: skip ?? false }, () => {
  let lab: Lab;
  let capture: Capture;
  let s1: VrrpNode;
  let s2: VrrpNode;

  before(async () => {
    lab = articleLab('resume');
    capture = await Capture.start(lab, 'resume', 'ip proto 112');
  });

  after(async () => {
    await Promise.all([s1?.stop(), s2?.stop()]);
    await capture?.stop();
    lab?.destroy();
  });

  it('yields on the queued adverts and sends no stale advert', async () => {
    const [h1, h2] = [lab.host('server1'), lab.host('server2')];
    const conf = (self: typeof h1, peer: typeof h1, priority: number, extra: string[]) =>
      vrrpConf({ mode: 'v3-ipv4', self, peer, priority, state: 'BACKUP', advertInt: 0.1, extra });
    s1 = new VrrpNode(lab, h1, 'keepalived-ts', conf(h1, h2, 100, []));
    await s1.waitState('MASTER', 5000);
    s2 = new VrrpNode(lab, h2, 'keepalived-ts', conf(h2, h1, 200, ['nopreempt']));
    await s2.waitState('BACKUP', 5000);
    await sleep(500);
    assert.equal(s2.state(), 'BACKUP', 'nopreempt: server2 leaves server1 MASTER');

    const from2 = s2.mark();
    s1.proc.signal('SIGSTOP', true);
    await s2.waitState('MASTER', 3000, from2);
    await sleep(500); // five of server2's adverts wait in server1's socket
    const from1 = s1.mark();
    const resumedAt = s1.proc.signal('SIGCONT', true);
    await s1.waitState('BACKUP', 3000, from1);
    await sleep(300);
    const frames = vrrpFrames(await capture.stop());
    const stale = frames.filter((f) => f.ethSrc === h1.mac && f.t > resumedAt);
    assert.deepEqual(
      stale.map((f) => `${f.priority} at +${(f.t - resumedAt).toFixed(2)} ms`),
      [],
      'server1 sent adverts after SIGCONT',
    );
    assert.ok(
      frames.some((f) => f.ethSrc === h2.mac && f.t > resumedAt && f.priority === 200),
      'server2 goes on as MASTER',
    );
    assert.equal(s2.transitions('BACKUP', from2).length, 0, 'server2 never left MASTER');
  });
});
