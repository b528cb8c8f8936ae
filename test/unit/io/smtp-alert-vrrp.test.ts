import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Config } from '../../../src/config/model.js';
import { SmtpAlerter } from '../../../src/io/smtp-alert.js';
import { VrrpSmtpAlerts } from '../../../src/io/smtp-alert-vrrp.js';
import { g, settings } from './smtp-fixtures.js';

test('VRRP notifies mail once per state change, per instance and group, as vrrp_notify.c', () => {
  const sent: string[] = [];
  const alerter = new SmtpAlerter({
    settings: settings({ routerId: 'R1', noEmailFaults: true }),
    log: () => {},
  });
  alerter.send = (a) => void sent.push(a.subject);
  const config = {
    global: g({ smtpAlertVrrp: true }),
    vrrpInstances: [{ name: 'VI_1' }, { name: 'VI_2', smtpAlert: false }],
    vrrpSyncGroups: [{ name: 'G' }],
  } as unknown as Config;
  const alerts = new VrrpSmtpAlerts(config, alerter);
  alerts.instance('VI_1', 'BACKUP');
  alerts.instance('VI_1', 'BACKUP');
  alerts.instance('VI_2', 'BACKUP');
  alerts.group('G', 'BACKUP');
  // no_email_faults: FAULT is skipped and not remembered, so the BACKUP after it is not new.
  alerts.instance('VI_1', 'FAULT');
  alerts.instance('VI_1', 'BACKUP');
  alerts.instance('VI_1', 'MASTER');
  alerts.instance('VI_1', 'STOP');
  assert.deepEqual(sent, [
    '[R1] VRRP Instance VI_1 - Entering BACKUP state',
    '[R1] VRRP Group G - Entering BACKUP state',
    '[R1] VRRP Instance VI_1 - Entering MASTER state',
    '[R1] VRRP Instance VI_1 - Stopping',
  ]);
});
