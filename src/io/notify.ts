/**
 * @module keepalived 2.2.7's notify scripts for a VRRP instance state change: the
 * per-state script (`notify_master`, `notify_backup`, `notify_fault`, `notify_stop`) runs
 * as written, with no added arguments; then the generic `notify` script runs with
 * keepalived's four: "INSTANCE" NAME STATE PRIORITY (vrrp_notify.c). Scripts run as
 * `script_user` (global) or their own `user`/`group` when given.
 */

import type { NotifyScripts, ScriptCommand } from '../config/model.js';
import type { ScriptRunner } from './script-runner.js';
import { resolveGroup, resolveUser } from './users.js';

/** States a notify is sent for. */
export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP';

/** The argv lists to run for a transition, in keepalived's order. */
export function notifyCommands(
  scripts: NotifyScripts,
  name: string,
  state: NotifyState,
  priority: number,
): { command: ScriptCommand; argv: string[] }[] {
  const out: { command: ScriptCommand; argv: string[] }[] = [];
  const perState =
    state === 'MASTER'
      ? scripts.master
      : state === 'BACKUP'
        ? scripts.backup
        : state === 'FAULT'
          ? scripts.fault
          : scripts.stop;
  if (perState) out.push({ command: perState, argv: [...perState.argv] });
  if (scripts.any) {
    out.push({
      command: scripts.any,
      argv: [...scripts.any.argv, 'INSTANCE', name, state, String(priority)],
    });
  }
  return out;
}

export interface NotifierOptions {
  readonly runner: ScriptRunner;
  /** Global `script_user`, when set. */
  readonly defaultUser?: string;
  readonly defaultGroup?: string;
  readonly timeoutMs: number;
  readonly log: (text: string) => void;
}

export class Notifier {
  readonly #o: NotifierOptions;

  constructor(options: NotifierOptions) {
    this.#o = options;
  }

  /** Starts the scripts for one transition; never waits for them. */
  notify(scripts: NotifyScripts, name: string, state: NotifyState, priority: number): void {
    for (const { command, argv } of notifyCommands(scripts, name, state, priority)) {
      const user = command.user ?? this.#o.defaultUser;
      const group = command.group ?? this.#o.defaultGroup;
      const uid = user === undefined ? undefined : resolveUser(user);
      const gid = group === undefined ? (uid === undefined ? undefined : uid.gid) : resolveGroup(group);
      void this.#o.runner
        .run({
          argv,
          timeoutMs: this.#o.timeoutMs,
          ...(uid ? { uid: uid.uid } : {}),
          ...(typeof gid === 'number' ? { gid } : {}),
        })
        .then((r) => {
          if (r.kind === 'error') this.#o.log(`Failed to exec ${command.text}: ${r.message}`);
          else if (r.kind === 'signal' && r.timedOut) this.#o.log(`Process ${command.text} timed out`);
        });
    }
  }
}
