/**
 * Runs inside the qemu IPVS lab guest (see lvs-ipvs.test.ts): drives the real ip_vs
 * through IpvsPlane and compares `ipvsadm -Ln` with the desired state field by field
 * after every step; then lvs_timeouts (`ipvsadm -L --timeout`) and lvs_sync_daemon
 * (`ipvsadm -L --daemon`), each field against the config. Every step belongs to a section
 * (plane, attrs, rules, timeouts, syncd) the host test reports on. The 'attrs' and 'rules' sections and the
 * lvs_timeouts restore run keepalived 2.2.7's checker (`keepalived -C`) on the same config
 * first and take what it leaves in the kernel as the expected listing. Writes {ok, steps} to
 * /tmp/xfer/result.json; exit code 0 on success.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { selectDataPlane } from '../../src/lvs/data-plane.js';
import { IpvsPlane } from '../../src/lvs/ipvs-plane.js';
import { probeIpvs } from '../../src/lvs/ipvs-probe.js';
import type { Destination, ServiceState } from '../../src/lvs/model.js';

const FWD: Record<string, string> = { NAT: 'Masq', DR: 'Route', TUN: 'Tunnel' };
type Section = 'plane' | 'attrs' | 'rules' | 'timeouts' | 'syncd';
const steps: { section: Section; step: string; ok: boolean; detail?: string }[] = [];
const t0 = Date.now();
const at = () => `[+${((Date.now() - t0) / 1000).toFixed(1)} s]`;
let section: Section = 'plane';
const ipvsadm = (...a: string[]) => execFileSync('ipvsadm', a, { encoding: 'utf8' });

function svcLine(s: ServiceState): string {
  const m = s.match;
  const head =
    m.kind === 'fwmark'
      ? `FWM  ${m.fwmark}`
      : `${m.protocol.padEnd(4)} ${m.family === 6 ? `[${m.address}]` : m.address}:${m.port}`;
  const flags = s.schedulerFlags.length > 0 ? ` (${s.schedulerFlags.join(',')})` : '';
  const pers = s.persistenceTimeoutS !== undefined ? ` persistent ${s.persistenceTimeoutS}` : '';
  const ops = s.onePacket ? ' ops' : '';
  return `${head} ${s.scheduler}${flags}${pers}${ops}`.replace(/\s+/g, ' ');
}

function destLine(d: Destination): string {
  return `-> ${d.family === 6 ? `[${d.address}]` : d.address}:${d.port} ${FWD[d.lbKind]} ${d.weight}`;
}

/** `ipvsadm -Ln` reduced to service lines and "-> addr:port Forward Weight" lines, sorted per service. */
function kernelView(): string[] {
  return kernelViewOf(ipvsadm('-Ln').split('\n').slice(3).join('\n'));
}

/** A listing's body (no header) in kernelView's form. */
function kernelViewOf(body: string): string[] {
  const out: string[] = [];
  let dests: string[] = [];
  const flush = () => {
    out.push(...dests.sort());
    dests = [];
  };
  for (const line of body.split('\n')) {
    if (!line.trim()) continue;
    if (line.trimStart().startsWith('->')) {
      const [arrow, addr, fwd, weight] = line.trim().split(/\s+/);
      dests.push(`${arrow} ${addr} ${fwd} ${weight}`);
    } else {
      flush();
      out.push(line.trim().replace(/\s+/g, ' '));
    }
  }
  flush();
  return out;
}

function expected(services: readonly ServiceState[], foreign: string[] = []): string[] {
  const out: string[] = [];
  for (const s of services) out.push(svcLine(s), ...s.destinations.map(destLine).sort());
  return [...out, ...foreign];
}

function compare(step: string, want: string[]): void {
  const got = kernelView();
  const ok = JSON.stringify([...got].sort()) === JSON.stringify([...want].sort());
  steps.push({
    section,
    step,
    ok,
    ...(ok ? {} : { detail: `want ${JSON.stringify(want)} got ${JSON.stringify(got)}` }),
  });
  console.log(
    `${at()} ${ok ? 'PASS' : 'FAIL'} ${step}${ok ? '' : `\n  want ${want.join(' | ')}\n  got  ${got.join(' | ')}`}`,
  );
}

const d = (
  address: string,
  port: number,
  weight: number,
  lbKind: Destination['lbKind'] = 'NAT',
  family: 4 | 6 = 4,
): Destination => ({
  family,
  address,
  port,
  weight,
  lbKind,
});
const web: ServiceState = {
  match: { kind: 'address', family: 4, address: '192.0.2.10', port: 80, protocol: 'TCP' },
  scheduler: 'wrr',
  schedulerFlags: [],
  destinations: [d('198.51.100.1', 8080, 3), d('198.51.100.2', 8080, 1)],
};
const dns: ServiceState = {
  match: { kind: 'address', family: 4, address: '192.0.2.11', port: 53, protocol: 'UDP' },
  scheduler: 'sh',
  schedulerFlags: ['sh-port'],
  persistenceTimeoutS: 120,
  onePacket: true,
  destinations: [d('198.51.100.3', 53, 1, 'DR')],
};
const v6: ServiceState = {
  match: { kind: 'address', family: 6, address: '2001:db8::10', port: 443, protocol: 'TCP' },
  scheduler: 'rr',
  schedulerFlags: [],
  destinations: [d('2001:db8::1', 443, 2, 'NAT', 6), d('2001:db8::2', 443, 2, 'TUN', 6)],
};
const fwm: ServiceState = {
  match: { kind: 'fwmark', family: 4, fwmark: 7 },
  scheduler: 'wlc',
  schedulerFlags: [],
  destinations: [d('198.51.100.4', 0, 5, 'DR')],
};

const probe = await probeIpvs();
steps.push({ section, step: 'probe: genl family IPVS resolves', ok: probe.ok, detail: probe.why });
console.log(`probe ${JSON.stringify(probe)}`);
const logs: string[] = [];
const plane = await selectDataPlane({
  ipvsProbe: probeIpvs,
  makeIpvs: () => IpvsPlane.open(),
  makeNft: async () => {
    throw new Error('nftables chosen although IPVS is present');
  },
  log: { info: (l) => logs.push(l) },
});
steps.push({
  section,
  step: 'selection picks IPVS and says why',
  ok: plane.name === 'ipvs' && /IPVS \(genl family "IPVS" resolves/.test(logs.join()),
  detail: logs.join(),
});
ipvsadm('-A', '-t', '203.0.113.1:25', '-s', 'rr'); // someone else's service: must survive
const foreign = ['TCP 203.0.113.1:25 rr'];

let r = await plane.sync([web, dns, v6, fwm]);
console.log(JSON.stringify(r));
compare('initial: 4 services, 6 destinations', expected([web, dns, v6, fwm], foreign));

const web2: ServiceState = { ...web, destinations: [d('198.51.100.1', 8080, 0), d('198.51.100.5', 8080, 2)] };
const dns2: ServiceState = {
  ...dns,
  scheduler: 'rr',
  schedulerFlags: [],
  persistenceTimeoutS: 60,
  onePacket: false,
};
r = await plane.sync([web2, dns2, v6, fwm]);
console.log(JSON.stringify(r));
compare(
  'health change: weight 0, removal, addition; scheduler and persistence change',
  expected([web2, dns2, v6, fwm], foreign),
);

ipvsadm('-d', '-t', '192.0.2.10:80', '-r', '198.51.100.5:8080');
ipvsadm('-e', '-t', '[2001:db8::10]:443', '-r', '[2001:db8::1]:443', '-m', '-w', '9');
r = await plane.sync([web2, dns2, v6, fwm]);
compare('external changes are reconciled', expected([web2, dns2, v6, fwm], foreign));

r = await plane.sync([web2]);
compare('services no longer wanted are deleted; the foreign one stays', expected([web2], foreign));

await plane.clear();
plane.close();
compare('clear() removes only ours', expected([], foreign));

// startLvs end to end on IPVS: automatic selection, a live and a dead real server,
// a health change, and removal on stop.
{
  const { createServer } = await import('node:net');
  const { configOf } = await import('../unit/lvs/load-config.js');
  const { startLvs } = await import('../../src/lvs/start.js');
  console.log(`${at()} startLvs and the config loader imported`);
  const srv = createServer((c) => c.destroy());
  const port = await new Promise<number>((r) =>
    srv.listen(0, '127.0.0.1', () => r((srv.address() as { port: number }).port)),
  );
  const conf = `
virtual_server 192.0.2.50 80 {
  protocol TCP
  delay_loop 0.2
  lb_algo wlc
  lb_kind DR
  inhibit_on_failure
  real_server 127.0.0.1 ${port} {
    weight 5
    TCP_CHECK { connect_timeout 0.5 retry 0 warmup 0 }
  }
  real_server 127.0.0.2 ${port} {
    weight 2
    TCP_CHECK { connect_ip 127.0.0.1 connect_timeout 0.5 retry 0 warmup 0 }
  }
}`;
  const lines: string[] = [];
  const loaded = configOf(conf);
  console.log(`${at()} config loaded`);
  const lvs = await startLvs(loaded, { log: { info: (l) => lines.push(l) } });
  console.log(`${at()} startLvs returned`);
  // DR: the kernel gets the service's port (keepalived 2.2.7), the checks the configured one.
  const svc = (w1: number, w2: number): string[] => [
    'TCP 192.0.2.50:80 wlc',
    `-> 127.0.0.1:80 Route ${w1}`,
    `-> 127.0.0.2:80 Route ${w2}`,
  ];
  const settle = async (want: string[]) => {
    for (let i = 0; i < 50 && JSON.stringify(kernelView().sort()) !== JSON.stringify(want.sort()); i++)
      await new Promise((r) => setTimeout(r, 100));
  };
  steps.push({
    section,
    step: 'startLvs picks IPVS by itself',
    ok: /LVS data plane: IPVS/.test(lines.join('\n')),
    detail: lines.join('\n'),
  });
  await settle(svc(5, 2));
  compare('startLvs: both real servers at their weights', [...svc(5, 2), ...foreign]);
  srv.close();
  await settle([...svc(0, 0), ...foreign]);
  compare('startLvs: a failed server is inhibited to weight 0', [...svc(0, 0), ...foreign]);
  await lvs.stop();
  compare('startLvs: stop removes its service', foreign);
}

// persistence_engine / granularity / timeout, TUN with its tunnel type, port and checksum
// flag, uthreshold / lthreshold and sh / mh / flag-N scheduler flags: keepalived 2.2.7 and
// keepalived-ts on one config must leave the same `ipvsadm -Ln --tun-info`, `--thresholds`
// and `--persistent-conn` listings (every field ipvsadm shows).
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(done: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) return false;
    await sleep(100);
  }
  return true;
}
/** keepalived 2.2.7's checker alone, console log to /tmp/xfer/ka-N.log. */
let kaRuns = 0;
function startKeepalived(confPath: string): ChildProcess {
  const out = openSync(`/tmp/xfer/ka-${++kaRuns}.log`, 'w');
  return spawn(
    'keepalived',
    [
      '-C',
      '-n',
      '-l',
      '-f',
      confPath,
      '-p',
      '/tmp/ka.pid',
      '-c',
      '/tmp/ka-check.pid',
      '-r',
      '/tmp/ka-vrrp.pid',
    ],
    { stdio: ['ignore', out, out] },
  );
}
async function stopKeepalived(ka: ChildProcess): Promise<void> {
  const gone = new Promise((r) => ka.once('exit', r));
  ka.kill('SIGTERM');
  await Promise.race([gone, sleep(10_000)]);
  if (ka.exitCode === null) ka.kill('SIGKILL');
}
const listings = () =>
  ['--tun-info', '--thresholds', '--persistent-conn'].map((o) => ipvsadm('-Ln', o).trimEnd()).join('\n');
{
  section = 'attrs';
  const { configOf } = await import('../unit/lvs/load-config.js');
  const { startLvs } = await import('../../src/lvs/start.js');
  const { lvsModel } = await import('../../src/lvs/model.js');
  const { desiredServices } = await import('../../src/lvs/plan.js');
  const conf = `
virtual_server 192.0.2.80 80 {
  protocol TCP
  lvs_sched sh
  sh-port
  sh-fallback
  lvs_method TUN type gue port 6080 csum
  real_server 10.0.80.1 80 {
    weight 3
    uthreshold 100
    lthreshold 10
  }
  real_server 10.0.80.2 80 {
    lvs_method TUN type gre nocsum
  }
  real_server 10.0.80.3 80 {
    lvs_method TUN
    uthreshold 7
  }
  real_server 10.0.80.4 80 {
    lvs_method TUN type gue port 6081 remcsum
  }
  real_server 10.0.80.5 80 {
    lvs_method TUN type gre csum
  }
  real_server 10.0.80.6 80 {
    lvs_method DR
    uthreshold 20
    lthreshold 5
  }
}
virtual_server 192.0.2.81 5060 {
  protocol UDP
  lvs_sched rr
  persistence_engine sip
  persistence_granularity 255.255.255.0
  real_server 10.0.80.9 5060 {
  }
}
virtual_server 192.0.2.82 80 {
  protocol TCP
  lvs_sched mh
  mh-port
  flag-1
  persistence_timeout 600
  persistence_granularity 255.255.0.0
  real_server 10.0.80.9 80 {
  }
}
virtual_server 192.0.2.83 80 {
  protocol TCP
  lvs_sched wrr
  flag-2
  persistence_timeout
  real_server 10.0.80.9 80 {
  }
}
virtual_server fwmark 9 {
  lvs_sched wlc
  flag-3
  lvs_method TUN type gue port 7000
  persistence_engine sip
  persistence_timeout 30
  real_server 10.0.80.10 0 {
  }
}`;
  writeFileSync('/tmp/ka-attrs.conf', conf);
  const ka = startKeepalived('/tmp/ka-attrs.conf');
  const kaUp = await until(
    () => /FWM {2}9/.test(ipvsadm('-Ln')) && ipvsadm('-Ln').includes('10.0.80.10'),
    20_000,
  );
  await sleep(300);
  const byKeepalived = listings();
  await stopKeepalived(ka);
  steps.push({
    section,
    step: 'keepalived 2.2.7 set the services up',
    ok: kaUp,
    detail: `${byKeepalived}\n${readFileSync(`/tmp/xfer/ka-${kaRuns}.log`, 'utf8')}`,
  });
  check('keepalived 2.2.7 removed them on exit', kernelView(), foreign);
  const lines: string[] = [];
  const lvs = await startLvs(configOf(conf), { log: { info: (l) => lines.push(l) } });
  await lvs.settled();
  const byTs = listings();
  check(
    'keepalived-ts leaves the same ipvsadm -Ln --tun-info / --thresholds / --persistent-conn',
    byTs.split('\n'),
    byKeepalived.split('\n'),
  );
  // Read back through GET_SERVICE / GET_DEST, the kernel's state is what was asked: nothing to do.
  const again = await IpvsPlane.open();
  const desired = lvsModel(configOf(conf)).flatMap((v) => desiredServices(v, new Map(), true));
  const r1 = await again.sync(desired);
  check('a second sync of the same config changes nothing (the read-back equals the desired state)', r1, {
    ok: true,
    changed: 0,
  });
  // Each attribute alone changes in place (SET_SERVICE / SET_DEST), and reads back.
  const tweak = desired.map((s) =>
    s.match.kind === 'address' && s.match.address === '192.0.2.80'
      ? {
          ...s,
          destinations: s.destinations.map((d) =>
            d.address === '10.0.80.1'
              ? {
                  ...d,
                  uThreshold: 50,
                  lThreshold: 0,
                  tunnel: { type: 'gre' as const, csum: 'csum' as const },
                }
              : d,
          ),
        }
      : s.match.kind === 'address' && s.match.address === '192.0.2.81'
        ? {
            ...s,
            persistenceEngine: undefined,
            persistenceGranularity: '255.255.255.255',
            persistenceTimeoutS: 99,
          }
        : s,
  );
  const r2 = await again.sync(tweak);
  const r3 = await again.sync(tweak);
  check(
    'changed attributes are applied in place, then stable',
    [r2, r3],
    [
      { ok: true, changed: 2 },
      { ok: true, changed: 0 },
    ],
  );
  const text = ipvsadm('-Ln', '--tun-info') + ipvsadm('-Ln', '--thresholds');
  check(
    'ipvsadm shows the changed attributes',
    [
      /10\.0\.80\.1:80\s+Tunnel\s+gre:\+c\s+3 /.test(text),
      /10\.0\.80\.1:80\s+50\s+0 /.test(text),
      /UDP {2}192\.0\.2\.81:5060 rr persistent 99\n/.test(text),
    ],
    [true, true, true],
  );
  again.close();
  await lvs.stop();
  check('keepalived-ts removed them on stop', kernelView(), foreign);
  check(
    'no problem logged',
    lines.filter((l) => /fail|error|invalid/i.test(l)),
    [],
  );
}

// keepalived 2.2.7's rules between config and kernel: no protocol (UDP for address
// services, none for fwmarks), DR/TUN ports reset to the service's (0 under a fwmark,
// groups untouched), NAT real servers without a port, routed sorry servers, and ops
// (one-packet scheduling, dropped for TCP). keepalived -C first, its `ipvsadm -Ln` the
// expected listing; then keepalived-ts on the same file.
{
  section = 'rules';
  const { configOf } = await import('../unit/lvs/load-config.js');
  const { startLvs } = await import('../../src/lvs/start.js');
  const conf = `
virtual_server_group RG1 {
  192.0.2.95 80
  fwmark 13
}
virtual_server 192.0.2.90 80 {
  lvs_sched rr
  lvs_method DR
  real_server 10.0.90.1 8080 {
    weight 2
  }
  real_server 10.0.90.2 {
  }
  real_server 10.0.90.3 8081 {
    lvs_method NAT
  }
  real_server 10.0.90.4 {
    lvs_method NAT
  }
  real_server 10.0.90.5 9000 {
    lvs_method TUN
  }
  sorry_server 10.0.90.9 8082
  sorry_server_inhibit
}
virtual_server fwmark 11 {
  lvs_sched wrr
  lvs_method DR
  protocol TCP
  real_server 10.0.90.1 8080 {
  }
  real_server 10.0.90.3 8081 {
    lvs_method NAT
  }
  sorry_server 10.0.90.9 8082
  sorry_server_inhibit
}
virtual_server 192.0.2.91 53 {
  lvs_sched rr
  lvs_method TUN
  ops
  real_server 10.0.90.6 5353 {
  }
}
virtual_server 192.0.2.92 53 {
  lvs_sched rr
  lvs_method NAT
  protocol TCP
  ops
  real_server 10.0.90.6 {
  }
}
virtual_server fwmark 12 {
  lvs_sched rr
  lvs_method DR
  ops
  real_server 10.0.90.7 {
  }
}
virtual_server group RG1 {
  lvs_sched rr
  lvs_method DR
  real_server 10.0.90.8 8080 {
  }
}`;
  writeFileSync('/tmp/ka-rules.conf', conf);
  const full = () => ipvsadm('-Ln').split('\n').slice(3).join('\n').trimEnd();
  const ka = startKeepalived('/tmp/ka-rules.conf');
  const kaUp = await until(
    () => /FWM {2}13/.test(ipvsadm('-Ln')) && ipvsadm('-Ln').includes('10.0.90.8'),
    20_000,
  );
  await sleep(300);
  const byKeepalived = full();
  await stopKeepalived(ka);
  steps.push({
    section,
    step: 'keepalived 2.2.7 set the services up',
    ok: kaUp,
    detail: `${byKeepalived}\n${readFileSync(`/tmp/xfer/ka-${kaRuns}.log`, 'utf8')}`,
  });
  console.log(`keepalived 2.2.7 left:\n${byKeepalived}`);
  check('keepalived 2.2.7 removed them on exit', kernelView(), foreign);
  const lines: string[] = [];
  const lvs = await startLvs(configOf(conf), { log: { info: (l) => lines.push(l) } });
  await lvs.settled();
  const sorted = (t: string) => kernelViewOf(t);
  check(
    'keepalived-ts leaves the same ipvsadm -Ln (protocols, ports, forwarding, weights, ops)',
    sorted(full()),
    sorted(byKeepalived),
  );
  check(
    'the listing shows what keepalived 2.2.7 does: UDP default, reset DR/TUN ports (group: per entry), ops for UDP and fwmark only',
    [
      /UDP {2}192\.0\.2\.90:80 rr\n/.test(byKeepalived),
      /-> 10\.0\.90\.1:80 +Route +2/.test(byKeepalived),
      /-> 10\.0\.90\.5:80 +Tunnel/.test(byKeepalived),
      /-> 10\.0\.90\.4:80 +Masq/.test(byKeepalived),
      /-> 10\.0\.90\.1:0 +Route/.test(byKeepalived),
      /UDP {2}192\.0\.2\.91:53 rr ops/.test(byKeepalived),
      /TCP {2}192\.0\.2\.92:53 rr\n/.test(byKeepalived),
      /FWM {2}12 rr ops/.test(byKeepalived),
      /UDP {2}192\.0\.2\.95:80 rr\n +-> 10\.0\.90\.8:80 +Route/.test(byKeepalived),
      /FWM {2}13 rr\n +-> 10\.0\.90\.8:0 +Route/.test(byKeepalived),
    ],
    [true, true, true, true, true, true, true, true, true, true],
  );
  const again = await IpvsPlane.open();
  const { lvsModel } = await import('../../src/lvs/model.js');
  const { desiredServices } = await import('../../src/lvs/plan.js');
  const desired = lvsModel(configOf(conf)).flatMap((v) => desiredServices(v, new Map(), true));
  check(
    'read back (ops included) equals the desired state: a second sync changes nothing',
    await again.sync(desired),
    {
      ok: true,
      changed: 0,
    },
  );
  again.close();
  await lvs.stop();
  check('keepalived-ts removed them on stop', kernelView(), foreign);
  check(
    'no problem logged',
    lines.filter((l) => /fail|error|invalid/i.test(l)),
    [],
  );
}

// lvs_timeouts and lvs_sync_daemon: what ipvsadm reads back, field by field.
type DaemonFields = Record<'role' | 'mcast' | 'syncid' | 'maxlen' | 'group' | 'port' | 'ttl', string>;
function kernelDaemons(): DaemonFields[] {
  const out: DaemonFields[] = [];
  for (const line of ipvsadm('-L', '--daemon').split('\n')) {
    const m =
      /^(master|backup) sync daemon \(mcast=(\S+), syncid=(\d+), maxlen=(\d+), group=([^,]+), port=(\d+), ttl=(\d+)\)/.exec(
        line.trim(),
      );
    if (m) {
      const [, role, mcast, syncid, maxlen, group, port, ttl] = m as unknown as string[];
      out.push({ role, mcast, syncid, maxlen, group, port, ttl } as DaemonFields);
    } else if (line.trim()) out.push({ role: `unparsed: ${line}` } as DaemonFields);
  }
  return out.sort((a, b) => a.role.localeCompare(b.role));
}
function kernelTimeouts(): { tcp: number; tcpfin: number; udp: number } | string {
  const text = ipvsadm('-L', '--timeout');
  const m = /Timeout \(tcp tcpfin udp\): (\d+) (\d+) (\d+)/.exec(text);
  return m ? { tcp: Number(m[1]), tcpfin: Number(m[2]), udp: Number(m[3]) } : text;
}
function check(step: string, got: unknown, want: unknown): void {
  const ok = JSON.stringify(got) === JSON.stringify(want);
  steps.push({
    section,
    step,
    ok,
    ...(ok ? {} : { detail: `want ${JSON.stringify(want)} got ${JSON.stringify(got)}` }),
  });
  console.log(
    `${at()} ${ok ? 'PASS' : 'FAIL'} ${step}${ok ? '' : ` want ${JSON.stringify(want)} got ${JSON.stringify(got)}`}`,
  );
}
const daemon = (role: string, fields: Omit<DaemonFields, 'role'>): DaemonFields => ({ role, ...fields });
// The sync daemon needs a multicast-capable interface with an address; a dummy in the guest.
execFileSync('ip', ['link', 'add', 'kts-sync0', 'type', 'dummy']);
execFileSync('ip', ['link', 'set', 'kts-sync0', 'up', 'multicast', 'on']);
execFileSync('ip', ['addr', 'add', '192.0.2.250/24', 'dev', 'kts-sync0']);
{
  const { configOf } = await import('../unit/lvs/load-config.js');
  const { startLvs } = await import('../../src/lvs/start.js');
  const { GenlIpvsClient } = await import('../../src/lvs/genl-client.js');
  const { readIpvsTimeouts, readSyncDaemons, startIpvsGlobals } = await import(
    '../../src/lvs/ipvs-sync-daemon.js'
  );
  section = 'timeouts';
  check('the kernel starts with its defaults', kernelTimeouts(), { tcp: 900, tcpfin: 120, udp: 300 });
  // Not the defaults: a restore must bring back what was there, not what the kernel starts with.
  ipvsadm('--set', '1000', '0', '0');
  const conf = `
global_defs {
  lvs_timeouts tcp 7200 tcpfin 45 udp 77
  lvs_sync_daemon kts-sync0 id 9 maxlen 1200 port 8900 ttl 2 group 239.9.9.9
}
virtual_server 192.0.2.60 80 {
  lb_algo rr
  lb_kind DR
  real_server 192.0.2.61 80 {
    weight 1
  }
}`;
  const lines: string[] = [];
  const lvs = await startLvs(configOf(conf), { log: { info: (l) => lines.push(l) } });
  check('startLvs applies lvs_timeouts (ipvsadm -L --timeout)', kernelTimeouts(), {
    tcp: 7200,
    tcpfin: 45,
    udp: 77,
  });
  const client = await GenlIpvsClient.open();
  check('GET_CONFIG decodes what ipvsadm reads', await readIpvsTimeouts(client), {
    tcp: 7200,
    tcpFin: 45,
    udp: 77,
  });
  section = 'syncd';
  const fields = {
    mcast: 'kts-sync0',
    syncid: '9',
    maxlen: '1200',
    group: '239.9.9.9',
    port: '8900',
    ttl: '2',
  };
  check(
    'without an instance, master and backup run with every option (ipvsadm -L --daemon)',
    kernelDaemons(),
    [daemon('backup', fields), daemon('master', fields)],
  );
  const ours = (await readSyncDaemons(client))
    .map(
      (d) =>
        `${d.state}/${d.mcastIfn}/${d.syncId}/${d.syncMaxlen}/${d.mcastPort}/${d.mcastTtl}/${d.mcastGroup?.join('.')}`,
    )
    .sort();
  check('GET_DAEMON decodes what ipvsadm reads', ours, [
    '1/kts-sync0/9/1200/8900/2/239.9.9.9',
    '2/kts-sync0/9/1200/8900/2/239.9.9.9',
  ]);
  check(
    'no problem logged',
    lines.filter((l) => /lvs_|IPVS:/.test(l)),
    [],
  );
  // A reload (stop keeping the plane, start from the new config) that drops lvs_timeouts.
  await lvs.stop({ keepPlane: true });
  check('stop() stops both sync daemons', kernelDaemons(), []);
  section = 'timeouts';
  const dropped = await startLvs(configOf(conf.replace(/ *lvs_timeouts.*\n/, '')), {
    log: { info: (l) => lines.push(l) },
  });
  check(
    'a reload without lvs_timeouts restores the values from before (as keepalived 2.2.7)',
    kernelTimeouts(),
    {
      tcp: 1000,
      tcpfin: 120,
      udp: 300,
    },
  );
  await dropped.stop({ keepPlane: true });
  const again = await startLvs(configOf(conf.replace(/ *lvs_sync_daemon.*\n/, '')), {
    log: { info: (l) => lines.push(l) },
  });
  check('a reload bringing lvs_timeouts back sets them again', kernelTimeouts(), {
    tcp: 7200,
    tcpfin: 45,
    udp: 77,
  });
  await again.stop();
  check('stop restores the kernel values from before (as keepalived 2.2.7)', kernelTimeouts(), {
    tcp: 1000,
    tcpfin: 120,
    udp: 300,
  });
  // keepalived 2.2.7 itself on the same sequence, from values that are not the defaults: it
  // restores what the kernel had when it first changed them.
  ipvsadm('--set', '1000', '0', '0');
  writeFileSync('/tmp/ka-timeouts.conf', conf.replace(/ *lvs_sync_daemon.*\n/, ''));
  const ka = startKeepalived('/tmp/ka-timeouts.conf');
  const want = (tcp: number, tcpfin: number, udp: number) => ({ tcp, tcpfin, udp });
  const seen = async (w: ReturnType<typeof want>) => {
    await until(() => JSON.stringify(kernelTimeouts()) === JSON.stringify(w), 10_000);
    return kernelTimeouts();
  };
  check('keepalived 2.2.7 sets lvs_timeouts', await seen(want(7200, 45, 77)), want(7200, 45, 77));
  writeFileSync(
    '/tmp/ka-timeouts.conf',
    conf.replace(/ *lvs_sync_daemon.*\n/, '').replace(/ *lvs_timeouts.*\n/, ''),
  );
  ka.kill('SIGHUP');
  check(
    'keepalived 2.2.7: a reload without lvs_timeouts restores them',
    await seen(want(1000, 120, 300)),
    want(1000, 120, 300),
  );
  writeFileSync('/tmp/ka-timeouts.conf', conf.replace(/ *lvs_sync_daemon.*\n/, ''));
  ka.kill('SIGHUP');
  check(
    'keepalived 2.2.7: a reload bringing them back sets them again',
    await seen(want(7200, 45, 77)),
    want(7200, 45, 77),
  );
  await stopKeepalived(ka);
  check('keepalived 2.2.7: stop restores them', kernelTimeouts(), want(1000, 120, 300));
  // The VRRP side's check below needs values that are not the defaults.
  ipvsadm('--set', '7200', '45', '77');

  section = 'syncd';
  // Bound to an instance: the sync id defaults to its VRID, the kernel picks the rest.
  const boundText = `
global_defs {
  lvs_sync_daemon kts-sync0 VI_7
  lvs_timeouts tcp 1000
}
vrrp_instance VI_7 {
  interface kts-sync0
  virtual_router_id 42
  priority 100
  virtual_ipaddress {
    192.0.2.77
  }
}`;
  const bound = configOf(boundText);
  const logs: string[] = [];
  // The VRRP side's share: the bound daemon only (lvs_timeouts belong to the checker).
  const g = await startIpvsGlobals(bound, { info: (l) => logs.push(l) }, 'vrrp');
  section = 'timeouts';
  check('the VRRP side leaves lvs_timeouts alone', kernelTimeouts(), { tcp: 7200, tcpfin: 45, udp: 77 });
  section = 'syncd';
  // The kernel's defaults: group 224.0.0.81, port 8848, ttl 1; a backup's maxlen is the MTU less IP and UDP headers.
  const dflt = {
    mcast: 'kts-sync0',
    syncid: '42',
    maxlen: '1472',
    group: '224.0.0.81',
    port: '8848',
    ttl: '1',
  };
  check('bound to VI_7: backup at start, sync id = VRID 42', kernelDaemons(), [daemon('backup', dflt)]);
  await g.follow('VI_8', 'MASTER');
  check('a transition of another instance changes nothing', kernelDaemons(), [daemon('backup', dflt)]);
  await g.follow('VI_7', 'MASTER');
  check('VI_7 MASTER: only the master daemon', kernelDaemons(), [
    daemon('master', { ...dflt, maxlen: '1472' }),
  ]);
  await g.follow('VI_7', 'FAULT');
  check('VI_7 leaves MASTER (FAULT): back to backup only', kernelDaemons(), [daemon('backup', dflt)]);
  await g.follow('VI_7', 'BACKUP');
  check('VI_7 BACKUP again: unchanged', kernelDaemons(), [daemon('backup', dflt)]);
  await g.stop();
  check('stop() leaves no sync daemon', kernelDaemons(), []);
  check('no problem logged (bound)', logs, []);

  // The checker half leaves a bound daemon to the VRRP side (and runs none itself).
  const checkerLogs: string[] = [];
  const lvs2 = await startLvs(bound, { log: { info: (l) => checkerLogs.push(l) } });
  check('startLvs starts no sync daemon bound to an instance', kernelDaemons(), []);
  await lvs2.stop();

  // End to end: the VRRP daemon runs the bound daemon, backup first, master once VI_7 is MASTER.
  const { VrrpDaemon } = await import('../../src/daemon/vrrp-daemon.js');
  const { monotonicClock } = await import('../../src/io/clock.js');
  const vrrpLines: string[] = [];
  const vrrpLog = {
    info: (t: string) => vrrpLines.push(t),
    detail: () => {},
    stats: { written: 0, dropped: 0, discarded: 0 },
    flush: async () => {},
  };
  const waitFor = async (want: DaemonFields[], ms: number): Promise<DaemonFields[]> => {
    const end = Date.now() + ms;
    let got = kernelDaemons();
    while (JSON.stringify(got) !== JSON.stringify(want) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      got = kernelDaemons();
    }
    return got;
  };
  const vd = new VrrpDaemon({ config: bound, clock: monotonicClock, log: vrrpLog });
  await vd.start();
  check('VRRP daemon: the bound daemon starts as backup', kernelDaemons(), [daemon('backup', dflt)]);
  // advert_int 1, priority 100, nobody else: MASTER after about 3.6 s.
  check('VRRP daemon: VI_7 MASTER moves it to master', await waitFor([daemon('master', dflt)], 15_000), [
    daemon('master', dflt),
  ]);
  // A reload restarts it from the new config, in the role VI_7 has (or takes again when
  // the reload restarted it).
  const plan = await vd.reload(
    configOf(boundText.replace('lvs_sync_daemon kts-sync0 VI_7', 'lvs_sync_daemon kts-sync0 VI_7 id 77')),
  );
  const master77 = [daemon('master', { ...dflt, syncid: '77' })];
  const kept = plan.keep.includes('VI_7');
  check(
    `VRRP daemon: a reload applies the new sync id (VI_7 ${kept ? 'kept: at once' : 'restarted: once MASTER again'})`,
    kept ? kernelDaemons() : await waitFor(master77, 15_000),
    master77,
  );
  await vd.stop();
  check('VRRP daemon: stop leaves no sync daemon', kernelDaemons(), []);
  const ipvsNotes = vrrpLines.filter((l) => /IPVS|lvs_sync/.test(l));
  check('VRRP daemon: no IPVS problem logged', ipvsNotes, []);
  client.close();
}

const ok = steps.every((s) => s.ok);
writeFileSync('/tmp/xfer/result.json', JSON.stringify({ ok, steps }, null, 1));
process.exitCode = ok ? 0 : 1;
