/**
 * smtp_alert as keepalived 2.2.7 sends it. Each daemon runs alone on its own LAN with a
 * small SMTP sink (test/unit/io/smtp-sink.ts) on a second host of that LAN; the sink
 * records every line each connection sent.
 *
 * VRRP: the same config under keepalived 2.2.7 and keepalived-ts (an instance with its own
 * smtp_alert and a sync group alerting through smtp_alert_vrrp) goes BACKUP -> MASTER and
 * is stopped; both sinks must hold the same messages, line by line, once the Date header
 * and the host name (keepalived's default HELO name) are normalised.
 *
 * Checker: keepalived's checker cannot run without IPVS on this kernel, so keepalived-ts
 * alone runs a virtual server (nftables data plane) whose real server goes down and up;
 * the expected mails are those keepalived 2.2.7's check_tcp.c / ipwrapper.c / smtp.c send
 * (subjects `Realserver ... - DOWN|UP` and `Virtualserver ... - DOWN|UP`, bodies
 * `=> TCP CHECK failed|succeed on service <=`, `=> Starting with quorum up 1+0=1 <= 1 <=` at start and
 * `=> Lost|Gained quorum 1+0=1 <= W <=`).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Daemon, DaemonLab, labUnavailable, until } from './daemon-lab.js';

const skip = labUnavailable(true);
const SINK = fileURLToPath(new URL('../unit/io/smtp-sink.js', import.meta.url));
const children: ChildProcess[] = [];

function startIn(ns: string, argv: string[]): ChildProcess {
  const c = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: 'ignore' });
  children.push(c);
  return c;
}

async function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise((r) => c.once('exit', r));
  c.kill('SIGTERM');
  await gone;
}

/** The sink's sessions so far: one array of lines per finished connection. */
function sessions(file: string): string[][] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as string[]);
}

const DATE =
  /^Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d [+-]\d{4}$/;

/** Dates and the host name replaced; sessions sorted by subject (connections race). */
function normalised(all: string[][], host: string): string {
  return all
    .map((lines) =>
      lines
        .map((l) => (DATE.test(l) ? 'Date: <date>' : l))
        .map((l) => l.split(host).join('<host>'))
        .join('\n'),
    )
    .sort((a, b) => subject(a).localeCompare(subject(b)))
    .join('\n----\n');
}

function subject(text: string): string {
  return /^Subject: (.*)$/m.exec(text)?.[1] ?? '';
}

const subjects = (all: string[][]): string[] =>
  all.map((l) => l.find((x) => x.startsWith('Subject: '))?.slice(9) ?? '').sort();

async function sinkHolds(file: string, n: number, d: Daemon): Promise<void> {
  await until(() => sessions(file).length >= n, 20_000, `${n} mails from ${d.name}\n${d.log()}`).catch(() => {
    assert.fail(
      `${d.name}: sink holds ${sessions(file).length} mails, expected ${n}\n${subjects(sessions(file)).join('\n')}\n${d.log()}`,
    );
  });
}

function vrrpConfig(sinkIp: string): string {
  return `global_defs {
  router_id LB1
  notification_email {
    ops@example.com
    noc@example.com
  }
  notification_email_from keepalived@example.com
  smtp_server ${sinkIp} 2525
  smtp_connect_timeout 5
}
vrrp_sync_group G1 {
  group {
    VI_2
  }
  smtp_alert
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 71
  priority 100
  advert_int 1
  smtp_alert
  virtual_ipaddress {
    10.100.7.71/24
  }
}
vrrp_instance VI_2 {
  state BACKUP
  interface eth0
  virtual_router_id 72
  priority 100
  advert_int 1
  virtual_ipaddress {
    10.100.7.72/24
  }
}
`;
}

describe('smtp_alert mails as keepalived 2.2.7', { skip: skip ?? false }, () => {
  const labs: DaemonLab[] = [];
  before(() => {
    for (let i = 0; i < 10; i++) labs.push(new DaemonLab());
  });
  after(async () => {
    for (const c of children) await stopChild(c);
    for (const l of labs) await l.cleanup();
  });

  it('VRRP: BACKUP, MASTER and stop mail the same messages as keepalived', async () => {
    const [ours, theirs] = labs as [DaemonLab, DaemonLab];
    const runs: { d: Daemon; lab: DaemonLab; out: string }[] = [];
    for (const [lab, name] of [
      [ours, 'kts'],
      [theirs, 'ka'],
    ] as const) {
      const sinkNs = lab.host('10.100.7.9/24');
      const out = `${lab.dir}/mail.jsonl`;
      startIn(sinkNs, [process.execPath, SINK, '2525', out, '10.100.7.9']);
      await new Promise((r) => setTimeout(r, 300));
      const conf = lab.file('k.conf', vrrpConfig('10.100.7.9'));
      const ns = lab.host('10.100.7.1/24');
      const d = name === 'kts' ? await lab.kts(name, ns, conf) : lab.keepalived(name, ns, conf);
      runs.push({ d, lab, out });
    }
    for (const { d, out } of runs) {
      await d.waitFor(/\(VI_1\) Entering MASTER STATE/, 15_000);
      // VI_1 BACKUP and MASTER, group G1 BACKUP and MASTER (VI_2 itself has no smtp_alert).
      await sinkHolds(out, 4, d);
    }
    for (const { d, lab, out } of runs) {
      await lab.stop(d, 8000);
      await sinkHolds(out, 6, d);
    }
    const host = hostname();
    const [kts, ka] = runs.map((r) => sessions(r.out)) as [string[][], string[][]];
    // keepalived 2.2.7 decides the two STOP mails and connects for them, but exits before
    // saying anything: its sink records two empty connections. keepalived-ts delivers them.
    const kaSaid = ka.filter((s) => s.length > 0);
    assert.equal(
      ka.length - kaSaid.length,
      2,
      `keepalived's stop connections\n${JSON.stringify(ka, null, 1)}`,
    );
    for (const s of [...kts, ...kaSaid])
      assert.ok(
        s.some((l) => DATE.test(l)),
        `a Date header as keepalived's in\n${s.join('\n')}`,
      );
    const transitions = [
      '[LB1] VRRP Group G1 - Entering BACKUP state',
      '[LB1] VRRP Group G1 - Entering MASTER state',
      '[LB1] VRRP Instance VI_1 - Entering BACKUP state',
      '[LB1] VRRP Instance VI_1 - Entering MASTER state',
    ];
    assert.deepEqual(subjects(kaSaid), transitions);
    assert.deepEqual(subjects(kts), [
      ...transitions.slice(0, 2),
      '[LB1] VRRP Group G1 - Stopping',
      ...transitions.slice(2),
      '[LB1] VRRP Instance VI_1 - Stopping',
    ]);
    const ktsTransitions = kts.filter((s) => !subject(s.join('\n')).endsWith('Stopping'));
    assert.equal(normalised(ktsTransitions, host), normalised(kaSaid, host));
    // The STOP mails, as keepalived's smtp.c would have written them.
    const stop = kts.find((s) => subject(s.join('\n')) === '[LB1] VRRP Instance VI_1 - Stopping')!;
    assert.equal(stop[stop.indexOf('') + 1], '=> VRRP Instance stopping <=');
    const groupStop = kts.find((s) => subject(s.join('\n')) === '[LB1] VRRP Group G1 - Stopping')!;
    assert.equal(groupStop[groupStop.indexOf('') + 1], '=> All VRRP group instances are now stopping <=');
    assert.deepEqual(
      normalised([stop], host).split('\n').slice(0, 5),
      normalised([kaSaid[0]!], host).split('\n').slice(0, 5),
    );
  });

  it('VRRP reload: an instance removed with notify_deleted mails Deleted; default router_id, sender and HELO, as keepalived', async () => {
    const [ours, theirs] = [labs[3]!, labs[4]!];
    const instance = (name: string, id: number, extra = '') =>
      `vrrp_instance ${name} {\n  state BACKUP\n  interface eth0\n  virtual_router_id ${id}\n  priority 100\n  advert_int 1\n  smtp_alert\n${extra}  virtual_ipaddress {\n    10.100.9.${id}/24\n  }\n}\n`;
    // No router_id, notification_email_from or smtp_helo_name: keepalived's defaults.
    const globals = `global_defs {\n  notification_email {\n    ops@example.com\n  }\n  smtp_server 10.100.9.9 2525\n}\n`;
    const runs: { d: Daemon; out: string; conf: string }[] = [];
    for (const [lab, name] of [
      [ours, 'kts'],
      [theirs, 'ka'],
    ] as const) {
      const out = `${lab.dir}/mail.jsonl`;
      startIn(lab.host('10.100.9.9/24'), [process.execPath, SINK, '2525', out, '10.100.9.9']);
      await new Promise((r) => setTimeout(r, 300));
      const conf = lab.file(
        'k.conf',
        globals + instance('VI_1', 81) + instance('VI_2', 82, '  notify_deleted /bin/true\n'),
      );
      const ns = lab.host('10.100.9.1/24');
      runs.push({
        d: name === 'kts' ? await lab.kts(name, ns, conf) : lab.keepalived(name, ns, conf),
        out,
        conf,
      });
    }
    for (const { d, out } of runs) {
      await d.waitFor(/\(VI_2\) Entering MASTER STATE/, 15_000);
      await sinkHolds(out, 4, d);
    }
    for (const { d, out, conf } of runs) {
      writeFileSync(conf, globals + instance('VI_1', 81));
      d.signal('SIGHUP');
      await sinkHolds(out, 5, d);
    }
    const [kts, ka] = runs.map((r) => sessions(r.out)) as [string[][], string[][]];
    assert.ok(subjects(ka).includes(`[${hostname()}] VRRP Instance VI_2 - Deleted`), subjects(ka).join('\n'));
    assert.equal(normalised(kts, hostname()), normalised(ka, hostname()));
  });

  it('VRRP: sync group members with smtp_alert_vrrp mail what keepalived mails', async () => {
    const [ours, theirs] = [labs[5]!, labs[6]!];
    const member = (name: string, id: number) =>
      `vrrp_instance ${name} {\n  state BACKUP\n  interface eth0\n  virtual_router_id ${id}\n  priority 100\n  advert_int 1\n  virtual_ipaddress {\n    10.100.6.${id}/24\n  }\n}\n`;
    const text =
      'global_defs {\n  router_id LB6\n  notification_email {\n    ops@example.com\n  }\n  notification_email_from k@example.com\n  smtp_server 10.100.6.9 2525\n  smtp_alert_vrrp\n}\n' +
      'vrrp_sync_group G6 {\n  group {\n    VI_A\n    VI_B\n  }\n}\n' +
      member('VI_A', 61) +
      member('VI_B', 62);
    const runs: { d: Daemon; out: string }[] = [];
    for (const [lab, name] of [
      [ours, 'kts'],
      [theirs, 'ka'],
    ] as const) {
      const out = `${lab.dir}/mail.jsonl`;
      startIn(lab.host('10.100.6.9/24'), [process.execPath, SINK, '2525', out, '10.100.6.9']);
      await new Promise((r) => setTimeout(r, 300));
      const conf = lab.file('k.conf', text);
      const ns = lab.host('10.100.6.1/24');
      runs.push({ d: name === 'kts' ? await lab.kts(name, ns, conf) : lab.keepalived(name, ns, conf), out });
    }
    for (const { d, out } of runs) {
      await d.waitFor(/\(VI_B\) Entering MASTER STATE/, 15_000);
      await d.waitFor(/\(VI_A\) Entering MASTER STATE/, 15_000);
      // Settled: no new mail for 2 s.
      let n = -1;
      while (n !== sessions(out).length) {
        n = sessions(out).length;
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
    const [kts, ka] = runs.map((r) => sessions(r.out)) as [string[][], string[][]];
    assert.ok(ka.length >= 3, `keepalived mailed\n${subjects(ka).join('\n')}`);
    assert.equal(normalised(kts, hostname()), normalised(ka, hostname()));
  });

  it('VRRP: FAULT and back (tracked file) mail what keepalived mails', async () => {
    const [ours, theirs] = [labs[7]!, labs[8]!];
    const runs: { d: Daemon; out: string; track: string }[] = [];
    for (const [lab, name] of [
      [ours, 'kts'],
      [theirs, 'ka'],
    ] as const) {
      const out = `${lab.dir}/mail.jsonl`;
      const track = lab.file('tf', '0\n');
      startIn(lab.host('10.100.5.9/24'), [process.execPath, SINK, '2525', out, '10.100.5.9']);
      await new Promise((r) => setTimeout(r, 300));
      const conf = lab.file(
        'k.conf',
        'global_defs {\n  router_id LB5\n  notification_email {\n    ops@example.com\n  }\n  notification_email_from k@example.com\n  smtp_server 10.100.5.9 2525\n}\n' +
          `vrrp_track_file tf {\n  file "${track}"\n}\n` +
          'vrrp_instance VI_F {\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  advert_int 1\n  smtp_alert\n  track_file {\n    tf weight 0\n  }\n  virtual_ipaddress {\n    10.100.5.51/24\n  }\n}\n',
      );
      const ns = lab.host('10.100.5.1/24');
      runs.push({
        d: name === 'kts' ? await lab.kts(name, ns, conf) : lab.keepalived(name, ns, conf),
        out,
        track,
      });
    }
    for (const { d, out, track } of runs) {
      await d.waitFor(/\(VI_F\) Entering MASTER STATE/, 15_000);
      await sinkHolds(out, 2, d);
      writeFileSync(track, '1\n');
      await d.waitFor(/\(VI_F\) Entering FAULT STATE/, 15_000);
      await sinkHolds(out, 3, d);
      const at = d.lines.length;
      writeFileSync(track, '0\n');
      await d.waitFor(/\(VI_F\) Entering MASTER STATE/, 15_000, at);
      await sinkHolds(out, 5, d);
    }
    const [kts, ka] = runs.map((r) => sessions(r.out)) as [string[][], string[][]];
    assert.deepEqual(subjects(ka), [
      '[LB5] VRRP Instance VI_F - Entering BACKUP state',
      '[LB5] VRRP Instance VI_F - Entering BACKUP state',
      '[LB5] VRRP Instance VI_F - Entering FAULT state',
      '[LB5] VRRP Instance VI_F - Entering MASTER state',
      '[LB5] VRRP Instance VI_F - Entering MASTER state',
    ]);
    assert.equal(normalised(kts, hostname()), normalised(ka, hostname()));
  });

  it('checker: a reload that drops a live real server mails it as removed (keepalived-ts alone)', async () => {
    const lab = labs[9]!;
    const out = `${lab.dir}/mail.jsonl`;
    startIn(lab.host('10.100.4.9/24'), [process.execPath, SINK, '2525', out, '10.100.4.9']);
    const rsNs = lab.host('10.100.4.20/24');
    const listen = `const n=require('net');for(const p of [8080,8081])n.createServer((s)=>s.end()).listen(p,'10.100.4.20')`;
    startIn(rsNs, [process.execPath, '-e', listen]);
    await new Promise((r) => setTimeout(r, 300));
    const real = (port: number) =>
      `  real_server 10.100.4.20 ${port} {\n    TCP_CHECK {\n      connect_timeout 1\n    }\n  }\n`;
    const text = (ports: number[]) =>
      'global_defs {\n  router_id LB4\n  notification_email {\n    ops@example.com\n  }\n  notification_email_from k@example.com\n  smtp_server 10.100.4.9 2525\n}\n' +
      `virtual_server 10.100.4.100 80 {\n  delay_loop 1\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n${ports.map(real).join('')}}\n`;
    const conf = lab.file('k.conf', text([8080, 8081]));
    const d = await lab.kts('kts-reload', lab.host('10.100.4.1/24'), conf);
    await d.waitFor(/TCP connection to \[10\.100\.4\.20\]:tcp:8081 success/, 15_000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(sessions(out).length, 0, `no mail while both real servers are up\n${d.log()}`);
    writeFileSync(conf, text([8080]));
    d.signal('SIGHUP');
    await sinkHolds(out, 1, d);
    await new Promise((r) => setTimeout(r, 1500));
    const mails = sessions(out).map(
      (m) => `${m.find((l) => l.startsWith('Subject: '))} | ${m[m.indexOf('') + 1]}`,
    );
    assert.deepEqual(mails, [
      'Subject: [LB4] Realserver [10.100.4.20]:tcp:8081 of virtual server [10.100.4.100]:tcp:80 - DOWN | => Removing <=',
    ]);
  });

  it('checker: a real server going down and up mails as keepalived 2.2.7 words it (keepalived-ts alone)', async () => {
    const lab = labs[2]!;
    const sinkNs = lab.host('10.100.8.9/24');
    const out = `${lab.dir}/mail.jsonl`;
    startIn(sinkNs, [process.execPath, SINK, '2525', out, '10.100.8.9']);
    const rsNs = lab.host('10.100.8.20/24');
    const listen = `require('net').createServer((s)=>s.end()).listen(8080,'10.100.8.20')`;
    let rs = startIn(rsNs, [process.execPath, '-e', listen]);
    await new Promise((r) => setTimeout(r, 300));
    const conf = lab.file(
      'k.conf',
      `global_defs {
  router_id LB2
  notification_email {
    ops@example.com
  }
  notification_email_from keepalived@example.com
  smtp_server 10.100.8.9 2525
  smtp_helo_name lb2.example.com
  smtp_connect_timeout 5
}
virtual_server 10.100.8.100 80 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  smtp_alert
  omega
  real_server 10.100.8.20 8080 {
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
}
`,
    );
    const d = await lab.kts('kts-lvs', lab.host('10.100.8.1/24'), conf);
    await d.waitFor(/TCP connection to \[10\.100\.8\.20\]:tcp:8080 success/, 15_000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1500));
    // keepalived starts a virtual server with quorum down and gains it once its real servers
    // are in (ipwrapper.c init_service_vs): one mail, then none while the real server stays up.
    await sinkHolds(out, 1, d);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(sessions(out).length, 1, `one mail while the real server stays up\n${d.log()}`);
    await stopChild(rs);
    await sinkHolds(out, 3, d);
    rs = startIn(rsNs, [process.execPath, '-e', listen]);
    await sinkHolds(out, 5, d);
    const all = sessions(out);
    const body = (s: string[]) => s[s.indexOf('') + 1];
    const mails = all.map((s) => `${s.find((l) => l.startsWith('Subject: '))} | ${body(s)}`);
    assert.deepEqual(
      mails[0],
      'Subject: [LB2] Virtualserver [10.100.8.100]:tcp:80 - UP | => Starting with quorum up 1+0=1 <= 1 <=',
    );
    assert.deepEqual(mails.slice(1, 3).sort(), [
      'Subject: [LB2] Realserver [10.100.8.20]:tcp:8080 of virtual server [10.100.8.100]:tcp:80 - DOWN | => TCP CHECK failed on service <=',
      'Subject: [LB2] Virtualserver [10.100.8.100]:tcp:80 - DOWN | => Lost quorum 1+0=1 <= 0 <=',
    ]);
    assert.deepEqual(mails.slice(3).sort(), [
      'Subject: [LB2] Realserver [10.100.8.20]:tcp:8080 of virtual server [10.100.8.100]:tcp:80 - UP | => TCP CHECK succeed on service <=',
      'Subject: [LB2] Virtualserver [10.100.8.100]:tcp:80 - UP | => Gained quorum 1+0=1 <= 1 <=',
    ]);
    const first = all[0]!;
    assert.deepEqual(first.slice(0, 4), [
      'HELO lb2.example.com',
      'MAIL FROM:<keepalived@example.com>',
      'RCPT TO:<ops@example.com>',
      'DATA',
    ]);
    assert.ok(DATE.test(first[4]!), first[4]);
    assert.deepEqual(
      first.slice(5, 9).map((l) => l.split(':')[0]),
      ['From', 'Subject', 'X-Mailer', 'To'],
    );
    assert.deepEqual(first.slice(-3), ['', '.', 'QUIT']);
    // omega: the stop reports the live real server and the service down (ipwrapper.c
    // clear_service_rs / do_vs_notifies with stopping set).
    await lab.stop(d, 10_000);
    await sinkHolds(out, 7, d);
    const shut = sessions(out)
      .slice(5)
      .map((s) => `${s.find((l) => l.startsWith('Subject: '))} | ${body(s)}`)
      .sort();
    assert.deepEqual(shut, [
      'Subject: [LB2] Realserver [10.100.8.20]:tcp:8080 of virtual server [10.100.8.100]:tcp:80 - DOWN | => Shutting down <=',
      'Subject: [LB2] Virtualserver [10.100.8.100]:tcp:80 - DOWN | => Shutting down <=',
    ]);
  });
});
