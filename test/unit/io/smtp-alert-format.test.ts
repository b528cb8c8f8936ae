import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkerAlertBody,
  checkerAlertDue,
  groupAlert,
  instanceAlert,
  messageData,
  parseReply,
  quorumBody,
  realServerAlert,
  realServerAlertsOn,
  rfc822Date,
  smtpDialogue,
  smtpSettings,
  virtualServerAlert,
  virtualServerAlertsOn,
  vrrpAlertDue,
  vrrpAlertsOn,
} from '../../../src/io/smtp-alert-format.js';
import { g, host, settings } from './smtp-fixtures.js';

test('no mail without notification_email addresses or smtp_server', () => {
  assert.equal(smtpSettings(g({ notificationEmails: [] }), host), undefined);
  assert.equal(smtpSettings(g({ smtpServer: undefined }), host), undefined);
});

test("keepalived's defaults: helo and router_id the local name, from USER@local-name, 30 s", () => {
  const s = smtpSettings(g(), host)!;
  assert.equal(s.heloName, 'lb1');
  assert.equal(s.routerId, 'lb1');
  assert.equal(s.from, 'root@lb1');
  assert.equal(s.timeoutMs, 30_000);
  const t = smtpSettings(
    g({ smtpHeloName: 'mx', routerId: 'R1', notificationEmailFrom: 'ka@x', smtpConnectTimeoutS: 3 }),
    host,
  )!;
  assert.deepEqual([t.heloName, t.routerId, t.from, t.timeoutMs], ['mx', 'R1', 'ka@x', 3000]);
});

test('smtp_alert resolution: own, then the family default, then smtp_alert; real servers default on', () => {
  assert.equal(vrrpAlertsOn(undefined, g()), false);
  assert.equal(vrrpAlertsOn(undefined, g({ smtpAlert: true })), true);
  assert.equal(vrrpAlertsOn(undefined, g({ smtpAlert: true, smtpAlertVrrp: false })), false);
  assert.equal(vrrpAlertsOn(true, g({ smtpAlertVrrp: false })), true);
  assert.equal(vrrpAlertsOn(undefined, g({ smtpAlertChecker: true })), false);
  assert.equal(virtualServerAlertsOn(undefined, g()), false);
  assert.equal(virtualServerAlertsOn(undefined, g({ smtpAlertChecker: true, smtpAlert: false })), true);
  assert.equal(realServerAlertsOn(undefined, g()), true);
  assert.equal(realServerAlertsOn(undefined, g({ smtpAlert: false })), false);
  assert.equal(realServerAlertsOn(undefined, g({ smtpAlert: false, smtpAlertChecker: true })), true);
  assert.equal(realServerAlertsOn(false, g({ smtpAlertChecker: true })), false);
});

test('VRRP mail is due once per state, FAULT skipped under no_email_faults', () => {
  assert.equal(vrrpAlertDue(true, 'BACKUP', undefined, false), true);
  assert.equal(vrrpAlertDue(true, 'BACKUP', 'BACKUP', false), false);
  assert.equal(vrrpAlertDue(false, 'MASTER', 'BACKUP', false), false);
  assert.equal(vrrpAlertDue(true, 'FAULT', 'BACKUP', true), false);
  assert.equal(vrrpAlertDue(true, 'FAULT', 'BACKUP', false), true);
});

test('checker mail: the checker changed, and the real server too unless no_checker_emails is off', () => {
  assert.equal(checkerAlertDue(true, true, true, true), true);
  assert.equal(checkerAlertDue(true, true, false, true), false);
  assert.equal(checkerAlertDue(true, true, false, false), true);
  assert.equal(checkerAlertDue(false, true, true, false), false);
  assert.equal(checkerAlertDue(true, false, true, false), false);
});

test('subjects and bodies as keepalived 2.2.7 words them', () => {
  assert.deepEqual(instanceAlert('R1', 'VI_1', 'MASTER'), {
    subject: '[R1] VRRP Instance VI_1 - Entering MASTER state',
    body: '=> VRRP Instance is now owning VRRP VIPs <=',
  });
  assert.deepEqual(
    instanceAlert('R1', 'VI_1', 'BACKUP').body,
    '=> VRRP Instance is no longer owning VRRP VIPs <=',
  );
  assert.deepEqual(
    instanceAlert('R1', 'VI_1', 'FAULT').subject,
    '[R1] VRRP Instance VI_1 - Entering FAULT state',
  );
  assert.deepEqual(instanceAlert('R1', 'VI_1', 'STOP'), {
    subject: '[R1] VRRP Instance VI_1 - Stopping',
    body: '=> VRRP Instance stopping <=',
  });
  assert.deepEqual(instanceAlert('R1', 'VI_2', 'DELETED'), {
    subject: '[R1] VRRP Instance VI_2 - Deleted',
    body: '=> VRRP Deleted at reload <=',
  });
  assert.deepEqual(groupAlert('R1', 'G', 'BACKUP'), {
    subject: '[R1] VRRP Group G - Entering BACKUP state',
    body: '=> All VRRP group instances are now in BACKUP state <=',
  });
  assert.equal(groupAlert('R1', 'G', 'STOP').body, '=> All VRRP group instances are now stopping <=');
  assert.equal(
    realServerAlert(
      'R1',
      '[10.0.0.2]:tcp:80',
      '[10.0.0.1]:tcp:80',
      false,
      checkerAlertBody('TCP_CHECK', false, '')!,
    ).subject,
    '[R1] Realserver [10.0.0.2]:tcp:80 of virtual server [10.0.0.1]:tcp:80 - DOWN',
  );
  assert.equal(checkerAlertBody('TCP_CHECK', true, ''), '=> TCP CHECK succeed on service <=');
  assert.equal(checkerAlertBody('TCP_CHECK', false, ''), '=> TCP CHECK failed on service <=');
  assert.equal(checkerAlertBody('PING_CHECK', true, ''), '=> ICMP CHECK succeed on service <=');
  assert.equal(checkerAlertBody('DNS_CHECK', false, ''), '=> DNS_CHECK: failed on service <=');
  assert.equal(
    checkerAlertBody('HTTP_GET', false, 'status 500'),
    '=> CHECK failed on service : HTTP request failed <=',
  );
  assert.equal(checkerAlertBody('FILE_CHECK', false, ''), undefined);
  assert.equal(
    virtualServerAlert('R1', '[10.0.0.1]:tcp:80', true, 'x').subject,
    '[R1] Virtualserver [10.0.0.1]:tcp:80 - UP',
  );
  assert.equal(quorumBody(true, false, 2, 1, 3, 4), '=> Gained quorum 2+1=3 <= 4 <=');
  assert.equal(quorumBody(false, false, 2, 1, 1, 0), '=> Lost quorum 2+1=1 <= 0 <=');
  assert.equal(quorumBody(false, true, 2, 0, 2, 0), '=> Starting with quorum down 2+0=2 <= 0 <=');
});

test('long subjects and bodies are cut where keepalived cuts them', () => {
  const a = instanceAlert('R'.repeat(300), 'VI', 'MASTER');
  assert.equal(a.subject.length, 255);
});

test('Date header: strftime "%a, %d %b %Y %H:%M:%S %z" in local time', () => {
  const d = new Date(2026, 0, 5, 7, 8, 9);
  const off = -d.getTimezoneOffset();
  const z = `${off < 0 ? '-' : '+'}${String(Math.floor(Math.abs(off) / 60)).padStart(2, '0')}${String(Math.abs(off) % 60).padStart(2, '0')}`;
  assert.equal(rfc822Date(d), `Mon, 05 Jan 2026 07:08:09 ${z}`);
});

test('the message and dialogue bytes', () => {
  const s = settings({ routerId: 'R1', from: 'ka@lb1', heloName: 'lb1' });
  const d = new Date(2026, 10, 24, 4, 0, 0);
  const a = instanceAlert('R1', 'VI_1', 'MASTER');
  assert.equal(
    messageData(s, a, d),
    `Date: ${rfc822Date(d)}\r\nFrom: ka@lb1\r\nSubject: [R1] VRRP Instance VI_1 - Entering MASTER state\r\n` +
      'X-Mailer: Keepalived\r\nTo: ops@example.com, noc@example.com\r\n\r\n' +
      '=> VRRP Instance is now owning VRRP VIPs <=\r\n\r\n.\r\n',
  );
  assert.deepEqual(
    smtpDialogue(s, a, d).map((x) => [x.name, x.send?.split('\r\n')[0], x.expect]),
    [
      ['(E)SMTP', undefined, 220],
      ['HELO', 'HELO lb1', 250],
      ['MAIL', 'MAIL FROM:<ka@lb1>', 250],
      ['RCPT', 'RCPT TO:<ops@example.com>', 250],
      ['RCPT', 'RCPT TO:<noc@example.com>', 250],
      ['DATA', 'DATA', 354],
      ['BODY', `Date: ${rfc822Date(d)}`, 250],
      ['QUIT', 'QUIT', 221],
    ],
  );
});

test('replies: continuation lines skipped, partial replies wait', () => {
  assert.deepEqual(parseReply('220-a\r\n220 b\r\nxx'), { code: 220, rest: 'xx' });
  assert.deepEqual(parseReply('250 o'), { rest: '250 o' });
  assert.deepEqual(parseReply('250-a\r\n'), { rest: '' });
});
