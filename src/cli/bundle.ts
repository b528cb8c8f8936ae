/**
 * @module Build step: the one-shot commands (`-t`, `-d`, `-v`, `-h`: src/cli/one-shot.ts
 * and everything it imports, about 30 ES modules) as one CommonJS-style script,
 * dist/bundle/one-shot.cjs. bin/keepalived-ts compiles that script with V8's code cache
 * instead of resolving, reading and compiling each module: on the 10,000-real-server
 * bench file that is about a sixth of `-t`'s instructions.
 *
 * Each module is tsc's own ES-module output (dist/src/...) turned into CommonJS by the
 * TypeScript compiler (transpileModule), wrapped in a function and registered under its
 * path; a small `require` resolves the relative imports between them, Node's the
 * built-ins. The script's first line records each module's size, mtime and SHA-1: bin
 * uses the bundle only while every module is unchanged (same mtime, or else same bytes:
 * tsc rewrites files it did not change), so a later `tsc` build that changed code makes
 * bin fall back to the ES modules until this step runs again, never run stale code.
 *
 * Run after `tsc`: `node dist/src/cli/bundle.js` (the Makefile's build does).
 */

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** What bin/keepalived-ts reads from the bundle's first line (after `//`). */
export interface BundleManifest {
  /** Bumped when the bundle's calling convention changes. */
  readonly format: 2;
  /** The entry module, relative to dist/. */
  readonly entry: string;
  /** Every module in the bundle, relative to dist/, as it was when bundled. */
  readonly modules: readonly {
    readonly path: string;
    readonly size: number;
    readonly mtimeMs: number;
    readonly sha1: string;
  }[];
}

export const ONE_SHOT_ENTRY = 'src/cli/one-shot.js';

/**
 * Built-ins the one-shot path imports but rarely calls (child_process: `getent` for a
 * host name to check), loaded when first used: with the streams and sockets it pulls in,
 * it is about as much start-up work as all of the configuration code. transpileModule's
 * CommonJS reads an import's members where they are used (`(0, m.spawnSync)(...)`), so
 * a namespace that loads the module on its first member read stands in for it.
 */
const LOADED_ON_FIRST_USE = ['node:child_process'];
export const BUNDLE_PATH = 'bundle/one-shot.cjs';

function sha1Of(file: string): string {
  return createHash('sha1').update(readFileSync(file)).digest('hex');
}

/** A module's CommonJS text, refusing what a plain function wrapper cannot reproduce. */
function toCommonJs(file: string, source: string): string {
  if (/\bimport\.meta\b/.test(source)) throw new Error(`${file}: import.meta cannot be bundled`);
  if (/\bimport\s*\(/.test(source)) throw new Error(`${file}: a dynamic import() cannot be bundled`);
  const out = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      sourceMap: false,
      // Comments held the only non-ASCII characters: without them V8 keeps the source
      // as one byte per character (half the memory) and it is a tenth shorter.
      removeComments: true,
    },
  }).outputText;
  return asciiOnly(out.replace(/\n\/\/# sourceMappingURL=\S*\s*$/, '\n'));
}

/**
 * Code with every non-ASCII character written as a `\u` escape (the same string, regular
 * expression or identifier, comments being gone): one such character in a string would
 * otherwise make V8 keep the whole bundle source at two bytes per character.
 */
export function asciiOnly(code: string): string {
  return code.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The entry and every module it imports, relative to `dist`, with their CommonJS text. */
function collect(dist: string, entry: string): Map<string, string> {
  const modules = new Map<string, string>();
  const visit = (path: string): void => {
    if (modules.has(path)) return;
    const code = toCommonJs(path, readFileSync(join(dist, path), 'utf8'));
    modules.set(path, code);
    for (const m of code.matchAll(/\brequire\("(\.[^"]*)"\)/g))
      visit(relative(dist, resolve(dist, dirname(path), m[1]!)));
  };
  visit(entry);
  return modules;
}

/**
 * The bundle's text: a function of Node's `require` returning the entry's exports.
 * Modules run on first require, in the order the ES modules would have (depth first).
 */
export function bundleText(dist: string, entry = ONE_SHOT_ENTRY): string {
  const modules = collect(dist, entry);
  const manifest: BundleManifest = {
    format: 2,
    entry,
    modules: [...modules.keys()].map((path) => {
      const st = statSync(join(dist, path));
      return { path, size: st.size, mtimeMs: st.mtimeMs, sha1: sha1Of(join(dist, path)) };
    }),
  };
  const parts = [
    `//${JSON.stringify(manifest)}`,
    '(function (nodeRequire) {',
    "'use strict';",
    'const defs = {',
  ];
  for (const [path, code] of modules)
    parts.push(`${JSON.stringify(path)}: function (exports, require, module) {`, code, '},');
  parts.push(
    '};',
    'const loaded = new Map();',
    'function load(path) {',
    '  let module = loaded.get(path);',
    '  if (module) return module.exports;',
    '  module = { exports: {} };',
    '  loaded.set(path, module);',
    "  const dir = path.slice(0, path.lastIndexOf('/'));",
    "  defs[path](module.exports, (spec) => (spec.startsWith('.') ? load(join(dir, spec)) : builtin(spec)), module);",
    '  return module.exports;',
    '}',
    `const ON_FIRST_USE = new Set(${JSON.stringify(LOADED_ON_FIRST_USE)});`,
    'function builtin(spec) {',
    '  if (!ON_FIRST_USE.has(spec)) return nodeRequire(spec);',
    '  let module;',
    '  return new Proxy({}, { get: (_, name) => (module ??= nodeRequire(spec))[name] });',
    '}',
    'function join(dir, spec) {',
    "  const parts = dir.split('/');",
    "  for (const p of spec.split('/')) if (p === '..') parts.pop(); else if (p !== '.') parts.push(p);",
    "  return parts.join('/');",
    '}',
    `return load(${JSON.stringify(entry)});`,
    '})',
    '',
  );
  return parts.join('\n');
}

/** True when dist/bundle/one-shot.cjs exists and none of its modules changed since (bin's test). */
export function bundleIsCurrent(dist: string): boolean {
  try {
    const text = readFileSync(join(dist, BUNDLE_PATH), 'utf8');
    const manifest = JSON.parse(text.slice(2, text.indexOf('\n'))) as BundleManifest;
    return manifest.modules.every((m) => {
      const st = statSync(join(dist, m.path), { throwIfNoEntry: false });
      if (st === undefined || st.size !== m.size) return false;
      return st.mtimeMs === m.mtimeMs || sha1Of(join(dist, m.path)) === m.sha1;
    });
  } catch {
    return false;
  }
}

/** Writes dist/bundle/one-shot.cjs (atomically) and drops a code cache made for an older one. */
export function writeOneShotBundle(dist: string): string {
  const file = join(dist, BUNDLE_PATH);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, bundleText(dist));
  renameSync(tmp, file);
  rmSync(`${file}.cache`, { force: true });
  return file;
}

/**
 * A configuration of the usual blocks, without comments (so the plain-file path is the
 * one it runs), for {@link warmCodeCache}.
 */
const WARM_UP_CONFIG = `global_defs {
  router_id warm_up
  enable_script_security
  script_user root
}
vrrp_script chk_service {
  script "/bin/true"
  interval 2
  weight -20
}
vrrp_instance VI_1 {
  state MASTER
  interface lo
  virtual_router_id 51
  priority 150
  advert_int 1
  authentication {
    auth_type PASS
    auth_pass 12345
  }
  virtual_ipaddress {
    192.0.2.10/24
  }
  track_script {
    chk_service
  }
}
virtual_server 192.0.2.10 80 {
  delay_loop 5
  lb_algo wrr
  lb_kind NAT
  protocol TCP
  real_server 198.51.100.11 8080 {
    weight 2
    TCP_CHECK {
      connect_timeout 3
      retry 3
      delay_before_retry 2
    }
  }
  real_server 198.51.100.12 8080 {
    weight 1
    HTTP_GET {
      url {
        path /health
        status_code 200
      }
      connect_timeout 3
    }
  }
}
`;

/**
 * Makes the bundle's code cache with `-t` run once through bin/keepalived-ts (the cache
 * holds what a run compiled). Left to the first command after a build, the cache held
 * whatever that was: after a `-v`, `-t` on the bench file compiled its parser again.
 */
export function warmCodeCache(root: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'kts-warm-'));
  try {
    const conf = join(dir, 'keepalived.conf');
    writeFileSync(conf, WARM_UP_CONFIG);
    const r = spawnSync(join(root, 'bin/keepalived-ts'), ['-t', '-f', conf], {
      encoding: 'utf8',
      env: { ...process.env, KEEPALIVED_TS_BUNDLE: 'require' },
    });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`warm-up -t exited ${r.status}: ${r.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.dirname, 'bundle.js')) {
  const root = resolve(import.meta.dirname, '../..');
  const file = writeOneShotBundle(root);
  warmCodeCache(resolve(root, '..'));
  process.stdout.write(`wrote ${file} and its code cache\n`);
}
