/**
 * bin/keepalived-ts runs -t, -d, -v and -h from dist/bundle/one-shot.cjs when it is
 * current: the bundle must say exactly what the ES modules say, exit status included.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  asciiOnly,
  BUNDLE_PATH,
  type BundleManifest,
  ONE_SHOT_ENTRY,
  warmCodeCache,
  writeOneShotBundle,
} from '../../../src/cli/bundle.js';

const dist = resolve(import.meta.dirname, '../../..');
const bin = resolve(dist, '../bin/keepalived-ts');

function run(args: string[], bundle: boolean) {
  const env = { ...process.env, KEEPALIVED_TS_BUNDLE: bundle ? 'require' : 'off' };
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the one-shot bundle', () => {
  const file = writeOneShotBundle(dist);
  const dir = mkdtempSync(join(tmpdir(), 'kts-bundle-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const good = write(
    'good.conf',
    'global_defs {\n router_id r1\n}\nvrrp_instance VI_1 {\n state BACKUP\n interface lo\n virtual_router_id 7\n priority 100\n virtual_ipaddress {\n 10.9.9.9/32\n }\n}\nvirtual_server 10.1.1.1 80 {\n lb_algo rr\n lb_kind NAT\n protocol TCP\n real_server 10.2.2.2 80 {\n  TCP_CHECK {\n   connect_timeout 3\n  }\n }\n}\n',
  );
  const bad = write(
    'bad.conf',
    'vrrp_instance VI_1 {\n interface lo\n virtual_router_id 700\n priorty 5\n}\n$X=1\n@nothere foo\nvirtual_server 10.1.1.1 80 {\n real_server 10.2.2.2 81 {\n  weight x\n }\n}\n',
  );

  // Checking a host name runs getent through child_process, which the bundle loads on first use.
  const hosts = write(
    'hosts.conf',
    'global_defs {\n smtp_server localhost\n}\nvirtual_server 10.1.1.1 25 {\n protocol TCP\n real_server 10.2.2.2 25 {\n  SMTP_CHECK {\n   helo_name no-such-host.invalid\n  }\n }\n}\n',
  );
  const badHost = write('bad-host.conf', 'global_defs {\n smtp_server no-such-host.invalid\n}\n');

  test('its first line lists the entry and every module with size and mtime', () => {
    const text = readFileSync(file, 'utf8');
    const manifest = JSON.parse(text.slice(2, text.indexOf('\n'))) as BundleManifest;
    assert.equal(manifest.entry, ONE_SHOT_ENTRY);
    const paths = manifest.modules.map((m) => m.path);
    for (const p of [
      ONE_SHOT_ENTRY,
      'src/config/load.js',
      'src/config/parser.js',
      'src/io/host-environment.js',
    ])
      assert.ok(paths.includes(p), p);
    assert.ok(!paths.some((p) => p.includes('daemon/')), 'no daemon module in the bundle');
  });

  test('its text is ASCII (one byte per character for V8)', () => {
    assert.doesNotMatch(readFileSync(file, 'latin1'), /[^\x00-\x7f]/);
  });

  test('non-ASCII characters in code become escapes that mean the same', () => {
    const code = "return ['µs → 2²', /é+/u.test('éé'), `ü${1}`, '😀'.length];";
    const escaped = asciiOnly(code);
    assert.doesNotMatch(escaped, /[^\x00-\x7f]/);
    assert.deepEqual(new Function(escaped)(), new Function(code)());
  });

  for (const args of [
    ['-t', '-f', good],
    ['-t', '-f', bad],
    ['-t', '--json', '-f', bad],
    ['-d', '-f', good],
    ['-t', '-f', hosts],
    ['-t', '-f', badHost],
    ['-t', '-f', join(dir, 'missing.conf')],
    ['-v'],
    ['-h'],
    ['--nope'],
  ])
    test(`bundle and ES modules agree: ${args.join(' ').replaceAll(dir, 'DIR')}`, () => {
      const viaBundle = run(args, true);
      const viaModules = run(args, false);
      assert.deepEqual(viaBundle, viaModules);
    });

  test('a module rewritten as it was keeps the bundle; a changed one sets it aside', () => {
    // A private copy of bin/ and the bundled modules, so the shared dist/ is left alone.
    const root = join(dir, 'install');
    const text = readFileSync(file, 'utf8');
    const manifest = JSON.parse(text.slice(2, text.indexOf('\n'))) as BundleManifest;
    for (const rel of ['bin/keepalived-ts', 'bin/package.json', 'package.json'])
      cpSync(resolve(dist, '..', rel), join(root, rel));
    for (const rel of [BUNDLE_PATH, ...manifest.modules.map((m) => m.path)])
      cpSync(join(dist, rel), join(root, 'dist', rel), { preserveTimestamps: true });
    const runCopy = (mode: string) =>
      spawnSync(process.execPath, [join(root, 'bin/keepalived-ts'), '-t', '-f', good], {
        encoding: 'utf8',
        env: { ...process.env, KEEPALIVED_TS_BUNDLE: mode },
      });
    assert.equal(runCopy('require').status, 0, runCopy('require').stderr);
    const module = join(root, 'dist/src/config/replay.js');
    utimesSync(module, new Date(), new Date(Date.now() + 5000));
    assert.equal(runCopy('require').status, 0, 'same bytes, new mtime: still the bundle');
    // Same size, other bytes: only the hash can tell.
    const before = readFileSync(module, 'utf8');
    const after = before.replace('(buf, substitute)', '(buf,substitute) ');
    assert.ok(after !== before && after.length === before.length);
    writeFileSync(module, after);
    const stale = runCopy('require');
    assert.equal(stale.status, 70);
    assert.match(stale.stderr, /older than src\/config\/replay\.js/);
    assert.equal(runCopy('auto').status, 0, 'unset, bin falls back to the ES modules');
  });

  test('make build leaves a code cache that the command and node with the script both take', () => {
    const root = join(dir, 'cache-install');
    for (const rel of ['bin/keepalived-ts', 'bin/package.json', 'package.json'])
      cpSync(resolve(dist, '..', rel), join(root, rel));
    cpSync(file, join(root, 'dist', BUNDLE_PATH), { preserveTimestamps: true });
    const text = readFileSync(file, 'utf8');
    const manifest = JSON.parse(text.slice(2, text.indexOf('\n'))) as BundleManifest;
    for (const m of manifest.modules)
      cpSync(join(dist, m.path), join(root, 'dist', m.path), { preserveTimestamps: true });
    const cache = join(root, 'dist', `${BUNDLE_PATH}.cache`);
    const env = { ...process.env, KEEPALIVED_TS_BUNDLE: 'require' };
    assert.equal(existsSync(cache), false);
    warmCodeCache(root);
    const made = statSync(cache).mtimeMs;
    // A cache V8 turns away is written again: an unchanged one was taken.
    const viaCommand = spawnSync(join(root, 'bin/keepalived-ts'), ['-t', '-f', good], { env });
    assert.equal(viaCommand.status, 0, String(viaCommand.stderr));
    const viaNode = spawnSync(process.execPath, [join(root, 'bin/keepalived-ts'), '-v'], { env });
    assert.equal(viaNode.status, 0, String(viaNode.stderr));
    assert.equal(statSync(cache).mtimeMs, made, 'a run turned away the cache warmCodeCache made');
  });

  test('a bad configuration still fails through the bundle', () => {
    const r = run(['-t', '-f', bad], true);
    assert.equal(r.status, 5);
    assert.match(r.stderr, /bad\.conf:3:20: error: number '700' outside range \[1, 255\]/);
  });
});
