/**
 * @module rtnetlink datagrams as events: a table from message type to decoder (schemas as
 * data, STYLE rule 8) turns a dump reply or a multicast notification into typed values.
 * A datagram is decoded whole before anyone acts on it (STYLE rule 7): one malformed
 * message rejects the datagram. Also the legacy bind() group mask for RTNLGRP_* groups.
 */

import { ok, type Result } from '../wire/result.js';
import { type Address, decodeAddress } from './addr.js';
import { RTM } from './constants.js';
import type { NetlinkDecodeError } from './decode-error.js';
import { decodeLink, type Link } from './link.js';
import { type NetlinkAck, type NetlinkDone, type NlMessage, parseBatch } from './message.js';
import { decodeRoute, type Route } from './route.js';
import { decodeRule, type Rule } from './rule.js';

/** `new` for RTM_NEW* (dump entries and additions), `del` for RTM_DEL*. */
export type RtnlOp = 'new' | 'del';

/** One rtnetlink message as a value. `other` keeps types this table does not know. */
export type RtnlEvent =
  | { readonly kind: 'link'; readonly op: RtnlOp; readonly link: Link }
  | { readonly kind: 'address'; readonly op: RtnlOp; readonly address: Address }
  | { readonly kind: 'route'; readonly op: RtnlOp; readonly route: Route }
  | { readonly kind: 'rule'; readonly op: RtnlOp; readonly rule: Rule }
  | { readonly kind: 'ack'; readonly ack: NetlinkAck }
  | { readonly kind: 'done'; readonly done: NetlinkDone }
  | { readonly kind: 'other'; readonly type: number };

type Entry = {
  readonly op: RtnlOp;
  readonly decode: (m: NlMessage) => Result<RtnlEvent, NetlinkDecodeError>;
};

function entry<T>(
  op: RtnlOp,
  decode: (m: NlMessage) => Result<T, NetlinkDecodeError>,
  wrap: (v: T) => RtnlEvent,
): Entry {
  return {
    op,
    decode: (m) => {
      const r = decode(m);
      return r.ok ? ok(wrap(r.value)) : r;
    },
  };
}

/** Message type → how to decode it. */
export const rtnlTable: ReadonlyMap<number, Entry> = new Map([
  [RTM.NEWLINK, entry('new', decodeLink, (link) => ({ kind: 'link', op: 'new', link }))],
  [RTM.DELLINK, entry('del', decodeLink, (link) => ({ kind: 'link', op: 'del', link }))],
  [RTM.NEWADDR, entry('new', decodeAddress, (address) => ({ kind: 'address', op: 'new', address }))],
  [RTM.DELADDR, entry('del', decodeAddress, (address) => ({ kind: 'address', op: 'del', address }))],
  [RTM.NEWROUTE, entry('new', decodeRoute, (route) => ({ kind: 'route', op: 'new', route }))],
  [RTM.DELROUTE, entry('del', decodeRoute, (route) => ({ kind: 'route', op: 'del', route }))],
  [RTM.NEWRULE, entry('new', decodeRule, (rule) => ({ kind: 'rule', op: 'new', rule }))],
  [RTM.DELRULE, entry('del', decodeRule, (rule) => ({ kind: 'rule', op: 'del', rule }))],
]);

/** Decodes one rtnetlink data message by its type. */
export function decodeRtnl(msg: NlMessage): Result<RtnlEvent, NetlinkDecodeError> {
  const e = rtnlTable.get(msg.header.type);
  return e === undefined ? ok({ kind: 'other', type: msg.header.type }) : e.decode(msg);
}

/** A decoded datagram: each event with the seq of the message that carried it. */
export type RtnlBatch = readonly { readonly seq: number; readonly event: RtnlEvent }[];

/** Decodes a whole rtnetlink datagram, or returns the first reason it is malformed. */
export function decodeRtnlBatch(bytes: Uint8Array): Result<RtnlBatch, NetlinkDecodeError> {
  const items = parseBatch(bytes);
  if (!items.ok) return items;
  const out: { seq: number; event: RtnlEvent }[] = [];
  for (const item of items.value) {
    const seq = item.message.header.seq;
    if (item.kind === 'ack') out.push({ seq, event: { kind: 'ack', ack: item.ack } });
    else if (item.kind === 'done') out.push({ seq, event: { kind: 'done', done: item.done } });
    else if (item.kind === 'data') {
      const r = decodeRtnl(item.message);
      if (!r.ok) return r;
      out.push({ seq, event: r.value });
    }
  }
  return ok(out);
}

/** The nl_groups bind() mask for RTNLGRP_* groups 1..32 (bit group-1), as iproute2's monitor uses. */
export function rtnlGroupsMask(groups: readonly number[]): number {
  let mask = 0;
  for (const g of groups) {
    if (!Number.isInteger(g) || g < 1 || g > 32)
      throw new RangeError(`netlink: group ${g} does not fit nl_groups`);
    mask |= 1 << (g - 1);
  }
  return mask >>> 0;
}
