/**
 * use_vmac with vmac_xmit_base, keepalived-ts master and keepalived 2.2.7 backup on one
 * LAN: the VIP lives on the VMAC and a client resolves it to the virtual MAC, but the
 * adverts leave from the parent with its own MAC (tcpdump on the client). When
 * keepalived-ts stops, keepalived takes over and its adverts too come from its real MAC.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { arpReplyMac, type Daemon, DaemonLab, ip, labUnavailable, until } from './daemon-lab.js';

const skip = labUnavailable(true);

function conf(priority: number): string {
  return `vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 52
  priority ${priority}
  advert_int 1
  use_vmac
  vmac_xmit_base
  virtual_ipaddress {
    10.100.1.52/24
  }
}
`;
}

const macOf = (ns: string, dev: string) => /link\/ether (\S+)/.exec(ip('-n', ns, 'link', 'show', dev))![1]!;

/** Source MACs of the next VRRP adverts seen by `ns` on eth0. */
function advertSources(ns: string, count: number): string[] {
  const r = spawnSync(
    'ip',
    [
      'netns',
      'exec',
      ns,
      'timeout',
      '5',
      'tcpdump',
      '-l',
      '-e',
      '-n',
      '-c',
      String(count),
      '-i',
      'eth0',
      'ip proto 112',
    ],
    { encoding: 'utf8' },
  );
  return [...r.stdout.matchAll(/^\S+ (\S+) > /gm)].map((m) => m[1]!);
}

describe('vmac_xmit_base against keepalived 2.2.7', { skip: skip ?? false }, () => {
  let lab: DaemonLab;
  let s1: string;
  let s2: string;
  let client: string;
  let d1: Daemon;

  before(async () => {
    lab = new DaemonLab();
    s1 = lab.host('10.100.1.1/24');
    s2 = lab.host('10.100.1.2/24');
    client = lab.host('10.100.1.9/24');
    d1 = await lab.kts('s1', s1, lab.file('s1.conf', conf(150)));
    lab.keepalived('s2', s2, lab.file('s2.conf', conf(100)));
    await d1.waitFor(/\(VI_1\) Entering MASTER STATE/, 15_000);
  });
  after(async () => {
    await lab?.cleanup();
  });

  it('keeps the VIP on the VMAC and sends adverts from the parent', async () => {
    await until(() => lab.addresses(s1, 'vrrp.52').includes('10.100.1.52/24'), 5000, 'VIP on vrrp.52');
    const sources = advertSources(client, 3);
    assert.equal(sources.length, 3, 'adverts seen');
    assert.deepEqual(new Set(sources), new Set([macOf(s1, 'eth0')]), 'adverts from the real MAC of eth0');
    const send = "require('dgram').createSocket('udp4').send('x', 9, '10.100.1.52', () => process.exit(0))";
    const mac = await arpReplyMac(client, '10.100.1.52', () =>
      execFileSync('ip', ['netns', 'exec', client, process.execPath, '-e', send]),
    );
    assert.equal(mac, '00:00:5e:00:01:34', 'the VIP is answered with the virtual MAC');
    assert.ok(
      !lab.addresses(s2, 'vrrp.52').includes('10.100.1.52/24'),
      'keepalived hears us and stays BACKUP',
    );
  });

  it('keepalived takes over on stop, also advertising from its real MAC', async () => {
    assert.equal(await lab.stop(d1), 0);
    await until(
      () => lab.addresses(s2, 'vrrp.52').includes('10.100.1.52/24'),
      8000,
      'VIP on keepalived vrrp.52',
    );
    const sources = advertSources(client, 2);
    assert.deepEqual(new Set(sources), new Set([macOf(s2, 'eth0')]));
  });
});
