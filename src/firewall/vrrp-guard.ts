/**
 * @module Which instances the VRRP firewall guards and what its sets hold, from the
 * instances' plans and the VIPs they hold right now. Pure: no `node:*`.
 *
 * keepalived 2.2.7's rules, as observed with `nft list ruleset` next to it:
 * - an instance is guarded when it is not in accept mode and not the address owner
 *   (priority 255 always accepts); its VIPs and excluded VIPs are dropped while it holds
 *   them, i.e. while MASTER;
 * - the firewall exists when some instance is guarded or uses a VMAC, or when global_defs
 *   names `nftables` explicitly;
 * - a VMAC is in a family's map when its instance has addresses of that family (an IPv4
 *   instance with only IPv4 VIPs stays out of the ip6 table).
 */
import type { FirewallContents, FirewallShape } from './vrrp-ruleset.js';

export interface GuardedAddress {
  readonly family: 4 | 6;
  /** Text form as nft prints it (e.g. 10.0.0.1, fd00::1). */
  readonly address: string;
  /** Interface the address lives on. */
  readonly ifname: string;
}

export interface GuardedInstance {
  readonly name: string;
  /** Not accept mode and not the address owner. */
  readonly noAccept: boolean;
  readonly family: 4 | 6;
  readonly addresses: readonly GuardedAddress[];
  readonly vmac?: { readonly name: string; readonly parent: string };
}

const isLinkLocal = (a: GuardedAddress) => a.family === 6 && /^fe[89ab]/i.test(a.address);

/** Families a VMAC carries: its instance's own and those of any of its addresses. */
function vmacFamilies(i: GuardedInstance): { v4: boolean; v6: boolean } {
  return {
    v4: i.family === 4 || i.addresses.some((a) => a.family === 4),
    v6: i.family === 6 || i.addresses.some((a) => a.family === 6),
  };
}

/** The table layout the instances need; null when there is no firewall to make. */
export function firewallShape(
  instances: readonly GuardedInstance[],
  explicit: boolean,
): FirewallShape | null {
  const guarded = instances.filter((i) => i.noAccept);
  const vmacs = instances.filter((i) => i.vmac !== undefined).map(vmacFamilies);
  const shape: FirewallShape = {
    ip: {
      vips: guarded.some((i) => i.addresses.some((a) => a.family === 4)),
      vmac: vmacs.some((f) => f.v4),
    },
    ip6: {
      vips: guarded.some((i) => i.addresses.some((a) => a.family === 6 && !isLinkLocal(a))),
      linkLocal: guarded.some((i) => i.addresses.some(isLinkLocal)),
      vmac: vmacs.some((f) => f.v6),
    },
  };
  const needed = guarded.length > 0 || vmacs.length > 0;
  if (!needed && !explicit) return null;
  return shape;
}

/** What the sets and maps hold: the addresses of guarded instances in `holding`, and every VMAC. */
export function firewallContents(
  instances: readonly GuardedInstance[],
  holding: ReadonlySet<string>,
): FirewallContents {
  const dropped = instances.filter((i) => i.noAccept && holding.has(i.name)).flatMap((i) => i.addresses);
  const unique = (list: string[]) => [...new Set(list)];
  const vmacs = instances.flatMap((i) =>
    i.vmac === undefined ? [] : [{ entry: { vmac: i.vmac.name, parent: i.vmac.parent }, f: vmacFamilies(i) }],
  );
  return {
    vips4: unique(dropped.filter((a) => a.family === 4).map((a) => a.address)),
    vips6: unique(dropped.filter((a) => a.family === 6 && !isLinkLocal(a)).map((a) => a.address)),
    linkLocal6: dropped.filter(isLinkLocal).map((a) => ({ address: a.address, ifname: a.ifname })),
    vmacs4: vmacs.filter((v) => v.f.v4).map((v) => v.entry),
    vmacs6: vmacs.filter((v) => v.f.v6).map((v) => v.entry),
  };
}
