/**
 * The checker side of the notify FIFOs: startLvs writes keepalived 2.2.7's
 * `RS [rs]:tcp:port [vs]:tcp:port UP|DOWN` and `VS [vs]:tcp:port UP|DOWN` lines to
 * lvs_notify_fifo and notify_fifo (a real FIFO, local TCP servers, a recording data
 * plane); with omega, stopping reports the live real servers and the service down; the
 * FIFO the checker created is removed on stop. With script security on, a notify script
 * in a world-writable directory is disabled.
 */

import assert from 'node:assert/strict';
import {
  chmodSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { DataPlane, SyncResult } from '../../../src/lvs/data-plane.js';
import type { ServiceState } from '../../../src/lvs/model.js';
import { startLvs } from '../../../src/lvs/start.js';
import { configOf } from '../lvs/load-config.js';

class RecordingPlane implements DataPlane {
  readonly name = 'nftables' as const;
  state: readonly ServiceState[] = [];
  async sync(desired: readonly ServiceState[]): Promise<SyncResult> {
    this.state = desired;
    return { ok: true, changed: 1 };
  }
  async read() {
    return this.state;
  }
  async clear() {
    this.state = [];
  }
  close() {}
}

const dir = mkdtempSync(join(tmpdir(), 'kts-lvsfifo-'));
chmodSync(dir, 0o755);
const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

const listen = (): Promise<{ port: number; server: Server }> =>
  new Promise((r) => {
    const server = createServer((s) => s.destroy());
    servers.push(server);
    server.listen(0, '127.0.0.1', () => r({ port: (server.address() as { port: number }).port, server }));
  });

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Non-blocking FIFO reader. */
function reader(path: string): { lines: () => string[]; close: () => void } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const buf = Buffer.alloc(65536);
  let text = '';
  const poll = () => {
    for (;;) {
      try {
        const n = readSync(fd, buf);
        if (n <= 0) return;
        text += buf.subarray(0, n).toString();
      } catch {
        return;
      }
    }
  };
  return {
    lines: () => {
      poll();
      return text.split('\n').filter(Boolean);
    },
    close: () => {
      poll();
      closeSync(fd);
    },
  };
}

describe('lvs_notify_fifo', () => {
  test('RS and VS lines as keepalived 2.2.7 writes them; omega reports down at stop', async () => {
    const a = await listen();
    const b = await listen();
    const lvsFifo = join(dir, 'lvs.fifo');
    const conf = `
global_defs {
  lvs_notify_fifo ${lvsFifo}
}
virtual_server 10.9.1.1 80 {
  delay_loop 0.1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  quorum 2
  omega
  real_server 127.0.0.1 ${a.port} {
    TCP_CHECK { connect_timeout 0.5 retry 0 warmup 0 }
  }
  real_server 127.0.0.1 ${b.port} {
    TCP_CHECK { connect_timeout 0.5 retry 0 warmup 0 }
  }
}`;
    const lvs = await startLvs(configOf(conf), {
      log: { info: () => {} },
      dataPlane: new RecordingPlane(),
      reconcileIntervalMs: 60_000,
    });
    assert.ok(existsSync(lvsFifo), 'the checker created the FIFO');
    const r = reader(lvsFifo);
    const rsA = `[127.0.0.1]:tcp:${a.port}`;
    const rsB = `[127.0.0.1]:tcp:${b.port}`;
    const vs = '[10.9.1.1]:tcp:80';
    a.server.close();
    await until(() => r.lines().includes(`VS ${vs} DOWN`));
    assert.deepEqual(r.lines(), [`RS ${rsA} ${vs} DOWN`, `VS ${vs} DOWN`]);
    await lvs.stop();
    assert.deepEqual(r.lines().slice(2), [`RS ${rsB} ${vs} DOWN`, `VS ${vs} DOWN`]);
    r.close();
    assert.equal(existsSync(lvsFifo), false, 'removed on stop: the checker had created it');
  });

  test('alpha: a first failing check is reported DOWN though nothing changed (keepalived)', async () => {
    const dead = await listen();
    dead.server.close();
    const fifo = join(dir, 'alpha.fifo');
    const lvs = await startLvs(
      configOf(`
global_defs {
  lvs_notify_fifo ${fifo}
}
virtual_server 10.9.1.4 80 {
  delay_loop 0.2
  protocol TCP
  alpha
  real_server 127.0.0.1 ${dead.port} {
    TCP_CHECK { connect_timeout 0.5 retry 0 warmup 0 }
  }
}`),
      { log: { info: () => {} }, dataPlane: new RecordingPlane(), reconcileIntervalMs: 60_000 },
    );
    const r = reader(fifo);
    const line = `RS [127.0.0.1]:tcp:${dead.port} [10.9.1.4]:tcp:80 DOWN`;
    await until(() => r.lines().includes(line));
    // Only the first verdict is reported; later failures change nothing and say nothing.
    await new Promise((res) => setTimeout(res, 700));
    assert.deepEqual(r.lines(), [line]);
    await lvs.stop();
    r.close();
  });

  test('rs_init_notifies: the real servers added at start are reported UP', async () => {
    const a = await listen();
    const fifo = join(dir, 'init.fifo');
    const lvs = await startLvs(
      configOf(`
global_defs {
  notify_fifo ${fifo}
  rs_init_notifies
}
virtual_server 10.9.1.3 80 {
  delay_loop 5
  protocol TCP
  real_server 127.0.0.1 ${a.port} {
    TCP_CHECK { connect_timeout 0.5 }
  }
}`),
      { log: { info: () => {} }, dataPlane: new RecordingPlane(), reconcileIntervalMs: 60_000 },
    );
    const r = reader(fifo);
    assert.deepEqual(r.lines(), [`RS [127.0.0.1]:tcp:${a.port} [10.9.1.3]:tcp:80 UP`]);
    await lvs.stop();
    r.close();
  });

  test('script security: an insecure notify_down is disabled, a secure one runs', {
    skip: process.getuid?.() !== 0 && 'runs scripts as root',
  }, async () => {
    const a = await listen();
    const open = join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const badRan = join(dir, 'bad-ran');
    const goodRan = join(dir, 'good-ran');
    const bad = join(open, 'down.sh');
    const good = join(dir, 'up.sh');
    writeFileSync(bad, `#!/bin/sh\ntouch ${badRan}\n`, { mode: 0o755 });
    writeFileSync(good, `#!/bin/sh\ntouch ${goodRan}\n`, { mode: 0o755 });
    const logs: string[] = [];
    const lvs = await startLvs(
      configOf(`
global_defs {
  enable_script_security
  script_user root
}
virtual_server 10.9.1.2 80 {
  delay_loop 0.1
  protocol TCP
  quorum_down ${good}
  real_server 127.0.0.1 ${a.port} {
    notify_down ${bad}
    TCP_CHECK { connect_timeout 0.5 retry 0 warmup 0 }
  }
}`),
      { log: { info: (l) => logs.push(l) }, dataPlane: new RecordingPlane(), reconcileIntervalMs: 60_000 },
    );
    assert.ok(logs.includes(`Unsafe permissions found for script '${bad}' - disabling.`), logs.join('\n'));
    a.server.close();
    await until(() => existsSync(goodRan));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(existsSync(badRan), false);
    await lvs.stop();
  });
});
