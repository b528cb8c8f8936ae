/**
 * @module MISC_CHECK: run `misc_path` (argv, no shell) with `misc_timeout` (default
 * delay_loop). Exit 0 is up, anything else down. With `misc_dynamic`, keepalived's
 * rule: 0 up (weight unchanged), 1 down, 2-255 up with weight = status - 2. A script
 * killed by its timeout or by a signal is down.
 */
import type { ScriptResult, ScriptRun } from '../io/script-runner.js';
import type { CheckFn, CheckResult, MiscSpec } from './types.js';
import { fail, pass } from './types.js';

/** What the checker needs from a script runner (src/io/script-runner.ts fits). */
export interface ScriptExecutor {
  run(run: ScriptRun): Promise<ScriptResult>;
}

/** Maps a script's end to a check result; pure. */
export function miscVerdict(r: ScriptResult, dynamic: boolean): CheckResult {
  if (r.kind === 'error') return fail('script-error', r.message);
  if (r.kind === 'signal')
    return fail(
      r.timedOut ? 'timeout' : 'exit-code',
      r.timedOut ? 'misc_timeout exceeded' : `killed by ${r.signal}`,
    );
  if (r.code === 0) return pass;
  if (dynamic && r.code >= 2 && r.code <= 255) return { ok: true, weight: r.code - 2 };
  return fail('exit-code', `exited with status ${r.code}`);
}

/** `ids(user, group)`: uid/gid to run as; user '' means the default script user. */
export function miscCheck(
  runner: ScriptExecutor,
  ids?: (user: string, group?: string) => { uid: number; gid: number } | undefined,
): CheckFn {
  return async (spec) => {
    const m = spec.kind as MiscSpec;
    if (!m.script) return fail('script-error', 'no misc_path');
    // '' asks the resolver for its default (global_defs script_user).
    const user = m.user ?? m.script.user ?? '';
    const who = ids ? ids(user, m.user ? m.group : m.script.group) : undefined;
    try {
      const r = await runner.run({ argv: m.script.argv, timeoutMs: m.timeoutMs, ...(who ?? {}) });
      return miscVerdict(r, m.dynamic);
    } catch (e) {
      return fail('script-error', String(e));
    }
  };
}
