/**
 * @module Tracking in a `vrrp_sync_group` (its own track_interface, track_script,
 * track_file, track_bfd and track_process, not its members') against keepalived 2.2.7, in
 * namespaces (`kts-d-<pid>-*`, deleted afterwards; daemons killed by pid; the nft table
 * that silences BFD is made in the peer's namespace only).
 *
 * keepalived 2.2.7 and keepalived-ts run the same config one after the other in the same
 * host namespace, next to a BFD peer (keepalived 2.2.7 with only a bfd_instance). Each
 * group tracker in turn fails and recovers: eth1 down and up, the script failing and
 * succeeding, the file's value 1 and 0, the peer's BFD packets dropped and let through.
 * Each failure must put the whole group (both members) in FAULT and each recovery bring it
 * back to MASTER; the notify_fifo lines of the two daemons must be the same from the
 * group's first MASTER on (before it they depend on when the BFD session comes Up).
 *
 * track_process is checked on keepalived-ts alone: keepalived 2.2.7 watches processes
 * through the kernel's process connector, which only answers in the initial network
 * namespace ("Failed to set/clear process event listen - errno 111"), so in a test
 * namespace it never sees the process and holds the group in FAULT.
 */

import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  constants,
  copyFileSync,
  openSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Daemon, DaemonLab, ip, labUnavailable, until } from './daemon-lab.js';

const skip = labUnavailable(true);
const STEP_MS = 30_000;
const HOST = '10.186.0.2';
const PEER = '10.186.0.9';

/** Lines of a FIFO the daemon keeps open, read without blocking (polled by waitFor). */
class FifoLines {
  readonly lines: string[] = [];
  readonly #fd: number;
  #partial = '';
  readonly #buf = Buffer.alloc(65536);

  constructor(path: string) {
    this.#fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  }

  poll(): void {
    for (;;) {
      let n = 0;
      try {
        n = readSync(this.#fd, this.#buf);
      } catch {
        return; // EAGAIN
      }
      if (n <= 0) return;
      const parts = (this.#partial + this.#buf.subarray(0, n).toString()).split('\n');
      this.#partial = parts.pop() ?? '';
      this.lines.push(...parts);
    }
  }

  count(line: string): number {
    this.poll();
    return this.lines.filter((l) => l === line).length;
  }

  async waitFor(line: string, times: number): Promise<void> {
    await until(
      () => this.count(line) >= times,
      STEP_MS,
      `${line} ×${times} (have: ${this.lines.join(' | ')})`,
    );
  }

  /** Waits for `line` once more than it has been seen so far. */
  async waitForNext(line: string): Promise<void> {
    await this.waitFor(line, this.count(line) + 1);
  }

  close(): void {
    this.poll();
    closeSync(this.#fd);
  }
}

function groupConf(fifo: string, trackers: string, definitions: string): string {
  const instance = (name: string, vrid: number, priority: number) => `vrrp_instance ${name} {
  state BACKUP
  interface eth0
  virtual_router_id ${vrid}
  priority ${priority}
  advert_int 1
  virtual_ipaddress {
    10.186.0.${vrid}/24
  }
}
`;
  return `global_defs {
  notify_fifo ${fifo}
}
${definitions}
vrrp_sync_group G1 {
  group {
    VI_1
    VI_2
  }
${trackers}
}
${instance('VI_1', 61, 100)}${instance('VI_2', 62, 90)}`;
}

/** Resolves once the daemon `name` has made its FIFO at `fifo` (STEP_MS at most). */
function fifoMade(fifo: string, name: string): Promise<unknown> {
  const isFifo = () => statSync(fifo, { throwIfNoEntry: false })?.isFIFO() === true;
  return until(isFifo, STEP_MS, `${name}: ${fifo}`);
}

/** Start, then each tracker failing and recovering, then stop; the FIFO's lines. */
async function drive(
  name: string,
  start: () => Promise<Daemon>,
  fifo: string,
  steps: readonly { readonly fail: () => void; readonly recover: () => void }[],
  stop: (d: Daemon) => Promise<number | null>,
): Promise<string[]> {
  const d = await start();
  await fifoMade(fifo, name);
  const reader = new FifoLines(fifo);
  try {
    await reader.waitFor('GROUP "G1" MASTER 0', 1);
    for (const step of steps) {
      // Counted from here: the group may have been in FAULT before (BFD still Down at start).
      const waits = ['GROUP "G1" FAULT 0', 'INSTANCE "VI_1" FAULT 100', 'INSTANCE "VI_2" FAULT 90'].map((l) =>
        reader.waitForNext(l),
      );
      step.fail();
      await Promise.all(waits);
      const master = reader.waitForNext('GROUP "G1" MASTER 0');
      step.recover();
      await master;
    }
    assert.equal(await stop(d), 0);
    await reader.waitFor('GROUP "G1" STOP 0', 1);
    return reader.lines;
  } catch (e) {
    if (d.running) await stop(d);
    throw new Error(`${name}: ${(e as Error).message}\n${d.log()}`);
  } finally {
    reader.close();
  }
}

describe('sync group tracking: each tracker of the group moves both members as keepalived 2.2.7', {
  skip: skip ?? false,
}, () => {
  let lab: DaemonLab;
  let host: string;
  let peer: string;
  let fifo: string;
  let conf: string;
  let steps: { fail: () => void; recover: () => void }[];
  const table = `kts_sync_bfd_${process.pid}`;
  const runs: Record<string, string[]> = {};

  before(() => {
    lab = new DaemonLab();
    host = lab.host(`${HOST}/24`);
    peer = lab.host(`${PEER}/24`);
    // eth1: only tracked by the group (both members run on eth0).
    ip('-n', host, 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth1p');
    ip('-n', host, 'link', 'set', 'eth1p', 'up');
    ip('-n', host, 'link', 'set', 'eth1', 'up');
    fifo = join(lab.dir, 'notify.fifo');
    const failFlag = join(lab.dir, 'script.fail');
    const script = lab.file('chk.sh', `#!/bin/sh\n[ ! -e ${failFlag} ]\n`, 0o755);
    const value = lab.file('tf.value', '0\n');
    conf = lab.file(
      'group-trackers.conf',
      groupConf(
        fifo,
        '  track_interface {\n    eth1\n  }\n  track_script {\n    chk\n  }\n  track_file {\n    tf\n  }\n  track_bfd {\n    B1\n  }',
        `bfd_instance B1 {
  neighbor_ip ${PEER}
  source_ip ${HOST}
  min_rx 200
  min_tx 200
  multiplier 3
}
vrrp_script chk {
  script "${script}"
  interval 1
  fall 1
  rise 1
}
vrrp_track_file tf {
  file ${value}
  weight 0
}`,
      ),
    );
    // The BFD peer answers the session for both runs.
    lab.keepalived(
      'bfd-peer',
      peer,
      lab.file(
        'peer.conf',
        `bfd_instance B1 {\n  neighbor_ip ${HOST}\n  source_ip ${PEER}\n  min_rx 200\n  min_tx 200\n  multiplier 3\n}\n`,
      ),
    );
    const silence = `table inet ${table} {
  chain out { type filter hook output priority 0; udp dport 3784 drop; }
  chain in { type filter hook input priority 0; udp dport 3784 drop; }
}
`;
    steps = [
      {
        fail: () => ip('-n', host, 'link', 'set', 'eth1', 'down'),
        recover: () => ip('-n', host, 'link', 'set', 'eth1', 'up'),
      },
      { fail: () => writeFileSync(failFlag, ''), recover: () => rmSync(failFlag) },
      { fail: () => writeFileSync(value, '1\n'), recover: () => writeFileSync(value, '0\n') },
      {
        fail: () => execFileSync('ip', ['netns', 'exec', peer, 'nft', '-f', '-'], { input: silence }),
        recover: () => execFileSync('ip', ['netns', 'exec', peer, 'nft', 'delete', 'table', 'inet', table]),
      },
    ];
  });

  after(async () => {
    await lab?.cleanup();
  });

  it('keepalived 2.2.7 (the reference): every group tracker faults both members', async () => {
    runs.keepalived = await drive(
      'keepalived',
      async () => lab.keepalived('ka', host, conf),
      fifo,
      steps,
      (d) => lab.stop(d, 10_000),
    );
    assert.equal(runs.keepalived.filter((l) => l === 'GROUP "G1" FAULT 0').length >= steps.length, true);
  });

  it('keepalived-ts: the same notify_fifo lines', async () => {
    runs.kts = await drive(
      'kts',
      () => lab.kts('kts', host, conf),
      fifo,
      steps,
      (d) => lab.stop(d, 10_000),
    );
    // From the first MASTER on. Before it the lines depend on when the BFD session comes Up
    // (the group is in FAULT until then, or not at all if it is Up before the first
    // evaluation), and keepalived writes the FAULT lines of members faulted at init before
    // the group's own line, keepalived-ts after it.
    const fromMaster = (lines: readonly string[]) => lines.slice(lines.indexOf('GROUP "G1" MASTER 0'));
    assert.deepEqual(fromMaster(runs.kts), fromMaster(runs.keepalived!));
  });
});

describe('sync group track_process (keepalived-ts; keepalived 2.2.7 cannot watch processes in a namespace)', {
  skip: skip ?? false,
}, () => {
  let lab: DaemonLab;
  let host: string;
  let fifo: string;
  let conf: string;
  let binary: string;
  let proc: ChildProcess | null = null;
  const procName = `kts${process.pid}`.slice(0, 15);
  const startProc = () => {
    proc = spawn(binary, ['600'], { stdio: 'ignore' });
  };

  before(() => {
    lab = new DaemonLab();
    host = lab.host(`${HOST}/24`);
    fifo = join(lab.dir, 'notify.fifo');
    binary = join(lab.dir, procName);
    copyFileSync('/bin/sleep', binary);
    execFileSync('chmod', ['755', binary]);
    conf = lab.file(
      'group-process.conf',
      groupConf(
        fifo,
        '  track_process {\n    tp\n  }',
        `vrrp_track_process tp {\n  process ${procName}\n  quorum 1\n  delay 0.2\n}`,
      ),
    );
  });

  after(async () => {
    proc?.kill('SIGKILL');
    await lab?.cleanup();
  });

  it('the process exiting faults both members; it running again brings the group back to MASTER', async () => {
    startProc();
    const lines = await drive(
      'kts',
      () => lab.kts('kts', host, conf),
      fifo,
      [
        {
          fail: () => {
            proc?.kill('SIGKILL');
            proc = null;
          },
          recover: startProc,
        },
      ],
      (d) => lab.stop(d, 10_000),
    );
    const fault = lines.indexOf('GROUP "G1" FAULT 0');
    assert.ok(fault > lines.indexOf('GROUP "G1" MASTER 0'), lines.join('\n'));
    assert.ok(lines.lastIndexOf('GROUP "G1" MASTER 0') > fault, lines.join('\n'));
  });
});

describe('start-up order: instances faulted at start, then groups, then the rest, as keepalived 2.2.7', {
  skip: skip ?? false,
}, () => {
  let lab: DaemonLab;
  let host: string;
  let fifo: string;
  let conf: string;
  const runs: Record<string, string[]> = {};

  before(() => {
    lab = new DaemonLab();
    host = lab.host(`${HOST}/24`);
    // eth1 stays down: VI_6 starts in FAULT and takes its group G2 with it.
    ip('-n', host, 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth1p');
    fifo = join(lab.dir, 'notify.fifo');
    // A 30 s advert interval keeps every instance in BACKUP while the lines are read.
    const instance = (
      name: string,
      ifname: string,
      vrid: number,
      priority: number,
    ) => `vrrp_instance ${name} {
  state BACKUP
  interface ${ifname}
  virtual_router_id ${vrid}
  priority ${priority}
  advert_int 30
  virtual_ipaddress {
    10.186.0.${vrid}/24
  }
}
`;
    conf = lab.file(
      'start-order.conf',
      `global_defs {
  notify_fifo ${fifo}
}
${instance('VI_0', 'eth0', 70, 110)}vrrp_sync_group G2 {
  group {
    VI_6
    VI_7
  }
}
vrrp_sync_group G1 {
  group {
    VI_2
    VI_1
  }
}
${instance('VI_1', 'eth0', 71, 100)}${instance('VI_2', 'eth0', 72, 90)}${instance('VI_6', 'eth1', 76, 90)}${instance('VI_7', 'eth0', 77, 90)}${instance('VI_5', 'eth0', 75, 80)}`,
    );
  });

  after(async () => {
    await lab?.cleanup();
  });

  async function drive(name: string, start: () => Promise<Daemon>): Promise<string[]> {
    const d = await start();
    try {
      await fifoMade(fifo, name);
      const reader = new FifoLines(fifo);
      try {
        await reader.waitFor('INSTANCE "VI_5" BACKUP 80', 1);
        return reader.lines.slice(0, 8);
      } finally {
        reader.close();
      }
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}\n${d.log()}`);
    } finally {
      await lab.stop(d, 10_000);
    }
  }

  it('keepalived 2.2.7 (the reference)', async () => {
    runs.keepalived = await drive('keepalived', async () => lab.keepalived('ka', host, conf));
    assert.deepEqual(runs.keepalived, [
      'INSTANCE "VI_6" FAULT 90',
      'INSTANCE "VI_7" FAULT 90',
      'GROUP "G2" FAULT 0',
      'GROUP "G1" BACKUP 0',
      'INSTANCE "VI_0" BACKUP 110',
      'INSTANCE "VI_1" BACKUP 100',
      'INSTANCE "VI_2" BACKUP 90',
      'INSTANCE "VI_5" BACKUP 80',
    ]);
  });

  it('keepalived-ts: the same lines in the same order', async () => {
    runs.kts = await drive('kts', () => lab.kts('kts', host, conf));
    assert.deepEqual(runs.kts, runs.keepalived);
  });
});

describe('an instance faulted at start stays in FAULT until its weight-0 script first reports, as keepalived 2.2.7', {
  skip: skip ?? false,
}, () => {
  let lab: DaemonLab;
  let host: string;
  let conf: string;
  const order: Record<string, string[]> = {};

  before(() => {
    lab = new DaemonLab();
    host = lab.host(`${HOST}/24`);
    ip('-n', host, 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth1p');
    ip('-n', host, 'link', 'set', 'eth1p', 'up');
    // eth1 starts down (FAULT at start); the script's first result comes after 4 s.
    const slow = lab.file('slow.sh', '#!/bin/sh\nsleep 4\nexit 0\n', 0o755);
    conf = lab.file(
      'fault-pending.conf',
      `vrrp_script slow {
  script "${slow}"
  interval 30
  timeout 10
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 63
  priority 100
  advert_int 1
  track_interface {
    eth1
  }
  track_script {
    slow
  }
  virtual_ipaddress {
    10.186.0.63/24
  }
}
`,
    );
  });

  after(async () => {
    await lab?.cleanup();
  });

  /** eth1 down at start, up once the instance is in FAULT; the order of what follows. */
  async function drive(name: string, start: () => Promise<Daemon>): Promise<string[]> {
    ip('-n', host, 'link', 'set', 'eth1', 'down');
    const d = await start();
    try {
      await d.waitFor(/\(VI_1\):? [Ee]ntering FAULT (STATE|state)/, STEP_MS);
      ip('-n', host, 'link', 'set', 'eth1', 'up');
      await d.waitFor(/\(VI_1\) Entering BACKUP STATE/, STEP_MS);
      return d.lines
        .map((l) => l.text)
        .filter((t) => /VRRP_Script\(slow\) succeeded|\(VI_1\) Entering BACKUP STATE/.test(t))
        .map((t) => t.replace(/^.*?: (VRRP_Script|\(VI_1\))/, '$1'));
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}\n${d.log()}`);
    } finally {
      await lab.stop(d, 10_000);
    }
  }

  it('keepalived 2.2.7 (the reference): BACKUP only after the script succeeded', async () => {
    order.keepalived = await drive('keepalived', async () => lab.keepalived('ka', host, conf));
    assert.deepEqual(order.keepalived, ['VRRP_Script(slow) succeeded', '(VI_1) Entering BACKUP STATE']);
  });

  it('keepalived-ts: the same order', async () => {
    order.kts = await drive('kts', () => lab.kts('kts', host, conf));
    assert.deepEqual(order.kts, order.keepalived);
  });
});
