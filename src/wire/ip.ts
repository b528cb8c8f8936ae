/**
 * @module IPv4 and IPv6 address values: parse from text, format, compare, bytes.
 *
 * An `IpAddress` is a plain readonly value holding the address in network byte
 * order (4 or 16 bytes), so it can be written to the wire as is and compared
 * with `deepStrictEqual`. Formatting follows RFC 5952 (IPv6 canonical text).
 * Parsing never throws: it returns a `Result` with a human-readable error.
 */

import { copyBytes } from './cursor.js';
import type { Result } from './result.js';
import { err, ok } from './result.js';

export type IpFamily = 'ipv4' | 'ipv6';

/** An IP address: `bytes` is 4 (IPv4) or 16 (IPv6) bytes in network order. */
export type IpAddress = {
  readonly family: IpFamily;
  readonly bytes: Uint8Array;
};

/** Address length in bytes for a family (4 or 16). */
export function addressLength(family: IpFamily): 4 | 16 {
  return family === 'ipv4' ? 4 : 16;
}

/** Build an address from raw network-order bytes (copied). Throws unless 4 or 16 bytes. */
export function ipFromBytes(bytes: Uint8Array): IpAddress {
  if (bytes.length === 4) return { family: 'ipv4', bytes: copyBytes(bytes) };
  if (bytes.length === 16) return { family: 'ipv6', bytes: copyBytes(bytes) };
  throw new RangeError(`an IP address is 4 or 16 bytes, got ${bytes.length}`);
}

/** Parse dotted-quad IPv4 text (exactly four decimal octets, no leading zeros). */
export function parseIpv4(text: string): Result<IpAddress, string> {
  const parts = text.split('.');
  if (parts.length !== 4) return err(`'${text}' is not a dotted-quad IPv4 address`);
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) {
      return err(`'${text}': octet '${part}' is not 0..255`);
    }
    bytes[i] = Number(part);
  }
  return ok({ family: 'ipv4', bytes });
}

function parseGroups(text: string, out: number[]): boolean {
  if (text === '') return true;
  for (const group of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return false;
    out.push(Number.parseInt(group, 16));
  }
  return true;
}

/** Parse IPv6 text (RFC 4291 §2.2, including `::` and a trailing dotted quad). */
export function parseIpv6(text: string): Result<IpAddress, string> {
  let body = text;
  const lastColon = body.lastIndexOf(':');
  if (body.includes('.', lastColon)) {
    // A trailing dotted quad stands for the last two groups (RFC 4291 §2.2 form 3).
    const v4 = parseIpv4(body.slice(lastColon + 1));
    if (!v4.ok) return err(`'${text}': bad embedded IPv4 part`);
    const b = v4.value.bytes;
    const g = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
    body = `${body.slice(0, lastColon + 1)}${g(b[0]!, b[1]!)}:${g(b[2]!, b[3]!)}`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return err(`'${text}': more than one '::'`);
  const head: number[] = [];
  const rest: number[] = [];
  if (!parseGroups(halves[0]!, head) || !parseGroups(halves[1] ?? '', rest)) {
    return err(`'${text}' is not an IPv6 address`);
  }
  const groups = head.length + rest.length;
  if (halves.length === 1 ? groups !== 8 : groups > 7) return err(`'${text}': wrong number of groups`);
  const words = [...head, ...new Array<number>(8 - groups).fill(0), ...rest];
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return ok({ family: 'ipv6', bytes });
}

/** Parse IPv4 or IPv6 text (a ':' means IPv6). */
export function parseIp(text: string): Result<IpAddress, string> {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

/** Parse text that the caller knows is valid (tests, constants). Throws otherwise. */
export function ip(text: string): IpAddress {
  const r = parseIp(text);
  if (!r.ok) throw new TypeError(r.error);
  return r.value;
}

function formatIpv6(bytes: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i]! << 8) | bytes[i + 1]!);
  // RFC 5952 §4.2: compress the longest run (>= 2) of zero groups, the first if tied.
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) [bestAt, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestAt < 0) return hex(words);
  return `${hex(words.slice(0, bestAt))}::${hex(words.slice(bestAt + bestLen))}`;
}

/** Canonical text: dotted quad, or RFC 5952 IPv6. */
export function formatIp(address: IpAddress): string {
  return address.family === 'ipv4' ? address.bytes.join('.') : formatIpv6(address.bytes);
}

/**
 * Total order: IPv4 before IPv6, then the bytes as an unsigned big-endian
 * number (RFC 5798 §6.4.3 compares primary addresses this way). Returns <0, 0, >0.
 */
export function compareIp(a: IpAddress, b: IpAddress): number {
  if (a.family !== b.family) return a.family === 'ipv4' ? -1 : 1;
  for (let i = 0; i < a.bytes.length; i++) {
    const d = a.bytes[i]! - b.bytes[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

export function ipEquals(a: IpAddress, b: IpAddress): boolean {
  return compareIp(a, b) === 0;
}

/** 224.0.0.0/4 or ff00::/8. */
export function isMulticast(address: IpAddress): boolean {
  return address.family === 'ipv4' ? (address.bytes[0]! & 0xf0) === 0xe0 : address.bytes[0] === 0xff;
}

/** fe80::/10 (IPv6 only). */
export function isLinkLocalIpv6(address: IpAddress): boolean {
  return address.family === 'ipv6' && address.bytes[0] === 0xfe && (address.bytes[1]! & 0xc0) === 0x80;
}

/** The VRRP multicast groups: 224.0.0.18 (RFC 5798 §5.1.1.2) and ff02::12 (§5.1.2.2). */
export const VRRP_GROUP_IPV4: IpAddress = ip('224.0.0.18');
export const VRRP_GROUP_IPV6: IpAddress = ip('ff02::12');
