/**
 * One bfd_instance used by both a VRRP `track_bfd` and a checker `BFD_CHECK` is one BFD
 * session, as in keepalived 2.2.7 (its BFD process serves both): the VRRP process runs
 * it and the checker child follows its state over the IPC channel. Against keepalived
 * 2.2.7 as the peer: on the wire only one session leaves keepalived-ts (one source port,
 * one My Discriminator; two sessions to one neighbour from one address would show two,
 * and keepalived would take turns with them); the session comes Up once and both users
 * follow it (the VRRP instance leaves FAULT, the real server is added); when the peer
 * goes silent the one session goes Down and both react (FAULT, real server removed),
 * and both come back with it; a reload keeps the session Up and the real server in.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type Daemon, DaemonLab, labUnavailable } from './daemon-lab.js';

const RS = '10.100.1.1';
const LB = '10.100.1.2';

function tsharkMissing(): string | null {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'tshark is not installed';
  }
}
const skip = labUnavailable(true) ?? tsharkMissing();

const keepalivedConf = `bfd_instance BFD_LB {
  neighbor_ip ${LB}
  source_ip ${RS}
  min_rx 200
  min_tx 200
  multiplier 3
}
`;

const ourConf = `bfd_instance BFD_SHARED {
  neighbor_ip ${RS}
  source_ip ${LB}
  min_rx 200
  min_tx 200
  multiplier 3
}
vrrp_instance VI_64 {
  state BACKUP
  interface eth0
  virtual_router_id 64
  priority 100
  advert_int 1
  track_bfd {
    BFD_SHARED
  }
  virtual_ipaddress {
    10.100.1.64/24
  }
}
virtual_server 10.100.1.100 80 {
  delay_loop 60
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server ${RS} 80 {
    BFD_CHECK {
      name BFD_SHARED
    }
  }
}
`;

const table = `kts_bfdsh_${process.pid}`;
const RS_TEXT = /\[10\.100\.1\.1\]:tcp:80/.source;

/** (source port, My Discriminator) of every BFD packet `from` sends, seen for `seconds` in `ns`. */
function sessionsOnWire(ns: string, from: string, seconds: number): string[] {
  const out = execFileSync(
    'ip',
    [
      'netns',
      'exec',
      ns,
      'tshark',
      '-q',
      '-i',
      'eth0',
      '-f',
      `udp dst port 3784 and src host ${from}`,
      '-a',
      `duration:${seconds}`,
      '-T',
      'fields',
      '-e',
      'udp.srcport',
      '-e',
      'bfd.my_discriminator',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: (seconds + 20) * 1000 },
  );
  return out.split('\n').filter((l) => l.trim() !== '');
}

const count = (d: Daemon, re: RegExp, from = 0): number =>
  d.lines.slice(from).filter((l) => re.test(l.text)).length;

describe('one BFD session for track_bfd and BFD_CHECK, against keepalived 2.2.7', {
  skip: skip ?? false,
}, () => {
  let lab: DaemonLab;
  let ka: Daemon;
  let ts: Daemon;
  let nsRs: string;

  before(async () => {
    lab = new DaemonLab();
    nsRs = lab.host(`${RS}/24`);
    const nsLb = lab.host(`${LB}/24`);
    ka = lab.keepalived('ka', nsRs, lab.file('ka.conf', keepalivedConf));
    ts = await lab.kts('ts', nsLb, lab.file('ts.conf', ourConf), ['--data-plane', 'nftables']);
  });

  after(async () => {
    await lab?.cleanup();
  });

  it('comes Up once; the VRRP instance and the real server both follow it', async () => {
    await ts.waitFor(/\(BFD_SHARED\) Entering Up state/, 10_000);
    await ka.waitFor(/\(BFD_LB\) Entering Up state/, 10_000);
    await ts.waitFor(/VRRP_Instance\(VI_64\) Tracked BFD instance BFD_SHARED is UP/, 5000);
    await ts.waitFor(new RegExp(`BFD check of \\[BFD_SHARED\\] RS\\(${RS_TEXT}\\) is UP`), 5000);
    await ts.waitFor(new RegExp(`Adding service ${RS_TEXT} to VS`), 5000);
    await ts.waitFor(/\(VI_64\) Entering MASTER STATE/, 10_000);
    assert.equal(count(ts, /\(BFD_SHARED\) Entering Up state/), 1, ts.log());
    assert.doesNotMatch(ts.log(), /not supported yet/);
  });

  it('on the wire: one source port and one discriminator toward the peer; the peer stays Up', async () => {
    const from = ka.lines.length;
    const seen = sessionsOnWire(nsRs, LB, 3);
    const distinct = [...new Set(seen)];
    assert.ok(seen.length >= 5, `too few packets: ${seen.length}`);
    assert.equal(distinct.length, 1, `sessions seen: ${distinct.join(', ')}`);
    // The discriminator is the one keepalived-ts reports for its only session.
    const status = (await ts.status()) as unknown as {
      bfd: { sessions: { name: string; localDiscriminator: number }[] };
    };
    const mine = status.bfd.sessions.filter((s) => s.name === 'BFD_SHARED');
    assert.equal(mine.length, 1, JSON.stringify(status.bfd.sessions));
    assert.equal(
      distinct[0]!.split('\t')[1],
      `0x${mine[0]!.localDiscriminator.toString(16).padStart(8, '0')}`,
    );
    assert.equal(count(ka, /\(BFD_LB\) Entering (Down|Init) state/, from), 0, ka.log());
  });

  it('the peer goes silent: the one session goes Down and both react; both come back with it', async () => {
    const from = ts.lines.length;
    const rules = `table inet ${table} {
  chain out { type filter hook output priority 0; udp dport 3784 drop; }
}`;
    execFileSync('ip', ['netns', 'exec', nsRs, 'nft', '-f', '-'], { input: rules });
    try {
      await ts.waitFor(/\(BFD_SHARED\) Entering Down state/, 5000, from);
      await ts.waitFor(/\(VI_64\) Entering FAULT STATE/, 5000, from);
      await ts.waitFor(new RegExp(`Removing service ${RS_TEXT} from VS`), 5000, from);
    } finally {
      execFileSync('ip', ['netns', 'exec', nsRs, 'nft', 'delete', 'table', 'inet', table]);
    }
    await ts.waitFor(new RegExp(`BFD check of \\[BFD_SHARED\\] RS\\(${RS_TEXT}\\) is UP`), 10_000, from);
    await ts.waitFor(new RegExp(`Adding service ${RS_TEXT} to VS`), 5000, from);
    await ts.waitFor(/\(VI_64\) Entering (BACKUP|MASTER) STATE/, 10_000, from);
    assert.equal(count(ts, /\(BFD_SHARED\) Entering Down state/, from), 1, ts.log());
  });

  it('a reload keeps the session Up and the real server in', async () => {
    await ts.waitFor(/\(VI_64\) Entering MASTER STATE/, 10_000, ts.lines.length - 50);
    const from = ts.lines.length;
    ts.signal('SIGHUP');
    await ts.waitFor(/Reload done/, 10_000, from);
    // The checker child restarts with the reload; give it time to follow the session again.
    await new Promise((r) => setTimeout(r, 2000));
    const since = ts.lines.slice(from).map((l) => l.text);
    assert.ok(!since.some((l) => /BFD_SHARED\) Entering/.test(l)), since.join('\n'));
    assert.ok(!since.some((l) => /Removing service|Adding service|BFD check of/.test(l)), since.join('\n'));
    const status = (await ts.status()) as unknown as {
      lvs: { services: { reals: { id: string; up: boolean }[] }[] } | null;
    };
    assert.deepEqual(status.lvs?.services[0]?.reals, [{ id: `${RS}:80`, up: true, weight: 1 }]);
  });
});
