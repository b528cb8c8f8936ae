/**
 * @module `net_namespace NAME` (or `-s NAME`): the daemon runs inside the network
 * namespace `ip netns` keeps at /run/netns/NAME, as keepalived 2.2.7 does. Linux keeps
 * the namespace per thread and Node has threads that started before the config was read
 * (libuv's pool runs async fs and getaddrinfo, so a setns() on the main thread alone
 * would leave e.g. /proc/sys/net writes and DNS lookups in the old namespace). So the
 * daemon enters the namespace on its main thread and re-executes itself there (execve,
 * same pid, same argv): every thread, socket, worker and child of the new image starts
 * inside. The new image finds itself inside and goes on.
 *
 * keepalived's behaviour kept here: a namespace that cannot be opened logs
 * "Failed to open /run/netns/NAME" then "Unable to set network namespace NAME - exiting",
 * and the daemon exits with status 0 (keepalived 2.2.7's exit status in that case);
 * scripts run inside the namespace (they are children); syslog lines carry the ident
 * with `_NAME` appended. keepalived also moves its default pid files to
 * /run/keepalived/NAME/ (keepalived-ts has no default pid files; its default control
 * socket becomes /run/keepalived-ts-NAME.sock for the same reason: one per namespace).
 */

import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { type NativeBinding, native } from '../native/binding.js';

const NETNS_DIR = '/run/netns';

export function namespacePath(name: string): string {
  return `${NETNS_DIR}/${name}`;
}

/** The default control socket of a daemon running in namespace `name`. */
export function namespaceControlSocket(name: string): string {
  return `/run/keepalived-ts-${name}.sock`;
}

/** The syslog ident keepalived's VRRP process uses in namespace `name` (none: the plain one). */
export function namespacedIdent(ident: string, name: string | undefined): string {
  return name === undefined ? ident : `${ident}_${name}`;
}

export type NamespaceEntry =
  /** This process already runs in the namespace (the re-executed image, or started there). */
  | { readonly kind: 'inside' }
  /** The namespace could not be entered: keepalived's log lines, then exit. */
  | { readonly kind: 'failed'; readonly lines: readonly string[] };

/** Same nsfs inode: the calling process's network namespace is the one `path` names. */
function isCurrentNamespace(path: string): boolean {
  const target = statSync(path);
  const self = statSync('/proc/self/ns/net');
  return target.dev === self.dev && target.ino === self.ino;
}

/**
 * Makes the daemon run in namespace `name`: returns `inside` when it already does, else
 * enters it and re-executes this process there (never returns then), or returns the
 * reason it could not. Call it before any socket, thread or child exists.
 */
export function enterNetNamespace(name: string): NamespaceEntry {
  const path = namespacePath(name);
  const exiting = `Unable to set network namespace ${name} - exiting`;
  try {
    if (isCurrentNamespace(path)) return { kind: 'inside' };
  } catch {
    return { kind: 'failed', lines: [`Failed to open ${path}`, exiting] };
  }
  const binding: NativeBinding = native();
  try {
    binding.enterNetNamespace(path);
  } catch (e) {
    const errno = (e as { errno?: number }).errno ?? 0;
    const what = (e as { syscall?: string }).syscall === 'open' ? `Failed to open ${path}` : null;
    return { kind: 'failed', lines: [what ?? `setns() failed with error ${errno}`, exiting] };
  }
  const env = Object.entries(withOneMallocArena(process.env)).map(([k, v]) => `${k}=${v ?? ''}`);
  const argv = [process.argv0, ...process.execArgv, ...process.argv.slice(1)];
  try {
    binding.execve(process.execPath, argv, env);
  } catch (e) {
    return {
      kind: 'failed',
      lines: [`re-executing in namespace ${name} failed: ${(e as Error).message}`, exiting],
    };
  }
}

/**
 * bin/keepalived-ts re-executes the daemon once so that glibc makes one malloc arena; the
 * variables that ask for it are gone by now (scripts must not inherit them). Passed again
 * here, the image re-executed in the namespace starts that way: one exec, not two.
 */
function withOneMallocArena(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.MALLOC_ARENA_MAX !== undefined || basename(process.argv[1] ?? '') !== 'keepalived-ts') return env;
  return { ...env, MALLOC_ARENA_MAX: '1', KTS_SET_MALLOC_ARENA_MAX: '1' };
}
