import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import type { Config, GlobalDefs } from '../../../src/config/model.js';
import { SmtpAlerter } from '../../../src/io/smtp-alert.js';
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
  type SmtpSettings,
  smtpDialogue,
  smtpSettings,
  virtualServerAlert,
  virtualServerAlertsOn,
  vrrpAlertDue,
  vrrpAlertsOn,
} from '../../../src/io/smtp-alert-format.js';
import { VrrpSmtpAlerts } from '../../../src/io/smtp-alert-vrrp.js';
import { startSmtpSink } from './smtp-sink.js';

const host = { hostname: 'lb1', userName: 'root' };
const g = (over: Partial<Record<string, unknown>> = {}): GlobalDefs =>
  ({
    notificationEmails: ['ops@example.com', 'noc@example.com'],
    smtpServer: { host: '127.0.0.1', port: 25, loc: { file: 'k.conf', line: 1, column: 1 } },
    ...over,
  }) as unknown as GlobalDefs;

const settings = (over: Partial<SmtpSettings> = {}): SmtpSettings => ({
  ...smtpSettings(g(), host)!,
  ...over,
});

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
      checkerAlertBody('TCP_CHECK', false, ''),
    ).subject,
    '[R1] Realserver [10.0.0.2]:tcp:80 of virtual server [10.0.0.1]:tcp:80 - DOWN',
  );
  assert.equal(checkerAlertBody('TCP_CHECK', true, ''), '=> TCP CHECK succeed on service <=');
  assert.equal(checkerAlertBody('TCP_CHECK', false, ''), '=> TCP CHECK failed on service <=');
  assert.equal(checkerAlertBody('PING_CHECK', true, ''), '=> ICMP CHECK succeed on service <=');
  assert.equal(checkerAlertBody('DNS_CHECK', false, ''), '=> DNS_CHECK: failed on service <=');
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

test('client: one connection per message, the whole dialogue, counted', async () => {
  const sink = await startSmtpSink();
  const logs: string[] = [];
  const details: string[] = [];
  const alerter = new SmtpAlerter({
    settings: settings({ port: sink.port, routerId: 'R1', from: 'ka@lb1', heloName: 'lb1' }),
    log: (t) => logs.push(t),
    detail: (t) => details.push(t),
  });
  alerter.send(instanceAlert('R1', 'VI_1', 'BACKUP'));
  alerter.send(instanceAlert('R1', 'VI_1', 'MASTER'));
  await alerter.drain(5000);
  await sink.close();
  assert.deepEqual(logs, []);
  assert.equal(alerter.counters.sent, 2);
  assert.equal(sink.sessions.length, 2);
  const subjects = sink.sessions.map((s) => s.lines.find((l) => l.startsWith('Subject:'))).sort();
  assert.deepEqual(subjects, [
    'Subject: [R1] VRRP Instance VI_1 - Entering BACKUP state',
    'Subject: [R1] VRRP Instance VI_1 - Entering MASTER state',
  ]);
  const l = sink.sessions[0]!.lines;
  assert.deepEqual(l.slice(0, 5), [
    'HELO lb1',
    'MAIL FROM:<ka@lb1>',
    'RCPT TO:<ops@example.com>',
    'RCPT TO:<noc@example.com>',
    'DATA',
  ]);
  assert.deepEqual(l.slice(-3), ['', '.', 'QUIT']);
  assert.ok(details.includes('SMTP alert successfully sent.'));
});

test('client: a refused connection is logged and counted as failed', async () => {
  const sink = await startSmtpSink();
  const port = sink.port;
  await sink.close();
  const logs: string[] = [];
  const alerter = new SmtpAlerter({ settings: settings({ port }), log: (t) => logs.push(t) });
  alerter.send(instanceAlert('R1', 'VI_1', 'BACKUP'));
  await alerter.drain(5000);
  assert.deepEqual(logs, [`SMTP connection ERROR to [127.0.0.1]:${port}.`]);
  assert.deepEqual(alerter.counters, { queued: 1, sent: 0, failed: 1, dropped: 0 });
});

test('client: a rejected RCPT is logged with its code, then QUIT', async () => {
  const sink = await startSmtpSink({ reply: { RCPT: 550 } });
  const logs: string[] = [];
  const alerter = new SmtpAlerter({ settings: settings({ port: sink.port }), log: (t) => logs.push(t) });
  alerter.send(instanceAlert('R1', 'VI_1', 'BACKUP'));
  await alerter.drain(5000);
  await sink.close();
  assert.deepEqual(logs, [
    `Error processing RCPT cmd on SMTP server [127.0.0.1]:${sink.port}. SMTP status code = 550`,
  ]);
  assert.equal(sink.sessions[0]!.lines.at(-1), 'QUIT');
  assert.equal(alerter.counters.failed, 1);
});

test('client: a silent server times out after smtp_connect_timeout; the queue is bounded', async () => {
  const silent = createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  const port = (silent.address() as { port: number }).port;
  const logs: string[] = [];
  const alerter = new SmtpAlerter({
    settings: settings({ port, timeoutMs: 200 }),
    log: (t) => logs.push(t),
    maxInFlight: 1,
    maxQueued: 1,
  });
  const t0 = Date.now();
  for (let i = 0; i < 3; i++) alerter.send(instanceAlert('R1', 'VI_1', 'BACKUP'));
  assert.equal(alerter.counters.dropped, 1);
  await alerter.drain(5000);
  const took = Date.now() - t0;
  silent.close();
  alerter.close();
  assert.equal(alerter.counters.failed, 2);
  assert.equal(
    logs.filter((l) => l === `Timeout reading data to remote SMTP server [127.0.0.1]:${port}.`).length,
    2,
  );
  assert.ok(took >= 390 && took < 3000, `two timeouts in sequence took ${took} ms`);
});

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
