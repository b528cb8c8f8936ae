/**
 * Without `-l` the daemon logs to syslog as keepalived does: one datagram per line on an
 * AF_UNIX socket (here one this test binds, named by KTS_SYSLOG_SOCKET instead of /dev/log),
 * `<PRI>Mmm dd hh:mm:ss Keepalived_vrrp[PID]: text` with the facility from `-S`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { native } from '../../src/native/binding.js';
import { BIN, DaemonLab, labUnavailable } from './daemon-lab.js';

const skip = labUnavailable();

const CONFIG = `vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 71
  priority 255
  advert_int 1
  virtual_ipaddress {
    10.100.1.71/24
  }
}
`;

/** Datagrams arriving on a bound AF_UNIX socket, read by polling (recvmsg gives -1 when empty). */
function syslogListener(path: string) {
  const n = native();
  const fd = n.socket(n.constants.AF_UNIX, n.constants.SOCK_DGRAM, 0);
  n.bind(fd, { family: n.constants.AF_UNIX, path });
  const buffer = new Uint8Array(4096);
  const meta = new Int32Array(20);
  const lines: string[] = [];
  const drain = () => {
    for (let len = n.recvmsg(fd, buffer, meta); len >= 0; len = n.recvmsg(fd, buffer, meta))
      lines.push(new TextDecoder().decode(buffer.subarray(0, len)));
  };
  return {
    lines,
    async waitFor(re: RegExp, timeoutMs: number): Promise<string> {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        drain();
        const hit = lines.find((l) => re.test(l));
        if (hit !== undefined) return hit;
        if (performance.now() > deadline)
          throw new Error(`no syslog line matching ${re}:\n${lines.join('\n')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => n.close(fd),
  };
}

describe('syslog without -l', { skip: skip ?? false }, () => {
  let lab: DaemonLab;
  before(() => {
    lab = new DaemonLab();
  });
  after(async () => {
    await lab?.cleanup();
  });

  it('sends keepalived-format lines with the -S facility, and stops cleanly', async () => {
    const host = lab.host('10.100.1.1/24');
    const path = join(lab.dir, 'log.sock');
    const listener = syslogListener(path);
    const socket = join(lab.dir, 'ctl.sock');
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        host,
        process.execPath,
        BIN,
        '-n',
        '-S',
        '3',
        '-f',
        lab.file('k.conf', CONFIG),
        '--control-socket',
        socket,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KTS_SYSLOG_SOCKET: path } },
    );
    // Even if this process dies before `finally` runs, the daemon must not outlive it.
    const killAtExit = () => child.kill('SIGKILL');
    process.once('exit', killAtExit);
    let console = '';
    child.stdout.on('data', (d: Buffer) => (console += d));
    child.stderr.on('data', (d: Buffer) => (console += d));
    try {
      // LOG_LOCAL3 (19) * 8 + LOG_INFO (6) = 158.
      const line = await listener.waitFor(/\(VI_1\) Entering MASTER STATE/, 15_000);
      assert.match(
        line,
        /^<158>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d Keepalived_vrrp\[\d+\]: \(VI_1\) Entering MASTER STATE$/,
      );
      assert.ok(listener.lines.some((l) => /Keepalived_vrrp\[\d+\]: Starting Keepalived-ts/.test(l)));
    } finally {
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      process.off('exit', killAtExit);
      listener.close();
      rmSync(path, { force: true });
      assert.equal(code, 0);
    }
    assert.equal(console, '', 'nothing on the console without -l');
  });
});
