/**
 * @module `make demo`: the article's failover, live. Checks the two example configs,
 * builds server1 (10.100.1.21), server2 (10.100.1.22) and a client on a bridge in
 * network namespaces, runs keepalived-ts in each server with examples/server1.conf and
 * server2.conf verbatim, prints `ip -brief address show` from both servers, cuts
 * server1's link and prints the measured failover time (link cut → server2 "Entering
 * MASTER STATE", and → the VIP answering the client again), restores the link and shows
 * server1 taking the VIP back, then removes everything it made (also on Ctrl-C).
 * Needs root; KTS_DEMO_DAEMON=keepalived runs keepalived instead, for comparison.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatDiagnostic } from '../config/diagnostic.js';
import { loadConfig } from '../config/load.js';
import { nodeFileSystem } from '../config/source.js';
import { DemoLab, type NsProcess } from './lab.js';

const root = resolve(import.meta.dirname, '../../..');
const examples = join(root, 'examples');
const VIP = '10.100.1.20';
const useKeepalived = process.env['KTS_DEMO_DAEMON'] === 'keepalived';
const daemonName = useKeepalived ? 'keepalived 2.2.7' : 'keepalived-ts';

function checkConfigs(): boolean {
  console.log("== 1. the article's configs (examples/), checked by keepalived-ts's parser");
  let ok = true;
  for (const file of ['server1.conf', 'server2.conf']) {
    const { config, diagnostics } = loadConfig(join(examples, file), {
      fs: nodeFileSystem,
      configId: 'demo',
      cwd: examples,
    });
    for (const d of diagnostics) console.log(`   ${formatDiagnostic(d)}`);
    const vi = config?.vrrpInstances[0];
    if (!vi) {
      ok = false;
      continue;
    }
    const vips = vi.virtualAddresses.map((a) => `${a.address}/${a.prefixLen}`).join(' ');
    console.log(
      `   ${file}: ${vi.name} state ${vi.initialState} priority ${vi.priority} vrid ${vi.virtualRouterId} ` +
        `advert_int ${vi.advertIntCs / 100}s auth ${vi.authentication?.type ?? 'none'} vip ${vips}`,
    );
  }
  return ok;
}

function unavailable(): string | null {
  if (process.getuid?.() !== 0) return 'the failover part needs root (network namespaces)';
  if (spawnSync('ip', ['-V'], { stdio: 'ignore' }).status !== 0) return 'iproute2 (ip) is not installed';
  if (useKeepalived && spawnSync('keepalived', ['-v'], { stdio: 'ignore' }).status !== 0)
    return 'keepalived missing';
  return null;
}

function daemon(lab: DemoLab, role: string): NsProcess {
  const conf = join(examples, `${role}.conf`);
  const d = join(lab.dir, role);
  const flags = [
    '-n',
    '-l',
    '-D',
    '-f',
    conf,
    '-p',
    `${d}.pid`,
    '-r',
    `${d}-vrrp.pid`,
    '-c',
    `${d}-check.pid`,
  ];
  const argv = useKeepalived
    ? ['stdbuf', '-oL', 'keepalived', ...flags]
    : [process.execPath, join(root, 'bin', 'keepalived-ts'), ...flags];
  return lab.spawn(role, argv);
}

/** A prober in the client namespace: prints "answered <wall ms>" once VIP:9 answers (RST or accept). */
function prober(lab: DemoLab): NsProcess {
  const script = `const net=require('net');const {performance:p}=require('perf_hooks');let n=0;
function go(){if(++n>600)process.exit(1);const s=net.connect({host:'${VIP}',port:9,timeout:100});
const ok=()=>{console.log('answered '+(p.timeOrigin+p.now()));process.exit(0)};
s.on('connect',ok);s.on('timeout',()=>{s.destroy();setTimeout(go,5)});
s.on('error',(e)=>{if(e.code==='ECONNREFUSED')ok();else setTimeout(go,5)});}go();`;
  return lab.spawn('client', [process.execPath, '-e', script]);
}

const MASTER = /\(VI_1\) Entering MASTER STATE/;
const BACKUP = /\(VI_1\) Entering BACKUP STATE/;

function showAddresses(lab: DemoLab, title: string): void {
  console.log(`\n== ${title}`);
  for (const role of ['server1', 'server2']) {
    console.log(`root@${role}:~# ip -brief address show`);
    console.log(lab.brief(role));
  }
}

async function failover(lab: DemoLab): Promise<void> {
  lab.addHost('server1', 21);
  lab.addHost('server2', 22);
  lab.addHost('client', 10);
  console.log(
    `\n== 2. server1 10.100.1.21, server2 10.100.1.22, client 10.100.1.10 on a bridge; ${daemonName} in each server`,
  );
  const s1 = daemon(lab, 'server1');
  const s2 = daemon(lab, 'server2');
  const m1 = await s1.waitFor(MASTER, 10_000);
  await s2.waitFor(BACKUP, 10_000);
  console.log(
    `   server1: ${m1.text.replace(/^.*\(VI_1\)/, '(VI_1)')}; server2: (VI_1) Entering BACKUP STATE`,
  );
  await prober(lab).waitFor(/answered/, 5000);
  console.log(
    `   client -> ${VIP}: answered; client's ARP entry: ${lab.neighbourMac('client', VIP)} (server1)`,
  );
  showAddresses(lab, '3. addresses with server1 as master');

  console.log("\n== 4. cutting server1's link (bridge port down)");
  const from = s2.lines.length;
  const probe = prober(lab);
  const cutAt = lab.setLink('server1', 'down');
  const m2 = await s2.waitFor(MASTER, 10_000, from);
  const answered = await probe.waitFor(/answered/, 10_000);
  const answeredAt = Number(answered.text.split(' ')[1]);
  console.log(`   failover: link cut -> server2 "Entering MASTER STATE" ${(m2.t - cutAt).toFixed(0)} ms`);
  console.log(
    `             link cut -> VIP answering the client again   ${(answeredAt - cutAt).toFixed(0)} ms`,
  );
  console.log(
    '             (Master_Down_Interval = 3 x advert_int + skew = 3.008 s, counted from the last advert)',
  );
  console.log(
    `   client's ARP entry for ${VIP}: ${lab.neighbourMac('client', VIP)} (server2's MAC, from its gratuitous ARP)`,
  );
  showAddresses(lab, '5. addresses after the failover');

  console.log("\n== 6. restoring server1's link");
  const [f1, f2] = [s1.lines.length, s2.lines.length];
  const upAt = lab.setLink('server1', 'up');
  const back = await s1.waitFor(MASTER, 15_000, f1);
  await s2.waitFor(BACKUP, 5000, f2);
  console.log(
    `   server1 took the VIP back ${(back.t - upAt).toFixed(0)} ms after its link came up (preemption, priority 255 > 254)`,
  );
  showAddresses(lab, '7. addresses after server1 is back');

  for (const p of [s1, s2]) p.child.kill('SIGTERM');
  await Promise.all([s1, s2].map((p) => p.waitFor(/Stopped/, 5000, 0).catch(() => undefined)));
}

async function main(): Promise<number> {
  if (!checkConfigs()) return 1;
  const why = unavailable();
  if (why) {
    console.log(`\n(skipping the failover demo: ${why})`);
    return 1;
  }
  if (!useKeepalived && !existsSync(join(root, 'dist', 'src', 'cli', 'keepalived-ts.js'))) {
    console.log('\n(keepalived-ts is not built: run make build)');
    return 1;
  }
  const lab = new DemoLab();
  try {
    await failover(lab);
    return 0;
  } catch (e) {
    console.error(`\ndemo failed: ${(e as Error).message}`);
    return 1;
  } finally {
    lab.destroy();
    console.log(`\n== removed the namespaces and processes; demo took ${process.uptime().toFixed(1)} s`);
  }
}

process.exitCode = await main();
