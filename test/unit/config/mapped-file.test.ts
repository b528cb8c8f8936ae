/**
 * -t and -d read configuration files mapped from the page cache (native/mapfile.c via
 * mappedFileSystem) instead of read(2): they must see exactly what a read sees, refuse
 * exactly what it refuses, and fall back to it when the mapping cannot be made.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { mappedFileSystem, nodeFileSystem } from '../../../src/config/source.js';

const addonPath = resolve(import.meta.dirname, '../../../../native/build/Release/kts_mapfile.node');
const { mapFileLatin1 } = createRequire(import.meta.url)(addonPath) as {
  mapFileLatin1(path: string): string;
};

describe('configuration files read through a mapping', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-mapped-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, bytes: Uint8Array | string) => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  };
  const everyByte = file(
    'bytes.conf',
    Uint8Array.from({ length: 512 }, (_, i) => i % 256),
  );
  const utf8 = file('utf8.conf', '# café, naïve: UTF-8 bytes read one character each\nglobal_defs {\n}\n');
  const empty = file('empty.conf', '');
  const executable = file('exec.conf', 'global_defs {\n}\n');
  chmodSync(executable, 0o755);
  mkdirSync(join(dir, 'a-directory'));
  const mapped = mappedFileSystem(mapFileLatin1);

  for (const [name, path] of [
    ['every byte value', everyByte],
    ['UTF-8 text', utf8],
    ['an empty file', empty],
    ['an executable file', executable],
    ['a directory', join(dir, 'a-directory')],
    ['a missing file', join(dir, 'missing.conf')],
  ] as const)
    test(`${name}: the same answer as a plain read`, () => {
      assert.deepEqual(mapped.read(path), nodeFileSystem.read(path));
    });

  test('the text is the file mapped, not a copy of it', () => {
    const text = mapFileLatin1(everyByte);
    assert.equal(text, readFileSync(everyByte, 'latin1'));
    const maps = readFileSync('/proc/self/maps', 'utf8');
    assert.ok(maps.includes(everyByte), `${everyByte} is not in /proc/self/maps`);
  });

  test('a failing mapping falls back to a plain read', () => {
    const failing = mappedFileSystem(() => {
      throw new Error('no mapping here');
    });
    assert.deepEqual(failing.read(utf8), nodeFileSystem.read(utf8));
  });

  test('mapping errors name the call, the path and errno', () => {
    assert.throws(() => mapFileLatin1(join(dir, 'missing.conf')), {
      code: 'ENOENT',
      message: /^open .*missing\.conf: ENOENT/,
    });
    assert.throws(() => mapFileLatin1(join(dir, 'a-directory')), { code: 'ENODEV', message: /^mmap / });
  });
});
