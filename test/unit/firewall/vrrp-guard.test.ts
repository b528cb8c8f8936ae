import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firewallContents, firewallShape, type GuardedInstance } from '../../../src/firewall/vrrp-guard.js';
import {
  createCommands,
  deleteCommands,
  elementCommands,
  familiesOf,
} from '../../../src/firewall/vrrp-ruleset.js';

const v4 = (address: string, ifname = 'eth0') => ({ family: 4 as const, address, ifname });
const v6 = (address: string, ifname = 'eth0') => ({ family: 6 as const, address, ifname });
const settings = { table: 'keepalived', priority: -1, counters: false };

describe('VRRP firewall: who is guarded and what the sets hold', () => {
  const strict: GuardedInstance = {
    name: 'A',
    noAccept: true,
    family: 4,
    addresses: [v4('10.0.0.1'), v6('fe80::1')],
  };
  const owner: GuardedInstance = { name: 'B', noAccept: false, family: 4, addresses: [v4('10.0.0.2')] };
  const vmac6: GuardedInstance = {
    name: 'C',
    noAccept: false,
    family: 6,
    addresses: [v6('fd00::3')],
    vmac: { name: 'vrrp.3', parent: 'eth0' },
  };

  it('makes no firewall for accept-mode instances without VMACs unless nftables is named', () => {
    assert.equal(firewallShape([owner], false), null);
    assert.deepEqual(familiesOf(firewallShape([owner], true)!), []);
  });

  it('guards the families a no_accept instance has addresses in, link-local apart', () => {
    const shape = firewallShape([strict, owner], false)!;
    assert.deepEqual(shape, {
      ip: { vips: true, vmac: false },
      ip6: { vips: false, linkLocal: true, vmac: false },
    });
    assert.deepEqual(familiesOf(shape), ['ip', 'ip6']);
  });

  it('drops only the addresses of guarded instances that hold them', () => {
    assert.deepEqual(firewallContents([strict, owner], new Set(['B'])).vips4, []);
    const c = firewallContents([strict, owner], new Set(['A', 'B']));
    assert.deepEqual(c.vips4, ['10.0.0.1']);
    assert.deepEqual(c.linkLocal6, [{ address: 'fe80::1', ifname: 'eth0' }]);
  });

  it('puts a VMAC in the map of each family its instance has addresses in', () => {
    const c = firewallContents([vmac6], new Set());
    assert.deepEqual(c.vmacs4, []);
    assert.deepEqual(c.vmacs6, [{ vmac: 'vrrp.3', parent: 'eth0' }]);
    assert.deepEqual(firewallShape([vmac6], false), {
      ip: { vips: false, vmac: false },
      ip6: { vips: false, linkLocal: false, vmac: true },
    });
  });

  it('replaces a leftover table atomically and deletes only its own tables', () => {
    const shape = firewallShape([strict], false)!;
    const cmds = createCommands(settings, shape, firewallContents([strict], new Set(['A'])));
    assert.deepEqual(cmds.slice(0, 3), [
      { add: { table: { family: 'ip', name: 'keepalived' } } },
      { delete: { table: { family: 'ip', name: 'keepalived' } } },
      { add: { table: { family: 'ip', name: 'keepalived' } } },
    ]);
    assert.deepEqual(
      deleteCommands(settings, shape).map((c) => Object.keys(c)[0]),
      ['add', 'delete', 'add', 'delete'],
    );
    const fills = elementCommands(settings, shape, firewallContents([strict], new Set()));
    assert.ok(
      fills.every((c) => 'flush' in c),
      'an empty set is flushed, nothing added',
    );
  });

  it('adds counters only when nftables_counters is set', () => {
    const shape = firewallShape([strict], false)!;
    const text = (counters: boolean) =>
      JSON.stringify(createCommands({ ...settings, counters }, shape, firewallContents([strict], new Set())));
    assert.ok(text(true).includes('"counter"'));
    assert.ok(!text(false).includes('"counter"'));
  });
});
