/**
 * @module VRRP virtual MAC interfaces (`use_vmac`), as keepalived 2.2.7 makes them
 * (observed here with keepalived in a namespace, `ip -d link` and /proc/sys):
 *
 * - a macvlan in mode private named `vrrp.VRID` (or the configured name) on the parent,
 *   MAC 00:00:5e:00:01:VRID (00:00:5e:00:02:VRID for IPv6), brought up;
 * - on the VMAC: arp_ignore=1, accept_local=1, rp_filter=0, promote_secondaries=1
 *   (arp_filter stays 0); for an IPv4 instance IPv6 is off (addrgenmode none,
 *   disable_ipv6=1);
 * - on the parent: arp_ignore=1 and arp_filter=1, which keepalived leaves set at exit;
 * - for an IPv6 instance no IPv4 sysctls at all; addrgenmode none, and the parent's
 *   link-local address added to the VMAC (nodad; keepalived also marks it deprecated,
 *   preferred_lft 0, which the address builder here cannot express yet);
 * - removed on exit; logs "(VI_1): Success creating VMAC interface vrrp.51" and
 *   "(VI_1) Success removing VMAC interface vrrp.51".
 */

import { writeFile } from 'node:fs/promises';
import { isErrno } from '../native/index.js';
import {
  AF,
  addAddressRequest,
  createMacvlanRequest,
  deleteLinkRequest,
  getAddressesRequest,
  getLinksRequest,
  IFA_F,
  IN6_ADDR_GEN_MODE,
  IPV4_DEVCONF,
  type Link,
  MACVLAN_MODE,
  RT_SCOPE,
  setAddrGenModeRequest,
  setIpv4DevconfRequest,
  setLinkUpRequest,
} from '../netlink/index.js';
import type { RtnetlinkClient } from './rtnetlink-client.js';

/** IPv4 devconf keepalived sets on a VMAC (vrrp_if_config.c `vmac_sysctl`). */
export const VMAC_DEVCONF: ReadonlyMap<number, number> = new Map([
  [IPV4_DEVCONF.ARP_IGNORE, 1],
  [IPV4_DEVCONF.ACCEPT_LOCAL, 1],
  [IPV4_DEVCONF.RP_FILTER, 0],
  [IPV4_DEVCONF.PROMOTE_SECONDARIES, 1],
]);

/** IPv4 devconf keepalived sets on the VMAC's parent (`parent_sysctl`). */
export const PARENT_DEVCONF: ReadonlyMap<number, number> = new Map([
  [IPV4_DEVCONF.ARP_IGNORE, 1],
  [IPV4_DEVCONF.ARPFILTER, 1],
]);

/** keepalived's default VMAC name. */
export function vmacName(vrid: number, configured?: string): string {
  return configured ?? `vrrp.${vrid}`;
}

/** The VRRP virtual router MAC, RFC 5798 §7.3: 00-00-5E-00-01-{VRID} (IPv4), -02- (IPv6). */
export function vmacAddress(vrid: number, family: 'ipv4' | 'ipv6'): Uint8Array {
  return Uint8Array.of(0x00, 0x00, 0x5e, 0x00, family === 'ipv4' ? 0x01 : 0x02, vrid & 0xff);
}

export interface VmacSpec {
  /** keepalived instance name, for log lines. */
  readonly instance: string;
  readonly vrid: number;
  readonly family: 'ipv4' | 'ipv6';
  /** Parent interface index. */
  readonly parent: number;
  /** `use_vmac NAME`; default `vrrp.VRID`. */
  readonly name?: string;
}

export interface Vmac {
  readonly name: string;
  readonly ifindex: number;
  readonly address: Uint8Array;
}

function sameMac(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

export class VmacManager {
  readonly #nl: RtnetlinkClient;
  readonly #log: (text: string) => void;
  readonly #made = new Map<string, { instance: string; ifindex: number }>();

  constructor(nl: RtnetlinkClient, log: (text: string) => void = () => {}) {
    this.#nl = nl;
    this.#log = log;
  }

  async #link(name: string): Promise<Link | undefined> {
    const links = await this.#nl.dump((seq) => getLinksRequest(seq));
    for (const e of links) if (e.kind === 'link' && e.link.name === name) return e.link;
    return undefined;
  }

  /** Creates (or adopts a matching leftover) VMAC, configures it and its parent, brings it up. */
  async create(spec: VmacSpec): Promise<Vmac> {
    const name = vmacName(spec.vrid, spec.name);
    const address = vmacAddress(spec.vrid, spec.family);
    const mode = MACVLAN_MODE.PRIVATE;
    try {
      await this.#nl.request((seq) =>
        createMacvlanRequest({ name, parent: spec.parent, address, mode }, seq),
      );
    } catch (e) {
      if (!isErrno(e, 'EEXIST')) throw e;
      const old = await this.#link(name);
      if (old?.parent !== spec.parent || !sameMac(old.address, address)) throw e;
    }
    const link = await this.#link(name);
    if (link === undefined) throw new Error(`VMAC ${name} vanished after creation`);
    const ifindex = link.ifindex;
    this.#made.set(name, { instance: spec.instance, ifindex });
    await this.#nl.request((seq) => setAddrGenModeRequest(ifindex, IN6_ADDR_GEN_MODE.NONE, seq));
    if (spec.family === 'ipv4') {
      await this.#nl.request((seq) => setIpv4DevconfRequest(ifindex, VMAC_DEVCONF, seq));
      await writeFile(`/proc/sys/net/ipv6/conf/${name}/disable_ipv6`, '1').catch(() => {});
      await this.#nl.request((seq) => setIpv4DevconfRequest(spec.parent, PARENT_DEVCONF, seq));
    }
    await this.#nl.request((seq) => setLinkUpRequest(ifindex, true, seq));
    if (spec.family === 'ipv6') await this.#addParentLinkLocal(spec.parent, ifindex);
    this.#log(`(${spec.instance}): Success creating VMAC interface ${name}`);
    return { name, ifindex, address };
  }

  /** keepalived gives an IPv6 VMAC its parent's link-local address (the advert source). */
  async #addParentLinkLocal(parent: number, ifindex: number): Promise<void> {
    const addrs = await this.#nl.dump((seq) => getAddressesRequest(AF.INET6, seq));
    for (const e of addrs) {
      if (e.kind !== 'address' || e.address.ifindex !== parent) continue;
      const local = e.address.local ?? e.address.address;
      if (local === undefined || local[0] !== 0xfe || ((local[1] ?? 0) & 0xc0) !== 0x80) continue;
      const spec = {
        family: AF.INET6,
        ifindex,
        local,
        prefixLen: 64,
        scope: RT_SCOPE.LINK,
        flags: IFA_F.NODAD,
      };
      await this.#nl
        .request((seq) => addAddressRequest(spec, seq))
        .catch((err: unknown) => {
          if (!isErrno(err, 'EEXIST')) throw err;
        });
      return;
    }
  }

  /** Deletes a VMAC this manager made; a link already gone is success. */
  async remove(name: string): Promise<void> {
    const made = this.#made.get(name);
    if (made === undefined) return;
    this.#made.delete(name);
    try {
      await this.#nl.request((seq) => deleteLinkRequest(made.ifindex, seq));
    } catch (e) {
      if (!isErrno(e, 'ENODEV')) throw e;
    }
    this.#log(`(${made.instance}) Success removing VMAC interface ${name}`);
  }

  /** Names of the VMACs made and not yet removed. */
  held(): string[] {
    return [...this.#made.keys()];
  }

  async removeAll(): Promise<void> {
    for (const name of this.held()) await this.remove(name);
  }
}
