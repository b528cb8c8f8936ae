/**
 * keepalived's scheduling settings on a real process: a child applies a plan and the test
 * reads the kernel's view of every one of its threads from /proc.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { GlobalDefs } from '../../../src/config/model.js';
import { schedulingPlan } from '../../../src/io/process-priority.js';
import { nativeAvailable } from '../../../src/native/binding.js';

const MODULE = fileURLToPath(new URL('../../../src/io/process-priority.js', import.meta.url));
const skip =
  process.getuid?.() !== 0
    ? 'needs root for real-time scheduling'
    : nativeAvailable()
      ? false
      : 'native addon not built';

/** /proc/PID/task/TID/stat fields: nice (19), rt_priority (40), policy (41), 1-based. */
function threadSched(pid: number): { tid: number; nice: number; rt: number; policy: number }[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state): field n is f[n - 3].
    return { tid: Number(tid), nice: Number(f[16]), rt: Number(f[37]), policy: Number(f[38]) };
  });
}

/**
 * A child that applies `global` as the VRRP process (with keepalived-ts's real-time
 * default when `realtimeDefault`) and then idles (or spins) until killed; with
 * `grandchild` it then prints its threads, starts a Worker, spawns a `sleep` and prints its pid.
 */
function child(global: Record<string, unknown>, spin: boolean, realtimeDefault = false, grandchild = false) {
  const code = `
    const { applyProcessPriority } = await import(${JSON.stringify(MODULE)});
    applyProcessPriority(${JSON.stringify({ other: {}, ...global })}, 'vrrp', (t) => console.log(t), ${realtimeDefault});
    console.log('applied');
    if (${grandchild}) {
      const { readdirSync } = await import('node:fs');
      console.log('threads ' + readdirSync('/proc/self/task').join(','));
      const { Worker } = await import('node:worker_threads');
      new Worker('setInterval(() => {}, 1000)', { eval: true }).on('online', async () => {
        const { spawn } = await import('node:child_process');
        console.log('grandchild ' + spawn('sleep', ['30'], { stdio: 'ignore' }).pid);
      });
    }
    if (${spin}) { const end = Date.now() + 1000; while (Date.now() < end); console.log('spun'); }
    setInterval(() => {}, 1000);
  `;
  const p = spawn(process.execPath, ['--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const lines = (re: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${re} in: ${out}`)), 10_000);
      const check = () => {
        if (re.test(out)) {
          clearTimeout(t);
          resolve(out);
        }
      };
      p.stdout.on('data', (d: Buffer) => {
        out += d;
        check();
      });
      check();
    });
  return { p, lines };
}

describe('process scheduling (vrrp_priority, vrrp_rt_priority, cpu affinity, no_swap)', { skip }, () => {
  it('maps global_defs to a plan with keepalived defaults', () => {
    const g = { other: { vrrp_rt_priority: ['120'] }, maxAutoPriority: 5 } as unknown as GlobalDefs;
    const p = schedulingPlan(g, 'vrrp');
    assert.equal(p.rtPriority, 99);
    assert.equal(p.rttimeUs, 10_000);
    assert.equal(p.autoDelayMs, 1000);
    assert.equal(p.maxAutoPriority, 5);
    assert.equal(schedulingPlan(g, 'checker').rtPriority, undefined);
  });

  it("keepalived-ts's default: SCHED_RR 1 when the config sets no scheduling", () => {
    const none = { other: {} } as unknown as GlobalDefs;
    const byDefault = schedulingPlan(none, 'vrrp', true);
    assert.equal(byDefault.rtPriority, 1);
    assert.equal(byDefault.resetOnFork, true);
    assert.equal(byDefault.rttimeUs, 200_000);
    assert.equal(schedulingPlan(none, 'vrrp', false).rtPriority, undefined, '--no-realtime');
    assert.equal(schedulingPlan(none, 'checker', true).rtPriority, undefined, 'checker: normal');
    for (const g of [
      { other: {}, vrrpNice: -5 },
      { other: {}, maxAutoPriority: 10 },
      { other: {}, maxAutoPriority: -1 },
    ]) {
      const p = schedulingPlan(g as unknown as GlobalDefs, 'vrrp', true);
      assert.equal(p.rtPriority, undefined, `configured ${JSON.stringify(g)}: keepalived's rules`);
    }
    const rt = schedulingPlan({ other: { vrrp_rt_priority: ['4'] } } as unknown as GlobalDefs, 'vrrp', true);
    assert.equal(rt.rtPriority, 4);
    assert.equal(rt.resetOnFork, undefined, 'a configured priority is inherited, as in keepalived');
  });

  it('by default the threads there are get SCHED_RR 1; threads and children made later do not', async () => {
    const c = child({}, false, true, true);
    try {
      const out = await c.lines(/grandchild \d+/);
      assert.match(out, /real-time priority 1 \(SCHED_RR\): keepalived-ts's default/);
      const before = new Set(/threads ([\d,]+)/.exec(out)![1]!.split(',').map(Number));
      const threads = threadSched(c.p.pid!);
      const later = threads.filter((t) => !before.has(t.tid));
      assert.ok(later.length > 0, 'the worker made threads');
      for (const t of threads.filter((t) => before.has(t.tid))) {
        assert.equal(t.policy, 2, `thread ${t.tid} SCHED_RR`);
        assert.equal(t.rt, 1);
      }
      for (const t of later) assert.equal(t.policy, 0, `later thread ${t.tid} normal`);
      const pid = Number(/grandchild (\d+)/.exec(out)![1]);
      const [spawned] = threadSched(pid);
      assert.equal(spawned!.policy, 0, 'a spawned child starts with normal scheduling');
      assert.equal(spawned!.nice, 0);
      const limits = readFileSync(`/proc/${c.p.pid}/limits`, 'utf8');
      assert.match(limits, /Max realtime timeout\s+200000\s+unlimited/);
      process.kill(pid, 'SIGKILL');
    } finally {
      c.p.kill('SIGKILL');
    }
  });

  it('sets nice, SCHED_RR, affinity and locked memory on every thread', async () => {
    const c = child(
      {
        vrrpNice: 5,
        other: { vrrp_rt_priority: ['7'] },
        vrrpCpuAffinity: ['0'],
        vrrpNoSwap: true,
        vrrpRlimitRttimeUs: 500000,
      },
      false,
    );
    try {
      const out = await c.lines(/applied/);
      assert.match(out, /Set vrrp process real-time priority 7 \(SCHED_RR\)/);
      const threads = threadSched(c.p.pid!);
      assert.ok(threads.length > 1, 'a Node process has several threads');
      for (const t of threads) {
        assert.equal(t.policy, 2, `thread ${t.tid} SCHED_RR`);
        assert.equal(t.rt, 7, `thread ${t.tid} priority 7`);
        assert.equal(t.nice, 5, `thread ${t.tid} nice 5`);
      }
      const status = readFileSync(`/proc/${c.p.pid}/status`, 'utf8');
      assert.match(status, /Cpus_allowed_list:\s+0\n/);
      assert.ok(Number(/VmLck:\s+(\d+)/.exec(status)?.[1]) > 0, 'memory locked');
      const limits = readFileSync(`/proc/${c.p.pid}/limits`, 'utf8');
      assert.match(limits, /Max realtime timeout\s+500000\s+unlimited/);
    } finally {
      c.p.kill('SIGKILL');
    }
  });

  it('falls back to normal scheduling when RLIMIT_RTTIME is exceeded, instead of dying', async () => {
    const c = child({ other: { vrrp_rt_priority: ['3'] }, vrrpRlimitRttimeUs: 20000 }, true);
    try {
      const out = await c.lines(/back to normal scheduling/);
      assert.match(out, /back to normal scheduling/);
      assert.ok(
        threadSched(c.p.pid!).every((t) => t.policy === 0),
        'every thread SCHED_OTHER again',
      );
      assert.equal(c.p.exitCode, null, 'still running');
    } finally {
      c.p.kill('SIGKILL');
    }
  });
});
