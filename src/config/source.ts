/**
 * @module The configuration's view of the file system: the only file in config/ that
 * touches node:fs. The preprocessor asks it for files and glob matches, so the rest of
 * the parser stays pure and tests can serve files from memory.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { expandBraces, globSegmentToRegExp, hasGlobChars } from './glob.js';

/** What the preprocessor needs from the outside world. */
export interface ConfigFileSystem {
  /** The text of a regular, non-executable file, or a reason it cannot be read. */
  read(path: string): { ok: true; text: string } | { ok: false; reason: string };
  /** Paths matching a pattern (absolute or relative to `cwd`), sorted, brace-expanded. */
  glob(pattern: string, cwd: string): string[];
  /** The absolute form of `path` relative to `cwd`. */
  resolve(cwd: string, path: string): string;
  dirname(path: string): string;
}

function globOne(pattern: string, cwd: string): string[] {
  const absolute = isAbsolute(pattern) ? pattern : join(cwd, pattern);
  if (!hasGlobChars(absolute)) {
    try {
      statSync(absolute);
      return [absolute];
    } catch {
      return [];
    }
  }
  const parts = absolute.split('/').filter((p) => p !== '');
  let candidates = ['/'];
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const base of candidates) {
      if (!hasGlobChars(part)) {
        const path = join(base, part);
        if (last) {
          try {
            statSync(path);
            next.push(path);
          } catch {}
        } else next.push(path);
        continue;
      }
      const re = globSegmentToRegExp(part);
      let names: string[] = [];
      try {
        names = readdirSync(base);
      } catch {}
      for (const name of names) if (re.test(name)) next.push(join(base, name));
    }
    candidates = next;
  }
  return candidates.sort();
}

/** A file's bytes as a string, one character per byte (what keepalived's parser sees). */
type Latin1Reader = (path: string) => string;

const readLatin1: Latin1Reader = (path) => readFileSync(path, 'latin1');

/** {@link ConfigFileSystem.read} with `readText` for the regular, non-executable files it accepts. */
function readWith(readText: Latin1Reader): ConfigFileSystem['read'] {
  return (path) => {
    try {
      const st = statSync(path);
      if (!st.isFile()) return { ok: false, reason: 'not a regular file' };
      if (st.mode & 0o111) return { ok: false, reason: 'is executable' };
      return { ok: true, text: readText(path) };
    } catch (e) {
      return { ok: false, reason: (e as NodeJS.ErrnoException).code ?? String(e) };
    }
  };
}

/** The real file system, read synchronously: configuration loading happens off the VRRP path. */
export const nodeFileSystem: ConfigFileSystem = {
  read: readWith(readLatin1),
  glob(pattern, cwd) {
    const out = new Set<string>();
    for (const p of expandBraces(pattern)) for (const m of globOne(p, cwd)) out.add(m);
    return [...out].sort();
  },
  resolve: (cwd, path) => resolve(cwd, path),
  dirname: (path) => dirname(path),
};

/**
 * {@link nodeFileSystem} reading files through `mapLatin1` (native/mapfile.c: the page
 * cache mapped as the string, no copy), falling back to a plain read if it throws. For
 * commands that read and exit (-t, -d) only: a mapped file truncated underneath raises
 * SIGBUS, which a long-running daemon must not risk.
 */
export function mappedFileSystem(mapLatin1: Latin1Reader): ConfigFileSystem {
  const read = readWith((path) => {
    try {
      return mapLatin1(path);
    } catch {
      return readLatin1(path);
    }
  });
  return { ...nodeFileSystem, read };
}
