/**
 * Notify FIFOs: keepalived 2.2.7's line format (the lines below are what keepalived 2.2.7
 * wrote on this machine for the same events, see test/netns/ha-notify-fifo.test.ts), and
 * the FIFO I/O on a real FIFO: created when absent (0644 less the umask) and removed on
 * close only then, opened without a reader, lines queued in the pipe until read, never
 * blocking when nobody reads (dropped and counted), a regular file refused, the FIFO
 * script started with the path as last argument and stopped on close.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load.js';
import type { ScriptCommand } from '../../../src/config/model.js';
import { NotifyFifo, NotifyFifos } from '../../../src/io/notify-fifo.js';
import {
  fifoCreateMode,
  fifoScriptArgv,
  groupFifoLine,
  instanceFifoLine,
  realServerFifoLine,
  virtualServerFifoLine,
} from '../../../src/io/notify-fifo-format.js';
import { resolveGroup, resolveUser } from '../../../src/io/users.js';
import { memoryFs } from '../../helpers/memory-fs.js';

const dir = mkdtempSync(join(tmpdir(), 'kts-fifo-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const cmd = (...argv: string[]): ScriptCommand => ({
  argv,
  text: argv.join(' '),
  loc: { file: 'k.conf', line: 1, col: 1 },
});

/** Reads what is queued in a FIFO without blocking. */
function drain(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const buf = Buffer.alloc(1 << 17);
  let out = '';
  try {
    for (;;) {
      const n = readSync(fd, buf);
      if (n <= 0) break;
      out += buf.subarray(0, n).toString();
    }
  } catch {
    // EAGAIN: empty
  } finally {
    closeSync(fd);
  }
  return out;
}

async function until(pred: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('FIFO lines (keepalived 2.2.7)', () => {
  test('instances and sync groups', async () => {
    assert.equal(instanceFifoLine('VI_1', 'MASTER', 100), 'INSTANCE "VI_1" MASTER 100\n');
    assert.equal(instanceFifoLine('VI_1', 'FAULT', 100), 'INSTANCE "VI_1" FAULT 100\n');
    assert.equal(instanceFifoLine('VI_1', 'STOP', 100), 'INSTANCE "VI_1" STOP 100\n');
    assert.equal(
      instanceFifoLine('VI 2', 'MASTER_RX_LOWER_PRI', 254),
      'INSTANCE "VI 2" MASTER_RX_LOWER_PRI 254\n',
    );
    assert.equal(groupFifoLine('G1', 'BACKUP'), 'GROUP "G1" BACKUP 0\n');
  });

  test('virtual and real servers', async () => {
    assert.equal(virtualServerFifoLine('[192.168.201.15]:tcp:80', true), 'VS [192.168.201.15]:tcp:80 UP\n');
    assert.equal(
      realServerFifoLine('[1.2.3.4]:tcp:80', '[192.168.201.15]:tcp:80', false),
      'RS [1.2.3.4]:tcp:80 [192.168.201.15]:tcp:80 DOWN\n',
    );
  });

  test('the FIFO script gets the path last; the mode is 0644 less the umask', async () => {
    assert.deepEqual(fifoScriptArgv(['/s.sh', 'a b'], '/run/f'), ['/s.sh', 'a b', '/run/f']);
    assert.equal(fifoCreateMode(), 0o600);
    assert.equal(fifoCreateMode(0o022), 0o644);
  });
});

describe('NotifyFifo on a real FIFO', () => {
  const logs: string[] = [];
  const log = (t: string) => logs.push(t);

  test('creates a missing FIFO, queues lines without a reader, removes it on close', async () => {
    const path = join(dir, 'created.fifo');
    const f = NotifyFifo.open({ path }, { label: 'vrrp_', log });
    assert.ok(f);
    const st = statSync(path);
    assert.ok(st.isFIFO());
    assert.equal(st.mode & 0o777, 0o600);
    assert.ok(f.write(instanceFifoLine('VI_1', 'BACKUP', 100)));
    assert.ok(f.write(groupFifoLine('G', 'BACKUP')));
    assert.equal(drain(path), 'INSTANCE "VI_1" BACKUP 100\nGROUP "G" BACKUP 0\n');
    f.close();
    assert.equal(existsSync(path), false);
  });

  test('a FIFO we create belongs to the default script user', {
    skip: process.getuid?.() !== 0 && 'chown needs root',
  }, async () => {
    const path = join(dir, 'owned.fifo');
    const f = NotifyFifo.open({ path }, { label: '', log, owner: { uid: 65534, gid: 65534 } })!;
    const st = statSync(path);
    assert.deepEqual([st.uid, st.gid], [65534, 65534]);
    f.close();
  });

  // keepalived 2.2.7 made `notify_fifo F daemon nogroup` 1:65534 and `vrrp_notify_fifo F
  // nobody` 65534:65534 (nobody's primary group), mode 0600, on this machine.
  const nobody = resolveUser('nobody');
  const daemonGid = resolveGroup('daemon');
  test('the user and group on its line own a FIFO we create, before the default owner', {
    skip: (process.getuid?.() !== 0 && 'chown needs root') || (!nobody && 'no user nobody'),
  }, async () => {
    const byUser = join(dir, 'by-user.fifo');
    const owner = { uid: 1, gid: 1 };
    const f = NotifyFifo.open({ path: byUser, user: 'nobody' }, { label: '', log, owner })!;
    const st = statSync(byUser);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [nobody!.uid, nobody!.gid, 0o600]);
    f.close();
    if (daemonGid === undefined) return;
    const byGroup = join(dir, 'by-group.fifo');
    const g = (await NotifyFifo.openAsync(
      { path: byGroup, user: 'nobody', group: 'daemon' },
      { label: 'vrrp_', log, owner },
    ))!;
    assert.deepEqual([statSync(byGroup).uid, statSync(byGroup).gid], [nobody!.uid, daemonGid]);
    g.close();
  });

  test('a user or group that does not exist drops the FIFO, logged as keepalived logs it', async () => {
    const lines: string[] = [];
    const path = join(dir, 'unknown-owner.fifo');
    assert.equal(
      NotifyFifo.open({ path, user: 'kts-no-such-user' }, { label: '', log: (t) => lines.push(t) }),
      null,
    );
    assert.equal(
      await NotifyFifo.openAsync(
        { path, user: 'root', group: 'kts-no-such-group' },
        { label: 'vrrp_', log: (t) => lines.push(t) },
      ),
      null,
    );
    assert.equal(existsSync(path), false);
    assert.deepEqual(lines, [
      "Script user 'kts-no-such-user' does not exist",
      'Invalid user/group for  fifo (null) - ignoring',
      "Script group 'kts-no-such-group' does not exist",
      'Invalid user/group for vrrp_ fifo (null) - ignoring',
    ]);
  });

  test('openAsync creates it without blocking (reloads)', async () => {
    const path = join(dir, 'async.fifo');
    const f = await NotifyFifo.openAsync({ path }, { label: 'vrrp_', log });
    assert.ok(f);
    assert.ok(statSync(path).isFIFO());
    assert.ok(f.write('a\n'));
    assert.equal(drain(path), 'a\n');
    f.close();
    assert.equal(existsSync(path), false);
  });

  test('an existing FIFO is used and left in place', async () => {
    const path = join(dir, 'existing.fifo');
    execFileSync('mkfifo', [path]);
    const f = NotifyFifo.open({ path }, { label: '', log });
    assert.ok(f);
    f.write('x\n');
    assert.equal(drain(path), 'x\n');
    f.close();
    assert.ok(statSync(path).isFIFO());
  });

  test('nobody reading: writes never block, the overflow is dropped and counted', async () => {
    const path = join(dir, 'full.fifo');
    const f = NotifyFifo.open({ path }, { label: '', log })!;
    const line = instanceFifoLine('VI_1', 'MASTER', 100);
    const t0 = performance.now();
    for (let i = 0; i < 20_000; i++) f.write(line);
    const ms = performance.now() - t0;
    assert.ok(f.dropped > 0, 'the pipe filled up');
    assert.equal(f.written + f.dropped, 20_000);
    // Timing is a bench figure, not a bar: printed only.
    console.log(`# 20000 writes to an unread FIFO: ${ms.toFixed(0)} ms`);
    // What fitted is whole lines, in order.
    const queued = drain(path);
    assert.equal(queued, line.repeat(f.written));
    f.close();
  });

  test('a full FIFO is left alone for 100 ms, then written again once read', async () => {
    const path = join(dir, 'backoff.fifo');
    const f = NotifyFifo.open({ path }, { label: '', log })!;
    while (f.write('fill\n'));
    drain(path);
    assert.equal(f.write('soon\n'), false, 'still backing off');
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(f.write('later\n'), true);
    assert.equal(drain(path), 'later\n');
    f.close();
  });

  test('a regular file is refused, not written into', async () => {
    const path = join(dir, 'plain');
    writeFileSync(path, 'keep');
    const before = logs.length;
    assert.equal(NotifyFifo.open({ path }, { label: 'lvs_', log }), null);
    assert.equal(readFileSync(path, 'utf8'), 'keep');
    assert.match(logs.slice(before).join('\n'), /lvs_notify fifo .* is not a FIFO/);
  });

  test('a FIFO that cannot be created is reported', async () => {
    const before = logs.length;
    assert.equal(NotifyFifo.open({ path: join(dir, 'no/such/dir/f') }, { label: 'vrrp_', log }), null);
    assert.match(logs.slice(before).join('\n'), /Unable to create vrrp_notify fifo/);
  });

  test('the FIFO script runs with the path as last argument, reads the lines, and is stopped on close', async () => {
    const path = join(dir, 'scripted.fifo');
    const out = join(dir, 'script.out');
    const script = join(dir, 'reader.sh');
    // Records its arguments, then copies the FIFO's lines to `out`.
    writeFileSync(script, `#!/bin/sh\necho "ARGS $*" > ${out}\nexec cat "$2" >> ${out}\n`, { mode: 0o755 });
    let exited = 0;
    const fifos = NotifyFifos.open(
      undefined,
      { path, script: cmd(script, 'first arg; touch /tmp/kts-fifo-injected') },
      { ownLabel: 'vrrp_', log, onScriptExit: () => exited++ },
    );
    assert.equal(fifos.size, 1);
    fifos.write(instanceFifoLine('VI_1', 'MASTER', 100));
    await until(() => existsSync(out) && readFileSync(out, 'utf8').includes('MASTER'), 5000);
    const text = readFileSync(out, 'utf8');
    assert.ok(text.startsWith(`ARGS first arg; touch /tmp/kts-fifo-injected ${path}\n`), text);
    assert.equal(existsSync('/tmp/kts-fifo-injected'), false, 'no shell ran the argument');
    fifos.close();
    await until(() => exited === 1, 5000);
    assert.equal(existsSync(path), false);
  });
});

describe('notify_fifo PATH [USER [GROUP]] in global_defs', () => {
  test('the user and group words are kept with the path and the FIFO script', () => {
    const text = `global_defs {
  notify_fifo /run/n.fifo daemon nogroup
  vrrp_notify_fifo_script /bin/cat
  vrrp_notify_fifo /run/v.fifo nobody
  lvs_notify_fifo /run/l.fifo
}
`;
    const { config } = loadConfig('keepalived.conf', {
      fs: memoryFs({ '/c/keepalived.conf': text }),
      configId: 'n1',
      cwd: '/c',
    });
    const g = config!.global;
    assert.deepEqual(g.notifyFifo, { path: '/run/n.fifo', user: 'daemon', group: 'nogroup' });
    assert.deepEqual(
      { ...g.vrrpNotifyFifo, script: g.vrrpNotifyFifo?.script?.argv },
      { path: '/run/v.fifo', user: 'nobody', script: ['/bin/cat'] },
    );
    assert.deepEqual(g.lvsNotifyFifo, { path: '/run/l.fifo' });
  });

  test('a second notify_fifo is an error and the first is kept, as keepalived 2.2.7 (-t exit 5)', () => {
    const text = `global_defs {
  notify_fifo_script /bin/cat
  notify_fifo /run/a.fifo
  notify_fifo /run/b.fifo
}
`;
    const { config, diagnostics } = loadConfig('keepalived.conf', {
      fs: memoryFs({ '/c/keepalived.conf': text }),
      configId: 'n1',
      cwd: '/c',
    });
    assert.equal(config!.global.notifyFifo?.path, '/run/a.fifo');
    assert.deepEqual(config!.global.notifyFifo?.script?.argv, ['/bin/cat']);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.message, 'notify_fifo already specified - ignoring /run/b.fifo');
    assert.equal(errors[0]!.location.line, 4);
  });
});
