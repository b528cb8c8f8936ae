/**
 * @module The host's interfaces as the daemon needs them: index, name, up/down, MAC and
 * addresses (primary IPv4, IPv6 link-local), read by an rtnetlink dump of links and
 * addresses, and kept up to date between dumps from the kernel's notifications
 * (`applyRtnlEvent`, fed by the link monitor).
 */

import {
  AF,
  getAddressesRequest,
  getLinksRequest,
  IFA_F,
  isLinkUp,
  type RtnlEvent,
} from '../netlink/index.js';
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
    if (a.family === AF.INET6 && isIpv6LinkLocal(bytes)) slot.ll.push(bytes);
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

/** What one rtnetlink notification changed in an interface table. */
export type InterfaceChange =
  /** A name appeared, or came back with a new ifindex (deleted and re-created). */
  | { readonly kind: 'added'; readonly info: InterfaceInfo }
  | { readonly kind: 'deleted'; readonly info: InterfaceInfo }
  /** Flags, MAC or addresses of a known interface. */
  | { readonly kind: 'changed'; readonly info: InterfaceInfo };

function isIpv6LinkLocal(bytes: Uint8Array): boolean {
  return bytes[0] === 0xfe && (bytes[1]! & 0xc0) === 0x80;
}

function byIndex(table: ReadonlyMap<string, InterfaceInfo>, ifindex: number): InterfaceInfo | undefined {
  for (const i of table.values()) if (i.ifindex === ifindex) return i;
  return undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Applies one rtnetlink notification to `table` (by name, as readInterfaces builds it),
 * so the table follows the kernel between dumps: links appear, go, are renamed or
 * re-created with a new ifindex, and gain or lose addresses. Returns what changed, or
 * null when the event concerns no interface of the table (routes, unknown ifindex).
 */
export function applyRtnlEvent(table: Map<string, InterfaceInfo>, event: RtnlEvent): InterfaceChange | null {
  if (event.kind === 'link') {
    const l = event.link;
    const known = byIndex(table, l.ifindex);
    if (event.op === 'del') {
      if (known === undefined) return null;
      table.delete(known.name);
      return { kind: 'deleted', info: known };
    }
    const name = l.name ?? known?.name;
    if (name === undefined) return null;
    // A rename leaves the old name behind: that name is gone.
    if (known !== undefined && known.name !== name) table.delete(known.name);
    const info: InterfaceInfo = {
      ifindex: l.ifindex,
      name,
      up: isLinkUp(l),
      mac: l.address ?? known?.mac ?? new Uint8Array(0),
      ipv4: known?.ipv4 ?? [],
      ipv6LinkLocal: known?.ipv6LinkLocal ?? [],
    };
    const before = table.get(name);
    table.set(name, info);
    return before === undefined || before.ifindex !== l.ifindex
      ? { kind: 'added', info }
      : { kind: 'changed', info };
  }
  if (event.kind !== 'address') return null;
  const a = event.address;
  const known = byIndex(table, a.ifindex);
  const bytes = a.local ?? a.address;
  if (known === undefined || bytes === undefined) return null;
  const add = event.op !== 'del';
  let { ipv4, ipv6LinkLocal } = known;
  if (a.family === AF.INET && (a.flags & IFA_F.SECONDARY) === 0) {
    ipv4 = ipv4.filter((x) => !sameBytes(x, bytes));
    if (add) ipv4 = [...ipv4, bytes];
  } else if (a.family === AF.INET6 && isIpv6LinkLocal(bytes)) {
    ipv6LinkLocal = ipv6LinkLocal.filter((x) => !sameBytes(x, bytes));
    // A tentative address cannot be sent from yet: it counts once DAD is done (a new RTM_NEWADDR).
    if (add && (a.flags & (IFA_F.TENTATIVE | IFA_F.DADFAILED)) === 0)
      ipv6LinkLocal = [...ipv6LinkLocal, bytes];
  } else return null;
  const info = { ...known, ipv4, ipv6LinkLocal };
  table.set(known.name, info);
  return { kind: 'changed', info };
}

/** Replaces the contents of `target` with `fresh` (holders of `target` see the new view). */
export function replaceInterfaces(
  target: Map<string, InterfaceInfo>,
  fresh: ReadonlyMap<string, InterfaceInfo>,
): void {
  target.clear();
  for (const [name, info] of fresh) target.set(name, info);
}
