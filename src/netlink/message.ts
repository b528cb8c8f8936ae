/**
 * @module Netlink messages (netlink.h): the 16-byte nlmsghdr, batches of several messages in
 * one datagram (multipart dumps end with NLMSG_DONE), and the kernel's answers NLMSG_ERROR
 * (errno 0 is an ACK) with extended-ACK attributes (NLMSGERR_ATTR_MSG / OFFS / ...).
 *
 * A batch is parsed whole before anything acts on it (STYLE rule 7): `parseBatch` returns
 * every message classified, or the first reason the datagram is malformed.
 */

import { ok, type Result } from '../wire/result.js';
import { type AttrValues, decodeAttrs, encodeAttrs } from './attr.js';
import { assertInt, concatBytes, view } from './bytes.js';
import { NLM_F, NLMSG, NLMSGERR_ATTR } from './constants.js';
import { fail, type NetlinkDecodeError } from './decode-error.js';

/** Size of struct nlmsghdr, bytes. */
export const NLMSG_HDRLEN = 16;

/** struct nlmsghdr. All fields host order. */
export type NlMsgHeader = {
  /** nlmsg_len: header plus payload, bytes (u32). */
  readonly length: number;
  /** nlmsg_type (u16): NLMSG_* below 16, else the family's message type / genl family id. */
  readonly type: number;
  /** nlmsg_flags (u16): NLM_F_*. */
  readonly flags: number;
  /** nlmsg_seq (u32). */
  readonly seq: number;
  /** nlmsg_pid (u32): port id; 0 for the kernel. */
  readonly pid: number;
};

/** One message of a batch: its header, its payload and its offset in the batch. */
export type NlMessage = {
  readonly header: NlMsgHeader;
  readonly payload: Uint8Array;
  readonly offset: number;
};

/** What the caller chooses when encoding a request. */
export type RequestHeader = {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  /** Port id; 0 lets the kernel route it (the usual value for requests). */
  readonly pid?: number;
};

/** Encodes one message: header (with nlmsg_len filled in) and payload, padded to 4 bytes. */
export function encodeMessage(h: RequestHeader, payload: Uint8Array): Uint8Array {
  const length = NLMSG_HDRLEN + payload.length;
  assertInt(h.type, 0, 0xffff, 'nlmsg_type');
  assertInt(h.flags, 0, 0xffff, 'nlmsg_flags');
  assertInt(h.seq, 0, 0xffffffff, 'nlmsg_seq');
  assertInt(h.pid ?? 0, 0, 0xffffffff, 'nlmsg_pid');
  const out = new Uint8Array((length + 3) & ~3);
  const dv = view(out);
  dv.setUint32(0, length, true);
  dv.setUint16(4, h.type, true);
  dv.setUint16(6, h.flags, true);
  dv.setUint32(8, h.seq, true);
  dv.setUint32(12, h.pid ?? 0, true);
  out.set(payload, NLMSG_HDRLEN);
  return out;
}

/** Decodes the nlmsghdr at `offset`, checking nlmsg_len against the bytes left. */
export function decodeHeader(bytes: Uint8Array, offset = 0): Result<NlMsgHeader, NetlinkDecodeError> {
  if (bytes.length - offset < NLMSG_HDRLEN) return fail('header-truncated', offset);
  const dv = view(bytes);
  const length = dv.getUint32(offset, true);
  if (length < NLMSG_HDRLEN || length > bytes.length - offset) return fail('message-length', offset);
  return ok({
    length,
    type: dv.getUint16(offset + 4, true),
    flags: dv.getUint16(offset + 6, true),
    seq: dv.getUint32(offset + 8, true),
    pid: dv.getUint32(offset + 12, true),
  });
}

/** Splits a datagram holding one or more messages. The last one may lack its padding. */
export function splitMessages(bytes: Uint8Array): Result<NlMessage[], NetlinkDecodeError> {
  const out: NlMessage[] = [];
  let at = 0;
  while (at < bytes.length) {
    const h = decodeHeader(bytes, at);
    if (!h.ok) return h;
    out.push({
      header: h.value,
      payload: bytes.subarray(at + NLMSG_HDRLEN, at + h.value.length),
      offset: at,
    });
    at = Math.min(bytes.length, at + ((h.value.length + 3) & ~3));
  }
  return ok(out);
}

/** Extended ACK attributes (NLMSGERR_ATTR_*) as a schema. */
export const extAckSchema = {
  message: { type: NLMSGERR_ATTR.MSG, kind: 'string' },
  offset: { type: NLMSGERR_ATTR.OFFS, kind: 'u32' },
  cookie: { type: NLMSGERR_ATTR.COOKIE, kind: 'binary' },
  policy: { type: NLMSGERR_ATTR.POLICY, kind: 'binary' },
  missType: { type: NLMSGERR_ATTR.MISS_TYPE, kind: 'u32' },
  missNest: { type: NLMSGERR_ATTR.MISS_NEST, kind: 'u32' },
} as const;

/**
 * Extended ACK: the kernel's message, the byte offset of the bad attribute in our request
 * (from the start of its nlmsghdr), and the violated policy (raw NL_POLICY_TYPE_ATTR_* nest).
 */
export type ExtAck = AttrValues<typeof extAckSchema>;

/** NLMSG_ERROR: errno 0 is an ACK. `request` is the header of the request it answers. */
export type NetlinkAck = {
  /** Positive errno (the wire carries -errno); 0 for a plain ACK. */
  readonly errno: number;
  readonly request: NlMsgHeader;
  /** The request's payload when the kernel echoed it (no NLM_F_CAPPED), else empty. */
  readonly requestPayload: Uint8Array;
  readonly extack: ExtAck;
};

/** NLMSG_DONE: the end of a dump, with the dump's errno (0 when it completed). */
export type NetlinkDone = { readonly errno: number; readonly extack: ExtAck };

/** Decodes the payload of an NLMSG_ERROR message. */
export function decodeAck(msg: NlMessage): Result<NetlinkAck, NetlinkDecodeError> {
  const p = msg.payload;
  const base = msg.offset + NLMSG_HDRLEN;
  if (p.length < 4 + NLMSG_HDRLEN) return fail('family-header-truncated', base);
  const errno = -view(p).getInt32(0, true);
  const inner = p.subarray(4);
  const dv = view(inner);
  const request: NlMsgHeader = {
    length: dv.getUint32(0, true),
    type: dv.getUint16(4, true),
    flags: dv.getUint16(6, true),
    seq: dv.getUint32(8, true),
    pid: dv.getUint32(12, true),
  };
  const capped = (msg.header.flags & NLM_F.CAPPED) !== 0;
  const echoed = capped ? NLMSG_HDRLEN : request.length;
  if (echoed < NLMSG_HDRLEN || echoed > inner.length) return fail('message-length', base + 4);
  const requestPayload = inner.slice(NLMSG_HDRLEN, echoed);
  let extack: ExtAck = {};
  if ((msg.header.flags & NLM_F.ACK_TLVS) !== 0) {
    const tlvAt = Math.min(inner.length, (echoed + 3) & ~3);
    const r = decodeAttrs(extAckSchema, inner.subarray(tlvAt), base + 4 + tlvAt);
    if (!r.ok) return r;
    extack = r.value;
  }
  return ok({ errno: errno === 0 ? 0 : errno, request, requestPayload, extack });
}

/** Decodes the payload of an NLMSG_DONE message (possibly empty, errno then 0). */
export function decodeDone(msg: NlMessage): Result<NetlinkDone, NetlinkDecodeError> {
  const p = msg.payload;
  if (p.length === 0) return ok({ errno: 0, extack: {} });
  if (p.length < 4) return fail('family-header-truncated', msg.offset + NLMSG_HDRLEN);
  const errno = -view(p).getInt32(0, true);
  let extack: ExtAck = {};
  if ((msg.header.flags & NLM_F.ACK_TLVS) !== 0) {
    const r = decodeAttrs(extAckSchema, p.subarray(4), msg.offset + NLMSG_HDRLEN + 4);
    if (!r.ok) return r;
    extack = r.value;
  }
  return ok({ errno: errno === 0 ? 0 : errno, extack });
}

/** A message of a batch by what it means to the caller. */
export type BatchItem =
  | { readonly kind: 'data'; readonly message: NlMessage }
  | { readonly kind: 'ack'; readonly message: NlMessage; readonly ack: NetlinkAck }
  | { readonly kind: 'done'; readonly message: NlMessage; readonly done: NetlinkDone }
  | { readonly kind: 'noop' | 'overrun'; readonly message: NlMessage };

/** Parses a whole datagram; fails if any message in it is malformed. */
export function parseBatch(bytes: Uint8Array): Result<BatchItem[], NetlinkDecodeError> {
  const msgs = splitMessages(bytes);
  if (!msgs.ok) return msgs;
  const out: BatchItem[] = [];
  for (const message of msgs.value) {
    const t = message.header.type;
    if (t === NLMSG.ERROR) {
      const a = decodeAck(message);
      if (!a.ok) return a;
      out.push({ kind: 'ack', message, ack: a.value });
    } else if (t === NLMSG.DONE) {
      const d = decodeDone(message);
      if (!d.ok) return d;
      out.push({ kind: 'done', message, done: d.value });
    } else if (t === NLMSG.NOOP || t === NLMSG.OVERRUN) {
      out.push({ kind: t === NLMSG.NOOP ? 'noop' : 'overrun', message });
    } else {
      out.push({ kind: 'data', message });
    }
  }
  return ok(out);
}

/**
 * Encodes an NLMSG_ERROR as the kernel would (for tests and simulated kernels). With
 * `capped` only the request's header is echoed; extack attributes set NLM_F_ACK_TLVS.
 */
export function encodeAck(
  h: { readonly seq: number; readonly pid?: number },
  a: {
    readonly errno: number;
    readonly request: Uint8Array;
    readonly capped?: boolean;
    readonly extack?: ExtAck;
  },
): Uint8Array {
  assertInt(a.errno, 0, 0x7fffffff, 'errno');
  const echoed = a.capped === true ? a.request.subarray(0, NLMSG_HDRLEN) : a.request;
  const tlvs = a.extack === undefined ? new Uint8Array(0) : encodeAttrs(extAckSchema, a.extack);
  const err = new Uint8Array(4);
  view(err).setInt32(0, -a.errno, true);
  const padded = new Uint8Array((echoed.length + 3) & ~3);
  padded.set(echoed);
  const flags = (a.capped === true ? NLM_F.CAPPED : 0) | (tlvs.length > 0 ? NLM_F.ACK_TLVS : 0);
  return encodeMessage(
    { type: NLMSG.ERROR, flags, seq: h.seq, pid: h.pid ?? 0 },
    concatBytes([err, padded, tlvs]),
  );
}
