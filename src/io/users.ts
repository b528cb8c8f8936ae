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

/** keepalived's default script user when `script_user` is not set (notify.c). */
export const DEFAULT_SCRIPT_USER = 'keepalived_script';

/** A script's owner/group words: its own `user`/`group`, else the global `script_user`. */
export interface ScriptUserWords {
  readonly user?: string;
  readonly group?: string;
}

export interface ScriptUserPolicy {
  /** global_defs `script_user USER [GROUP]`. */
  readonly scriptUser?: { readonly user: string; readonly group?: string };
  readonly securityEnabled: boolean;
}

export interface IdLookup {
  user(name: string): { uid: number; gid: number } | undefined;
  group(name: string): number | undefined;
}

const systemLookup: IdLookup = { user: resolveUser, group: resolveGroup };

/**
 * Who a script runs as, keepalived 2.2.7's way: its own user (and group, else the user's
 * primary group); else `script_user`; else `keepalived_script` if that user exists; else
 * the daemon's own ids — except that with `enable_script_security` a missing
 * `keepalived_script` disables every script that names no user ("Unable to set default
 * user keepalived_script for script"). `error` carries keepalived's reason.
 */
export function scriptIdentity(
  script: ScriptUserWords,
  policy: ScriptUserPolicy,
  self: { uid: number; gid: number },
  lookup: IdLookup = systemLookup,
): { uid: number; gid: number } | { error: string } {
  const pick = (user: string, group: string | undefined) => {
    const u = lookup.user(user);
    if (u === undefined) return { error: `Script user '${user}' does not exist` };
    if (group === undefined) return u;
    const gid = lookup.group(group);
    return gid === undefined ? { error: `Script group '${group}' does not exist` } : { uid: u.uid, gid };
  };
  if (script.user !== undefined) return pick(script.user, script.group);
  if (policy.scriptUser !== undefined) return pick(policy.scriptUser.user, policy.scriptUser.group);
  const fallback = lookup.user(DEFAULT_SCRIPT_USER);
  if (fallback !== undefined) return fallback;
  if (policy.securityEnabled)
    return { error: `Unable to set default user ${DEFAULT_SCRIPT_USER} for script` };
  return self;
}

/** This process's uid/gid (0/0 where the platform has none). */
export function selfIds(): { uid: number; gid: number } {
  return { uid: process.geteuid?.() ?? 0, gid: process.getegid?.() ?? 0 };
}

/**
 * keepalived's notice when scripts fall back to the default user and it is missing
 * ("Script user 'keepalived_script' does not exist"), or null.
 */
export function defaultUserNotice(policy: ScriptUserPolicy, lookup: IdLookup = systemLookup): string | null {
  if (policy.scriptUser !== undefined || lookup.user(DEFAULT_SCRIPT_USER) !== undefined) return null;
  return `Script user '${DEFAULT_SCRIPT_USER}' does not exist`;
}
