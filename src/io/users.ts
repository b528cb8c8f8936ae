/**
 * @module User and group names to ids for scripts run as another user, from /etc/passwd and
 * /etc/group, read once (at the first lookup, during start-up) and cached.
 */

import { readFileSync } from 'node:fs';

let users: Map<string, { uid: number; gid: number }> | null = null;
let groups: Map<string, number> | null = null;

function table(path: string): string[][] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(':'));
  } catch {
    return [];
  }
}

/** The uid and primary gid of a user name or numeric uid; undefined when unknown. */
export function resolveUser(name: string): { uid: number; gid: number } | undefined {
  users ??= new Map(table('/etc/passwd').map((f) => [f[0]!, { uid: Number(f[2]), gid: Number(f[3]) }]));
  if (/^\d+$/.test(name)) return { uid: Number(name), gid: users.get(name)?.gid ?? Number(name) };
  return users.get(name);
}

/** The gid of a group name or number; undefined when unknown. */
export function resolveGroup(name: string): number | undefined {
  groups ??= new Map(table('/etc/group').map((f) => [f[0]!, Number(f[2])]));
  return /^\d+$/.test(name) ? Number(name) : groups.get(name);
}
