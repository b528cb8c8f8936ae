/**
 * @module Which processes a vrrp_track_process counts, pure (keepalived track_process.c as
 * `man 5 keepalived.conf` describes it): an exact match, never a regular expression
 * ("equivalent to pgrep '^ssh$'"), zombies excluded. Without parameters the process name
 * (/proc/PID/status `Name:`, at most 15 characters as the kernel keeps it) is compared;
 * with parameters or `full_command` the command line is: argv[0] equals the process and
 * the parameters match fully, or `partial` (the first n parameters match exactly),
 * or `initial` (as partial, but the last configured parameter may be a prefix).
 * `full_command` without parameters compares the whole command line.
 */

import type { VrrpTrackProcess } from '../../config/model.js';

/** What the scan read of one process. */
export interface ProcessInfo {
  readonly pid: number;
  /** /proc/PID/status Name: (the comm, ≤ 15 characters). */
  readonly name: string;
  /** /proc/PID/cmdline split on NUL; empty for kernel threads. */
  readonly argv: readonly string[];
  readonly zombie: boolean;
}

/** The kernel truncates comm to TASK_COMM_LEN - 1 characters. */
const COMM_LEN = 15;

/** Does the tracker need /proc/PID/cmdline (parameters or full_command)? */
export function needsCmdline(spec: VrrpTrackProcess): boolean {
  return spec.fullCommand || spec.parameters !== undefined;
}

function paramsMatch(
  want: readonly string[],
  have: readonly string[],
  mode: VrrpTrackProcess['paramMatch'],
): boolean {
  if (mode === 'full' && have.length !== want.length) return false;
  if (have.length < want.length) return false;
  return want.every((w, i) => {
    const h = have[i] ?? '';
    return mode === 'initial' && i === want.length - 1 ? h.startsWith(w) : h === w;
  });
}

export function matchesProcess(spec: VrrpTrackProcess, p: ProcessInfo): boolean {
  const name = spec.process;
  if (p.zombie || name === undefined) return false;
  if (!needsCmdline(spec)) return p.name === name.slice(0, COMM_LEN);
  if (spec.parameters === undefined) return p.argv.join(' ') === name;
  return p.argv[0] === name && paramsMatch(spec.parameters, p.argv.slice(1), spec.paramMatch);
}

/** keepalived's quorum test: quorum ≤ count ≤ quorum_max (quorum_max unset: no upper bound). */
export function hasQuorum(spec: VrrpTrackProcess, count: number): boolean {
  return count >= spec.quorum && count <= (spec.quorumMax ?? Number.POSITIVE_INFINITY);
}
