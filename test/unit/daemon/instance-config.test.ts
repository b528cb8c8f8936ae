/**
 * Config → running instance: global defaults, v2/v3, source address from the interface
 * or unicast_src_ip, auth data, VIP address specs (label, scope, brd, IPv6 NODAD), and a
 * problem (the instance starts in FAULT) when the interface or its address is missing.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/model.js';
import { planInstance } from '../../../src/daemon/instance-config.js';
import type { InterfaceInfo } from '../../../src/io/interfaces.js';
import { IFA_F, RT_SCOPE } from '../../../src/netlink/index.js';
import { formatIp } from '../../../src/wire/index.js';
import { memoryFs } from '../../helpers/memory-fs.js';

function load(text: string): Config {
  const { config } = loadConfig('k.conf', { fs: memoryFs({ '/c/k.conf': text }), configId: 'n1', cwd: '/c' });
  assert.ok(config);
  return config;
}

const eth0: InterfaceInfo = {
  ifindex: 7,
  name: 'eth0',
  up: true,
  mac: Uint8Array.from([2, 0, 0, 0, 0, 1]),
  ipv4: [Uint8Array.from([10, 100, 1, 21])],
  ipv6LinkLocal: [Uint8Array.from([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])],
};
const ifs = new Map([['eth0', eth0]]);

const inst = (body: string, global = '') =>
  `${global}vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n priority 200\n advert_int 1\n${body}}\n`;

describe('planInstance', () => {
  test('the article config: v2, PASS, multicast, source = primary IPv4', () => {
    const c = load(
      inst(
        ' authentication {\n auth_type PASS\n auth_pass 12345\n }\n virtual_ipaddress {\n 10.100.1.20/24\n }\n',
      ),
    );
    const p = planInstance(c.vrrpInstances[0]!, c, ifs);
    assert.equal(p.problem, null);
    assert.equal(p.engine.version, 2);
    assert.equal(p.engine.initialState, 'BACKUP');
    assert.equal(formatIp(p.advert.source), '10.100.1.21');
    assert.deepEqual(p.advert.destinations.map(formatIp), ['224.0.0.18']);
    assert.equal(Buffer.from(p.expectations.authData).toString(), '12345\0\0\0');
    assert.equal(p.protocol, 112);
    assert.equal(p.vips[0]!.ifindex, 7);
    assert.equal(p.vips[0]!.prefixLen, 24);
    assert.equal(p.engine.garp.masterRepeat, 5);
    assert.equal(p.engine.garp.masterDelayMs, 5000);
  });

  test('IPv6 VIPs: VRRPv3 from the link-local address, NODAD, ff02::12', () => {
    const c = load(inst(' virtual_ipaddress {\n fd00::20/64\n }\n'));
    const p = planInstance(c.vrrpInstances[0]!, c, ifs);
    assert.equal(p.engine.version, 3);
    assert.equal(p.family, 'ipv6');
    assert.equal(formatIp(p.advert.source), 'fe80::1');
    assert.deepEqual(p.advert.destinations.map(formatIp), ['ff02::12']);
    assert.equal((p.vips[0]!.flags ?? 0) & IFA_F.NODAD, IFA_F.NODAD);
  });

  test('unicast and AH: peers as destinations, protocol 51, unicast_src_ip as source', () => {
    const c = load(
      inst(
        ' authentication {\n auth_type AH\n auth_pass secret\n }\n unicast_src_ip 10.100.1.21\n unicast_peer {\n 10.100.1.22\n }\n virtual_ipaddress {\n 10.100.1.20/24 brd 10.100.1.255 scope link label eth0:vip\n }\n',
      ),
    );
    const p = planInstance(c.vrrpInstances[0]!, c, ifs);
    assert.equal(p.protocol, 51);
    assert.equal(p.group, null);
    assert.deepEqual(p.advert.destinations.map(formatIp), ['10.100.1.22']);
    assert.equal(p.vips[0]!.label, 'eth0:vip');
    assert.equal(p.vips[0]!.scope, RT_SCOPE.LINK);
    assert.equal(p.vips[0]!.broadcast?.join('.'), '10.100.1.255');
  });

  test('global vrrp_version 3 and garp settings apply', () => {
    const c = load(
      inst(
        ' virtual_ipaddress {\n 10.100.1.20/24\n }\n',
        'global_defs {\n vrrp_version 3\n vrrp_garp_master_repeat 2\n}\n',
      ),
    );
    const p = planInstance(c.vrrpInstances[0]!, c, ifs);
    assert.equal(p.engine.version, 3);
    assert.equal(p.engine.garp.masterRepeat, 2);
  });

  test('a missing interface or address is a problem, not an exception', () => {
    const c = load(inst(' virtual_ipaddress {\n 10.100.1.20/24\n }\n'));
    assert.match(planInstance(c.vrrpInstances[0]!, c, new Map())!.problem ?? '', /eth0 doesn't exist/);
    const bare = new Map([['eth0', { ...eth0, ipv4: [] }]]);
    assert.match(planInstance(c.vrrpInstances[0]!, c, bare).problem ?? '', /no IPv4 address on eth0/);
  });
});
