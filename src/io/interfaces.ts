/**
 * @module The host's interfaces as the daemon needs them: index, name, up/down, MAC and
 * addresses (primary IPv4, IPv6 link-local), read by an rtnetlink dump of links and
 * addresses. Kept up to date by the link monitor.
 */

import { AF, getAddressesRequest, getLinksRequest, IFA_F, isLinkUp } from '../netlink/index.js';
import type { RtnetlinkClient } from './rtnetlink-client.js';

export interface InterfaceInfo {
  readonly ifindex: number;
  readonly name: string;
  /** IFF_UP, IFF_RUNNING and IFF_LOWER_UP all set. */
  readonly up: boolean;
  /** Link-layer address, 6 bytes on Ethernet (empty when none). */
  readonly mac: Uint8Array;
  /** IPv4 addresses in dump order (primary first), 4 bytes each, secondaries excluded. */
  readonly ipv4: readonly Uint8Array[];
  /** IPv6 link-local addresses, 16 bytes each. */
  readonly ipv6LinkLocal: readonly Uint8Array[];
}

/** Dumps links and addresses into a map by interface name. */
export async function readInterfaces(nl: RtnetlinkClient): Promise<Map<string, InterfaceInfo>> {
  const links = await nl.dump((seq) => getLinksRequest(seq));
  const addrs = await nl.dump((seq) => getAddressesRequest(AF.UNSPEC, seq));
  const byIndex = new Map<number, { v4: Uint8Array[]; ll: Uint8Array[] }>();
  for (const e of addrs) {
    if (e.kind !== 'address') continue;
    const a = e.address;
    const slot = byIndex.get(a.ifindex) ?? { v4: [], ll: [] };
    byIndex.set(a.ifindex, slot);
    const bytes = a.local ?? a.address;
    if (bytes === undefined) continue;
    if (a.family === AF.INET && (a.flags & IFA_F.SECONDARY) === 0) slot.v4.push(bytes);
    if (a.family === AF.INET6 && bytes[0] === 0xfe && (bytes[1]! & 0xc0) === 0x80) slot.ll.push(bytes);
  }
  const out = new Map<string, InterfaceInfo>();
  for (const e of links) {
    if (e.kind !== 'link' || e.link.name === undefined) continue;
    const l = e.link;
    const slot = byIndex.get(l.ifindex);
    out.set(l.name!, {
      ifindex: l.ifindex,
      name: l.name!,
      up: isLinkUp(l),
      mac: l.address ?? new Uint8Array(0),
      ipv4: slot?.v4 ?? [],
      ipv6LinkLocal: slot?.ll ?? [],
    });
  }
  return out;
}
