/**
 * @module Generic netlink (genetlink.h): the 4-byte genlmsghdr {cmd, version, reserved}
 * after the nlmsghdr, whose nlmsg_type is the family id. Family ids are dynamic: the
 * controller "nlctrl" (id 0x10) answers CTRL_CMD_GETFAMILY by name with the family's id,
 * version, and multicast groups. IPVS is found this way ("IPVS", see ipvs.ts).
 */

import { ok, type Result } from '../wire/result.js';
import { type AttrValues, encodeAttrs, type Schema } from './attr.js';
import { concatBytes, defined } from './bytes.js';
import { NLM_F } from './constants.js';
import { fail, type NetlinkDecodeError } from './decode-error.js';
import { CTRL_ATTR, CTRL_ATTR_MCAST_GRP, CTRL_ATTR_OP, CTRL_CMD, GENL_ID_CTRL } from './genl-constants.js';
import { encodeMessage, type NetlinkAck, type NetlinkDone, type NlMessage, parseBatch } from './message.js';
import { decodeBody, encodeStruct } from './struct.js';

/** struct genlmsghdr. */
export const genlmsghdrLayout = [
  ['cmd', 'u8'],
  ['version', 'u8'],
  ['reserved', 'pad16'],
] as const;

/** Size of struct genlmsghdr, bytes. */
export const GENL_HDRLEN = 4;

/** What a generic netlink request needs besides its attributes. */
export type GenlHeader = {
  /** Family id: nlmsg_type. */
  readonly family: number;
  readonly cmd: number;
  readonly version: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid?: number;
};

/** Encodes a generic netlink message from already-encoded attributes. */
export function encodeGenl(h: GenlHeader, attrs: Uint8Array): Uint8Array {
  const g = encodeStruct(genlmsghdrLayout, { cmd: h.cmd, version: h.version });
  return encodeMessage(
    { type: h.family, flags: h.flags, seq: h.seq, pid: h.pid ?? 0 },
    concatBytes([g, attrs]),
  );
}

/** A decoded generic netlink message: command, version, attributes by a schema. */
export type GenlMessage<S extends Schema> = {
  readonly family: number;
  readonly cmd: number;
  readonly version: number;
  readonly attrs: AttrValues<S>;
};

/** Decodes genlmsghdr + attributes of any family (the family id is not checked here). */
export function decodeGenl<S extends Schema>(
  msg: NlMessage,
  schema: S,
): Result<GenlMessage<S>, NetlinkDecodeError> {
  const body = decodeBody(genlmsghdrLayout, schema, msg.payload, msg.offset + 16);
  if (!body.ok) return body;
  return ok({
    family: msg.header.type,
    cmd: body.value.hdr.cmd,
    version: body.value.hdr.version,
    attrs: body.value.attrs,
  });
}

/** CTRL_ATTR_* of a family description. */
export const ctrlSchema = {
  id: { type: CTRL_ATTR.FAMILY_ID, kind: 'u16' },
  name: { type: CTRL_ATTR.FAMILY_NAME, kind: 'string' },
  version: { type: CTRL_ATTR.VERSION, kind: 'u32' },
  hdrSize: { type: CTRL_ATTR.HDRSIZE, kind: 'u32' },
  maxAttr: { type: CTRL_ATTR.MAXATTR, kind: 'u32' },
  ops: {
    type: CTRL_ATTR.OPS,
    kind: 'array',
    schema: { id: { type: CTRL_ATTR_OP.ID, kind: 'u32' }, flags: { type: CTRL_ATTR_OP.FLAGS, kind: 'u32' } },
  },
  mcastGroups: {
    type: CTRL_ATTR.MCAST_GROUPS,
    kind: 'array',
    schema: {
      name: { type: CTRL_ATTR_MCAST_GRP.NAME, kind: 'string' },
      id: { type: CTRL_ATTR_MCAST_GRP.ID, kind: 'u32' },
    },
  },
} as const;

/** A generic netlink family as the controller describes it. */
export type GenlFamily = {
  /** Family id to use as nlmsg_type (u16). */
  readonly id: number;
  readonly name: string;
  readonly version: number;
  /** Size of the family's own header after genlmsghdr, bytes (0 for IPVS). */
  readonly hdrSize: number;
  readonly maxAttr: number;
  /** Supported commands and their GENL_* flags. */
  readonly ops: readonly { readonly id: number; readonly flags: number }[];
  /** Multicast groups: name and the group id to join. */
  readonly mcastGroups: readonly { readonly name: string; readonly id: number }[];
};

/** CTRL_CMD_GETFAMILY for one family by name (NLM_F_ACK: an unknown name gets ENOENT). */
export function getFamilyRequest(name: string, seq: number): Uint8Array {
  const h = {
    family: GENL_ID_CTRL,
    cmd: CTRL_CMD.GETFAMILY,
    version: 1,
    flags: NLM_F.REQUEST | NLM_F.ACK,
    seq,
  };
  return encodeGenl(h, encodeAttrs(ctrlSchema, { name }));
}

/** CTRL_CMD_GETFAMILY dump of every family. */
export function getFamiliesRequest(seq: number): Uint8Array {
  const h = {
    family: GENL_ID_CTRL,
    cmd: CTRL_CMD.GETFAMILY,
    version: 1,
    flags: NLM_F.REQUEST | NLM_F.DUMP,
    seq,
  };
  return encodeGenl(h, new Uint8Array(0));
}

/** Decodes the controller's CTRL_CMD_NEWFAMILY reply; id and name are required. */
export function decodeFamily(msg: NlMessage): Result<GenlFamily, NetlinkDecodeError> {
  if (msg.header.type !== GENL_ID_CTRL) return fail('unexpected-type', msg.offset);
  const g = decodeGenl(msg, ctrlSchema);
  if (!g.ok) return g;
  const a = g.value.attrs;
  if (a.id === undefined) return fail('attr-missing', msg.offset, CTRL_ATTR.FAMILY_ID);
  if (a.name === undefined) return fail('attr-missing', msg.offset, CTRL_ATTR.FAMILY_NAME);
  return ok({
    id: a.id,
    name: a.name,
    version: a.version ?? 0,
    hdrSize: a.hdrSize ?? 0,
    maxAttr: a.maxAttr ?? 0,
    ops: (a.ops ?? []).map((o) => ({ id: o.id ?? 0, flags: o.flags ?? 0 })),
    mcastGroups: (a.mcastGroups ?? []).map((m) => ({ name: m.name ?? '', id: m.id ?? 0 })),
  });
}

/** Encodes a family description as the controller would (for tests and simulated kernels). */
export function encodeFamily(f: GenlFamily, h: { flags: number; seq: number }): Uint8Array {
  const attrs: AttrValues<typeof ctrlSchema> = {
    ...defined({ id: f.id, name: f.name, version: f.version, hdrSize: f.hdrSize, maxAttr: f.maxAttr }),
    ops: f.ops.length > 0 ? f.ops.map((o) => ({ ...o })) : undefined,
    mcastGroups: f.mcastGroups.length > 0 ? f.mcastGroups.map((m) => ({ ...m })) : undefined,
  };
  const g = { family: GENL_ID_CTRL, cmd: CTRL_CMD.NEWFAMILY, version: 2, flags: h.flags, seq: h.seq };
  return encodeGenl(g, encodeAttrs(ctrlSchema, attrs));
}

/** One item of a generic netlink datagram: a message of the family, the kernel's ACK / DONE, or something else. */
export type GenlItem<T> =
  | { readonly kind: 'message'; readonly seq: number; readonly value: T }
  | { readonly kind: 'ack'; readonly seq: number; readonly ack: NetlinkAck }
  | { readonly kind: 'done'; readonly seq: number; readonly done: NetlinkDone }
  | { readonly kind: 'other'; readonly seq: number; readonly type: number };

/**
 * Decodes a whole datagram of family `family` with `decode`; one malformed message rejects
 * the datagram (parse everything, then act).
 */
export function decodeGenlBatch<T>(
  bytes: Uint8Array,
  family: number,
  decode: (m: NlMessage) => Result<T, NetlinkDecodeError>,
): Result<GenlItem<T>[], NetlinkDecodeError> {
  const items = parseBatch(bytes);
  if (!items.ok) return items;
  const out: GenlItem<T>[] = [];
  for (const item of items.value) {
    const seq = item.message.header.seq;
    if (item.kind === 'ack') out.push({ kind: 'ack', seq, ack: item.ack });
    else if (item.kind === 'done') out.push({ kind: 'done', seq, done: item.done });
    else if (item.kind === 'data' && item.message.header.type === family) {
      const r = decode(item.message);
      if (!r.ok) return r;
      out.push({ kind: 'message', seq, value: r.value });
    } else out.push({ kind: 'other', seq, type: item.message.header.type });
  }
  return ok(out);
}
