/**
 * @module The import surface of the wire codecs (functional core: no `node:*`).
 *
 * Pure `bytes <-> value` functions for VRRP v2/v3 over IPv4/IPv6 (with
 * keepalived's PASS and AH authentication), the IPv4/IPv6/Ethernet headers
 * around them, gratuitous ARP and unsolicited NA frames, address values, and
 * the receive checks with their drop reasons and MIB counter names.
 * Decoders return `Result`s and never throw; encoders throw on bad input.
 */

export * from './advert-facts.js';
export * from './advert-view.js';
export * from './arp.js';
export * from './checksum.js';
export * from './cursor.js';
export * from './drop-reason.js';
export * from './ethernet.js';
export * from './ip.js';
export * from './ipv4-header.js';
export * from './mac.js';
export * from './md5.js';
export * from './ndisc.js';
export * from './result.js';
export * from './vrrp-auth.js';
export * from './vrrp-ipv4.js';
export * from './vrrp-packet.js';
export * from './vrrp-receive.js';
