/**
 * @module One vrrp_script run as keepalived runs it: argv executed directly (never a
 * shell), stdio ignored, optionally as another uid/gid, in its own process group; after
 * `timeoutMs` the group gets SIGTERM and, `graceMs` later, SIGKILL (vrrp_scheduler.c
 * `vrrp_script_child_thread`: kill(-pid, ...) with 2 s between); a script that died of a
 * signal has its group killed too, so no grandchild outlives it. Runs inside the spawner
 * process (script-spawner.ts): fork/exec is synchronous in Node and must stay out of the
 * VRRP daemon.
 */

import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { ScriptOutcome } from './script-counter.js';

export interface GroupRun {
  readonly argv: readonly string[];
  readonly uid?: number;
  readonly gid?: number;
  readonly timeoutMs: number;
  /** SIGTERM to SIGKILL, ms (keepalived: 2000). */
  readonly graceMs: number;
}

export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Runs one script; `onPid` gets the process (group) id once spawned. */
export function runInGroup(run: GroupRun, onPid: (pid: number) => void = () => {}): Promise<ScriptOutcome> {
  const [file, ...args] = run.argv;
  if (file === undefined) return Promise.resolve({ kind: 'exit', code: 127 });
  return new Promise((resolve) => {
    let killedByUs = false;
    let kill: NodeJS.Timeout | null = null;
    const child = spawn(file, args, {
      stdio: 'ignore',
      shell: false,
      detached: true,
      ...(run.uid === undefined ? {} : { uid: run.uid }),
      ...(run.gid === undefined ? {} : { gid: run.gid }),
    });
    if (child.pid !== undefined) onPid(child.pid);
    const term = setTimeout(() => {
      killedByUs = true;
      if (child.pid === undefined) return;
      const pid = child.pid;
      killGroup(pid, 'SIGTERM');
      kill = setTimeout(() => killGroup(pid, 'SIGKILL'), run.graceMs);
    }, run.timeoutMs);
    const done = (o: ScriptOutcome): void => {
      clearTimeout(term);
      if (kill) clearTimeout(kill);
      resolve(o);
    };
    child.on('error', () => done({ kind: 'exit', code: 127 }));
    child.on('exit', (code, signal) => {
      if (signal !== null && child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
      if (signal === null) done({ kind: 'exit', code: code ?? 0 });
      else if (killedByUs) done({ kind: 'timedOut' });
      else done({ kind: 'signal', signal: constants.signals[signal] ?? 0 });
    });
  });
}
