/**
 * @module Pid files (`-p` main, `-r` VRRP; keepalived-ts is one process, so both hold its
 * pid) and the control socket's default place: `/run/keepalived-ts.sock`, or next to the
 * main pid file when `-p` is given (`X.pid` → `X.sock`).
 */

import { unlinkSync, writeFileSync } from 'node:fs';

export const DEFAULT_CONTROL_SOCKET = '/run/keepalived-ts.sock';

export function controlSocketPath(explicit: string | undefined, pidFile: string | undefined): string {
  if (explicit) return explicit;
  if (pidFile) return pidFile.endsWith('.pid') ? `${pidFile.slice(0, -4)}.sock` : `${pidFile}.sock`;
  return DEFAULT_CONTROL_SOCKET;
}

export function writePidFiles(paths: readonly string[], pid: number): void {
  for (const p of paths) writeFileSync(p, `${pid}\n`, { mode: 0o644 });
}

export function removePidFiles(paths: readonly string[]): void {
  for (const p of paths) {
    try {
      unlinkSync(p);
    } catch {
      // already gone
    }
  }
}
