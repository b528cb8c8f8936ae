/**
 * BFD between keepalived 2.2.7 and keepalived-ts (issues 4 and 5): each runs a
 * bfd_instance toward the other and a VRRP instance tracking it with weight 0, on one
 * LAN. Both sessions reach Up (both logs), both VRRP instances leave FAULT; tshark's BFD
 * dissector reads every packet of ours as a valid version-1 Control packet. Then each
 * side in turn goes silent (an nft drop of its BFD packets, in its own namespace) and
 * the other must declare the session Down on detection-time expiry within multiplier ×
 * agreed interval (+ slack for the log pipe and a busy machine), and its tracking VRRP
 * instance goes to FAULT.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type Daemon, DaemonLab, labUnavailable } from './daemon-lab.js';

const KA = '10.100.1.1';
const TS = '10.100.1.2';
/**
 * min_rx = min_tx = 200 ms, multiplier 3: detection time 600 ms both ways (shorter ones
 * flapped now and then on the shared 2-core machine at load 13: a 300 ms stall of either
 * daemon is a missed detection time).
 */
const DETECT_MS = 600;
/** Log lines go through a pipe and the test's readline; the machine may be busy. */
const SLACK_MS = 600;

function tsharkMissing(): string | null {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'tshark is not installed';
  }
}

const skip = labUnavailable(true) ?? tsharkMissing();

function conf(me: string, peer: string, bfd: string, vrid: number): string {
  return `bfd_instance ${bfd} {
  neighbor_ip ${peer}
  source_ip ${me}
  min_rx 200
  min_tx 200
  multiplier 3
}
vrrp_instance VI_${vrid} {
  state BACKUP
  interface eth0
  virtual_router_id ${vrid}
  priority 100
  advert_int 1
  track_bfd {
    ${bfd}
  }
  virtual_ipaddress {
    10.100.1.${vrid}/24
  }
}
`;
}

/** Drops every BFD packet this namespace sends or receives (a table unique to the run). */
function silence(ns: string): void {
  const table = `kts_bfd_${process.pid}`;
  const rules = `table inet ${table} {
  chain out { type filter hook output priority 0; udp dport 3784 drop; }
  chain in { type filter hook input priority 0; udp dport 3784 drop; }
}`;
  execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: rules });
}

function unsilence(ns: string): void {
  execFileSync('ip', ['netns', 'exec', ns, 'nft', 'delete', 'table', 'inet', `kts_bfd_${process.pid}`]);
}

/** The time a line matching `re` appeared after index `from`. */
async function lineAfter(d: Daemon, re: RegExp, from: number, timeoutMs = 5000): Promise<number> {
  return (await d.waitFor(re, timeoutMs, from)).atMs;
}

describe('BFD interop with keepalived 2.2.7', { skip: skip ?? false }, () => {
  let lab: DaemonLab;
  let ka: Daemon;
  let ts: Daemon;
  let nsKa: string;
  let nsTs: string;
  let pcap: string;

  before(async () => {
    lab = new DaemonLab();
    nsKa = lab.host(`${KA}/24`);
    nsTs = lab.host(`${TS}/24`);
    pcap = `${lab.dir}/bfd.pcap`;
    // Capture the handshake and a few seconds of Up on the LAN's bridge.
    const cap = spawn(
      'ip',
      [
        'netns',
        'exec',
        lab.lan,
        'tshark',
        '-q',
        '-i',
        'br0',
        '-f',
        'udp port 3784',
        '-a',
        'duration:6',
        '-w',
        pcap,
      ],
      {
        stdio: 'ignore',
      },
    );
    const captured = new Promise((r) => cap.on('exit', r));
    await new Promise((r) => setTimeout(r, 1000));
    ka = lab.keepalived('ka', nsKa, lab.file('ka.conf', conf(KA, TS, 'BFD_TO_TS', 61)));
    ts = await lab.kts('ts', nsTs, lab.file('ts.conf', conf(TS, KA, 'BFD_TO_KA', 62)));
    await captured;
  });

  after(async () => {
    await lab?.cleanup();
  });

  it('both sessions reach Up and both tracking VRRP instances leave FAULT', async () => {
    await ka.waitFor(/\(BFD_TO_TS\) Entering Up state/, 10_000);
    await ts.waitFor(/\(BFD_TO_KA\) Entering Up state/, 10_000);
    await ka.waitFor(/VRRP_Instance\(VI_61\) Tracked BFD instance BFD_TO_TS is UP/);
    await ts.waitFor(/VRRP_Instance\(VI_62\) Tracked BFD instance BFD_TO_KA is UP/);
    await ka.waitFor(/\(VI_61\) Entering MASTER STATE/, 10_000);
    await ts.waitFor(/\(VI_62\) Entering MASTER STATE/, 10_000);
    // status --json shows the session with keepalived's discriminator and its counters.
    const status = (await ts.status()) as unknown as {
      bfd: {
        sessions: {
          name: string;
          state: string;
          remoteDiscriminator: number;
          detectTimeMs: number;
          packetsSent: number;
          packetsReceived: number;
        }[];
        drops: Record<string, number>;
      };
    };
    const s = status.bfd.sessions.find((x) => x.name === 'BFD_TO_KA');
    assert.ok(s, JSON.stringify(status.bfd));
    assert.equal(s.state, 'Up');
    assert.notEqual(s.remoteDiscriminator, 0);
    assert.equal(s.detectTimeMs, DETECT_MS);
    assert.ok(s.packetsSent > 5 && s.packetsReceived > 5, JSON.stringify(s));
    assert.equal(status.bfd.drops['no-session'], 0);
  });

  it("tshark's BFD dissector reads our packets as valid Control packets", () => {
    const fields = [
      'ip.src',
      'ip.ttl',
      'udp.srcport',
      'bfd.version',
      'bfd.sta',
      'bfd.message_length',
      'bfd.detect_time_multiplier',
      'bfd.my_discriminator',
      '_ws.expert',
    ];
    const out = execFileSync(
      'tshark',
      ['-r', pcap, '-Y', 'bfd', '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])],
      {
        encoding: 'utf8',
      },
    );
    const rows = out
      .trim()
      .split('\n')
      .map((l) => l.split('|'));
    const ours = rows.filter((r) => r[0] === TS);
    const theirs = rows.filter((r) => r[0] === KA);
    assert.ok(
      ours.length >= 5 && theirs.length >= 5,
      `packets both ways: ours ${ours.length}, theirs ${theirs.length}`,
    );
    for (const r of ours) {
      const [, ttl, sport, version, sta, len, mult, discr, expert] = r;
      assert.equal(ttl, '255', 'RFC 5881: TTL 255');
      assert.ok(Number(sport) >= 49152, `source port ${sport} in 49152-65535`);
      assert.equal(version, '1');
      assert.equal(len, '24');
      assert.equal(mult, '3');
      assert.notEqual(Number(discr), 0);
      assert.ok(['0x00', '0x01', '0x02', '0x03', '0', '1', '2', '3'].includes(sta ?? ''), `state ${sta}`);
      assert.equal(expert ?? '', '', `no dissector warnings: ${r.join('|')}`);
    }
    // Ours went Down → (Init) → Up like theirs.
    const states = new Set(ours.map((r) => Number(r[4])));
    assert.ok(states.has(3), 'we sent Up');
    const malformed = execFileSync(
      'tshark',
      ['-r', pcap, '-Y', `ip.src == ${TS} && (_ws.malformed || _ws.expert.severity >= "warning")`],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(malformed.trim(), '', 'no malformed packets from keepalived-ts');
  });

  it('GTSM: a BFD packet that arrives with a TTL below 255 is dropped and counted (RFC 5881 5)', async () => {
    const drops = async () =>
      ((await ts.status()) as unknown as { bfd: { drops: Record<string, number> } }).bfd.drops;
    const before = (await drops()).ttl ?? 0;
    // A valid Down packet from keepalived's address, but sent with TTL 64.
    const send = `const s=require('node:dgram').createSocket('udp4');s.bind(0,'${KA}',()=>{s.setTTL(64);const b=Buffer.from('2140051800000bad000000000000271000002710' + '00000000','hex');s.send(b,3784,'${TS}',()=>s.close());});`;
    execFileSync('ip', ['netns', 'exec', nsKa, process.execPath, '-e', send]);
    for (let i = 0; i < 50 && ((await drops()).ttl ?? 0) === before; i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal((await drops()).ttl, before + 1);
  });

  it('keepalived-ts declares Down within the detection time when keepalived goes silent', async () => {
    const from = ts.lines.length;
    const fromKa = ka.lines.length;
    const t0 = performance.now();
    silence(nsKa);
    try {
      const down = await lineAfter(
        ts,
        /\(BFD_TO_KA\) Entering Down state \(Local diagnostic - Control Detection Time Expired/,
        from,
      );
      const elapsed = down - t0;
      console.log(
        `# keepalived-ts detected keepalived's silence after ${elapsed.toFixed(1)} ms (detection time ${DETECT_MS} ms; ours: ${(await ts.waitFor(/Expired after/, 100, from)).text.slice(26)})`,
      );
      assert.ok(elapsed <= DETECT_MS + SLACK_MS, `detected after ${elapsed} ms`);
      await ts.waitFor(/\(VI_62\) Entering FAULT STATE/, 5000, from);
      // keepalived hears nothing either: its own session expires too.
      await ka.waitFor(/\(BFD_TO_TS\) Entering Down state/, 5000, fromKa);
    } finally {
      unsilence(nsKa);
    }
    await ts.waitFor(/\(BFD_TO_KA\) Entering Up state/, 10_000, from);
    await ka.waitFor(/\(BFD_TO_TS\) Entering Up state/, 10_000, fromKa);
    await ts.waitFor(/\(VI_62\) Entering (BACKUP|MASTER) STATE/, 10_000, from);
  });

  it('keepalived declares Down within the detection time when keepalived-ts goes silent', async () => {
    const from = ka.lines.length;
    const fromTs = ts.lines.length;
    const t0 = performance.now();
    silence(nsTs);
    try {
      const down = await lineAfter(
        ka,
        /\(BFD_TO_TS\) Entering Down state \(Local diagnostic - Control Detection Time Expired/,
        from,
      );
      const elapsed = down - t0;
      console.log(
        `# keepalived detected keepalived-ts's silence after ${elapsed.toFixed(1)} ms (detection time ${DETECT_MS} ms; keepalived: ${(await ka.waitFor(/Expired after/, 100, from)).text.slice(26)})`,
      );
      assert.ok(elapsed <= DETECT_MS + SLACK_MS, `detected after ${elapsed} ms`);
      await ka.waitFor(/\(VI_61\) Entering FAULT STATE/, 5000, from);
    } finally {
      unsilence(nsTs);
    }
    await ka.waitFor(/\(BFD_TO_TS\) Entering Up state/, 10_000, from);
    await ts.waitFor(/\(VI_62\) Entering (BACKUP|MASTER) STATE/, 10_000, fromTs);
  });

  it('a reload (SIGHUP) keeps the session Up on both sides: no handshake, no FAULT', async () => {
    const from = ka.lines.length;
    const fromTs = ts.lines.length;
    const before = (await ts.status()) as unknown as { bfd: { sessions: { localDiscriminator: number }[] } };
    ts.signal('SIGHUP');
    await ts.waitFor(/Reload done/, 10_000, fromTs);
    await new Promise((r) => setTimeout(r, 2 * DETECT_MS + 500));
    const after = (await ts.status()) as unknown as {
      bfd: { sessions: { state: string; localDiscriminator: number }[] };
    };
    assert.equal(after.bfd.sessions[0]?.state, 'Up');
    assert.equal(after.bfd.sessions[0]?.localDiscriminator, before.bfd.sessions[0]?.localDiscriminator);
    const downs = (d: Daemon, i: number) =>
      d.lines
        .slice(i)
        .filter((l) => /Entering (Down|Init|AdminDown) state|Entering FAULT STATE/.test(l.text));
    assert.deepEqual(downs(ka, from), [], 'keepalived saw no session change');
    assert.deepEqual(downs(ts, fromTs), [], 'keepalived-ts saw no session change');
  });

  it("stopping keepalived-ts takes keepalived's session Down and its instance to FAULT", async () => {
    const from = ka.lines.length;
    await lab.stop(ts);
    const exited = performance.now();
    // Like keepalived, keepalived-ts sends nothing on shutdown: the peer detects the silence
    // (an AdminDown would not fault its instance: keepalived ignores administrative Downs).
    const hit = await ka.waitFor(
      /\(BFD_TO_TS\) Entering Down state \(Local diagnostic - Control Detection Time Expired/,
      5000,
      from,
    );
    const down = hit.atMs;
    console.log(
      `# keepalived: ${hit.text.slice(26)}, ${(down - exited).toFixed(1)} ms after keepalived-ts exited`,
    );
    assert.ok(down - exited <= DETECT_MS + SLACK_MS, `Down ${down - exited} ms after exit`);
    await ka.waitFor(/\(VI_61\) Entering FAULT STATE/, 5000, from);
  });
});
