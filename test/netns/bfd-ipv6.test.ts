/**
 * BFD over IPv6 between keepalived 2.2.7 and keepalived-ts: both sessions reach Up and
 * a silent keepalived is declared Down on detection-time expiry (the IPv6 listener is
 * node:dgram: no hop-limit check, see src/io/bfd-listener.ts).
 */
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type Daemon, DaemonLab, labUnavailable } from './daemon-lab.js';

const KA = 'fd00:bfd::1';
const TS = 'fd00:bfd::2';
const skip = labUnavailable(true);

const conf = (me: string, peer: string, name: string) => `bfd_instance ${name} {
  neighbor_ip ${peer}
  source_ip ${me}
  min_rx 200
  min_tx 200
  multiplier 3
}
`;

describe('BFD over IPv6 with keepalived 2.2.7', { skip: skip ?? false }, () => {
  let lab: DaemonLab;
  let ka: Daemon;
  let ts: Daemon;
  let nsKa: string;

  before(async () => {
    lab = new DaemonLab();
    nsKa = lab.host('10.100.1.1/24');
    const nsTs = lab.host('10.100.1.2/24');
    for (const [ns, a] of [
      [nsKa, KA],
      [nsTs, TS],
    ] as const)
      execFileSync('ip', ['-n', ns, 'addr', 'add', `${a}/64`, 'dev', 'eth0', 'nodad']);
    ka = lab.keepalived('ka', nsKa, lab.file('ka.conf', conf(KA, TS, 'BFD6_TO_TS')));
    ts = await lab.kts('ts', nsTs, lab.file('ts.conf', conf(TS, KA, 'BFD6_TO_KA')));
  });

  after(async () => {
    await lab?.cleanup();
  });

  it('both sessions reach Up, and a silent keepalived is declared Down', async () => {
    await ka.waitFor(/\(BFD6_TO_TS\) Entering Up state/, 15_000);
    await ts.waitFor(/\(BFD6_TO_KA\) Entering Up state/, 15_000);
    const from = ts.lines.length;
    const table = `kts_bfd6_${process.pid}`;
    execFileSync('ip', ['netns', 'exec', nsKa, 'nft', '-f', '-'], {
      input: `table inet ${table} {\n  chain out { type filter hook output priority 0; udp dport 3784 drop; }\n}`,
    });
    try {
      await ts.waitFor(
        /\(BFD6_TO_KA\) Entering Down state \(Local diagnostic - Control Detection Time Expired/,
        5000,
        from,
      );
    } finally {
      execFileSync('ip', ['netns', 'exec', nsKa, 'nft', 'delete', 'table', 'inet', table]);
    }
    await ts.waitFor(/\(BFD6_TO_KA\) Entering Up state/, 15_000, from);
  });
});
