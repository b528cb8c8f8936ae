/**
 * @module Shared bits of the native unit tests: skip reasons and a pair of
 * NETLINK_ROUTE sockets talking user-to-user (no kernel state is read or changed).
 */

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nativeAvailable } from '../../../src/native/binding.js';
import { NetlinkSocket } from '../../../src/native/netlink-socket.js';

/** Why the kernel-backed native tests cannot run, or null. Raw sockets and user-to-user netlink need root. */
export function nativeUnavailable(needsRoot = true): string | null {
  if (!nativeAvailable()) return 'native addon not built (make native)';
  if (needsRoot && process.getuid?.() !== 0) return 'needs root (CAP_NET_RAW / CAP_NET_ADMIN)';
  return null;
}

export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Two route sockets; `b` does not read until told (receive: false). */
export function netlinkPair(bufferSize?: number): { a: NetlinkSocket; b: NetlinkSocket } {
  const a = NetlinkSocket.open({ protocol: 'route', receive: false });
  const b = NetlinkSocket.open({
    protocol: 'route',
    receive: false,
    ...(bufferSize === undefined ? {} : { bufferSize }),
  });
  return { a, b };
}

export const nativeIndexUrl = new URL('../../../src/native/index.js', import.meta.url).href;

/** Runs an ESM snippet in a child Node process; `NATIVE` in the code is the facade's URL. */
export function runSnippet(
  code: string,
  nodeArgs: string[] = [],
  timeoutMs = 10000,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    [...nodeArgs, '--input-type=module', '-e', code.replaceAll('NATIVE', JSON.stringify(nativeIndexUrl))],
    { encoding: 'utf8', timeout: timeoutMs },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const fixturesDir = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** Resolves once `pred()` holds, checking every few milliseconds; rejects after `timeoutMs`. */
export async function waitUntil(pred: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
