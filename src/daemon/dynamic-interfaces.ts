/**
 * @module Interfaces that come and go under a running daemon, keepalived 2.2.7's rules
 * (observed with the Debian build in namespaces):
 * - at start-up, an interface the config names (an instance's, a track_interface, a
 *   VIP's `dev`) that does not exist stops the daemon ("Non-existent interface specified
 *   in configuration", exit status 2), unless `dynamic_interfaces` is set: then the
 *   instance waits in FAULT ("Configuration specifies interface X which doesn't currently
 *   exist - will use if created") and runs once the interface appears and is up;
 * - with or without `dynamic_interfaces`, an interface deleted under the daemon puts its
 *   instances in FAULT ("Interface X deleted"), and one created again under the same name
 *   (a new ifindex) is picked up ("Interface X added"): the instances leave FAULT when it
 *   is up and run on the new ifindex (socket, multicast membership, VIPs, GARP);
 * - an interface that loses the address an instance sends from puts the instance in
 *   FAULT; an address coming back (any primary one) lets it run again from that address.
 * Pure: which names a config depends on, and whether a fresh plan differs from a running
 * one in what binds it to the kernel.
 */

import type { Config, VrrpInstance } from '../config/model.js';
import type { InterfaceInfo } from '../io/interfaces.js';
import { vmacName } from '../io/vmac.js';
import { type AddressSpec, AF } from '../netlink/index.js';
import type { InstanceState, TimerName, VrrpEffect } from '../vrrp/index.js';
import type { InstancePlan } from './instance-config.js';

/** Interface names one instance needs: its own, its track_interface, its VIPs' `dev`. */
export function instanceInterfaces(i: VrrpInstance): string[] {
  const names = new Set<string>();
  if (i.interface) names.add(i.interface);
  for (const t of i.trackInterfaces) names.add(t.name);
  for (const a of [...i.virtualAddresses, ...i.excludedAddresses]) if (a.dev) names.add(a.dev);
  return [...names];
}

/**
 * The names the config's VRRP part needs that `table` lacks, in config order. The VMACs
 * the daemon makes itself are not required (they do not exist before it runs).
 */
export function missingInterfaces(config: Config, table: ReadonlyMap<string, InterfaceInfo>): string[] {
  const names = new Set<string>();
  for (const i of config.vrrpInstances) for (const n of instanceInterfaces(i)) names.add(n);
  for (const g of config.vrrpSyncGroups) for (const t of g.trackInterfaces) names.add(t.name);
  const vmacs = new Set(
    config.vrrpInstances.flatMap((i) =>
      i.useVmac === undefined ? [] : [vmacName(i.virtualRouterId ?? 0, i.useVmac.name)],
    ),
  );
  return [...names].filter((n) => !table.has(n) && !vmacs.has(n));
}

/** The plan of an instance is bound to interface `name` (its own, its parent's, a VIP's). */
export function planUses(plan: InstancePlan, name: string): boolean {
  const i = plan.source;
  return (
    plan.ifname === name ||
    i.interface === name ||
    [...i.virtualAddresses, ...i.excludedAddresses].some((a) => a.dev === name)
  );
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** A fresh plan binds differently: another ifindex, source address, VIP ifindex, or problem. */
export function planMoved(running: InstancePlan, fresh: InstancePlan): boolean {
  return (
    running.ifname !== fresh.ifname ||
    running.ifindex !== fresh.ifindex ||
    running.problem !== fresh.problem ||
    !sameBytes(running.advert.source.bytes, fresh.advert.source.bytes) ||
    running.vips.length !== fresh.vips.length ||
    running.vips.some((v, k) => v.ifindex !== fresh.vips[k]?.ifindex)
  );
}

/**
 * The table as instances pick their source address from it: without the VIPs (a VIP left
 * alone on an interface is its primary address, but never an advert's source).
 */
export function withoutVips(
  table: ReadonlyMap<string, InterfaceInfo>,
  vips: readonly AddressSpec[],
): ReadonlyMap<string, InterfaceInfo> {
  const v4 = vips.filter((v) => v.family === AF.INET).map((v) => v.local);
  if (v4.length === 0) return table;
  const out = new Map<string, InterfaceInfo>();
  for (const [name, i] of table)
    out.set(name, { ...i, ipv4: i.ipv4.filter((a) => !v4.some((v) => sameBytes(v, a))) });
  return out;
}

/**
 * The address an instance sends from is no longer on its interface (deleted, or the
 * interface lost every address): keepalived puts it in FAULT until one comes back.
 * `unicast_src_ip` is the operator's choice and is not followed.
 */
export function sourceAddressGone(plan: InstancePlan, info: InterfaceInfo): boolean {
  if (plan.problem !== null || plan.source.unicastSrcIp !== undefined || plan.ifname !== info.name)
    return false;
  const held = plan.family === 'ipv4' ? info.ipv4 : info.ipv6LinkLocal;
  return !held.some((a) => sameBytes(a, plan.advert.source.bytes));
}

/**
 * A running instance's state moved onto a new plan: the engine config of the new plan
 * (its source address), everything else as it was; the armed timers come back as
 * effects so the new runtime re-arms them under its own callbacks.
 */
export function carriedState(
  state: InstanceState,
  freshConfig: InstanceState['config'],
): { instance: InstanceState; effects: VrrpEffect[] } {
  const effects: VrrpEffect[] = [];
  for (const [timer, atMs] of Object.entries(state.timers) as [TimerName, number | null][])
    if (atMs !== null) effects.push({ type: 'armTimer', timer, atMs });
  return { instance: { ...state, config: freshConfig }, effects };
}
