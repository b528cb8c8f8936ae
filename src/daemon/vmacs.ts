/**
 * @module use_vmac in the daemon: one VMAC (io/vmac.ts, a macvlan with the VRRP virtual
 * MAC) per instance that asks for it, made before the instances are planned. The instance
 * then runs on its VMAC — socket, VIPs, GARP from the virtual MAC — with its parent's
 * addresses as the advert source, as keepalived does (with `vmac_xmit_base` only the VIPs
 * and their GARPs use the VMAC; adverts use the parent); the VMACs go on stop.
 */

import type { Config, VrrpInstance } from '../config/model.js';
import type { InterfaceInfo } from '../io/interfaces.js';
import type { RtnetlinkClient } from '../io/rtnetlink-client.js';
import { VmacManager } from '../io/vmac.js';
import { type InstancePlan, planInstance } from './instance-config.js';

export class DaemonVmacs {
  readonly #manager: VmacManager;
  readonly #log: (text: string) => void;
  /** Instance name → VMAC interface name. */
  readonly #of = new Map<string, string>();

  constructor(nl: RtnetlinkClient, log: (text: string) => void) {
    this.#manager = new VmacManager(nl, log);
    this.#log = log;
  }

  /** Creates the VMACs `list` asks for and does not have yet; true if any was made. */
  async create(
    list: readonly VrrpInstance[],
    interfaces: ReadonlyMap<string, InterfaceInfo>,
  ): Promise<boolean> {
    let made = false;
    for (const i of list) {
      const parent = i.interface === undefined ? undefined : interfaces.get(i.interface);
      if (i.useVmac === undefined || parent === undefined || this.#of.has(i.name)) continue;
      const family = i.virtualAddresses[0]?.family === 6 ? 'ipv6' : 'ipv4';
      const spec = {
        instance: i.name,
        vrid: i.virtualRouterId ?? 0,
        family,
        parent: parent.ifindex,
      } as const;
      try {
        const v = await this.#manager.create(
          i.useVmac.name === undefined ? spec : { ...spec, name: i.useVmac.name },
        );
        this.#of.set(i.name, v.name);
        made = true;
      } catch (e) {
        this.#log(`(${i.name}) cannot create VMAC interface: ${(e as Error).message}`);
      }
    }
    return made;
  }

  /** The plan of `i`: on its VMAC if it has one, with the parent's addresses as source. */
  plan(i: VrrpInstance, config: Config, interfaces: ReadonlyMap<string, InterfaceInfo>): InstancePlan {
    const vmac = this.#of.get(i.name);
    const parent = i.interface === undefined ? undefined : interfaces.get(i.interface);
    const info = vmac === undefined ? undefined : interfaces.get(vmac);
    if (vmac === undefined || parent === undefined || info === undefined)
      return planInstance(i, config, interfaces);
    const view = new Map(interfaces).set(vmac, { ...info, ipv4: parent.ipv4 });
    if (i.vmacXmitBase) {
      // vmac_xmit_base: adverts go out (and come in) on the parent with its own MAC; only
      // the VIPs live on the VMAC, so ARP for them still answers with the virtual MAC.
      const virtualAddresses = i.virtualAddresses.map((a) => (a.dev === undefined ? { ...a, dev: vmac } : a));
      return planInstance({ ...i, virtualAddresses }, config, interfaces);
    }
    // VIPs go on the VMAC; excluded VIPs without `dev` stay on the parent, as keepalived does.
    const excludedAddresses = i.excludedAddresses.map((a) =>
      a.dev === undefined ? { ...a, dev: parent.name } : a,
    );
    return planInstance({ ...i, interface: vmac, excludedAddresses }, config, view);
  }

  /** The VMAC interface of an instance, if it has one. */
  of(instance: string): string | undefined {
    return this.#of.get(instance);
  }

  /**
   * The kernel deleted the VMAC of `instance` (its parent went): `create` makes it again
   * when the parent is back, as keepalived does.
   */
  forget(instance: string): void {
    this.#of.delete(instance);
  }

  /** Removes the VMAC of one instance (reload dropped or restarts it). */
  async remove(instance: string): Promise<void> {
    const name = this.#of.get(instance);
    if (name === undefined) return;
    this.#of.delete(instance);
    await this.#manager
      .remove(name)
      .catch((e: unknown) => this.#log(`VMAC removal failed: ${(e as Error).message}`));
  }

  async removeAll(): Promise<void> {
    for (const instance of [...this.#of.keys()]) await this.remove(instance);
  }
}
