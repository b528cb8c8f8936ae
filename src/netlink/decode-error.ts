/**
 * @module The one error type every netlink decoder returns. Decoders never throw on bytes:
 * each failed check yields one `reason` (a string-literal union, one counter per reason)
 * and the byte offset where the check failed, relative to the buffer handed to the decoder.
 */

import { type Err, err } from '../wire/result.js';

/** Why a netlink buffer was rejected; one check, one reason. */
export type NetlinkDecodeReason =
  /** Fewer than 16 bytes left for an nlmsghdr. */
  | 'header-truncated'
  /** nlmsg_len smaller than the header or larger than the bytes left. */
  | 'message-length'
  /** A fixed family header (ifinfomsg, rtmsg, genlmsghdr...) does not fit in the payload. */
  | 'family-header-truncated'
  /** Bytes left after the last attribute that cannot hold an nlattr. */
  | 'attr-truncated'
  /** nla_len smaller than 4 or past the end of the enclosing buffer. */
  | 'attr-length'
  /** An attribute whose payload size does not match its schema type (u32 of 3 bytes...). */
  | 'attr-size'
  /** An attribute whose payload is well-sized but not a valid value (bad family, range). */
  | 'attr-value'
  /** A required attribute is absent. */
  | 'attr-missing'
  /** A nested struct array (rtnexthop list) with a bad element length. */
  | 'nexthop-length'
  /** The message type is not the one this decoder handles. */
  | 'unexpected-type'
  /** The address family is neither AF_INET nor AF_INET6 where one of those is required. */
  | 'address-family';

/** A decode failure: the reason, the byte offset, and for attributes the attribute type. */
export type NetlinkDecodeError = {
  readonly reason: NetlinkDecodeReason;
  /** Byte offset of the failing check within the decoder's input. */
  readonly offset: number;
  /** nla_type (without flag bits) when the failure is about one attribute. */
  readonly attrType?: number;
};

/** Shorthand for `err({reason, offset, attrType})`. */
export function fail(
  reason: NetlinkDecodeReason,
  offset: number,
  attrType?: number,
): Err<NetlinkDecodeError> {
  return err(attrType === undefined ? { reason, offset } : { reason, offset, attrType });
}
