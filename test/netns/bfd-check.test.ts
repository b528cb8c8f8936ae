/**
 * BFD_CHECK (issue 5): keepalived-ts's checker follows a bfd_instance toward a real
 * server running keepalived 2.2.7's BFD (the session runs in the VRRP process, which
 * relays its state to the checker), next to a track_bfd session to the same host from
 * another address. While the session is Up the real server is in
 * the virtual server; when the real server's BFD goes silent (nft drop in its
 * namespace) the session expires and the real server is removed at once (no
 * delay_loop), and it comes back when the session is Up again.
 */
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type Daemon, DaemonLab, labUnavailable } from './daemon-lab.js';

const RS = '10.100.1.1';
const LB = '10.100.1.2';
const skip = labUnavailable(true);

/** keepalived-ts's second address, for the VRRP process's own session. */
const LB2 = '10.100.1.3';

const keepalivedConf = `bfd_instance BFD_LB {
  neighbor_ip ${LB}
  source_ip ${RS}
  min_rx 200
  min_tx 200
  multiplier 3
}
bfd_instance BFD_LB2 {
  neighbor_ip ${LB2}
  source_ip ${RS}
  min_rx 200
  min_tx 200
  multiplier 3
}
`;

const ourConf = `bfd_instance BFD_VRRP {
  neighbor_ip ${RS}
  source_ip ${LB2}
  min_rx 200
  min_tx 200
  multiplier 3
}
vrrp_instance VI_63 {
  state BACKUP
  interface eth0
  virtual_router_id 63
  priority 100
  advert_int 1
  track_bfd {
    BFD_VRRP
  }
  virtual_ipaddress {
    10.100.1.63/24
  }
}
bfd_instance BFD_RS {
  neighbor_ip ${RS}
  source_ip ${LB}
  min_rx 200
  min_tx 200
  multiplier 3
}
virtual_server 10.100.1.100 80 {
  delay_loop 60
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server ${RS} 80 {
    BFD_CHECK {
      name BFD_RS
    }
  }
}
`;

const table = `kts_bfdchk_${process.pid}`;

describe('BFD_CHECK against keepalived 2.2.7', { skip: skip ?? false }, () => {
  let lab: DaemonLab;
  let ka: Daemon;
  let ts: Daemon;
  let nsRs: string;

  before(async () => {
    lab = new DaemonLab();
    nsRs = lab.host(`${RS}/24`);
    const nsLb = lab.host(`${LB}/24`);
    execFileSync('ip', ['-n', nsLb, 'addr', 'add', `${LB2}/24`, 'dev', 'eth0']);
    ka = lab.keepalived('ka', nsRs, lab.file('ka.conf', keepalivedConf));
    ts = await lab.kts('ts', nsLb, lab.file('ts.conf', ourConf), ['--data-plane', 'nftables']);
  });

  after(async () => {
    await lab?.cleanup();
  });

  it('adds the real server once the session is Up', async () => {
    await ts.waitFor(/\(BFD_RS\) Entering Up state/, 10_000);
    await ka.waitFor(/\(BFD_LB\) Entering Up state/, 10_000);
    await ts.waitFor(/BFD check of \[BFD_RS\] RS\(\[10\.100\.1\.1\]:tcp:80\) is UP/, 5000);
    await ts.waitFor(/Adding service \[10\.100\.1\.1\]:tcp:80 to VS \[10\.100\.1\.100\]:tcp:80/, 5000);
  });

  it("runs the track_bfd session next to the checker's, to the same neighbour from another address", async () => {
    await ts.waitFor(/\(BFD_VRRP\) Entering Up state/, 10_000);
    await ka.waitFor(/\(BFD_LB2\) Entering Up state/, 10_000);
    await ts.waitFor(/\(VI_63\) Entering MASTER STATE/, 10_000);
  });

  it('removes it when the session expires and adds it back when Up again', async () => {
    const from = ts.lines.length;
    const rules = `table inet ${table} {
  chain out { type filter hook output priority 0; udp dport 3784 drop; }
}`;
    execFileSync('ip', ['netns', 'exec', nsRs, 'nft', '-f', '-'], { input: rules });
    try {
      await ts.waitFor(
        /\(BFD_RS\) Entering Down state \(Local diagnostic - Control Detection Time Expired/,
        5000,
        from,
      );
      await ts.waitFor(/BFD check of \[BFD_RS\] RS\(\[10\.100\.1\.1\]:tcp:80\) is DOWN/, 5000, from);
      await ts.waitFor(
        /Removing service \[10\.100\.1\.1\]:tcp:80 from VS \[10\.100\.1\.100\]:tcp:80/,
        5000,
        from,
      );
      // The VRRP process's session to the same silent neighbour expires too.
      await ts.waitFor(/\(VI_63\) Entering FAULT STATE/, 5000, from);
    } finally {
      execFileSync('ip', ['netns', 'exec', nsRs, 'nft', 'delete', 'table', 'inet', table]);
    }
    await ts.waitFor(/BFD check of \[BFD_RS\] RS\(\[10\.100\.1\.1\]:tcp:80\) is UP/, 10_000, from);
    await ts.waitFor(/Adding service \[10\.100\.1\.1\]:tcp:80 to VS/, 5000, from);
  });
});
