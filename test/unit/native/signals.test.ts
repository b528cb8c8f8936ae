/**
 * Real-time signals through the signalfd: a child Node process subscribed to
 * SIGRTMIN+2 and SIGRTMAX-1 receives both from its parent, reports the sender,
 * and keeps running until it unsubscribes and exits 0; without a subscription
 * SIGRTMIN+2 kills a Node process (status 128 + signo).
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { onRealtimeSignal, realtimeSignals } from '../../../src/native/signals.js';
import { fixturesDir, nativeUnavailable, runSnippet } from './helpers.js';

const unavailable = nativeUnavailable(false);

/**
 * Node reports a child killed by a signal it has no name for (any SIGRTMIN+n) as
 * exit code 0, signal null. So children run under `sh`, which prints the real
 * wait status as a last JSON line ({"event":"exit","status":128+signo if killed}).
 */
function spawnWithStatus(args: string[]): {
  lines: AsyncIterable<string>;
  kill: () => void;
  stderr: () => string;
} {
  const quoted = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const child = spawn('sh', ['-c', `${quoted}; echo "{\\"event\\":\\"exit\\",\\"status\\":$?}"`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
  child.on('exit', () => clearTimeout(timer));
  return {
    lines: createInterface({ input: child.stdout }),
    kill: () => child.kill('SIGKILL'),
    stderr: () => err,
  };
}

type Event = Record<string, number | string>;

describe('real-time signals', { skip: unavailable ?? false }, () => {
  test('keepalived numbers: SIGJSON = SIGRTMIN+2, SIGSTATS_CLEAR = SIGRTMAX-1', () => {
    const s = realtimeSignals();
    assert.ok(s.SIGRTMIN >= 32 && s.SIGRTMAX <= 64 && s.SIGRTMIN < s.SIGRTMAX);
    assert.equal(s.SIGJSON, s.SIGRTMIN + 2);
    assert.equal(s.SIGSTATS_CLEAR, s.SIGRTMAX - 1);
  });

  test('a subscribed child receives SIGJSON and SIGSTATS_CLEAR and does not die', async () => {
    const child = spawnWithStatus([process.execPath, join(fixturesDir, 'signal-child.js')]);
    const events: Event[] = [];
    try {
      for await (const line of child.lines) {
        const e = JSON.parse(line) as Event;
        events.push(e);
        if (e['event'] === 'ready') {
          process.kill(Number(e['pid']), Number(e['SIGJSON']));
          process.kill(Number(e['pid']), Number(e['SIGSTATS_CLEAR']));
        }
      }
    } finally {
      child.kill();
    }
    const ready = events[0]!;
    assert.equal(ready['event'], 'ready', child.stderr());
    const got = events.filter((e) => e['event'] === 'signal');
    assert.deepEqual(got.map((e) => e['signo']).sort(), [ready['SIGJSON'], ready['SIGSTATS_CLEAR']].sort());
    for (const e of got) {
      assert.equal(e['pid'], process.pid, 'sender pid survives the re-queue');
      assert.equal(e['uid'], process.getuid!());
    }
    assert.deepEqual(events.at(-2), { event: 'done' });
    assert.deepEqual(events.at(-1), { event: 'exit', status: 0 }, `child stderr: ${child.stderr()}`);
  });

  test('a burst of 100 queued SIGJSONs is delivered in full (real-time signals queue)', async () => {
    const child = spawnWithStatus([process.execPath, join(fixturesDir, 'signal-child.js'), '100', '0']);
    const events: Event[] = [];
    try {
      for await (const line of child.lines) {
        const e = JSON.parse(line) as Event;
        events.push(e);
        if (e['event'] === 'ready')
          for (let i = 0; i < 100; i++) process.kill(Number(e['pid']), Number(e['SIGJSON']));
      }
    } finally {
      child.kill();
    }
    assert.equal(events.filter((e) => e['event'] === 'signal').length, 100, child.stderr());
    assert.deepEqual(events.at(-1), { event: 'exit', status: 0 });
  });

  test('a subscription does not keep the event loop alive, like process.on for classic signals', () => {
    const r = runSnippet(
      `import { onRealtimeSignal, realtimeSignals } from NATIVE;
       onRealtimeSignal(realtimeSignals().SIGSTATS_CLEAR, () => {});
       console.log('subscribed');`,
      [],
      5000,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /subscribed/);
  });

  test('only SIGRTMIN..SIGRTMAX are accepted', () => {
    const { SIGRTMIN, SIGRTMAX } = realtimeSignals();
    for (const bad of [2, 15, 17, SIGRTMIN - 1, SIGRTMAX + 1, 36.5]) {
      assert.throws(() => onRealtimeSignal(bad, () => {}), TypeError, String(bad));
    }
  });

  test('children spawned while subscribed start with the signal unblocked and not caught', () => {
    const { SIGJSON } = realtimeSignals();
    const r = runSnippet(
      `import { execFileSync } from 'node:child_process';
       import { onRealtimeSignal, realtimeSignals } from NATIVE;
       const off = onRealtimeSignal(realtimeSignals().SIGJSON, () => {});
       const self = execFileSync('grep', ['-E', 'SigBlk|SigCgt', '/proc/' + process.pid + '/task/' + process.pid + '/status'], { encoding: 'utf8' });
       const child = execFileSync('grep', ['-E', 'SigBlk|SigCgt', '/proc/self/status'], { encoding: 'utf8' });
       off();
       console.log(JSON.stringify({ self, child }));`,
    );
    assert.equal(r.status, 0, r.stderr);
    const { self, child } = JSON.parse(r.stdout) as { self: string; child: string };
    const mask = (text: string, key: string): bigint =>
      BigInt(`0x${new RegExp(`${key}:\\s*([0-9a-f]+)`).exec(text)![1]}`);
    const bit = 1n << BigInt(SIGJSON - 1);
    assert.equal(mask(self, 'SigBlk') & bit, bit, 'blocked in the subscribing thread');
    assert.equal(mask(self, 'SigCgt') & bit, bit, 'forwarding handler installed');
    assert.equal(mask(child, 'SigBlk') & bit, 0n, 'not blocked in the child');
    assert.equal(mask(child, 'SigCgt') & bit, 0n, 'not caught in the child');
  });

  test('baseline: without a subscription SIGRTMIN+2 kills a Node process', async () => {
    const code =
      'console.log(JSON.stringify({ event: "ready", pid: process.pid })); setTimeout(() => {}, 5000)';
    const child = spawnWithStatus([process.execPath, '-e', code]);
    const events: Event[] = [];
    const { SIGJSON } = realtimeSignals();
    try {
      for await (const line of child.lines) {
        const e = JSON.parse(line) as Event;
        events.push(e);
        if (e['event'] === 'ready') process.kill(Number(e['pid']), SIGJSON);
      }
    } finally {
      child.kill();
    }
    assert.deepEqual(events.at(-1), { event: 'exit', status: 128 + SIGJSON });
  });
});
