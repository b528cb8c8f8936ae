/**
 * @module The Internet checksum (RFC 1071) and the IPv4/IPv6 pseudo-headers.
 *
 * `sum16` folds byte runs into a 32-bit accumulator of big-endian 16-bit words;
 * `finish` folds the carries and complements. Odd-length runs are padded with
 * a zero byte (RFC 1071 §4.1), which only matters for the last run.
 * A received message whose checksum is correct sums (with its pseudo-header)
 * to 0xffff, so `finish` returns 0.
 */

import type { IpAddress } from './ip.js';

/** Add the big-endian 16-bit words of `bytes` to `acc` (no folding until `finish`). */
export function sum16(bytes: Uint8Array, acc = 0): number {
  return sum16Range(bytes, 0, bytes.length, acc);
}

/**
 * `sum16` over `bytes[start, end)`, read in place: the receive path sums a message
 * inside a reused buffer without making a view of it.
 */
export function sum16Range(bytes: Uint8Array, start: number, end: number, acc = 0): number {
  let sum = acc;
  const even = start + ((end - start) & ~1);
  for (let i = start; i < even; i += 2) {
    sum += (bytes[i]! << 8) | bytes[i + 1]!;
  }
  if (even !== end) sum += bytes[even]! << 8;
  // Fold early so the accumulator never loses precision on very long runs.
  return (sum & 0xffff) + Math.floor(sum / 0x10000);
}

/**
 * Pseudo-header accumulator (IPv4 RFC 768 / IPv6 RFC 8200 §8.1) from addresses read in
 * place: `addressLength` (4 or 16) bytes at `sourceAt` in `source` and `destinationAt`
 * in `destination`. Same value as `pseudoHeaderSum` for the same addresses.
 */
export function pseudoHeaderSumAt(
  source: Uint8Array,
  sourceAt: number,
  destination: Uint8Array,
  destinationAt: number,
  addressLength: 4 | 16,
  protocol: number,
  length: number,
): number {
  let acc = sum16Range(source, sourceAt, sourceAt + addressLength);
  acc = sum16Range(destination, destinationAt, destinationAt + addressLength, acc);
  return addressLength === 4
    ? acc + protocol + length
    : acc + Math.floor(length / 0x10000) + (length & 0xffff) + protocol;
}

/** Fold the carries of an accumulator and return its one's complement (16 bits). */
export function finish(acc: number): number {
  let sum = acc;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** RFC 1071 checksum of the concatenation of `parts` (each part must be even-length except the last). */
export function internetChecksum(...parts: Uint8Array[]): number {
  let acc = 0;
  for (const part of parts) acc = sum16(part, acc);
  return finish(acc);
}

/**
 * Accumulator for the IPv4 pseudo-header (RFC 768 / RFC 5798 §5.2.8):
 * source, destination, zero, protocol, upper-layer length (bytes).
 */
export function ipv4PseudoHeaderSum(
  source: IpAddress,
  destination: IpAddress,
  protocol: number,
  length: number,
): number {
  let acc = sum16(source.bytes);
  acc = sum16(destination.bytes, acc);
  return acc + protocol + length;
}

/**
 * Accumulator for the IPv6 pseudo-header (RFC 8200 §8.1): source, destination,
 * 32-bit upper-layer length, 24 zero bits, next header.
 */
export function ipv6PseudoHeaderSum(
  source: IpAddress,
  destination: IpAddress,
  nextHeader: number,
  length: number,
): number {
  let acc = sum16(source.bytes);
  acc = sum16(destination.bytes, acc);
  return acc + Math.floor(length / 0x10000) + (length & 0xffff) + nextHeader;
}

/** Pseudo-header accumulator for either family (the family of `source` decides). */
export function pseudoHeaderSum(
  source: IpAddress,
  destination: IpAddress,
  protocol: number,
  length: number,
): number {
  return source.family === 'ipv4'
    ? ipv4PseudoHeaderSum(source, destination, protocol, length)
    : ipv6PseudoHeaderSum(source, destination, protocol, length);
}
