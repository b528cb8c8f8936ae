/**
 * @module A one-directory in-memory file system for showing a config that is not on disk.
 */
import { dirname, resolve } from 'node:path';
import type { ConfigFileSystem } from '../config/source.js';

export function memoryFileSystem(files: Readonly<Record<string, string>>): ConfigFileSystem {
  return {
    read: (path) =>
      files[path] === undefined ? { ok: false, reason: 'ENOENT' } : { ok: true, text: files[path] },
    glob: (pattern, cwd) => {
      const abs = resolve(cwd, pattern);
      return files[abs] === undefined ? [] : [abs];
    },
    resolve: (cwd, path) => resolve(cwd, path),
    dirname: (path) => dirname(path),
  };
}
