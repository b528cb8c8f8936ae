/**
 * @module Interoperation with keepalived 2.2.7 on a real kernel (issue 3), for the modes a
 * test file names (vrrp-interop.test.ts: VRRPv2 PASS and AH; vrrp-interop-v3.test.ts:
 * VRRPv3 IPv4, IPv6 and unicast; two files so that each fits the runner's per-file
 * timeout and they can run side by side): keepalived-ts as master with keepalived as
 * backup, and the reverse. Each scenario checks election, failover on
 * link cut (bridge port down; eth0 down inside server1 for v2-pass and unicast),
 * preemption back on restore, failover on graceful stop (priority 0),
 * preemption after restart, the client's neighbour entry for the VIP after every
 * takeover, and tshark's verdict on every packet keepalived-ts sent.
 *
 * KTS_NETNS_IMPL=keepalived runs keepalived on both sides (harness self-check).
 */
import { after, describe, test } from 'node:test';
import {
  captureUnavailable,
  cleanupAll,
  failoverScenario,
  type Impl,
  implUnavailable,
  labUnavailable,
  type Mode,
} from './harness/index.js';

const override = process.env['KTS_NETNS_IMPL'] as Impl | undefined;
const ours: Impl = override ?? 'keepalived-ts';
const skip =
  labUnavailable() ?? captureUnavailable() ?? implUnavailable('keepalived') ?? implUnavailable(ours);

export function interopSuite(modes: readonly Mode[]): void {
  after(cleanupAll);
  describe(`VRRP interop with keepalived 2.2.7 in namespaces: ${modes.join(', ')}`, {
    skip: skip ?? false,
  }, () => {
    for (const mode of modes) {
      for (const [masterImpl, backupImpl] of [
        [ours, 'keepalived'],
        ['keepalived', ours],
      ] as const) {
        test(`${mode}: ${masterImpl} master, ${backupImpl} backup`, async (t) => {
          const r = await failoverScenario({
            mode,
            masterImpl,
            backupImpl,
            judgeKeepalived: ours === 'keepalived',
            // IPv4-only modes also cut on the host side (IPv6 addresses do not survive eth0 down).
            cutSide: mode === 'v2-pass' || mode === 'unicast' ? 'host' : 'bridge',
            log: (line) => t.diagnostic(line),
          });
          t.diagnostic(`${r.adverts} adverts captured; judged by tshark: ${r.judged.join(', ')}`);
        });
      }
    }
  });
}
