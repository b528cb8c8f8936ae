/**
 * @module Links: RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK (rtnetlink.h, if_link.h).
 * Body: struct ifinfomsg (16 bytes) then IFLA_* attributes. keepalived needs to list links,
 * follow their state (IFF_UP / IFF_RUNNING / IFF_LOWER_UP, IFLA_OPERSTATE), and create
 * VRRP VMACs: a macvlan on a parent link with the virtual MAC 00-00-5E-00-01-{VRID}.
 */

import { ok, type Result } from '../wire/result.js';
import type { AttrValues } from './attr.js';
import { defined } from './bytes.js';
import { IFF, IFLA, IFLA_INFO, IFLA_MACVLAN, RTM } from './constants.js';
import { fail, type NetlinkDecodeError } from './decode-error.js';
import { afSpecFrom, afSpecSchema, afSpecTo, type Inet6Link } from './link-af.js';
import { encodeMessage, type NlMessage } from './message.js';
import { decodeBody, encodeBody } from './struct.js';

/** struct ifinfomsg: family, pad, type (ARPHRD_*), index, flags (IFF_*), change mask. */
export const ifinfomsgLayout = [
  ['family', 'u8'],
  ['pad', 'pad8'],
  ['type', 'u16'],
  ['index', 's32'],
  ['flags', 'u32'],
  ['change', 'u32'],
] as const;

/** IFLA_INFO_DATA for kind "macvlan". */
export const macvlanSchema = {
  mode: { type: IFLA_MACVLAN.MODE, kind: 'u32' },
  flags: { type: IFLA_MACVLAN.FLAGS, kind: 'u16' },
} as const;

/** IFLA_LINKINFO; `data` stays raw until the kind says which schema it follows. */
export const linkInfoSchema = {
  kind: { type: IFLA_INFO.KIND, kind: 'chars' },
  data: { type: IFLA_INFO.DATA, kind: 'binary' },
  slaveKind: { type: IFLA_INFO.SLAVE_KIND, kind: 'string' },
} as const;

/** IFLA_* attributes we read and write, in the order iproute2 writes them. */
export const linkSchema = {
  address: { type: IFLA.ADDRESS, kind: 'binary' },
  broadcast: { type: IFLA.BROADCAST, kind: 'binary' },
  link: { type: IFLA.LINK, kind: 'u32' },
  ifname: { type: IFLA.IFNAME, kind: 'string' },
  mtu: { type: IFLA.MTU, kind: 'u32' },
  master: { type: IFLA.MASTER, kind: 'u32' },
  txqlen: { type: IFLA.TXQLEN, kind: 'u32' },
  operstate: { type: IFLA.OPERSTATE, kind: 'u8' },
  linkmode: { type: IFLA.LINKMODE, kind: 'u8' },
  group: { type: IFLA.GROUP, kind: 'u32' },
  carrier: { type: IFLA.CARRIER, kind: 'u8' },
  linkinfo: { type: IFLA.LINKINFO, kind: 'nested', schema: linkInfoSchema },
  afSpec: { type: IFLA.AF_SPEC, kind: 'nested', schema: afSpecSchema },
} as const;

/** IFLA_LINKINFO as a domain value; macvlan fields only for kind "macvlan". */
export type LinkInfo = {
  /** IFLA_INFO_KIND: "veth", "macvlan", "bridge"... */
  readonly kind: string;
  /** IFLA_MACVLAN_MODE: MACVLAN_MODE_* (u32). */
  readonly macvlanMode?: number;
  /** IFLA_MACVLAN_FLAGS (u16). */
  readonly macvlanFlags?: number;
};

/** A link as rtnetlink describes it. Absent attributes are undefined. */
export type Link = {
  /** ifi_family: AF_UNSPEC (0) in practice. */
  readonly family: number;
  /** ifi_type: ARPHRD_* (1 = Ethernet, 772 = loopback). */
  readonly type: number;
  /** ifi_index; 0 in a create request lets the kernel choose. */
  readonly ifindex: number;
  /** ifi_flags: IFF_* bits. */
  readonly flags: number;
  /** ifi_change: which IFF_* bits a request changes (0xffffffff in kernel notifications). */
  readonly change: number;
  readonly name?: string;
  /** IFLA_ADDRESS: link-layer address, 6 bytes on Ethernet. */
  readonly address?: Uint8Array;
  readonly broadcast?: Uint8Array;
  /** IFLA_MTU, bytes. */
  readonly mtu?: number;
  /** IFLA_LINK: parent ifindex (macvlan, veth peer). */
  readonly parent?: number;
  /** IFLA_MASTER: ifindex of the bridge / bond / VRF holding this link. */
  readonly master?: number;
  /** IFLA_OPERSTATE: IF_OPER_* (RFC 2863). */
  readonly operstate?: number;
  /** IFLA_CARRIER: 1 when the carrier is up. */
  readonly carrier?: number;
  readonly txqlen?: number;
  readonly info?: LinkInfo;
  /** IFLA_AF_SPEC / AF_INET: IPv4 devconf values, index i = IPV4_DEVCONF id i + 1. */
  readonly ipv4Devconf?: readonly number[];
  /** IFLA_AF_SPEC / AF_INET6: flags and IN6_ADDR_GEN_MODE_*. */
  readonly inet6?: Inet6Link;
};

const LINK_TYPES: readonly number[] = [RTM.NEWLINK, RTM.DELLINK, RTM.GETLINK, RTM.SETLINK];

/** Decodes an RTM_*LINK message (dump reply, notification or request). */
export function decodeLink(msg: NlMessage): Result<Link, NetlinkDecodeError> {
  if (!LINK_TYPES.includes(msg.header.type)) return fail('unexpected-type', msg.offset);
  const base = msg.offset + 16;
  const body = decodeBody(ifinfomsgLayout, linkSchema, msg.payload, base);
  if (!body.ok) return body;
  const { hdr, attrs: a } = body.value;
  const info = a.linkinfo === undefined ? undefined : decodeInfo(a.linkinfo);
  if (info !== undefined && !info.ok) return fail('attr-size', base, IFLA.LINKINFO);
  const af = a.afSpec === undefined ? undefined : afSpecFrom(a.afSpec, base);
  if (af !== undefined && !af.ok) return af;
  return ok({
    family: hdr.family,
    type: hdr.type,
    ifindex: hdr.index,
    flags: hdr.flags,
    change: hdr.change,
    ...defined({
      name: a.ifname,
      address: a.address,
      broadcast: a.broadcast,
      mtu: a.mtu,
      parent: a.link,
      master: a.master,
      operstate: a.operstate,
      carrier: a.carrier,
      txqlen: a.txqlen,
      info: info?.value,
    }),
    ...af?.value,
  });
}

function decodeInfo(li: AttrValues<typeof linkInfoSchema>): Result<LinkInfo, NetlinkDecodeError> {
  const kind = li.kind ?? '';
  if (kind !== 'macvlan' || li.data === undefined) return ok({ kind });
  const d = decodeBody([], macvlanSchema, li.data);
  if (!d.ok) return d;
  return ok({ kind, ...defined({ macvlanMode: d.value.attrs.mode, macvlanFlags: d.value.attrs.flags }) });
}

function encodeInfo(info: LinkInfo): AttrValues<typeof linkInfoSchema> {
  if (info.kind !== 'macvlan' || (info.macvlanMode === undefined && info.macvlanFlags === undefined)) {
    return { kind: info.kind };
  }
  return {
    kind: info.kind,
    data: encodeBody([], macvlanSchema, {}, { mode: info.macvlanMode, flags: info.macvlanFlags }),
  };
}

/** Encodes a Link as an RTM_*LINK message of the given type. */
export function encodeLink(link: Link, h: { type: number; flags: number; seq: number }): Uint8Array {
  const attrs: AttrValues<typeof linkSchema> = {
    address: link.address,
    broadcast: link.broadcast,
    link: link.parent,
    ifname: link.name,
    mtu: link.mtu,
    master: link.master,
    txqlen: link.txqlen,
    operstate: link.operstate,
    carrier: link.carrier,
    linkinfo: link.info === undefined ? undefined : encodeInfo(link.info),
    afSpec: afSpecTo(link),
  };
  const hdr = {
    family: link.family,
    type: link.type,
    index: link.ifindex,
    flags: link.flags,
    change: link.change,
  };
  return encodeMessage(h, encodeBody(ifinfomsgLayout, linkSchema, hdr, attrs));
}

/** Whether IFF_UP, IFF_RUNNING and IFF_LOWER_UP are all set (keepalived's "interface up"). */
export function isLinkUp(link: Link): boolean {
  const want = IFF.UP | IFF.RUNNING | IFF.LOWER_UP;
  return (link.flags & want) === want;
}
