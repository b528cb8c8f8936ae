import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { SmtpAlerter } from '../../../src/io/smtp-alert.js';
import { instanceAlert } from '../../../src/io/smtp-alert-format.js';
import { settings } from './smtp-fixtures.js';
import { startSmtpSink } from './smtp-sink.js';

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

test("client: a reply longer than keepalived's buffer ends the dialogue", async () => {
  const flood = createServer((c) => c.write(`220 ${'x'.repeat(2000)}`));
  await new Promise<void>((r) => flood.listen(0, '127.0.0.1', () => r()));
  const port = (flood.address() as { port: number }).port;
  const logs: string[] = [];
  const alerter = new SmtpAlerter({ settings: settings({ port }), log: (t) => logs.push(t) });
  alerter.send(instanceAlert('R1', 'VI_1', 'BACKUP'));
  await alerter.drain(5000);
  flood.close();
  assert.deepEqual(logs, [
    `Received buffer from remote SMTP server [127.0.0.1]:${port} overflow our get read buffer length.`,
  ]);
  assert.equal(alerter.counters.failed, 1);
});
