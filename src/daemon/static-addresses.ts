/**
 * @module static_ipaddress: addresses keepalived puts on the host for as long as it runs,
 * whatever the VRRP state, and removes on stop. Without `dev` the address goes on
 * global_defs `default_interface` (keepalived's default: eth0).
 */
import type { VirtualAddress } from '../config/model.js';
import type { InterfaceInfo } from '../io/interfaces.js';
import type { AddressSpec } from '../netlink/index.js';
import { vipSpec } from './instance-config.js';

export function staticAddressSpecs(
  list: readonly VirtualAddress[],
  interfaces: ReadonlyMap<string, InterfaceInfo>,
  defaultInterface = 'eth0',
): { spec: AddressSpec; problem: string | null }[] {
  return list.map((v) => {
    const dev = v.dev ?? defaultInterface;
    const iface = interfaces.get(dev);
    const spec = vipSpec(v, iface?.ifindex ?? 0);
    const where = `${v.loc.file}:${v.loc.line}:${v.loc.col}`;
    return { spec, problem: iface === undefined ? `${where}: interface ${dev} doesn't exist` : null };
  });
}
