/**
 * The layering rules of STYLE.md, checked on the sources: the functional core imports
 * nothing from node:*, and only the command line may import the daemon.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const src = resolve(import.meta.dirname, '../../../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const all = files(src).map((path) => ({ path: relative(src, path), text: readFileSync(path, 'utf8') }));
const imports = (text: string) =>
  [...text.matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1]!);

/** Pure modules: everything in these folders, except the files named. */
const PURE: readonly { folder: string; except: readonly string[] }[] = [
  { folder: 'wire/', except: [] },
  { folder: 'netlink/', except: [] },
  { folder: 'vrrp/', except: [] },
  { folder: 'config/', except: ['config/source.ts'] },
  { folder: 'firewall/', except: [] },
  { folder: 'bfd/', except: [] },
];
const PURE_FILES = ['lvs/model.ts', 'lvs/plan.ts', 'lvs/nft-json.ts', 'check/schedule.ts', 'check/types.ts'];

test('the functional core imports nothing from node:*', () => {
  const offenders = all
    .filter(
      ({ path }) =>
        PURE.some((p) => path.startsWith(p.folder) && !p.except.includes(path)) || PURE_FILES.includes(path),
    )
    .flatMap(({ path, text }) =>
      imports(text)
        .filter((i) => i.startsWith('node:'))
        .map((i) => `${path} imports ${i}`),
    );
  assert.deepEqual(offenders, []);
});

test('only the command line imports the daemon', () => {
  const offenders = all
    .filter(({ path }) => !path.startsWith('daemon/') && !path.startsWith('cli/'))
    .flatMap(({ path, text }) =>
      imports(text)
        .filter((i) => /(^|\/)daemon\//.test(i))
        .map((i) => `${path} imports ${i}`),
    );
  assert.deepEqual(offenders, []);
});

test('the pure core does not reach into the imperative shell', () => {
  const shell = /(^|\/)(io|daemon|native|cli|demo)\//;
  const offenders = all
    .filter(({ path }) => PURE.some((p) => path.startsWith(p.folder) && !p.except.includes(path)))
    .flatMap(({ path, text }) =>
      imports(text)
        .filter((i) => shell.test(i))
        .map((i) => `${path} imports ${i}`),
    );
  assert.deepEqual(offenders, []);
});
