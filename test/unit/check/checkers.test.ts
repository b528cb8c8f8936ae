/**
 * Each checker against local servers on 127.0.0.1: one that answers, one that accepts
 * and hangs, one that answers garbage, one that resets, a closed port, and TLS servers
 * with a self-signed certificate (generated with openssl in a temp dir).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createServer as createTlsServer } from 'node:tls';
import { dnsCheck } from '../../../src/check/dns.js';
import { httpCheck, md5Hex } from '../../../src/check/http.js';
import { miscCheck } from '../../../src/check/misc.js';
import { smtpCheck } from '../../../src/check/smtp.js';
import { parseHex } from '../../../src/check/spec.js';
import { tcpCheck } from '../../../src/check/tcp.js';
import type { CheckKindSpec, CheckResult, CheckSpec } from '../../../src/check/types.js';
import { udpCheck } from '../../../src/check/udp.js';
import { ScriptRunner } from '../../../src/io/script-runner.js';

const LO = '127.0.0.1';
const BODY = 'hello from backend\n';
const servers: { close(): void }[] = [];
const sockets = new Set<Socket>();

function spec(port: number, kind: CheckKindSpec, timeoutMs = 800): CheckSpec {
  return {
    id: `t/${port}`,
    type: 'TCP_CHECK',
    endpoint: { family: 4, address: LO, port },
    connectTimeoutMs: timeoutMs,
    schedule: { delayLoopMs: 1000, retry: 0, delayBeforeRetryMs: 0, warmupMs: 0, alpha: false },
    kind,
  };
}
const http = (
  urls: { path?: string; digest?: string; statusCodes?: { from: number; to: number }[] }[],
  tls = false,
  verifyPeer = false,
): CheckKindSpec => ({
  kind: 'http',
  tls,
  urls: urls.map((u) => ({ statusCodes: [], loc: undefined as never, ...u })),
  httpProtocol: '1.0',
  enableSni: false,
  verifyPeer,
});
const signal = () => new AbortController().signal;
const why = (r: CheckResult) => (r.ok ? 'ok' : r.reason);

function tcpServer(onConn: (s: Socket) => void): Promise<number> {
  const srv: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    onConn(s);
  });
  servers.push(srv);
  return new Promise((r) => srv.listen(0, LO, () => r((srv.address() as { port: number }).port)));
}

const ports: Record<string, number> = {};
let dir = '';

before(async () => {
  const h = createHttpServer((req, res) => {
    if (req.url === '/missing') res.writeHead(404).end('no');
    else res.writeHead(200, { 'content-type': 'text/plain' }).end(BODY);
  });
  servers.push(h);
  ports.http = await new Promise((r) => h.listen(0, LO, () => r((h.address() as { port: number }).port)));
  ports.hang = await tcpServer(() => {});
  ports.garbage = await tcpServer((s) => s.end('\x00\x01garbage\r\n\r\nmore'));
  ports.reset = await tcpServer((s) => s.once('data', () => s.resetAndDestroy()));
  ports.closed = await tcpServer(() => {});
  servers.pop()!.close();
  ports.smtp = await tcpServer((s) => {
    s.write('220-mail.test ESMTP\r\n220 ready\r\n');
    s.on('data', (d) => {
      if (/^HELO /.test(d.toString())) s.write('250 mail.test\r\n');
      else if (/^QUIT/.test(d.toString())) s.end('221 bye\r\n');
    });
  });
  ports.smtpBad = await tcpServer((s) => s.write('554 go away\r\n'));
  dir = mkdtempSync(join(tmpdir(), 'kts-check-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=bad.example',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const t = createTlsServer(
    { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
    (s) => {
      s.on('error', () => {});
      s.once('data', () => s.end(`HTTP/1.0 200 OK\r\n\r\n${BODY}`));
    },
  );
  servers.push(t);
  ports.tls = await new Promise((r) => t.listen(0, LO, () => r((t.address() as { port: number }).port)));
});

after(() => {
  for (const s of sockets) s.destroy();
  for (const s of servers) s.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('check/tcp', () => {
  test('up when the handshake completes, even if the server then hangs', async () => {
    assert.equal(why(await tcpCheck(spec(ports.http!, { kind: 'tcp' }), signal())), 'ok');
    assert.equal(why(await tcpCheck(spec(ports.hang!, { kind: 'tcp' }), signal())), 'ok');
  });
  test('refused on a closed port', async () => {
    assert.equal(why(await tcpCheck(spec(ports.closed!, { kind: 'tcp' }), signal())), 'refused');
  });
  test('an aborted check settles at once as a timeout', async () => {
    const ac = new AbortController();
    ac.abort();
    assert.equal(why(await tcpCheck(spec(ports.http!, { kind: 'tcp' }), ac.signal)), 'timeout');
  });
});

describe('check/http (HTTP_GET)', () => {
  test('status 200 within the default range, and the digest genhash would print', async () => {
    assert.equal(why(await httpCheck(spec(ports.http!, http([{ path: '/' }])), signal())), 'ok');
    const digest = md5Hex(new TextEncoder().encode(BODY));
    assert.equal(why(await httpCheck(spec(ports.http!, http([{ path: '/', digest }])), signal())), 'ok');
    assert.equal(
      why(await httpCheck(spec(ports.http!, http([{ path: '/', digest: '0'.repeat(32) }])), signal())),
      'digest',
    );
  });
  test('every url must pass; status_code ranges', async () => {
    const s = spec(ports.http!, http([{ path: '/' }, { path: '/missing' }]));
    assert.equal(why(await httpCheck(s, signal())), 'status-code');
    const s404 = spec(ports.http!, http([{ path: '/missing', statusCodes: [{ from: 404, to: 404 }] }]));
    assert.equal(why(await httpCheck(s404, signal())), 'ok');
  });
  test('accepts then hangs: timeout within connect_timeout', async () => {
    const t0 = performance.now();
    assert.equal(why(await httpCheck(spec(ports.hang!, http([{}]), 300), signal())), 'timeout');
    assert.ok(performance.now() - t0 < 1000);
  });
  test('garbage answer, reset, refused', async () => {
    assert.equal(why(await httpCheck(spec(ports.garbage!, http([{}])), signal())), 'bad-response');
    assert.equal(why(await httpCheck(spec(ports.reset!, http([{}])), signal())), 'reset');
    assert.equal(why(await httpCheck(spec(ports.closed!, http([{}])), signal())), 'refused');
  });
});

describe('check/genhash', () => {
  test('prints the digest HTTP_GET compares (plain and TLS)', async () => {
    const { genhash } = await import('../../../src/check/genhash.js');
    const want = md5Hex(new TextEncoder().encode(BODY));
    assert.deepEqual(await genhash({ address: LO, port: ports.http!, path: '/' }), {
      ok: true,
      status: 200,
      digest: want,
      bodyBytes: BODY.length,
    });
    const tls = await genhash({ address: LO, port: ports.tls!, path: '/', tls: true });
    assert.equal(tls.ok && tls.digest, want);
    assert.deepEqual(await genhash({ address: LO, port: ports.closed!, path: '/' }), {
      ok: false,
      error: 'ECONNREFUSED',
    });
  });
});

describe('check/http (SSL_GET)', () => {
  test("self-signed certificate: up without verification (keepalived's default)", async () => {
    assert.equal(why(await httpCheck(spec(ports.tls!, http([{}], true)), signal())), 'ok');
  });
  test('self-signed certificate: down with verify_peer', async () => {
    assert.equal(why(await httpCheck(spec(ports.tls!, http([{}], true, true)), signal())), 'tls-error');
  });
  test('TLS to a plain HTTP server or a garbage server fails', async () => {
    assert.notEqual(why(await httpCheck(spec(ports.http!, http([{}], true)), signal())), 'ok');
    assert.notEqual(why(await httpCheck(spec(ports.garbage!, http([{}], true)), signal())), 'ok');
    assert.equal(why(await httpCheck(spec(ports.hang!, http([{}], true), 300), signal())), 'timeout');
  });
});

describe('check/smtp', () => {
  test('220 greeting, HELO 250: up; a 554 greeting, a hang or garbage: down', async () => {
    const k = { kind: 'smtp', heloName: 'kts' } as const;
    assert.equal(why(await smtpCheck(spec(ports.smtp!, k), signal())), 'ok');
    assert.equal(why(await smtpCheck(spec(ports.smtpBad!, k), signal())), 'bad-response');
    assert.equal(why(await smtpCheck(spec(ports.hang!, k, 300), signal())), 'timeout');
    assert.equal(why(await smtpCheck(spec(ports.garbage!, k), signal())), 'bad-response');
  });
});

function udpServer(
  onMsg: (s: UdpSocket, msg: Buffer, rinfo: { port: number; address: string }) => void,
): Promise<number> {
  const s = createSocket('udp4');
  s.on('message', (m, r) => onMsg(s, m, r));
  servers.push(s);
  return new Promise((r) => s.bind(0, LO, () => r(s.address().port)));
}

describe('check/udp and check/dns', () => {
  test('UDP: reply required and matched; silence ok without require_reply; closed port refused', async () => {
    const echo = await udpServer((s, m, r) =>
      s.send(Buffer.concat([Buffer.from([0xa5]), m]), r.port, r.address),
    );
    const silent = await udpServer(() => {});
    const need = {
      kind: 'udp',
      payload: Uint8Array.from([1, 2]),
      requireReply: { pattern: parseHex('aX 01', true) },
      minReplyLength: 0,
      maxReplyLength: 255,
    } as const;
    // A generous deadline: the answer ends the check at once; a loaded machine must not fail it.
    assert.equal(why(await udpCheck(spec(echo, need, 5000), signal())), 'ok');
    assert.equal(why(await udpCheck(spec(silent, need, 300), signal())), 'timeout');
    const noReply = { kind: 'udp', minReplyLength: 0, maxReplyLength: 255 } as const;
    assert.equal(why(await udpCheck(spec(silent, noReply, 300), signal())), 'ok');
    assert.equal(why(await udpCheck(spec(ports.closed!, noReply, 500), signal())), 'refused');
  });
  test('DNS: an answer with the same id and one record is up; SERVFAIL is down', async () => {
    const answer = (rcode: number) => (s: UdpSocket, m: Buffer, r: { port: number; address: string }) => {
      const out = Buffer.from(m);
      out.writeUInt16BE(0x8180 | rcode, 2);
      out.writeUInt16BE(rcode === 0 ? 1 : 0, 6);
      s.send(out, r.port, r.address);
    };
    const good = await udpServer(answer(0));
    const bad = await udpServer(answer(2));
    const k = { kind: 'dns', qtype: 'SOA', name: '.' } as const;
    assert.equal(why(await dnsCheck(spec(good, k, 5000), signal())), 'ok');
    assert.equal(why(await dnsCheck(spec(bad, k, 5000), signal())), 'bad-reply');
  });
});

describe('check/misc', () => {
  const runner = new ScriptRunner(4);
  const misc = miscCheck(runner);
  const k = (argv: string[], dynamic = false, timeoutMs = 2000): CheckKindSpec => ({
    kind: 'misc',
    script: { argv, text: argv.join(' '), loc: undefined as never },
    timeoutMs,
    dynamic,
  });
  test('exit 0 up, exit 1 down; misc_dynamic 12 → weight 10; timeout kills', async () => {
    assert.equal(why(await misc(spec(0, k(['/bin/true'])), signal())), 'ok');
    assert.equal(why(await misc(spec(0, k(['/bin/false'])), signal())), 'exit-code');
    assert.deepEqual(await misc(spec(0, k(['/bin/sh', '-c', 'exit 12'], true)), signal()), {
      ok: true,
      weight: 10,
    });
    assert.equal(why(await misc(spec(0, k(['/bin/sleep', '5'], false, 200)), signal())), 'timeout');
    assert.equal(why(await misc(spec(0, k(['/nonexistent/script'])), signal())), 'script-error');
  });
  test("runs as the checker's user", { skip: process.getuid?.() === 0 ? false : 'needs root' }, async () => {
    const { resolveUser } = await import('../../../src/io/users.js');
    const nobody = resolveUser('nobody')!;
    const asNobody = miscCheck(runner, (u) => (u ? resolveUser(u) : undefined));
    const script = k(['/bin/sh', '-c', `test "$(id -u)" = ${nobody.uid}`]);
    assert.equal(
      why(await asNobody(spec(0, { ...script, user: 'nobody' } as CheckKindSpec), signal())),
      'ok',
    );
    assert.equal(why(await asNobody(spec(0, script), signal())), 'exit-code');
  });
});

describe('check/ping (raw ICMP through the native layer)', {
  skip: process.getuid?.() === 0 ? false : 'needs CAP_NET_RAW',
}, () => {
  // Only loopback: no echo may leave the machine (the negative case is in pure.test.ts).
  test('127.0.0.1 and ::1 answer', async () => {
    const { pingCheck } = await import('../../../src/check/ping.js');
    assert.equal(why(await pingCheck(spec(0, { kind: 'ping' }), signal())), 'ok');
    const v6 = { ...spec(0, { kind: 'ping' }), endpoint: { family: 6 as const, address: '::1', port: 0 } };
    assert.equal(why(await pingCheck(v6, signal())), 'ok');
  });
});
