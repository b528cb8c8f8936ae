/**
 * Notify scripts get keepalived 2.2.7's arguments: the per-state script as written, then
 * `notify` with "INSTANCE" NAME STATE PRIORITY; scripts run without a shell and are
 * killed after their timeout. Link events are reported on change only.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ScriptCommand } from '../../../src/config/model.js';
import { LinkMonitor } from '../../../src/io/link-monitor.js';
import { notifyCommands } from '../../../src/io/notify.js';
import { ScriptRunner } from '../../../src/io/script-runner.js';
import type { Link } from '../../../src/netlink/index.js';

const cmd = (...argv: string[]): ScriptCommand => ({
  argv,
  text: argv.join(' '),
  loc: { file: 'k.conf', line: 1, col: 1 },
});

describe('notifyCommands', () => {
  test('per-state script as written, then notify with INSTANCE NAME STATE PRIORITY', () => {
    const scripts = { master: cmd('/m.sh', 'x'), stop: cmd('/s.sh'), any: cmd('/n.sh', 'arg') };
    assert.deepEqual(
      notifyCommands(scripts, 'VI_1', 'MASTER', 255).map((c) => c.argv),
      [
        ['/m.sh', 'x'],
        ['/n.sh', 'arg', 'INSTANCE', 'VI_1', 'MASTER', '255'],
      ],
    );
    assert.deepEqual(
      notifyCommands(scripts, 'VI_1', 'BACKUP', 254).map((c) => c.argv),
      [['/n.sh', 'arg', 'INSTANCE', 'VI_1', 'BACKUP', '254']],
    );
    assert.deepEqual(
      notifyCommands({ stop: cmd('/s.sh') }, 'VI_1', 'STOP', 0).map((c) => c.argv),
      [['/s.sh']],
    );
  });
});

describe('ScriptRunner (scripts spawned in the worker thread)', () => {
  test('argv is not interpreted by a shell', async () => {
    const runner = new ScriptRunner();
    const r = await runner.run({ argv: ['/bin/echo', '$(false); exit 3'], timeoutMs: 5000 });
    assert.deepEqual(r, { kind: 'exit', code: 0 });
    runner.close();
  });

  test('exit codes, spawn errors and timeouts', async () => {
    const runner = new ScriptRunner();
    assert.deepEqual(await runner.run({ argv: ['/bin/false'], timeoutMs: 5000 }), { kind: 'exit', code: 1 });
    assert.equal((await runner.run({ argv: ['/nonexistent/x'], timeoutMs: 5000 })).kind, 'error');
    const t0 = performance.now();
    const r = await runner.run({ argv: ['/bin/sleep', '10'], timeoutMs: 50 });
    assert.deepEqual(r, { kind: 'signal', signal: 'SIGTERM', timedOut: true });
    assert.ok(performance.now() - t0 < 2000);
    runner.close();
  });

  test('the concurrency cap queues the rest', async () => {
    let live = 0;
    let peak = 0;
    const spawner = {
      spawn: async () => {
        peak = Math.max(peak, ++live);
        await new Promise((r) => setTimeout(r, 5));
        live--;
        return { kind: 'exit' as const, code: 0 };
      },
      close: () => {},
    };
    const runner = new ScriptRunner(2, spawner);
    await Promise.all([1, 2, 3, 4, 5].map(() => runner.run({ argv: ['x'], timeoutMs: 10 })));
    assert.equal(peak, 2);
    assert.equal(runner.started, 5);
  });
});

describe('LinkMonitor', () => {
  const link = (ifindex: number, flags: number): Link => ({
    family: 0,
    type: 1,
    ifindex,
    flags,
    change: 0,
    name: `if${ifindex}`,
  });
  const UP = 0x1 | 0x40 | 0x10000;

  test('reports up/down changes only', () => {
    const seen: string[] = [];
    const m = new LinkMonitor(
      {
        onLinkChange: (_i, n, up) => seen.push(`${n} ${up ? 'up' : 'down'}`),
        onAddressDeleted: () => seen.push('del'),
        onAddressAdded: () => {},
      },
      [{ ifindex: 2, up: true }],
    );
    m.handle({ kind: 'link', op: 'new', link: link(2, UP) });
    m.handle({ kind: 'link', op: 'new', link: link(2, 0x1) });
    m.handle({ kind: 'link', op: 'new', link: link(2, 0x1) });
    m.handle({ kind: 'link', op: 'new', link: link(2, UP) });
    m.handle({
      kind: 'address',
      op: 'del',
      address: { family: 2, ifindex: 2, prefixLen: 24, scope: 0, flags: 0 },
    });
    assert.deepEqual(seen, ['if2 down', 'if2 up', 'del']);
    assert.equal(m.isUp(2), true);
  });
});
