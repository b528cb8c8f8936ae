/**
 * keepalived holds an instance in INIT until every weight-0 script it tracks has reported
 * once; instances whose scripts have weights start at once. The same config runs under
 * keepalived 2.2.7 and keepalived-ts, each alone on its own LAN, with a script that takes
 * 2 s to succeed: in both logs VI_HOLD leaves INIT only after the script's first result,
 * while VI_FREE is BACKUP before it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Daemon, DaemonLab, labUnavailable } from './daemon-lab.js';

const skip = labUnavailable(true);

function config(script: string): string {
  return `vrrp_script chk_slow {
  script "${script}"
  interval 30
  timeout 10
}
vrrp_script chk_weighted {
  script "${script}"
  interval 30
  timeout 10
  weight 10
}
vrrp_instance VI_HOLD {
  state BACKUP
  interface eth0
  virtual_router_id 91
  priority 100
  advert_int 1
  track_script {
    chk_slow
  }
  virtual_ipaddress {
    10.100.1.91/24
  }
}
vrrp_instance VI_FREE {
  state BACKUP
  interface eth0
  virtual_router_id 92
  priority 100
  advert_int 1
  track_script {
    chk_weighted
  }
  virtual_ipaddress {
    10.100.1.92/24
  }
}
`;
}

/** Index of the first log line matching `re`. */
async function lineIndex(d: Daemon, re: RegExp): Promise<number> {
  const hit = await d.waitFor(re, 15_000);
  return d.lines.indexOf(hit);
}

describe('INIT hold until weight-0 scripts report, as keepalived 2.2.7', { skip: skip ?? false }, () => {
  const labs: DaemonLab[] = [];
  before(() => {
    labs.push(new DaemonLab(), new DaemonLab());
  });
  after(async () => {
    for (const l of labs) await l.cleanup();
  });

  it('starts VI_FREE at once and VI_HOLD only after chk_slow succeeded', async () => {
    const [ours, theirs] = labs as [DaemonLab, DaemonLab];
    const script = ours.file('slow.sh', '#!/bin/sh\nsleep 2\nexit 0\n', 0o755);
    const text = config(script);
    const ts = await ours.kts('kts', ours.host('10.100.1.1/24'), ours.file('k.conf', text));
    const ka = theirs.keepalived('ka', theirs.host('10.100.1.1/24'), theirs.file('k.conf', text));
    for (const d of [ts, ka]) {
      const succeeded = await lineIndex(d, /VRRP_Script\(chk_slow\) succeeded/);
      const free = await lineIndex(d, /\(VI_FREE\) Entering BACKUP STATE/);
      const held = await lineIndex(d, /\(VI_HOLD\) Entering BACKUP STATE/);
      assert.ok(free < succeeded, `${d.name}: VI_FREE is BACKUP before the script reports\n${d.log()}`);
      assert.ok(held > succeeded, `${d.name}: VI_HOLD leaves INIT after the script reports\n${d.log()}`);
      await d.waitFor(/\(VI_HOLD\) Entering MASTER STATE/, 15_000);
    }
  });
});
