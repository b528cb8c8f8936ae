/**
 * The daemon runs keepalived's checker half too: with a virtual_server in the config it
 * starts the checker process, programs the nftables data plane, reacts to a failing real
 * server, and on SIGTERM removes both its VIP and its table.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';

const bin = resolve(import.meta.dirname, '../../../bin/keepalived-ts');
const ns = `kts-${process.pid}-dlvs`;
const dir = mkdtempSync(join(tmpdir(), 'kts-dlvs-'));
let daemon: ChildProcess | undefined;

const ip = (...args: string[]) => spawnSync('ip', args, { encoding: 'utf8' });
const tables = () =>
  spawnSync('ip', ['netns', 'exec', ns, 'nft', 'list', 'tables'], { encoding: 'utf8' }).stdout;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

after(() => {
  daemon?.kill('SIGKILL');
  ip('netns', 'del', ns);
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(100)) if (ok()) return;
  assert.fail(`timed out waiting for ${what}`);
}

test('a daemon with virtual servers checks them, programs nftables and cleans up on SIGTERM', async (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('needs root for network namespaces');
    return;
  }
  assert.equal(ip('netns', 'add', ns).status, 0);
  for (const cmd of [
    ['link', 'set', 'lo', 'up'],
    ['link', 'add', 'eth0', 'type', 'bridge'],
    ['link', 'set', 'eth0', 'up'],
    ['addr', 'add', '10.99.0.1/24', 'dev', 'eth0'],
  ])
    ip('-n', ns, ...cmd);
  const conf = join(dir, 'keepalived.conf');
  writeFileSync(
    conf,
    `vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 9
  priority 255
  advert_int 1
  virtual_ipaddress {
    10.99.0.100/24
  }
}
virtual_server 10.99.0.100 80 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 10.99.0.1 8080 {
    TCP_CHECK {
      connect_timeout 1
    }
  }
}
`,
  );
  const log: string[] = [];
  daemon = spawn('ip', [
    'netns',
    'exec',
    ns,
    process.execPath,
    bin,
    '-n',
    '-l',
    '-f',
    conf,
    '--control-socket',
    join(dir, 'c.sock'),
  ]);
  daemon.stderr!.on('data', (b: Buffer) => log.push(...b.toString().split('\n')));
  await waitFor('the nftables table', () => tables().includes('keepalived_ts'));
  await waitFor('the failing real server to be removed', () =>
    log.some((l) => /Removing service \[10\.99\.0\.1\]:tcp:8080/.test(l)),
  );
  assert.ok(
    log.some((l) => /LVS data plane: nftables/.test(l)),
    'the data plane choice is logged',
  );
  const exited = new Promise((r) => daemon!.once('exit', r));
  daemon.kill('SIGTERM');
  await exited;
  assert.equal(tables().includes('keepalived_ts'), false, 'table removed on stop');
  assert.equal(
    ip('-n', ns, '-br', 'addr', 'show', 'eth0').stdout.includes('10.99.0.100'),
    false,
    'VIP removed on stop',
  );
});
