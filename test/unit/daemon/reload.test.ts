/**
 * Reload is a diff per instance name: unchanged kept (source locations ignored), changed
 * restarted, new added, missing removed; a global_defs change restarts everything.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/model.js';
import { diffConfigs } from '../../../src/daemon/reload.js';
import { memoryFs } from '../../helpers/memory-fs.js';

function load(text: string): Config {
  const { config } = loadConfig('k.conf', { fs: memoryFs({ '/c/k.conf': text }), configId: 'n1', cwd: '/c' });
  assert.ok(config);
  return config;
}

const inst = (name: string, vrid: number, prio: number) =>
  `vrrp_instance ${name} {\n interface eth0\n virtual_router_id ${vrid}\n priority ${prio}\n virtual_ipaddress {\n 10.0.0.${vrid}/24\n }\n}\n`;

describe('diffConfigs', () => {
  test('keep, restart, add, remove by name; comments moving lines do not count', () => {
    const old = load(inst('A', 1, 100) + inst('B', 2, 100) + inst('C', 3, 100));
    const next = load(`# moved\n\n${inst('A', 1, 100)}${inst('B', 2, 150)}${inst('D', 4, 100)}`);
    assert.deepEqual(diffConfigs(old, next), { keep: ['A'], restart: ['B'], add: ['D'], remove: ['C'] });
  });

  test('a global_defs change restarts every instance', () => {
    const old = load(inst('A', 1, 100));
    const next = load(`global_defs {\n vrrp_garp_master_repeat 2\n}\n${inst('A', 1, 100)}`);
    assert.deepEqual(diffConfigs(old, next), { keep: [], restart: ['A'], add: [], remove: [] });
  });
});
