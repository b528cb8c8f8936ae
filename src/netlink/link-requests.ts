/**
 * @module Link requests, byte for byte as iproute2 sends them: dump, lookup by index or
 * name, VRRP VMAC creation (macvlan with a given MAC and mode), deletion, up/down, MTU,
 * IPv6 address generation mode and IPv4 devconf (arp_ignore...) for VMACs.
 */

import { encodeAttr, encodeAttrs } from './attr.js';
import { assertInt, concatBytes, view } from './bytes.js';
import { AF, IFF, IFLA, IFLA_INET, NLM_F, RTEXT_FILTER, RTM } from './constants.js';
import { encodeLink, ifinfomsgLayout, type Link } from './link.js';
import { afSpecSchema } from './link-af.js';
import { encodeMessage } from './message.js';
import { encodeStruct } from './struct.js';

const bare = { family: AF.UNSPEC, type: 0, ifindex: 0, flags: 0, change: 0 } as const;

/** RTM_GETLINK dump of every link. */
export function getLinksRequest(seq: number): Uint8Array {
  return encodeLink(bare, { type: RTM.GETLINK, flags: NLM_F.REQUEST | NLM_F.DUMP, seq });
}

/** RTM_GETLINK of one link by index. */
export function getLinkRequest(ifindex: number, seq: number): Uint8Array {
  return encodeLink({ ...bare, ifindex }, { type: RTM.GETLINK, flags: NLM_F.REQUEST | NLM_F.ACK, seq });
}

/** What a VRRP VMAC needs: the macvlan's name, parent, MAC and mode (private or bridge). */
export type MacvlanSpec = {
  readonly name: string;
  readonly parent: number;
  /** 6-byte MAC, e.g. 00:00:5e:00:01:VRID. */
  readonly address: Uint8Array;
  /** MACVLAN_MODE_PRIVATE (keepalived's default) or MACVLAN_MODE_BRIDGE. */
  readonly mode: number;
};

/** RTM_NEWLINK creating a macvlan (NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK), as `ip link add` sends it. */
export function createMacvlanRequest(spec: MacvlanSpec, seq: number): Uint8Array {
  if (spec.address.length !== 6) throw new RangeError('netlink: macvlan address must be 6 bytes');
  const link: Link = {
    ...bare,
    address: spec.address,
    parent: spec.parent,
    name: spec.name,
    info: { kind: 'macvlan', macvlanMode: spec.mode },
  };
  const flags = NLM_F.REQUEST | NLM_F.ACK | NLM_F.CREATE | NLM_F.EXCL;
  return encodeLink(link, { type: RTM.NEWLINK, flags, seq });
}

/** RTM_DELLINK of a link by index. */
export function deleteLinkRequest(ifindex: number, seq: number): Uint8Array {
  return encodeLink({ ...bare, ifindex }, { type: RTM.DELLINK, flags: NLM_F.REQUEST | NLM_F.ACK, seq });
}

/** RTM_NEWLINK setting IFF_UP on or off (ifi_change = IFF_UP), as `ip link set up|down` sends it. */
export function setLinkUpRequest(ifindex: number, up: boolean, seq: number): Uint8Array {
  const link = { ...bare, ifindex, flags: up ? IFF.UP : 0, change: IFF.UP };
  return encodeLink(link, { type: RTM.NEWLINK, flags: NLM_F.REQUEST | NLM_F.ACK, seq });
}

/** RTM_NEWLINK setting the MTU of a link. */
export function setLinkMtuRequest(ifindex: number, mtu: number, seq: number): Uint8Array {
  return encodeLink({ ...bare, ifindex, mtu }, { type: RTM.NEWLINK, flags: NLM_F.REQUEST | NLM_F.ACK, seq });
}

/** RTM_GETLINK of one link by name, as `ip` resolves names (no stats, IFLA_EXT_MASK VF | SKIP_STATS). */
export function getLinkByNameRequest(name: string, seq: number): Uint8Array {
  const attrs = encodeAttrs(
    { extMask: { type: IFLA.EXT_MASK, kind: 'u32' }, ifname: { type: IFLA.IFNAME, kind: 'string' } } as const,
    { extMask: RTEXT_FILTER.VF | RTEXT_FILTER.SKIP_STATS, ifname: name },
  );
  return encodeLinkWith(RTM.GETLINK, NLM_F.REQUEST, seq, 0, attrs);
}

/** RTM_NEWLINK setting IFLA_INET6_ADDR_GEN_MODE, as `ip link set DEV addrgenmode none|eui64|...` sends it. */
export function setAddrGenModeRequest(ifindex: number, mode: number, seq: number): Uint8Array {
  const attrs = encodeAttrs(
    { afSpec: { type: IFLA.AF_SPEC, kind: 'nested', schema: afSpecSchema } } as const,
    {
      afSpec: { inet6: { addrGenMode: mode } },
    },
  );
  return encodeLinkWith(RTM.NEWLINK, NLM_F.REQUEST | NLM_F.ACK, seq, ifindex, attrs);
}

/** RTM_NEWLINK setting IPv4 devconf values (IPV4_DEVCONF id → value), e.g. arp_ignore on a VMAC. */
export function setIpv4DevconfRequest(
  ifindex: number,
  values: ReadonlyMap<number, number>,
  seq: number,
): Uint8Array {
  const entries = [...values].map(([id, v]) => {
    assertInt(id, 1, 0x3fff, 'IPV4_DEVCONF id');
    assertInt(v, 0, 0xffffffff, 'IPV4_DEVCONF value');
    const b = new Uint8Array(4);
    view(b).setUint32(0, v, true);
    return encodeAttr(id, b);
  });
  const conf = encodeAttr(IFLA_INET.CONF, concatBytes(entries));
  const afSpec = encodeAttr(IFLA.AF_SPEC, encodeAttr(AF.INET, conf));
  return encodeLinkWith(RTM.NEWLINK, NLM_F.REQUEST | NLM_F.ACK, seq, ifindex, afSpec);
}

/** A link request whose attributes are already encoded (ones the Link value does not carry). */
function encodeLinkWith(
  type: number,
  flags: number,
  seq: number,
  ifindex: number,
  attrs: Uint8Array,
): Uint8Array {
  const hdr = encodeStruct(ifinfomsgLayout, {
    family: AF.UNSPEC,
    type: 0,
    index: ifindex,
    flags: 0,
    change: 0,
  });
  return encodeMessage({ type, flags, seq }, concatBytes([hdr, attrs]));
}
