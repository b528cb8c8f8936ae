/**
 * @module The configs the demo and the namespace scenarios run: the article's examples
 * and every generated interop / benchmark config load without an error in keepalived-ts
 * (keepalived itself runs them in test/netns), and the harness derives
 * the link-local source tshark must see from a MAC exactly as the kernel does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load.js';
import { nodeFileSystem } from '../../../src/config/source.js';
import {
  expectedFields,
  linkLocal,
  MODES,
  manyInstancesConf,
  vrrpConf,
} from '../../netns/harness/configs.js';
import type { Host } from '../../netns/harness/lab.js';
import { repoRoot } from '../../netns/harness/vrrp-node.js';

const host = (role: string, n: number): Host => ({
  role,
  ns: `ns-${role}`,
  mac: `02:00:0a:64:01:${n.toString(16)}`,
  v4: `10.100.1.${n}`,
  v6: `fd00:100::${n.toString(16)}`,
  port: `p-${role}`,
});
const s1 = host('server1', 21);
const s2 = host('server2', 22);

function errorsOf(text: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'kts-unit-demo-'));
  try {
    const path = join(dir, 'keepalived.conf');
    writeFileSync(path, text);
    const { config, diagnostics } = loadConfig(path, { fs: nodeFileSystem, configId: 'unit', cwd: dir });
    assert.ok(config, 'config loads');
    return diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('scenario configs', () => {
  test('the article examples the demo runs load without errors', () => {
    for (const f of ['server1.conf', 'server2.conf']) {
      const { config, diagnostics } = loadConfig(join(repoRoot(), 'examples', f), {
        fs: nodeFileSystem,
        configId: 'demo',
        cwd: join(repoRoot(), 'examples'),
      });
      assert.equal(config?.vrrpInstances.length, 1);
      assert.deepEqual(
        diagnostics.filter((d) => d.severity === 'error'),
        [],
      );
    }
  });

  for (const mode of MODES) {
    test(`${mode}: both nodes' configs load without errors`, () => {
      assert.deepEqual(errorsOf(vrrpConf({ mode, self: s1, peer: s2, priority: 200, state: 'BACKUP' })), []);
      assert.deepEqual(errorsOf(vrrpConf({ mode, self: s2, peer: s1, priority: 150, state: 'BACKUP' })), []);
    });
  }

  test('benchmark configs with 255 instances load without errors', () => {
    for (const advertInt of [1, 0.1]) {
      const text = manyInstancesConf({
        role: 'server1',
        count: 255,
        priority: 200,
        state: 'MASTER',
        advertInt,
      });
      assert.deepEqual(errorsOf(text), []);
    }
  });

  test('expected wire fields follow the config', () => {
    const v3 = expectedFields({ mode: 'v3-ipv6', self: s1, peer: s2, priority: 200, state: 'MASTER' });
    assert.equal(v3.version, 3);
    assert.equal(v3.adverInt, 100);
    assert.equal(v3.dst, 'ff02::12');
    assert.equal(v3.authType, null);
    const uni = expectedFields({
      mode: 'unicast',
      self: s1,
      peer: s2,
      priority: 200,
      state: 'MASTER',
      authPass: '123456789',
    });
    assert.equal(uni.dst, s2.v4);
    assert.equal(uni.authString, '12345678');
  });

  test('link-local addresses are EUI-64 from the MAC, as the kernel makes them', () => {
    assert.equal(linkLocal('02:00:0a:64:01:01'), 'fe80::aff:fe64:101');
    assert.equal(linkLocal('02:00:0a:64:01:15'), 'fe80::aff:fe64:115');
  });
});
