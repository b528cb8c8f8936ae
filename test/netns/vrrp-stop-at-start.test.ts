/**
 * A SIGTERM that lands as the daemon starts, right after an instance entered MASTER and
 * set its VIP, must still be a graceful stop: a priority-0 advert, the VIP removed, exit
 * status 0. Until the signal handlers were installed before the instances started, the
 * default action killed the process in that window (about half the time when SIGTERM
 * followed the MASTER line at once), leaving the VIP on the interface and the backup
 * waiting out Master_Down_Interval. Several starts, each stopped the moment its MASTER
 * line is read; VRRPv3 at 0.01 s, judged on the capture and the interface. The test's
 * loop thread runs at SCHED_RR 2, above the daemon (SCHED_RR 1), as the failover bench's
 * does: under normal scheduling it read the line too late to hit the window.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { native } from '../../src/native/binding.js';
import {
  articleLab,
  Capture,
  captureUnavailable,
  hasAddress,
  implUnavailable,
  type Lab,
  labUnavailable,
  VrrpNode,
  vipOf,
  vrrpConf,
  vrrpFrames,
} from './harness/index.js';

const STARTS = 6;

const skip = labUnavailable() ?? captureUnavailable() ?? implUnavailable('keepalived-ts');
if (skip) console.log(`# skipping the stop-at-start test: ${skip}`);

describe('SIGTERM as the daemon starts', { skip: skip ?? false }, () => {
  let lab: Lab;
  let capture: Capture;
  let node: VrrpNode | undefined;
  let peer: VrrpNode | undefined;

  before(async () => {
    const n = native();
    n.setScheduler(0, n.constants.SCHED_RR | n.constants.SCHED_RESET_ON_FORK, 2);
    lab = articleLab('stopstart');
    capture = await Capture.start(lab, 'stopstart', 'ip proto 112');
  });

  after(async () => {
    await Promise.all([node?.stop(), peer?.stop()]);
    await capture?.stop();
    lab?.destroy();
    native().setScheduler(0, native().constants.SCHED_OTHER, 0);
  });

  it(`is a graceful stop in each of ${STARTS} starts`, async () => {
    const [h1, h2] = [lab.host('server1'), lab.host('server2')];
    const vip = vipOf('v3-ipv4');
    const conf = (self: typeof h1, other: typeof h1, priority: number) =>
      vrrpConf({ mode: 'v3-ipv4', self, peer: other, priority, state: 'MASTER', advertInt: 0.01 });
    const stops: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      // Both servers start together, as in the failover bench's first trial: the start-up
      // work of two daemons on the two cores is what widened the window.
      node = new VrrpNode(lab, h1, 'keepalived-ts', conf(h1, h2, 255));
      peer = new VrrpNode(lab, h2, 'keepalived-ts', conf(h2, h1, 254));
      await node.waitState('MASTER', 5000);
      stops.push(node.proc.signal('SIGTERM'));
      const code = await node.proc.exited;
      assert.equal(code, 0, `start ${i + 1}: exit status (null: killed by SIGTERM)\n${node.proc.tail(20)}`);
      assert.equal(hasAddress(h1.ns, vip), false, `start ${i + 1}: VIP ${vip} left on server1`);
      node = undefined;
      await peer.stop();
      peer = undefined;
    }
    const frames = vrrpFrames(await capture.stop()).filter((f) => f.ethSrc === h1.mac);
    for (const [i, at] of stops.entries()) {
      const next = stops[i + 1] ?? Number.POSITIVE_INFINITY;
      const zero = frames.find((f) => f.t >= at && f.t < next && f.priority === 0);
      assert.ok(zero, `start ${i + 1}: no priority-0 advert after SIGTERM`);
    }
  });
});
