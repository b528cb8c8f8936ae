/**
 * @module Policy routing rules: RTM_NEWRULE / RTM_DELRULE / RTM_GETRULE (fib_rules.h), what
 * keepalived's virtual_rules / static_rules need. Body: struct fib_rule_hdr (12 bytes) then
 * FRA_* attributes. Tables above 255 travel in FRA_TABLE with a zero header table, like
 * iproute2 sends them; on decode FRA_TABLE wins.
 */

import { ok, type Result } from '../wire/result.js';
import type { AttrValues } from './attr.js';
import { defined } from './bytes.js';
import { AF, NLM_F, RTM } from './constants.js';
import { fail, type NetlinkDecodeError } from './decode-error.js';
import { encodeMessage, type NlMessage } from './message.js';
import { FR_ACT, FRA, RT_TABLE } from './route-constants.js';
import { decodeBody, decodeStruct, encodeBody, encodeStruct } from './struct.js';

/** struct fib_rule_hdr. */
export const fibRuleHdrLayout = [
  ['family', 'u8'],
  ['dstLen', 'u8'],
  ['srcLen', 'u8'],
  ['tos', 'u8'],
  ['table', 'u8'],
  ['res1', 'pad8'],
  ['res2', 'pad8'],
  ['action', 'u8'],
  ['flags', 'u32'],
] as const;

/** struct fib_rule_uid_range {u32 start, end}. */
export const uidRangeLayout = [
  ['start', 'u32'],
  ['end', 'u32'],
] as const;

/** struct fib_rule_port_range {u16 start, end}. */
export const portRangeLayout = [
  ['start', 'u16'],
  ['end', 'u16'],
] as const;

/** FRA_* attributes, in the order iproute2 writes them. */
export const ruleSchema = {
  dst: { type: FRA.DST, kind: 'ip' },
  src: { type: FRA.SRC, kind: 'ip' },
  iifname: { type: FRA.IIFNAME, kind: 'string' },
  oifname: { type: FRA.OIFNAME, kind: 'string' },
  fwmark: { type: FRA.FWMARK, kind: 'u32' },
  fwmask: { type: FRA.FWMASK, kind: 'u32' },
  table: { type: FRA.TABLE, kind: 'u32' },
  goto: { type: FRA.GOTO, kind: 'u32' },
  realm: { type: FRA.FLOW, kind: 'u32' },
  uidRange: { type: FRA.UID_RANGE, kind: 'binary' },
  ipProto: { type: FRA.IP_PROTO, kind: 'u8' },
  sportRange: { type: FRA.SPORT_RANGE, kind: 'binary' },
  dportRange: { type: FRA.DPORT_RANGE, kind: 'binary' },
  l3mdev: { type: FRA.L3MDEV, kind: 'u8' },
  suppressPrefixLen: { type: FRA.SUPPRESS_PREFIXLEN, kind: 'u32' },
  suppressIfgroup: { type: FRA.SUPPRESS_IFGROUP, kind: 'u32' },
  protocol: { type: FRA.PROTOCOL, kind: 'u8' },
  priority: { type: FRA.PRIORITY, kind: 'u32' },
} as const;

/** An inclusive range: uids (u32) or ports (u16). */
export type Range = { readonly start: number; readonly end: number };

/** A routing rule. Addresses are 4 or 16 bytes, per `family`. */
export type Rule = {
  readonly family: number;
  readonly dstLen: number;
  readonly srcLen: number;
  readonly tos: number;
  /** Full table id: FRA_TABLE, or the header's table when absent. */
  readonly table: number;
  /** FR_ACT_*: to table, goto, nop, blackhole, unreachable, prohibit. */
  readonly action: number;
  /** FIB_RULE_* bits (FIB_RULE_INVERT for `not`). */
  readonly flags: number;
  /** FRA_PRIORITY: the rule's preference. */
  readonly priority?: number;
  readonly dst?: Uint8Array;
  readonly src?: Uint8Array;
  readonly iifname?: string;
  readonly oifname?: string;
  readonly fwmark?: number;
  readonly fwmask?: number;
  /** FRA_GOTO: target priority for FR_ACT_GOTO. */
  readonly goto?: number;
  readonly realm?: number;
  /** FRA_SUPPRESS_PREFIXLEN: 0xffffffff (-1) when unset. */
  readonly suppressPrefixLen?: number;
  readonly suppressIfgroup?: number;
  /** FRA_L3MDEV: 1 to look up the l3mdev (VRF) table. */
  readonly l3mdev?: number;
  readonly uidRange?: Range;
  /** FRA_IP_PROTO: IPPROTO_* (6 tcp, 17 udp). */
  readonly ipProto?: number;
  readonly sportRange?: Range;
  readonly dportRange?: Range;
  /** FRA_PROTOCOL: RTPROT_* of whoever added the rule. */
  readonly protocol?: number;
};

const RULE_TYPES: readonly number[] = [RTM.NEWRULE, RTM.DELRULE, RTM.GETRULE];
const RANGES = [
  ['uidRange', uidRangeLayout, FRA.UID_RANGE, 8],
  ['sportRange', portRangeLayout, FRA.SPORT_RANGE, 4],
  ['dportRange', portRangeLayout, FRA.DPORT_RANGE, 4],
] as const;

/** Decodes an RTM_*RULE message. */
export function decodeRule(msg: NlMessage): Result<Rule, NetlinkDecodeError> {
  if (!RULE_TYPES.includes(msg.header.type)) return fail('unexpected-type', msg.offset);
  const base = msg.offset + 16;
  const body = decodeBody(fibRuleHdrLayout, ruleSchema, msg.payload, base);
  if (!body.ok) return body;
  const { hdr, attrs: a } = body.value;
  const size = hdr.family === AF.INET ? 4 : hdr.family === AF.INET6 ? 16 : undefined;
  if (size === undefined) return fail('address-family', base);
  if (hdr.dstLen > size * 8 || hdr.srcLen > size * 8) return fail('attr-value', base + 1);
  if (a.dst !== undefined && a.dst.length !== size) return fail('attr-size', base, FRA.DST);
  if (a.src !== undefined && a.src.length !== size) return fail('attr-size', base, FRA.SRC);
  const ranges: Record<string, Range> = {};
  for (const [field, layout, type, len] of RANGES) {
    const raw = a[field];
    if (raw === undefined) continue;
    const r = decodeStruct(layout, raw);
    if (!r.ok || raw.length !== len) return fail('attr-size', base, type);
    ranges[field] = r.value;
  }
  const { table, uidRange: _u, sportRange: _s, dportRange: _d, ...rest } = a;
  return ok({ ...hdr, table: table ?? hdr.table, ...defined(rest), ...ranges });
}

/** Encodes a Rule as an RTM_*RULE message. */
export function encodeRule(r: Rule, h: { type: number; flags: number; seq: number }): Uint8Array {
  const { family, dstLen, srcLen, tos, table, action, flags, uidRange, sportRange, dportRange, ...attrs } = r;
  const small = table <= 0xff;
  const hdr = { family, dstLen, srcLen, tos, table: small ? table : 0, action, flags };
  const wire: AttrValues<typeof ruleSchema> = {
    ...attrs,
    table: small ? undefined : table,
    uidRange: uidRange === undefined ? undefined : encodeStruct(uidRangeLayout, uidRange),
    sportRange: sportRange === undefined ? undefined : encodeStruct(portRangeLayout, sportRange),
    dportRange: dportRange === undefined ? undefined : encodeStruct(portRangeLayout, dportRange),
  };
  return encodeMessage(h, encodeBody(fibRuleHdrLayout, ruleSchema, hdr, wire));
}

/** RTM_GETRULE dump for one family (AF_INET or AF_INET6). */
export function getRulesRequest(family: number, seq: number): Uint8Array {
  const r: Rule = { family, dstLen: 0, srcLen: 0, tos: 0, table: 0, action: 0, flags: 0 };
  return encodeRule(r, { type: RTM.GETRULE, flags: NLM_F.REQUEST | NLM_F.DUMP, seq });
}

/** A rule to add or delete; unspecified header fields default as `ip rule` chooses them. */
export type RuleSpec = Partial<Rule> & { readonly family: number };

/** RTM_NEWRULE (create, exclusive): action defaults to "to table", table to main (not for l3mdev). */
export function addRuleRequest(spec: RuleSpec, seq: number): Uint8Array {
  const action = spec.action ?? FR_ACT.TO_TBL;
  const table = spec.table ?? (action === FR_ACT.TO_TBL && spec.l3mdev === undefined ? RT_TABLE.MAIN : 0);
  const r: Rule = { dstLen: 0, srcLen: 0, tos: 0, flags: 0, ...spec, action, table };
  const flags = NLM_F.REQUEST | NLM_F.ACK | NLM_F.CREATE | NLM_F.EXCL;
  return encodeRule(r, { type: RTM.NEWRULE, flags, seq });
}

/** RTM_DELRULE; unspecified fields are wildcards (action FR_ACT_UNSPEC, table 0). */
export function deleteRuleRequest(spec: RuleSpec, seq: number): Uint8Array {
  const r: Rule = { dstLen: 0, srcLen: 0, tos: 0, table: 0, action: FR_ACT.UNSPEC, flags: 0, ...spec };
  return encodeRule(r, { type: RTM.DELRULE, flags: NLM_F.REQUEST | NLM_F.ACK, seq });
}
