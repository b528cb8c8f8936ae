/**
 * @module keepalived 2.2.7's notifications for a VRRP instance state change, in its order
 * (vrrp_notify.c send_instance_notifies): the per-state script (`notify_master`,
 * `notify_backup`, `notify_fault`, `notify_stop`) as written, with no added arguments;
 * then the generic `notify` script with keepalived's four: "INSTANCE" NAME STATE
 * PRIORITY; then the notify FIFO line (`INSTANCE "NAME" STATE PRIORITY`); then the
 * smtp_alert mail, if due (smtp-alert-vrrp.ts). A master that
 * hears a lower priority runs `notify_master_rx_lower_pri` and writes
 * `INSTANCE "NAME" MASTER_RX_LOWER_PRI PRIORITY`. Scripts run as their own user/group,
 * else `script_user`, else keepalived_script, else as the daemon (users.ts).
 */

import type { NotifyScripts, ScriptCommand } from '../config/model.js';
import { instanceFifoLine, type VrrpFifoEvent } from './notify-fifo-format.js';
import type { ScriptRunner } from './script-runner.js';
import { type ScriptUserPolicy, scriptIdentity, selfIds } from './users.js';

/** States a notify is sent for. */
export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP';

/** What the notifies report: a state, or DELETED for an instance a reload removed. */
export type NotifyReport = NotifyState | 'DELETED';

/** The argv lists to run for a transition, in keepalived's order. */
export function notifyCommands(
  scripts: NotifyScripts,
  name: string,
  state: NotifyReport,
  priority: number,
  kind: 'INSTANCE' | 'GROUP' = 'INSTANCE',
): { command: ScriptCommand; argv: string[] }[] {
  const out: { command: ScriptCommand; argv: string[] }[] = [];
  const perState =
    state === 'MASTER'
      ? scripts.master
      : state === 'BACKUP'
        ? scripts.backup
        : state === 'FAULT'
          ? scripts.fault
          : state === 'DELETED'
            ? scripts.deleted
            : scripts.stop;
  if (perState) out.push({ command: perState, argv: [...perState.argv] });
  if (scripts.any) {
    out.push({
      command: scripts.any,
      argv: [...scripts.any.argv, kind, name, state, String(priority)],
    });
  }
  return out;
}

/** Where FIFO lines go (notify-fifo.ts NotifyFifos). */
export interface FifoSink {
  write(line: string): void;
}

export interface NotifierOptions {
  readonly runner: ScriptRunner;
  /** global_defs script_user / enable_script_security. */
  readonly policy?: ScriptUserPolicy;
  readonly timeoutMs: number;
  readonly log: (text: string) => void;
  /** notify_fifo / vrrp_notify_fifo, when configured. */
  readonly fifo?: FifoSink;
  /** Told of every instance transition (lvs_sync_daemon follows its instance). */
  readonly onTransition?: (name: string, state: NotifyState) => void;
  /** smtp_alert: mails after the scripts and FIFO line, as keepalived's notifies end. */
  readonly smtp?: SmtpNotifySink;
}

/** Where notifies turn into mail (smtp-alert-vrrp.ts VrrpSmtpAlerts). */
export interface SmtpNotifySink {
  instance(name: string, state: NotifyReport): void;
  group(name: string, state: NotifyState): void;
}

export class Notifier {
  readonly #o: NotifierOptions;
  /** Set when a reload removed the instance: its stop is reported as keepalived does. */
  #removed = false;

  constructor(options: NotifierOptions) {
    this.#o = options;
  }

  /** Runs one script (argv, no shell) as the user keepalived would; never waits. */
  run(command: ScriptCommand, argv: readonly string[]): void {
    const ids = scriptIdentity(command, this.#o.policy ?? { securityEnabled: false }, selfIds());
    if ('error' in ids) {
      this.#o.log(`${ids.error} - not running ${command.text}`);
      return;
    }
    void this.#o.runner.run({ argv, timeoutMs: this.#o.timeoutMs, uid: ids.uid, gid: ids.gid }).then((r) => {
      if (r.kind === 'error') this.#o.log(`Failed to exec ${command.text}: ${r.message}`);
      else if (r.kind === 'signal' && r.timedOut) this.#o.log(`Process ${command.text} timed out`);
    });
  }

  /** A FIFO line, if a FIFO is open. */
  fifoLine(line: string): void {
    this.#o.fifo?.write(line);
  }

  /**
   * The instance is being removed by a reload: keepalived reports its end as FAULT, or
   * DELETED when it has a notify_deleted script, not as STOP.
   */
  markRemoved(): void {
    this.#removed = true;
  }

  /** Starts the scripts for one transition and writes the FIFO line; never waits. */
  notify(scripts: NotifyScripts, name: string, to: NotifyState, priority: number): void {
    const state: NotifyReport = this.#removed && to === 'STOP' ? (scripts.deleted ? 'DELETED' : 'FAULT') : to;
    for (const { command, argv } of notifyCommands(scripts, name, state, priority)) this.run(command, argv);
    this.fifoLine(instanceFifoLine(name, state, priority));
    this.#o.smtp?.instance(name, state);
    this.#o.onTransition?.(name, to);
  }

  /** A sync group's notify reached its end: the group's SMTP alert, if due. */
  groupAlert(group: string, state: NotifyState): void {
    this.#o.smtp?.group(group, state);
  }

  /** keepalived send_event_notify: `notify_master_rx_lower_pri` as written, then the FIFO line. */
  event(script: ScriptCommand | undefined, name: string, event: VrrpFifoEvent, priority: number): void {
    if (script) this.run(script, script.argv);
    this.fifoLine(instanceFifoLine(name, event, priority));
  }
}
