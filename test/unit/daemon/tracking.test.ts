/**
 * Interface tracking: own interface down is a fault (unless dont_track_primary), an
 * unweighted track_interface down is a fault, weights move the priority (positive while
 * up, negative while down, reverse swaps).
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load.js';
import { trackInterfaces } from '../../../src/daemon/tracking.js';
import { memoryFs } from '../../helpers/memory-fs.js';

function instance(body: string) {
  const text = `vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n priority 100\n virtual_ipaddress {\n 10.0.0.1/24\n }\n${body}}\n`;
  const { config } = loadConfig('k.conf', { fs: memoryFs({ '/c/k.conf': text }), configId: 'n', cwd: '/c' });
  assert.ok(config);
  return config.vrrpInstances[0]!;
}

const links = (state: Record<string, boolean>) => (n: string) => state[n];

describe('trackInterfaces', () => {
  test('own interface', () => {
    const i = instance('');
    assert.deepEqual(trackInterfaces(i, links({ eth0: true })), { faults: [], priority: 100 });
    assert.deepEqual(trackInterfaces(i, links({ eth0: false })), { faults: ['eth0 down'], priority: 100 });
    assert.deepEqual(trackInterfaces(i, links({})).faults, ['eth0 down']);
    assert.deepEqual(trackInterfaces(instance(' dont_track_primary\n'), links({ eth0: false })).faults, []);
  });

  test('track_interface with and without weights', () => {
    const i = instance(' track_interface {\n eth1\n eth2 weight 10\n eth3 weight -20\n }\n');
    const all = { eth0: true, eth1: true, eth2: true, eth3: true };
    assert.deepEqual(trackInterfaces(i, links(all)), { faults: [], priority: 110 });
    assert.deepEqual(trackInterfaces(i, links({ ...all, eth2: false, eth3: false })), {
      faults: [],
      priority: 80,
    });
    assert.deepEqual(trackInterfaces(i, links({ ...all, eth1: false })).faults, ['eth1 down']);
  });
});
