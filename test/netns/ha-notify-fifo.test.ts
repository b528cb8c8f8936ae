/**
 * @module Notify FIFOs and script security against keepalived 2.2.7, in namespaces
 * (`kts-d-<pid>-*`, deleted afterwards; daemons killed by pid). keepalived 2.2.7 and
 * keepalived-ts run the same config one after the other in the same host namespace; the
 * test drives the same transitions for each and compares what they produced:
 *
 * - notify_fifo lines read by the test (start in BACKUP, BACKUP→MASTER, MASTER→FAULT by
 *   a link down, FAULT→BACKUP→MASTER, stop), for a sync group of two instances;
 * - vrrp_notify_fifo read by its vrrp_notify_fifo_script: the script's arguments (the FIFO
 *   path last) and the lines it read;
 * - the FIFOs are created 0600 (0644 less keepalived's umask) and owned by the user and
 *   group on their `notify_fifo PATH USER [GROUP]` lines (the user's primary group when
 *   none is given);
 * - the FIFO created by the daemon is gone after it stops;
 * - enable_script_security with script_user root: a notify script in a world-writable
 *   directory is disabled (and logged as keepalived logs it), a notify argument holding
 *   `;touch FILE` reaches the script as one argument and creates nothing.
 *
 * Every step waits for the lines themselves (no fixed sleeps), with generous deadlines
 * for a loaded 2-core machine.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Daemon, DaemonLab, ip, labUnavailable, until } from './daemon-lab.js';

const skip = labUnavailable(true);
const STEP_MS = 30_000;

/** Reads a FIFO without blocking the test: opens it once it exists, polls every 20 ms. */
class FifoReader {
  readonly lines: string[] = [];
  #fd = -1;
  #path: string | undefined;
  #partial = '';
  #timer: NodeJS.Timeout | undefined;
  readonly #buf = Buffer.alloc(65536);

  static async open(path: string): Promise<FifoReader> {
    await until(() => existsSync(path) && statSync(path).isFIFO(), STEP_MS, `FIFO ${path}`);
    const r = new FifoReader();
    r.#path = path;
    r.#fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    r.#timer = setInterval(() => r.poll(), 20);
    return r;
  }

  poll(): void {
    if (this.#fd < 0 && this.#path !== undefined && existsSync(this.#path))
      this.#fd = openSync(this.#path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (this.#fd < 0) return;
    for (;;) {
      let n = 0;
      try {
        n = readSync(this.#fd, this.#buf);
      } catch {
        return; // EAGAIN: nothing queued
      }
      if (n <= 0) {
        // EOF: every writer closed. keepalived closes and recreates its FIFOs on a reload:
        // follow it to the new one (keepalived-ts keeps them open).
        closeSync(this.#fd);
        this.#fd = -1;
        return; // the next poll opens whatever FIFO the path names by then
      }
      const text = this.#partial + this.#buf.subarray(0, n).toString();
      const parts = text.split('\n');
      this.#partial = parts.pop() ?? '';
      this.lines.push(...parts);
    }
  }

  count(line: string): number {
    this.poll();
    return this.lines.filter((l) => l === line).length;
  }

  async waitFor(line: string, times = 1): Promise<void> {
    await until(
      () => this.count(line) >= times,
      STEP_MS,
      `${line} ×${times} (have: ${this.lines.join(' | ')})`,
    );
  }

  close(): void {
    clearInterval(this.#timer);
    this.poll();
    this.#path = undefined;
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = -1;
  }
}

type Run = {
  readonly fifoLines: readonly string[];
  /** uid:gid mode of each FIFO the daemon made (notify_fifo, vrrp_notify_fifo). */
  readonly owners: readonly string[];
  readonly scriptOutput: string;
  readonly fifosLeft: readonly boolean[];
  readonly log: string;
};

describe('notify FIFOs: keepalived-ts writes what keepalived 2.2.7 writes', { skip: skip ?? false }, () => {
  let lab: DaemonLab;
  let host: string;
  let nfifo: string;
  let vfifo: string;
  let scriptOut: string;
  let conf: string;
  const runs: Record<string, Run> = {};

  before(() => {
    lab = new DaemonLab();
    host = lab.host('10.181.0.2/24');
    nfifo = join(lab.dir, 'notify.fifo');
    vfifo = join(lab.dir, 'vrrp.fifo');
    scriptOut = join(lab.dir, 'script.out');
    // The FIFO script records its arguments and user, then copies the FIFO's lines. It
    // ignores SIGTERM (as does cat, which inherits that) so that stopping the daemon cannot
    // cut it off before it has copied the last lines; it ends at EOF when the daemon closes.
    const script = lab.file(
      'fifo-reader.sh',
      `#!/bin/sh\ntrap '' TERM\necho "ARGS $# $* uid=$(id -u)" > ${scriptOut}\nexec cat "$1" >> ${scriptOut}\n`,
      0o755,
    );
    conf = lab.file(
      'keepalived.conf',
      `global_defs {
  notify_fifo ${nfifo} nobody daemon
  vrrp_notify_fifo ${vfifo} nobody
  vrrp_notify_fifo_script ${script}
}
vrrp_sync_group G1 {
  group {
    VI_1
    VI_2
  }
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 181
  priority 100
  advert_int 1
  virtual_ipaddress {
    10.181.0.100/24
  }
}
vrrp_instance VI_2 {
  state BACKUP
  interface eth0
  virtual_router_id 182
  priority 90
  advert_int 1
  virtual_ipaddress {
    10.181.0.101/24
  }
}
`,
    );
  });

  after(async () => {
    await lab?.cleanup();
  });

  /** Start → MASTER, link down → FAULT, link up → MASTER again, stop. */
  async function drive(name: string, start: () => Promise<Daemon>): Promise<Run> {
    const d = await start();
    const reader = await FifoReader.open(nfifo);
    await until(() => existsSync(vfifo), STEP_MS, `${name} ${vfifo}`);
    const owners = [nfifo, vfifo].map((p) => {
      const st = statSync(p);
      return `${st.uid}:${st.gid} ${(st.mode & 0o777).toString(8)}`;
    });
    try {
      await reader.waitFor('GROUP "G1" MASTER 0');
      ip('-n', host, 'link', 'set', 'eth0', 'down');
      await reader.waitFor('GROUP "G1" FAULT 0');
      ip('-n', host, 'link', 'set', 'eth0', 'up');
      await reader.waitFor('GROUP "G1" MASTER 0', 2);
      const code = await lab.stop(d, 10_000);
      assert.equal(code, 0, `${name} exit code\n${d.log()}`);
      await reader.waitFor('GROUP "G1" STOP 0');
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}\n${d.log()}`);
    } finally {
      reader.close();
    }
    // The script's cat ends at EOF once the daemon has closed the FIFO.
    await until(
      () => existsSync(scriptOut) && readFileSync(scriptOut, 'utf8').includes('GROUP "G1" STOP 0'),
      STEP_MS,
      `${name} fifo script output`,
    );
    const scriptOutput = readFileSync(scriptOut, 'utf8');
    renameSync(scriptOut, `${scriptOut}.${name}`);
    return {
      fifoLines: reader.lines,
      owners,
      scriptOutput,
      fifosLeft: [existsSync(nfifo), existsSync(vfifo)],
      log: d.log(),
    };
  }

  it('keepalived 2.2.7 (the reference)', async () => {
    runs.keepalived = await drive('keepalived', async () => lab.keepalived('ka', host, conf));
    const lines = runs.keepalived.fifoLines;
    assert.equal(
      lines[0],
      'GROUP "G1" BACKUP 0',
      'keepalived notifies the group before its instances at start',
    );
    assert.ok(lines.includes('INSTANCE "VI_1" FAULT 100'));
  });

  it('keepalived-ts: the same notify_fifo lines in the same order', async () => {
    runs.kts = await drive('kts', () => lab.kts('kts', host, conf));
    assert.deepEqual(runs.kts.fifoLines, runs.keepalived!.fifoLines, `kts log:\n${runs.kts.log}`);
  });

  it('the vrrp_notify_fifo_script: same arguments (FIFO path last), same lines read', () => {
    const ka = runs.keepalived!.scriptOutput;
    assert.ok(ka.startsWith(`ARGS 1 ${vfifo} uid=0\n`), ka);
    assert.equal(runs.kts!.scriptOutput, ka);
  });

  it('the FIFOs are made with the owners on their lines and the same mode', () => {
    const nobody = execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim();
    const nobodyGroup = execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim();
    const daemonGroup = execFileSync('getent', ['group', 'daemon'], { encoding: 'utf8' }).split(':')[2];
    assert.deepEqual(runs.keepalived!.owners, [
      `${nobody}:${daemonGroup} 600`,
      `${nobody}:${nobodyGroup} 600`,
    ]);
    assert.deepEqual(runs.kts!.owners, runs.keepalived!.owners);
  });

  it('the FIFOs the daemon created are removed when it stops', () => {
    assert.deepEqual(runs.keepalived!.fifosLeft, [false, false]);
    assert.deepEqual(runs.kts!.fifosLeft, [false, false]);
  });
});

describe('script security: keepalived-ts disables what keepalived 2.2.7 disables', {
  skip: skip ?? false,
}, () => {
  let lab: DaemonLab;
  let host: string;
  let conf: string;
  let record: string;
  let marker: string;
  let badRan: string;
  let badScript: string;
  const results: Record<string, { records: string[]; log: string }> = {};

  before(() => {
    lab = new DaemonLab();
    host = lab.host('10.182.0.2/24');
    record = join(lab.dir, 'record.log');
    marker = join(lab.dir, 'INJECTED');
    badRan = join(lab.dir, 'bad-ran');
    const rec = lab.file('rec.sh', `#!/bin/sh\nprintf '%s|' "$@" >> ${record}\necho >> ${record}\n`, 0o755);
    const open = join(lab.dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777); // any user could replace what is in here
    badScript = join(open, 'bad.sh');
    lab.file('open/bad.sh', `#!/bin/sh\ntouch ${badRan}\n`, 0o755);
    conf = lab.file(
      'secure.conf',
      `global_defs {
  enable_script_security
  script_user root
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 183
  priority 100
  advert_int 1
  virtual_ipaddress {
    10.182.0.100/24
  }
  notify_master ${badScript}
  notify_backup "${rec} backup ;touch ${marker}"
  notify "${rec} generic"
}
`,
    );
  });

  after(async () => {
    await lab?.cleanup();
  });

  async function drive(
    name: string,
    start: () => Promise<Daemon>,
  ): Promise<{ records: string[]; log: string }> {
    const d = await start();
    const records = () => (existsSync(record) ? readFileSync(record, 'utf8').trim().split('\n') : []);
    try {
      await until(
        () => records().includes('generic|INSTANCE|VI_1|MASTER|100|'),
        STEP_MS,
        `${name}: MASTER notify`,
      );
      assert.equal(await lab.stop(d, 10_000), 0);
      await until(
        () => records().includes('generic|INSTANCE|VI_1|STOP|100|'),
        STEP_MS,
        `${name}: STOP notify`,
      );
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}\n${d.log()}`);
    }
    const out = { records: records().sort(), log: d.log() };
    renameSync(record, `${record}.${name}`);
    return out;
  }

  it('keepalived 2.2.7 (the reference)', async () => {
    results.keepalived = await drive('keepalived', async () => lab.keepalived('ka', host, conf));
    assert.match(
      results.keepalived.log,
      new RegExp(`Unsafe permissions found for script '${badScript}' - disabling\\.`),
    );
  });

  it('keepalived-ts: the same scripts ran with the same arguments; the insecure one did not', async () => {
    results.kts = await drive('kts', () => lab.kts('kts', host, conf));
    assert.deepEqual(results.kts.records, results.keepalived!.records, results.kts.log);
    assert.ok(results.kts.records.includes(`backup|;touch|${marker}|`), results.kts.records.join('\n'));
    assert.match(
      results.kts.log,
      new RegExp(`Unsafe permissions found for script '${badScript}' - disabling\\.`),
    );
  });

  it('neither daemon ran the insecure script, and the ;touch argument created nothing', () => {
    assert.equal(existsSync(badRan), false);
    assert.equal(existsSync(marker), false);
  });
});

describe('vrrp_notify_priority_changes: MASTER_PRIORITY / BACKUP_PRIORITY lines as keepalived 2.2.7', {
  skip: skip ?? false,
}, () => {
  let lab: DaemonLab;
  let host: string;
  let conf: string;
  let fifo: string;
  let valueFile: string;
  const runs: Record<string, string[]> = {};

  before(() => {
    lab = new DaemonLab();
    host = lab.host('10.183.0.2/24');
    fifo = join(lab.dir, 'notify.fifo');
    valueFile = join(lab.dir, 'track.value');
    conf = lab.file(
      'priority.conf',
      `global_defs {
  notify_fifo ${fifo}
  vrrp_notify_priority_changes true
}
vrrp_track_file tf {
  file ${valueFile}
  weight 5
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 184
  priority 100
  advert_int 1
  virtual_ipaddress {
    10.183.0.100/24
  }
  track_file {
    tf
  }
}
`,
    );
  });

  after(async () => {
    await lab?.cleanup();
  });

  /** Tracked value 2 at start (110, reported while starting), 3 once MASTER (115), stop. */
  async function drive(name: string, start: () => Promise<Daemon>): Promise<string[]> {
    lab.file('track.value', '2\n');
    const d = await start();
    const reader = await FifoReader.open(fifo);
    try {
      await reader.waitFor('INSTANCE "VI_1" MASTER 110');
      lab.file('track.value', '3\n');
      await reader.waitFor('INSTANCE "VI_1" MASTER_PRIORITY 115');
      assert.equal(await lab.stop(d, 10_000), 0);
      await reader.waitFor('INSTANCE "VI_1" STOP 115');
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}\n${d.log()}`);
    } finally {
      reader.close();
    }
    return reader.lines;
  }

  it('keepalived 2.2.7 (the reference)', async () => {
    runs.keepalived = await drive('keepalived', async () => lab.keepalived('ka', host, conf));
    assert.equal(runs.keepalived[0], 'INSTANCE "VI_1" BACKUP_PRIORITY 110');
  });

  it('keepalived-ts: the same lines', async () => {
    runs.kts = await drive('kts', () => lab.kts('kts', host, conf));
    assert.deepEqual(runs.kts, runs.keepalived);
  });
});

describe('reload removing an instance: FAULT, not STOP, as keepalived 2.2.7', { skip: skip ?? false }, () => {
  let lab: DaemonLab;
  let host: string;
  let fifo: string;
  const runs: Record<string, string[]> = {};
  const instance = (name: string, vrid: number, priority: number, vip: string) => `vrrp_instance ${name} {
  state BACKUP
  interface eth0
  virtual_router_id ${vrid}
  priority ${priority}
  advert_int 1
  virtual_ipaddress {
    ${vip}
  }
}
`;
  let head: string;
  let vi1: string;
  let vi2: string;

  before(() => {
    lab = new DaemonLab();
    host = lab.host('10.184.0.2/24');
    fifo = join(lab.dir, 'notify.fifo');
    head = `global_defs {\n  notify_fifo ${fifo}\n}\n`;
    vi1 = instance('VI_1', 185, 100, '10.184.0.100/24');
    vi2 = instance('VI_2', 186, 90, '10.184.0.101/24');
  });

  after(async () => {
    await lab?.cleanup();
  });

  /** Both instances MASTER; SIGHUP with VI_2 removed; stop. */
  async function drive(name: string, start: (conf: string) => Promise<Daemon>): Promise<string[]> {
    const conf = lab.file('reload.conf', head + vi1 + vi2);
    const d = await start(conf);
    const reader = await FifoReader.open(fifo);
    try {
      await reader.waitFor('INSTANCE "VI_1" MASTER 100');
      await reader.waitFor('INSTANCE "VI_2" MASTER 90');
      lab.file('reload.conf', head + vi1);
      d.signal('SIGHUP');
      await reader.waitFor('INSTANCE "VI_2" FAULT 90');
      assert.equal(await lab.stop(d, 10_000), 0);
      await reader.waitFor('INSTANCE "VI_1" STOP 100');
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}\n${d.log()}`);
    } finally {
      reader.close();
    }
    return reader.lines;
  }

  it('keepalived 2.2.7 (the reference)', async () => {
    runs.keepalived = await drive('keepalived', async (conf) => lab.keepalived('ka', host, conf));
    assert.ok(!runs.keepalived.includes('INSTANCE "VI_2" STOP 90'));
  });

  it('keepalived-ts: the same lines', async () => {
    runs.kts = await drive('kts', (conf) => lab.kts('kts', host, conf));
    assert.deepEqual(runs.kts, runs.keepalived);
  });
});

describe('fifo_write_vrrp_states_on_reload: the states written after a SIGHUP, as keepalived 2.2.7', {
  skip: skip ?? false,
}, () => {
  let lab: DaemonLab;
  let host: string;
  let fifo: string;
  let conf: string;
  const runs: Record<string, { start: string[]; reload: string[] }> = {};

  before(() => {
    lab = new DaemonLab();
    host = lab.host('10.185.0.2/24');
    fifo = join(lab.dir, 'notify.fifo');
    lab.file('fault.value', '1\n');
    const instance = (name: string, vrid: number, priority: number, advert: number, extra = '') => `
vrrp_instance ${name} {
  state BACKUP
  interface eth0
  virtual_router_id ${vrid}
  priority ${priority}
  advert_int ${advert}
  virtual_ipaddress {
    10.185.0.${vrid}/24
  }${extra}
}`;
    // G1 becomes MASTER, VI_3 stays BACKUP (a 30 s advert interval keeps it there for the
    // whole test), G2 is in FAULT through VI_4's track file, VI_6 becomes MASTER alone.
    conf = lab.file(
      'reload-states.conf',
      `global_defs {
  notify_fifo ${fifo}
  fifo_write_vrrp_states_on_reload
}
vrrp_track_file tf {
  file ${join(lab.dir, 'fault.value')}
  weight 0
}
vrrp_sync_group G1 {
  group {
    VI_1
    VI_2
  }
}
vrrp_sync_group G2 {
  group {
    VI_4
    VI_5
  }
}
${instance('VI_1', 11, 100, 1)}
${instance('VI_2', 12, 90, 1)}
${instance('VI_3', 13, 80, 30)}
${instance('VI_4', 14, 70, 1, '\n  track_file {\n    tf\n  }')}
${instance('VI_5', 15, 60, 1)}
${instance('VI_6', 16, 50, 1)}
`,
    );
  });

  after(async () => {
    await lab?.cleanup();
  });

  async function drive(
    name: string,
    start: () => Promise<Daemon>,
  ): Promise<{ start: string[]; reload: string[] }> {
    const d = await start();
    const reader = await FifoReader.open(fifo);
    try {
      for (const line of [
        'GROUP "G1" MASTER 0',
        'INSTANCE "VI_3" BACKUP 80',
        'GROUP "G2" FAULT 0',
        'INSTANCE "VI_5" FAULT 60',
        'INSTANCE "VI_6" MASTER 50',
      ])
        await reader.waitFor(line);
      const startLines = reader.lines.length;
      d.signal('SIGHUP'); // the same config
      await d.waitFor(/Reload (complete|done)/, STEP_MS, d.lines.length);
      // The last line keepalived writes after a reload (VI_5 is last in config order but
      // VI_6 is MASTER); then the daemon is stopped.
      await reader.waitFor('INSTANCE "VI_5" FAULT 60', 2);
      const reloadEnd = reader.lines.length;
      assert.equal(await lab.stop(d, 10_000), 0);
      await reader.waitFor('INSTANCE "VI_6" STOP 50');
      return {
        start: reader.lines.slice(0, startLines),
        reload: reader.lines.slice(startLines, reloadEnd),
      };
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}\n${d.log()}`);
    } finally {
      reader.close();
    }
  }

  it('keepalived 2.2.7 (the reference): groups, then every instance not MASTER', async () => {
    runs.keepalived = await drive('keepalived', async () => lab.keepalived('ka', host, conf));
    assert.deepEqual(runs.keepalived.reload, [
      'GROUP "G1" MASTER 0',
      'GROUP "G2" FAULT 0',
      'INSTANCE "VI_3" BACKUP 80',
      'INSTANCE "VI_4" FAULT 70',
      'INSTANCE "VI_5" FAULT 60',
    ]);
  });

  it('keepalived-ts: the same lines after the reload', async () => {
    runs.kts = await drive('kts', () => lab.kts('kts', host, conf));
    assert.deepEqual(runs.kts.reload, runs.keepalived!.reload);
  });
});

describe('script security without enable_script_security: the violation logged once, as keepalived 2.2.7', {
  skip: skip ?? false,
}, () => {
  let lab: DaemonLab;
  let host: string;
  let conf: string;
  const logs: Record<string, string[]> = {};

  before(() => {
    lab = new DaemonLab();
    host = lab.host('10.187.0.2/24');
    const open = join(lab.dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777); // any user could replace the script: insecure, but run (no security)
    const bad = lab.file('open/bad.sh', '#!/bin/sh\nexit 0\n', 0o755);
    conf = lab.file(
      'insecure.conf',
      `vrrp_script chk {
  script "${bad}"
  interval 1
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 187
  priority 100
  advert_int 1
  virtual_ipaddress {
    10.187.0.100/24
  }
  track_script {
    chk
  }
  notify_master ${bad}
}
`,
    );
  });

  after(async () => {
    await lab?.cleanup();
  });

  /** The script-security lines of a run up to MASTER, without their timestamps. */
  async function drive(name: string, start: () => Promise<Daemon>): Promise<string[]> {
    const d = await start();
    try {
      await d.waitFor(/\(VI_1\) Entering MASTER STATE/, STEP_MS);
      assert.equal(await lab.stop(d, 10_000), 0);
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}\n${d.log()}`);
    }
    return d.lines
      .map((l) => l.text.replace(/^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}: /, ''))
      .filter((t) => /SECURITY VIOLATION|Unsafe permissions|script_security/.test(t));
  }

  it('keepalived 2.2.7 (the reference)', async () => {
    logs.keepalived = await drive('keepalived', async () => lab.keepalived('ka', host, conf));
    assert.equal(
      logs.keepalived.filter((t) => t.includes('SECURITY VIOLATION')).length,
      1,
      logs.keepalived.join('\n'),
    );
  });

  it('keepalived-ts: the same lines, the violation once', async () => {
    logs.kts = await drive('kts', () => lab.kts('kts', host, conf));
    assert.deepEqual(logs.kts, logs.keepalived);
  });
});
