/**
 * An in-memory {@link ConfigFileSystem} for parser tests: files by absolute path,
 * globbing with the same segment matcher as the real one.
 */
import { posix } from 'node:path';
import { expandBraces, globSegmentToRegExp, hasGlobChars } from '../../src/config/glob.js';
import type { ConfigFileSystem } from '../../src/config/source.js';

export function memoryFs(files: Record<string, string>): ConfigFileSystem {
  const paths = Object.keys(files);
  return {
    read(path) {
      const text = files[path];
      return text === undefined ? { ok: false, reason: 'ENOENT' } : { ok: true, text };
    },
    glob(pattern, cwd) {
      const out = new Set<string>();
      for (const p of expandBraces(pattern)) {
        const abs = posix.resolve(cwd, p);
        if (!hasGlobChars(abs)) {
          if (files[abs] !== undefined) out.add(abs);
          continue;
        }
        const segs = abs.split('/');
        for (const candidate of paths) {
          const c = candidate.split('/');
          if (
            c.length === segs.length &&
            segs.every((s, i) => (hasGlobChars(s) ? globSegmentToRegExp(s).test(c[i]!) : s === c[i]))
          )
            out.add(candidate);
        }
      }
      return [...out].sort();
    },
    resolve: (cwd, path) => posix.resolve(cwd, path),
    dirname: (path) => posix.dirname(path),
  };
}
