/**
 * @module The one error type every netlink decoder returns. Decoders never throw on bytes:
 * each failed check yields one `reason` (a string-literal union, one counter per reason)
 * and the byte offset where the check failed, relative to the buffer handed to the decoder.
 */

import { type Err, err } from '../wire/result.js';

/**
 * Why a netlink buffer was rejected; one check, one reason, one counter. In order:
 * - `header-truncated`: fewer than 16 bytes left for an nlmsghdr.
 * - `message-length`: nlmsg_len below the header or past the bytes left (also an echoed request).
 * - `family-header-truncated`: a fixed header (ifinfomsg, rtmsg, genlmsghdr, nlmsgerr...) does not fit.
 * - `attr-truncated`: bytes left after the last attribute that cannot hold an nlattr.
 * - `attr-length`: nla_len below 4 or past the end of the enclosing buffer.
 * - `attr-size`: a payload whose size does not fit its schema kind (a u32 of 3 bytes...).
 * - `attr-value`: a well-sized value out of range (a prefix length above the address size).
 * - `attr-missing`: a required attribute is absent.
 * - `nexthop-length`: an rtnexthop in RTA_MULTIPATH with a bad rtnh_len.
 * - `unexpected-type`: a message type this decoder does not handle.
 * - `address-family`: neither AF_INET nor AF_INET6 where one of them is required.
 */
export const NETLINK_DECODE_REASONS = [
  'header-truncated',
  'message-length',
  'family-header-truncated',
  'attr-truncated',
  'attr-length',
  'attr-size',
  'attr-value',
  'attr-missing',
  'nexthop-length',
  'unexpected-type',
  'address-family',
] as const;

/** One of NETLINK_DECODE_REASONS. */
export type NetlinkDecodeReason = (typeof NETLINK_DECODE_REASONS)[number];

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
