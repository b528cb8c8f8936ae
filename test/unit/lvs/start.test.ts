/**
 * startLvs end to end with a recording data plane and local servers: alpha start,
 * removal and inhibit_on_failure, misc_dynamic weights, quorum loss to the sorry server
 * with quorum_down / notify_down argv, recovery, and stop() clearing the plane.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { ScriptResult, ScriptRun } from '../../../src/io/script-runner.js';
import type { DataPlane, SyncResult } from '../../../src/lvs/data-plane.js';
import type { ServiceState } from '../../../src/lvs/model.js';
import { startLvs } from '../../../src/lvs/start.js';
import { configOf } from './load-config.js';

class RecordingPlane implements DataPlane {
  readonly name = 'nftables' as const;
  state: readonly ServiceState[] = [];
  syncs = 0;
  cleared = false;
  async sync(desired: readonly ServiceState[]): Promise<SyncResult> {
    this.syncs++;
    this.state = desired;
    return { ok: true, changed: 1 };
  }
  async read() {
    return this.state;
  }
  async clear() {
    this.cleared = true;
    this.state = [];
  }
  close() {}
}

const servers: Server[] = [];
const listen = (): Promise<{ port: number; server: Server }> =>
  new Promise((r) => {
    const server = createServer((s) => s.destroy());
    servers.push(server);
    server.listen(0, '127.0.0.1', () => r({ port: (server.address() as { port: number }).port, server }));
  });
let a: { port: number; server: Server };
let b: { port: number; server: Server };
before(async () => {
  a = await listen();
  b = await listen();
});
after(() => {
  for (const s of servers) s.close();
});

const until = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('lvs/start', () => {
  test('alpha, inhibit, misc_dynamic, quorum → sorry server, scripts, recovery, stop', async () => {
    const conf = `
virtual_server 10.9.0.1 80 {
  protocol TCP
  delay_loop 0.1
  lb_algo wrr
  lb_kind NAT
  alpha
  quorum 3
  quorum_down "/q down"
  quorum_up "/q up"
  sorry_server 10.9.9.9 80
  real_server 127.0.0.1 ${a.port} {
    weight 2
    inhibit_on_failure
    notify_down "/n down a"
    TCP_CHECK { connect_timeout 0.5 retry 0 warmup 0 }
  }
  real_server 127.0.0.2 ${b.port} {
    weight 1
    TCP_CHECK { connect_ip 127.0.0.1 connect_timeout 0.5 retry 0 warmup 0 }
  }
  real_server 127.0.0.3 80 {
    weight 1
    MISC_CHECK {
      misc_path "/bin/sh -c 'exit 7'"
      misc_dynamic
      warmup 0
    }
  }
}`;
    const plane = new RecordingPlane();
    const runs: string[] = [];
    const scripts = {
      run: async (r: ScriptRun): Promise<ScriptResult> => {
        if (r.argv[0] === '/bin/sh') return { kind: 'exit', code: 7 };
        runs.push(r.argv.join(' '));
        return { kind: 'exit', code: 0 };
      },
    };
    const lines: string[] = [];
    const lvs = await startLvs(configOf(conf), {
      log: { info: (l) => lines.push(l) },
      dataPlane: plane,
      scripts,
      reconcileIntervalMs: 60_000,
    });
    const dests = () => (plane.state[0]?.destinations ?? []).map((d) => `${d.address}:${d.weight}`).sort();
    // alpha: nothing is up before its first check; quorum 3 not met → sorry server (+ inhibited a at 0)
    assert.equal(lvs.status().services[0]!.quorumUp, false);
    assert.deepEqual(dests(), ['10.9.9.9:1', '127.0.0.1:0']);
    // all three come up; the misc check's exit 7 gives weight 5
    await until(() => dests().join() === '127.0.0.1:2,127.0.0.2:1,127.0.0.3:5');
    assert.ok(runs.includes('/q up'), runs.join());
    // a dies: inhibited to weight 0; alive weight 6 >= 3 keeps quorum
    a.server.close();
    await until(() => dests().join() === '127.0.0.1:0,127.0.0.2:1,127.0.0.3:5');
    assert.ok(runs.includes('/n down a'));
    // b dies too: alive weight 5, still quorum
    b.server.close();
    await until(() => dests().join() === '127.0.0.1:0,127.0.0.3:5');
    assert.equal(lvs.status().services[0]!.quorumUp, true);
    assert.ok(
      lines.some((l) => /Disabling service \[127\.0\.0\.1\]:tcp:\d+ from VS \[10\.9\.0\.1\]:tcp:80/.test(l)),
      lines.join('\n'),
    );
    assert.ok(lines.some((l) => /Removing service \[127\.0\.0\.2\]/.test(l)));
    await lvs.stop();
    assert.equal(plane.cleared, true);
  });
});

describe('lvs/start: reload', () => {
  test('an unchanged checker keeps its state: a dead server does not come back on reload', async () => {
    const live = await listen();
    const dead = await listen();
    dead.server.close();
    const conf = (w: number) => `
virtual_server 10.9.0.2 80 {
  protocol TCP
  delay_loop 0.1
  real_server 127.0.0.1 ${live.port} {
    weight ${w}
    TCP_CHECK { connect_timeout 0.5 retry 0 warmup 0 }
  }
  real_server 127.0.0.1 ${dead.port} {
    TCP_CHECK { connect_timeout 0.5 retry 0 warmup 0 }
  }
}`;
    const plane = new RecordingPlane();
    const log = { info: () => {} };
    const first = await startLvs(configOf(conf(1)), { log, dataPlane: plane, reconcileIntervalMs: 60_000 });
    const dests = () => (plane.state[0]?.destinations ?? []).map((d) => `${d.port}:${d.weight}`);
    await until(() => dests().length === 1);
    const carry = first.carry();
    await first.stop({ keepPlane: true });
    assert.equal(plane.cleared, false);
    const second = await startLvs(configOf(conf(3)), {
      log,
      dataPlane: plane,
      carry,
      reconcileIntervalMs: 60_000,
    });
    assert.deepEqual(dests(), [`${live.port}:3`]);
    await second.stop();
  });
});
