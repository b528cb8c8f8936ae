/**
 * @module Which VRRP notifies also mail (keepalived 2.2.7 vrrp_notify.c): every instance
 * or sync group notify goes through here; it mails when the object's alerts are on and
 * its state differs from the last one it mailed (FAULT skipped under no_email_faults).
 * Instances and groups start with nothing mailed, so the first BACKUP at start-up mails.
 */

import type { Config } from '../config/model.js';
import type { SmtpAlerter } from './smtp-alert.js';
import {
  groupAlert,
  instanceAlert,
  type VrrpAlertState,
  vrrpAlertDue,
  vrrpAlertsOn,
} from './smtp-alert-format.js';

export class VrrpSmtpAlerts {
  readonly #alerter: SmtpAlerter;
  readonly #instanceOn = new Map<string, boolean>();
  readonly #groupOn = new Map<string, boolean>();
  readonly #lastInstance = new Map<string, VrrpAlertState>();
  readonly #lastGroup = new Map<string, VrrpAlertState>();

  constructor(config: Config, alerter: SmtpAlerter) {
    this.#alerter = alerter;
    for (const i of config.vrrpInstances)
      this.#instanceOn.set(i.name, vrrpAlertsOn(i.smtpAlert, config.global));
    for (const g of config.vrrpSyncGroups)
      this.#groupOn.set(g.name, vrrpAlertsOn(g.smtpAlert, config.global));
  }

  get alerter(): SmtpAlerter {
    return this.#alerter;
  }

  instance(name: string, state: VrrpAlertState): void {
    const s = this.#alerter.settings;
    if (
      !vrrpAlertDue(this.#instanceOn.get(name) ?? false, state, this.#lastInstance.get(name), s.noEmailFaults)
    )
      return;
    this.#lastInstance.set(name, state);
    this.#alerter.send(instanceAlert(s.routerId, name, state));
  }

  group(name: string, state: Exclude<VrrpAlertState, 'DELETED'>): void {
    const s = this.#alerter.settings;
    if (!vrrpAlertDue(this.#groupOn.get(name) ?? false, state, this.#lastGroup.get(name), s.noEmailFaults))
      return;
    this.#lastGroup.set(name, state);
    this.#alerter.send(groupAlert(s.routerId, name, state));
  }
}
