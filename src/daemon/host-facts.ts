/**
 * @module Small host facts the daemon reads once: an instance's multicast group bytes and
 * an interface's IPv6 forwarding flag (the Router flag of unsolicited NAs; a synchronous
 * sysctl read, done at start-up and cached by the caller).
 */

import { readFileSync } from 'node:fs';
import { parseIp } from '../wire/index.js';

export function parseGroup(
  text: string,
  p: { family: 'ipv4' | 'ipv6'; group: { bytes: Uint8Array } | null },
): Uint8Array {
  if (p.group) return p.group.bytes;
  const configured = parseIp(text);
  if (configured.ok && configured.value.family === p.family) return configured.value.bytes;
  return p.family === 'ipv4'
    ? new Uint8Array([224, 0, 0, 18])
    : Uint8Array.from([0xff, 2, ...new Array(13).fill(0), 0x12]);
}

export function ipv6Forwarding(ifname: string): boolean {
  try {
    return readFileSync(`/proc/sys/net/ipv6/conf/${ifname}/forwarding`, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}
