/**
 * @module Addresses: RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR (rtnetlink.h, if_addr.h).
 * Body: struct ifaddrmsg (8 bytes) then IFA_* attributes. This is how VRRP virtual
 * addresses are added and removed (with label, scope, broadcast, IFA_F_NODAD for IPv6).
 *
 * Flags: ifaddrmsg carries the low 8 bits, IFA_FLAGS all 32. Like iproute2 we send flags
 * that fit in 8 bits in the header only, and larger ones in IFA_FLAGS with a zero header
 * field; on decode IFA_FLAGS wins when present.
 */

import { ok, type Result } from '../wire/result.js';
import type { AttrValues } from './attr.js';
import { defined } from './bytes.js';
import { AF, IFA, NLM_F, RT_SCOPE, RTM } from './constants.js';
import { fail, type NetlinkDecodeError } from './decode-error.js';
import { encodeMessage, type NlMessage } from './message.js';
import { decodeBody, encodeBody } from './struct.js';

/** struct ifaddrmsg: family, prefixlen, flags (low 8 bits of IFA_F_*), scope, index. */
export const ifaddrmsgLayout = [
  ['family', 'u8'],
  ['prefixlen', 'u8'],
  ['flags', 'u8'],
  ['scope', 'u8'],
  ['index', 'u32'],
] as const;

/** IFA_* attributes, in the order iproute2 writes them. */
export const addrSchema = {
  local: { type: IFA.LOCAL, kind: 'ip' },
  broadcast: { type: IFA.BROADCAST, kind: 'ipv4' },
  label: { type: IFA.LABEL, kind: 'string' },
  flags: { type: IFA.FLAGS, kind: 'u32' },
  address: { type: IFA.ADDRESS, kind: 'ip' },
  cacheinfo: { type: IFA.CACHEINFO, kind: 'binary' },
  rtPriority: { type: IFA.RT_PRIORITY, kind: 'u32' },
  proto: { type: IFA.PROTO, kind: 'u8' },
} as const;

/**
 * An interface address. For IPv4 `local` is the address itself and `address` the peer (equal
 * to `local` without a peer); IPv6 dumps carry only `address`. Addresses are 4 or 16 bytes.
 */
export type Address = {
  /** AF_INET (2) or AF_INET6 (10). */
  readonly family: number;
  readonly ifindex: number;
  /** Prefix length, bits (0..32 or 0..128). */
  readonly prefixLen: number;
  /** RT_SCOPE_*: 0 universe, 253 link, 254 host. */
  readonly scope: number;
  /** IFA_F_* bits, all 32. */
  readonly flags: number;
  /** IFA_LOCAL. */
  readonly local?: Uint8Array;
  /** IFA_ADDRESS. */
  readonly address?: Uint8Array;
  /** IFA_LABEL, IPv4 only: "eth0:vip" style, at most 15 bytes. */
  readonly label?: string;
  /** IFA_BROADCAST, IPv4 only. */
  readonly broadcast?: Uint8Array;
  /** IFA_RT_PRIORITY: metric of the prefix route. */
  readonly rtPriority?: number;
  /** IFA_PROTO: who added the address (IFAPROT_*). */
  readonly proto?: number;
};

const ADDR_TYPES: readonly number[] = [RTM.NEWADDR, RTM.DELADDR, RTM.GETADDR];

function addrLen(family: number): number | undefined {
  return family === AF.INET ? 4 : family === AF.INET6 ? 16 : undefined;
}

/** Decodes an RTM_*ADDR message. Address attributes must match the family's size. */
export function decodeAddress(msg: NlMessage): Result<Address, NetlinkDecodeError> {
  if (!ADDR_TYPES.includes(msg.header.type)) return fail('unexpected-type', msg.offset);
  const base = msg.offset + 16;
  const body = decodeBody(ifaddrmsgLayout, addrSchema, msg.payload, base);
  if (!body.ok) return body;
  const { hdr, attrs: a } = body.value;
  const size = addrLen(hdr.family);
  if (size === undefined) return fail('address-family', base);
  if (hdr.prefixlen > size * 8) return fail('attr-value', base + 1);
  if (a.local !== undefined && a.local.length !== size) return fail('attr-size', base, IFA.LOCAL);
  if (a.address !== undefined && a.address.length !== size) return fail('attr-size', base, IFA.ADDRESS);
  return ok({
    family: hdr.family,
    ifindex: hdr.index,
    prefixLen: hdr.prefixlen,
    scope: hdr.scope,
    flags: a.flags ?? hdr.flags,
    ...defined({
      local: a.local,
      address: a.address,
      label: a.label,
      broadcast: a.broadcast,
      rtPriority: a.rtPriority,
      proto: a.proto,
    }),
  });
}

/** Encodes an Address as an RTM_*ADDR message. Asserts address sizes match the family. */
export function encodeAddress(addr: Address, h: { type: number; flags: number; seq: number }): Uint8Array {
  const size = addrLen(addr.family);
  if (size === undefined) throw new RangeError(`netlink: address family ${addr.family}`);
  for (const b of [addr.local, addr.address]) {
    if (b !== undefined && b.length !== size)
      throw new RangeError('netlink: address size does not match family');
  }
  const small = addr.flags <= 0xff;
  const hdr = {
    family: addr.family,
    prefixlen: addr.prefixLen,
    flags: small ? addr.flags : 0,
    scope: addr.scope,
    index: addr.ifindex,
  };
  const attrs: AttrValues<typeof addrSchema> = {
    local: addr.local,
    broadcast: addr.broadcast,
    label: addr.label,
    flags: small ? undefined : addr.flags,
    address: addr.address,
    rtPriority: addr.rtPriority,
    proto: addr.proto,
  };
  return encodeMessage(h, encodeBody(ifaddrmsgLayout, addrSchema, hdr, attrs));
}

/** RTM_GETADDR dump; family AF_UNSPEC (0) for both, AF_INET or AF_INET6 for one. */
export function getAddressesRequest(family: number, seq: number): Uint8Array {
  const hdr = { family, prefixlen: 0, flags: 0, scope: 0, index: 0 };
  return encodeMessage(
    { type: RTM.GETADDR, flags: NLM_F.REQUEST | NLM_F.DUMP, seq },
    encodeBody(ifaddrmsgLayout, addrSchema, hdr, {}),
  );
}

/** What keepalived's virtual_ipaddress entries need to add or delete an address. */
export type AddressSpec = {
  readonly family: number;
  readonly ifindex: number;
  /** The address, 4 or 16 bytes. */
  readonly local: Uint8Array;
  readonly prefixLen: number;
  /** Point-to-point peer; IFA_ADDRESS is `local` without one. */
  readonly peer?: Uint8Array;
  readonly broadcast?: Uint8Array;
  readonly label?: string;
  /** RT_SCOPE_*; universe by default. */
  readonly scope?: number;
  /** IFA_F_* bits: IFA_F_NODAD for IPv6 VIPs, IFA_F_NOPREFIXROUTE... */
  readonly flags?: number;
};

function specToAddress(s: AddressSpec): Address {
  return {
    family: s.family,
    ifindex: s.ifindex,
    prefixLen: s.prefixLen,
    scope: s.scope ?? RT_SCOPE.UNIVERSE,
    flags: s.flags ?? 0,
    local: s.local,
    address: s.peer ?? s.local,
    ...defined({ label: s.label, broadcast: s.broadcast }),
  };
}

/** RTM_NEWADDR (NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK), as `ip addr add` sends it. */
export function addAddressRequest(spec: AddressSpec, seq: number): Uint8Array {
  const flags = NLM_F.REQUEST | NLM_F.ACK | NLM_F.CREATE | NLM_F.EXCL;
  return encodeAddress(specToAddress(spec), { type: RTM.NEWADDR, flags, seq });
}

/** RTM_DELADDR, as `ip addr del` sends it. */
export function deleteAddressRequest(spec: AddressSpec, seq: number): Uint8Array {
  return encodeAddress(specToAddress(spec), { type: RTM.DELADDR, flags: NLM_F.REQUEST | NLM_F.ACK, seq });
}
