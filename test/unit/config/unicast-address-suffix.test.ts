/**
 * keepalived 2.2.7 reads unicast_src_ip and unicast_peer through inet_stosockaddr, which
 * ignores a mask or range suffix: corpus 056 (`unicast_src_ip 192.168.0.91/24`) passes
 * keepalived's `-t` and runs from 192.168.0.91. Checked against keepalived 2.2.7 `-t`:
 * exit 0 for `/24`, `/abc`, `/99` and `-5`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/load.js';
import { memoryFs } from '../../helpers/memory-fs.js';

function instance(address: string) {
  const text = `vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 10
  priority 100
  unicast_src_ip ${address}
  unicast_peer {
    ${address.replace('.91', '.92')}
  }
  virtual_ipaddress {
    192.168.0.10
  }
}
`;
  const r = loadConfig('k.conf', { fs: memoryFs({ '/c/k.conf': text }), configId: 'n1', cwd: '/c' });
  return { i: r.config!.vrrpInstances[0]!, errors: r.diagnostics.filter((d) => d.severity === 'error') };
}

for (const suffix of ['/24', '/abc', '/99', '-5']) {
  test(`unicast_src_ip and unicast_peer ignore a "${suffix}" suffix as keepalived does`, () => {
    const { i, errors } = instance(`192.168.0.91${suffix}`);
    assert.deepEqual(errors, []);
    assert.deepEqual(i.unicastSrcIp, { family: 4, address: '192.168.0.91', prefixLen: 32 });
    assert.deepEqual(
      i.unicastPeers.map((p) => p.address.address),
      ['192.168.0.92'],
    );
  });
}

test('a unicast_src_ip that is not an address is still an error', () => {
  const { errors } = instance('not-an-address');
  assert.ok(errors.some((d) => /invalid unicast_src_ip/.test(d.message)));
});
