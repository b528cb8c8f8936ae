/**
 * @module MAC (IEEE 802 EUI-48) address values, and the VRRP virtual MACs.
 *
 * RFC 5798 §7.3: the virtual router MAC is 00-00-5E-00-01-{VRID} for IPv4 and
 * 00-00-5E-00-02-{VRID} for IPv6 (RFC 3768 §7.3 for v2, IPv4 only).
 * Also the Ethernet destinations of IPv4/IPv6 multicast (RFC 1112 §6.4,
 * RFC 2464 §7) used by GARP / unsolicited NA / adverts.
 */

import { assertInt, copyBytes } from './cursor.js';
import type { IpAddress, IpFamily } from './ip.js';
import type { Result } from './result.js';
import { err, ok } from './result.js';

/** A 6-byte MAC address in transmission order. */
export type MacAddress = {
  readonly bytes: Uint8Array;
};

/** Build a MAC from 6 bytes (copied). Throws otherwise. */
export function macFromBytes(bytes: Uint8Array): MacAddress {
  if (bytes.length !== 6) throw new RangeError(`a MAC address is 6 bytes, got ${bytes.length}`);
  return { bytes: copyBytes(bytes) };
}

/** Parse `aa:bb:cc:dd:ee:ff` (also `-` separated; case-insensitive). */
export function parseMac(text: string): Result<MacAddress, string> {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) {
    return err(`'${text}' is not a MAC address`);
  }
  return ok({ bytes: Uint8Array.from(parts, (p) => Number.parseInt(p, 16)) });
}

/** Parse text the caller knows is valid (constants, tests). Throws otherwise. */
export function mac(text: string): MacAddress {
  const r = parseMac(text);
  if (!r.ok) throw new TypeError(r.error);
  return r.value;
}

/** Lower-case colon-separated text, as `ip link` and keepalived print it. */
export function formatMac(address: MacAddress): string {
  return Array.from(address.bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}

export function macEquals(a: MacAddress, b: MacAddress): boolean {
  return a.bytes.length === b.bytes.length && a.bytes.every((x, i) => x === b.bytes[i]);
}

/** RFC 5798 §7.3: 00-00-5E-00-01-{VRID} (IPv4) or 00-00-5E-00-02-{VRID} (IPv6). */
export function vrrpVirtualMac(vrid: number, family: IpFamily): MacAddress {
  assertInt(vrid, 1, 255, 'VRID');
  return { bytes: Uint8Array.of(0x00, 0x00, 0x5e, 0x00, family === 'ipv4' ? 0x01 : 0x02, vrid) };
}

/** Ethernet destination for an IP multicast group (01:00:5e + low 23 bits; 33:33 + low 32 bits). */
export function multicastMac(group: IpAddress): MacAddress {
  const b = group.bytes;
  if (group.family === 'ipv4') return { bytes: Uint8Array.of(0x01, 0x00, 0x5e, b[1]! & 0x7f, b[2]!, b[3]!) };
  return { bytes: Uint8Array.of(0x33, 0x33, b[12]!, b[13]!, b[14]!, b[15]!) };
}

export const BROADCAST_MAC: MacAddress = mac('ff:ff:ff:ff:ff:ff');
export const ZERO_MAC: MacAddress = mac('00:00:00:00:00:00');
