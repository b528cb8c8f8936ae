/**
 * @module Running one script as a child process: argv executed directly (never through a
 * shell), stdio ignored, optionally as another uid/gid, killed (SIGTERM, then SIGKILL a
 * second later) when it outlives its timeout. Used inside the script worker thread
 * (fork/exec is synchronous in Node, so it must not run on the VRRP loop), and as the
 * fallback when no worker can start.
 */

import { spawn } from 'node:child_process';

export interface ScriptRun {
  readonly argv: readonly string[];
  readonly uid?: number;
  readonly gid?: number;
  /** Kill the script after this long, ms. */
  readonly timeoutMs: number;
}

/** How a script ended: its exit code, the signal that killed it, or a spawn error. */
export type ScriptResult =
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'signal'; readonly signal: string; readonly timedOut: boolean }
  | { readonly kind: 'error'; readonly message: string };

/** Starts a script; the promise settles when it ends. */
export function spawnScript(run: ScriptRun): Promise<ScriptResult> {
  const [file, ...args] = run.argv;
  if (file === undefined) return Promise.resolve({ kind: 'error', message: 'empty command' });
  return new Promise((resolve) => {
    let timedOut = false;
    let settled = false;
    const finish = (r: ScriptResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const child = spawn(file, args, {
      stdio: 'ignore',
      shell: false,
      ...(run.uid === undefined ? {} : { uid: run.uid }),
      ...(run.gid === undefined ? {} : { gid: run.gid }),
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 1000).unref();
    }, run.timeoutMs);
    child.on('error', (e) => finish({ kind: 'error', message: e.message }));
    child.on('exit', (code, signal) =>
      finish(signal ? { kind: 'signal', signal, timedOut } : { kind: 'exit', code: code ?? 0 }),
    );
  });
}
