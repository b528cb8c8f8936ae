/**
 * keepalived's command line, flag for flag, and the `-t` exit codes of the real binary.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { parseArgs } from '../../../src/cli/args.js';

const bin = resolve(import.meta.dirname, '../../../../bin/keepalived-ts');

describe('parseArgs', () => {
  test('short flags, bundled flags and values as keepalived takes them', () => {
    const o = parseArgs(['-nlD', '-f', '/x.conf', '-p', '/run/p.pid', '-i', 'node1', '-S', '3']);
    assert.equal(o.dontFork && o.logConsole && o.logDetail, true);
    assert.equal(o.configFile, '/x.conf');
    assert.equal(o.pidFile, '/run/p.pid');
    assert.equal(o.configId, 'node1');
    assert.equal(o.logFacility, '3');
  });
  test('long flags with = and the optional -t log file', () => {
    const o = parseArgs(['--use-file=/y.conf', '--config-test=/tmp/log', '--vrrp', '--json']);
    assert.equal(o.configFile, '/y.conf');
    assert.equal(o.configTest, true);
    assert.equal(o.configTestLog, '/tmp/log');
    assert.equal(o.vrrpOnly, true);
    assert.equal(o.json, true);
  });
  test('--no-realtime turns off the real-time default', () => {
    assert.equal(parseArgs(['-n']).realtime, true);
    assert.equal(parseArgs(['-n', '--no-realtime']).realtime, false);
  });
  test('unknown flags are refused with a message', () => {
    assert.throws(() => parseArgs(['--nope']), /unrecognized option '--nope'/);
    assert.throws(() => parseArgs(['-f']), /requires an argument/);
  });
});

describe('bin/keepalived-ts -t', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-cli-'));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const good = write(
    'good.conf',
    'vrrp_instance VI_1 {\n state BACKUP\n interface lo\n virtual_router_id 7\n priority 100\n virtual_ipaddress {\n 10.9.9.9/32\n }\n}\n',
  );
  const bad = write('bad.conf', 'vrrp_instance VI_1 {\n interface lo\n virtual_router_id 700\n}\n');

  test('exit 0 and silence for a valid file', () => {
    const r = spawnSync(process.execPath, [bin, '-t', '-f', good], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
  });
  test('run as a command, through its #! line and its node options, the same verdicts', () => {
    const ok = spawnSync(bin, ['-t', '-f', good], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stderr, '');
    const refused = spawnSync(bin, ['-t', '-f', bad], { encoding: 'utf8' });
    assert.equal(refused.status, 5, refused.stderr);
    assert.match(refused.stderr, /bad\.conf:3:\d+/);
  });
  test('exit 5 with file:line:col diagnostics for an invalid one', () => {
    const r = spawnSync(process.execPath, [bin, '-t', '-f', bad], { encoding: 'utf8' });
    assert.equal(r.status, 5);
    assert.match(r.stderr, /bad\.conf:3:20: error: number '700' outside range \[1, 255\]/);
  });
  test('--json gives machine-readable diagnostics', () => {
    const r = spawnSync(process.execPath, [bin, '-t', '--json', '-f', bad], { encoding: 'utf8' });
    const out = JSON.parse(r.stdout);
    assert.equal(out.ok, false);
    assert.equal(out.exitCode, 5);
    assert.deepEqual(out.diagnostics[0].location, { file: bad, line: 3, col: 20 });
  });
  test('-d dumps the typed model as JSON', () => {
    const r = spawnSync(process.execPath, [bin, '-d', '-f', good], { encoding: 'utf8' });
    assert.equal(JSON.parse(r.stdout).vrrpInstances[0].virtualRouterId, 7);
    rmSync(dir, { recursive: true, force: true });
  });
});
