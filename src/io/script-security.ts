/**
 * @module Script security as keepalived 2.2.7 enforces it at start-up (notify.c
 * check_script_secure / check_security), as pure decisions over facts a probe gathered
 * (script-security-probe.ts):
 *
 * - a bare command name is searched in PATH ("WARNING - script `x` resolved by path
 *   search to `/usr/bin/x`. Please specify full path.") and runs by its full path;
 * - a script that cannot be found or accessed, or is not executable by the user it runs
 *   as, is disabled;
 * - a script that runs as root (uid or gid 0, or a setuid/setgid-root file) must have
 *   every component of its path owned by root, no directory writable by a non-root group
 *   or by everyone unless sticky, and the file itself not writable by them. Otherwise:
 *   "Unsafe permissions found for script 'PATH'." — and with `enable_script_security`
 *   "... - disabling." and the script does not run. A path component of the wrong type
 *   (a file where a directory should be) always disables it.
 * - `</dev/tcp/...`-style tests are not scripts and are left alone.
 *
 * Scripts are always executed as argv (never through a shell), so no configured word can
 * become a command.
 */

/** One `lstat` along a script's path: `/`, `/etc`, `/etc/keepalived`, ..., the file. */
export type PathEntry =
  | {
      readonly path: string;
      readonly kind: 'dir' | 'file' | 'symlink' | 'other';
      readonly uid: number;
      readonly gid: number;
      /** Permission bits including setuid/setgid/sticky (st_mode & 0o7777). */
      readonly mode: number;
    }
  | { readonly path: string; readonly kind: 'missing' };

/** What the probe found for one script command. */
export interface ScriptFacts {
  /** argv[0] as configured. */
  readonly command: string;
  /** A bare name's PATH search: the full path, or why nothing usable was found. */
  readonly search?: { readonly found: string } | { readonly failed: 'notFound' | 'denied' };
  /** realpath() failed: the error text (keepalived: "Script X cannot be accessed - ..."). */
  readonly realpathError?: string;
  /** stat() of the file, following links; undefined when it cannot be accessed. */
  readonly file?: { readonly uid: number; readonly gid: number; readonly mode: number };
  /** The path the script runs by (after search and link resolution). */
  readonly runPath?: string;
  /** Each path keepalived checks (the run path, and the real file when its name differs), lstat'ed component by component. */
  readonly chains: readonly (readonly PathEntry[])[];
}

export interface ScriptVerdict {
  /** Run it (with argv[0] replaced by `runPath`). */
  readonly run: boolean;
  readonly runPath?: string;
  /** keepalived SC_ISSCRIPT: counts towards "scripts are being executed". */
  readonly isScript: boolean;
  /** keepalived SC_INSECURE: some path component is writable by non-root. */
  readonly insecure: boolean;
  /** Why it does not run, for the caller's "Disabling ..." line. */
  readonly reason?: 'notFound' | 'insecure' | 'notExecutable';
  /** keepalived's log lines, in order. */
  readonly logs: readonly string[];
}

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_ISVTX = 0o1000;

/** keepalived `is_executable`: may `uid:gid` execute a file with this owner and mode? */
export function isExecutableBy(
  file: { readonly uid: number; readonly gid: number; readonly mode: number },
  uid: number,
  gid: number,
): boolean {
  if (uid === 0) return (file.mode & 0o111) !== 0;
  if (uid === file.uid) return (file.mode & 0o100) !== 0;
  return gid === file.gid ? (file.mode & 0o010) !== 0 : (file.mode & 0o001) !== 0;
}

/** Whether a non-root user could change this path entry (keepalived check_security). */
export function entryInsecure(e: Extract<PathEntry, { uid: number }>): boolean {
  if (e.uid !== 0) return true;
  const guarded = (e.kind === 'dir' && (e.mode & S_ISVTX) === 0) || e.kind === 'file';
  return guarded && ((e.gid !== 0 && (e.mode & 0o020) !== 0) || (e.mode & 0o002) !== 0);
}

/** keepalived check_security over one path: the first offending component decides. */
export function judgeChain(
  chain: readonly PathEntry[],
  scriptPath: string,
  securityEnabled: boolean,
): { readonly verdict: 'ok' | 'missing' | 'wrongType' | 'insecure'; readonly log?: string } {
  for (let i = 0; i < chain.length; i++) {
    const e = chain[i]!;
    const last = i === chain.length - 1;
    if (e.kind === 'missing')
      return {
        verdict: 'missing',
        log: `check_script_secure could not find script '${scriptPath}' - disabling`,
      };
    if ((!last && e.kind !== 'dir') || (last && e.kind !== 'file' && e.kind !== 'symlink'))
      return { verdict: 'wrongType', log: `Wrong file type found in script path '${scriptPath}'.` };
    if (entryInsecure(e)) {
      const tail = securityEnabled ? ' - disabling' : '';
      return { verdict: 'insecure', log: `Unsafe permissions found for script '${scriptPath}'${tail}.` };
    }
  }
  return { verdict: 'ok' };
}

/**
 * keepalived check_script_secure for one script running as `uid:gid`: whether it runs,
 * by which path, and the lines keepalived logs on the way.
 */
export function judgeScript(
  facts: ScriptFacts,
  runAs: { readonly uid: number; readonly gid: number },
  securityEnabled: boolean,
): ScriptVerdict {
  const logs: string[] = [];
  const c = facts.command;
  // "</dev/tcp/host/port": a redirection test run by the shell, not a script.
  if (/^<[ \t]*\//.test(c)) return { run: true, isScript: false, insecure: false, logs };
  const no = (reason: ScriptVerdict['reason'], isScript = false, insecure = false): ScriptVerdict => ({
    run: false,
    isScript,
    insecure,
    ...(reason ? { reason } : {}),
    logs,
  });
  if (!c.includes('/')) {
    const s = facts.search;
    if (s === undefined || 'failed' in s) {
      logs.push(
        s !== undefined && s.failed === 'denied'
          ? `Permissions failure for script ${c} in path - disabling`
          : `Cannot find script ${c} in path - disabling`,
      );
      return no('notFound');
    }
    logs.push(
      `WARNING - script \`${c}\` resolved by path search to \`${s.found}\`. Please specify full path.`,
    );
  }
  if (facts.realpathError !== undefined) {
    logs.push(`Script ${c} cannot be accessed - ${facts.realpathError}`);
    return no('notFound');
  }
  const runPath = facts.runPath ?? c;
  const file = facts.file;
  if (file === undefined) {
    logs.push(`Unable to access script \`${runPath}\` - disabling`);
    return no('notFound');
  }
  const executable = isExecutableBy(file, runAs.uid, runAs.gid);
  if (!executable) {
    logs.push(
      `WARNING - script '${runPath}' is not executable for uid:gid ${runAs.uid}:${runAs.gid} - disabling.`,
    );
    return no('notExecutable', true);
  }
  const asRoot =
    runAs.uid === 0 ||
    runAs.gid === 0 ||
    (file.uid === 0 && (file.mode & 0o100) !== 0 && (file.mode & S_ISUID) !== 0) ||
    (file.gid === 0 && (file.mode & 0o010) !== 0 && (file.mode & S_ISGID) !== 0);
  if (!asRoot) return { run: true, runPath, isScript: true, insecure: false, logs };
  let insecure = false;
  for (const chain of facts.chains) {
    const path = chain.at(-1)?.path ?? runPath;
    const j = judgeChain(chain, path, securityEnabled);
    if (j.log) logs.push(j.log);
    if (j.verdict === 'missing') return no('notFound', true, insecure);
    if (j.verdict === 'wrongType') return no('insecure', true, insecure);
    if (j.verdict === 'insecure') {
      insecure = true;
      if (securityEnabled) return no('insecure', true, true);
    }
  }
  return { run: true, runPath, isScript: true, insecure, logs };
}

/**
 * The summary keepalived logs once per process after checking every script, or null:
 * `process` is '' for VRRP, 'check ' for the checker process.
 */
export function securitySummary(
  verdicts: readonly ScriptVerdict[],
  securityEnabled: boolean,
  process: '' | 'check ',
): string | null {
  if (securityEnabled || !verdicts.some((v) => v.isScript)) return null;
  const insecure = verdicts.some((v) => v.insecure) ? ' There are insecure scripts.' : '';
  return `SECURITY VIOLATION - ${process}scripts are being executed but script_security not enabled.${insecure}`;
}
