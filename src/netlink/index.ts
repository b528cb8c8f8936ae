/**
 * @module Netlink codecs: the only import surface of `src/netlink/`. Pure functions from
 * bytes to typed values and back (rtnetlink links, addresses, routes, rules; generic
 * netlink and IPVS), no I/O. Sockets live in `src/native`; this layer never touches them.
 */

export * from './addr.js';
export * from './attr.js';
export { bytesEqual, concatBytes, fromHex, toHex } from './bytes.js';
export * from './constants.js';
export * from './decode-error.js';
export * from './genl.js';
export * from './genl-constants.js';
export * from './ipvs.js';
export * from './ipvs-lean.js';
export * from './ipvs-requests.js';
export * from './ipvs-schema.js';
export * from './link.js';
export * from './link-af.js';
export * from './link-requests.js';
export * from './message.js';
export * from './route.js';
export * from './route-constants.js';
export * from './route-parts.js';
export * from './rtnl.js';
export * from './rule.js';
export * from './struct.js';
