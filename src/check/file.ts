/**
 * @module FILE_CHECK: reads the `track_file`'s integer (unreadable or not a number: 0)
 * at each check and multiplies it by the weight (negated with `reverse`). Weight 0: up
 * only while the value is 0. Otherwise a result of -254 or less is down (keepalived's
 * track_file convention), and with `dynamic` the real server's weight becomes its
 * configured weight plus the result (at least 0). keepalived watches the file with
 * inotify; here it is polled at the checker's delay_loop.
 */
import { readFile } from 'node:fs/promises';
import type { CheckResult, CheckSpec, FileSpec } from './types.js';
import { fail, pass } from './types.js';

/** Pure verdict for a value read from the file. */
export function fileVerdict(f: FileSpec, value: number): CheckResult {
  if (f.weight === 0) return value === 0 ? pass : fail('file', `track_file ${f.trackFile} value ${value}`);
  const v = value * f.weight * (f.reverse ? -1 : 1);
  if (v <= -254) return fail('file', `track_file ${f.trackFile} value ${value} x weight ${f.weight}`);
  return f.dynamic ? { ok: true, weight: Math.max(0, f.rsWeight + v) } : pass;
}

export async function fileCheck(spec: CheckSpec): Promise<CheckResult> {
  const f = spec.kind as FileSpec;
  if (!f.path) return fail('file', `no track_file ${f.trackFile}`);
  let value = 0;
  try {
    const text = await readFile(f.path, 'utf8');
    const n = Number.parseInt(text.trim(), 10);
    value = Number.isFinite(n) ? n : 0;
  } catch {
    value = 0;
  }
  return fileVerdict(f, value);
}
