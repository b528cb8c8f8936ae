/**
 * @module The file-system side of script security: gathers the facts
 * script-security.ts judges (PATH search, realpath, stat of the file, lstat of every
 * path component), the way keepalived 2.2.7 gathers them. Synchronous: it runs once per
 * script at start-up and on reload, before any timer matters.
 */

import { lstatSync, realpathSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isExecutableBy, type PathEntry, type ScriptFacts } from './script-security.js';

/** glibc's _CS_PATH, keepalived's PATH when the environment has none. */
const CS_PATH = '/bin:/usr/bin';

const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
};

function kindOf(st: Stats): Extract<PathEntry, { uid: number }>['kind'] {
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

/** lstat of `/`, `/a`, `/a/b`, ... `path` (an absolute path). */
export function pathChain(path: string): PathEntry[] {
  const parts = path.split('/').filter(Boolean);
  const prefixes = ['/', ...parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)];
  const out: PathEntry[] = [];
  for (const p of prefixes) {
    try {
      const st = lstatSync(p);
      out.push({ path: p, kind: kindOf(st), uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 });
    } catch {
      out.push({ path: p, kind: 'missing' });
      break;
    }
  }
  return out;
}

function statOrUndefined(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

/** execvp's search, as keepalived's find_path: the first regular file `runAs` may execute. */
function searchPath(
  name: string,
  runAs: { uid: number; gid: number },
  pathEnv: string,
): { found: string } | { failed: 'notFound' | 'denied' } {
  let denied = false;
  for (const dir of pathEnv.split(':')) {
    const candidate = dir === '' ? name : join(dir, name);
    const st = statOrUndefined(candidate);
    if (st === undefined) continue;
    if (st.isFile() && isExecutableBy({ uid: st.uid, gid: st.gid, mode: st.mode }, runAs.uid, runAs.gid))
      return { found: candidate };
    denied = true;
  }
  return { failed: denied ? 'denied' : 'notFound' };
}

/** Everything judgeScript needs to know about `command` run as `runAs`. */
export function probeScript(
  command: string,
  runAs: { uid: number; gid: number },
  pathEnv: string = process.env.PATH ?? CS_PATH,
): ScriptFacts {
  if (/^<[ \t]*\//.test(command)) return { command, chains: [] };
  let path = command;
  let search: ScriptFacts['search'];
  if (!command.includes('/')) {
    search = searchPath(command, runAs, pathEnv);
    if ('failed' in search) return { command, search, chains: [] };
    path = search.found;
  }
  let real: string;
  try {
    real = realpathSync.native(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    return { command, ...(search ? { search } : {}), realpathError: STRERROR[code] ?? code, chains: [] };
  }
  // keepalived keeps the configured file name when the link resolves to another name
  // (programs may behave by their name), if that name is the same file in the real directory.
  let runPath = real;
  let realFile: string | undefined;
  if (real !== path && basename(real) !== basename(path)) {
    const sameName = join(dirname(real), basename(path));
    const a = statOrUndefined(real);
    const b = statOrUndefined(sameName);
    if (a === undefined || (b !== undefined && a.dev === b.dev && a.ino === b.ino)) {
      runPath = sameName;
      realFile = real;
    }
  }
  const st = statOrUndefined(realFile ?? runPath);
  const chains = [pathChain(runPath), ...(realFile ? [pathChain(realFile)] : [])];
  return {
    command,
    ...(search ? { search } : {}),
    runPath,
    ...(st ? { file: { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 } } : {}),
    chains,
  };
}
