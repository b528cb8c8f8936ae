/** Pure checker pieces: spec resolution, HTTP response judging and genhash digests, DNS, SMTP, UDP, misc verdicts. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dnsQuery, dnsVerdict } from '../../../src/check/dns-message.js';
import { bodyDigest, httpRequest, judgeUrl, parseHttpResponse } from '../../../src/check/http-response.js';
import { miscVerdict } from '../../../src/check/misc.js';
import { smtpReplies } from '../../../src/check/smtp.js';
import { parseHex } from '../../../src/check/spec.js';
import { udpReplyVerdict } from '../../../src/check/udp.js';
import type { HttpUrl } from '../../../src/config/model.js';

const enc = (s: string) => new TextEncoder().encode(s);
const url = (u: Partial<HttpUrl>): HttpUrl => ({ statusCodes: [], loc: undefined as never, ...u });

describe('check/http-response', () => {
  test("keepalived's request line, User-Agent and Host (port only when not the default)", () => {
    assert.equal(
      httpRequest('/h', 'www.x', 80, false, '1.0'),
      'GET /h HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: www.x\r\n\r\n',
    );
    assert.equal(
      httpRequest('/', '10.0.0.1', 8443, true, '1.1'),
      'GET / HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nHost: 10.0.0.1:8443\r\nConnection: close\r\n\r\n',
    );
  });
  test('genhash digest: MD5 of the body only (RFC 1321 test vector)', () => {
    const res = parseHttpResponse(enc('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc'))!;
    assert.equal(res.status, 200);
    assert.equal(bodyDigest(res.body), '900150983cd24fb0d6963f7d28e17f72');
  });
  const res = (status: number, body = 'abc') =>
    parseHttpResponse(enc(`HTTP/1.0 ${status} X\r\n\r\n${body}`))!;
  const cases: [string, HttpUrl, number, boolean | string][] = [
    ['default 200-299 accepts 204', url({}), 204, true],
    ['default rejects 301', url({}), 301, 'status-code'],
    [
      'ranges',
      url({
        statusCodes: [
          { from: 300, to: 399 },
          { from: 503, to: 503 },
        ],
      }),
      503,
      true,
    ],
    [
      'digest only: any status, digest must match',
      url({ digest: '900150983CD24FB0D6963F7D28E17F72' }),
      500,
      true,
    ],
    ['digest mismatch', url({ digest: '00000000000000000000000000000000' }), 200, 'digest'],
    ['regex match', url({ regex: 'a.c' }), 200, true],
    ['regex miss', url({ regex: '^zz' }), 200, 'regex'],
  ];
  for (const [name, u, status, want] of cases)
    test(name, () => {
      const r = judgeUrl(u, res(status));
      assert.equal(r.ok ? true : r.reason, want);
    });
  test('garbage is not an HTTP response', () => {
    assert.equal(parseHttpResponse(enc('SSH-2.0-OpenSSH\r\n')), undefined);
    assert.equal(parseHttpResponse(new Uint8Array(0)), undefined);
  });
});

describe('check/dns-message', () => {
  test('query for SOA of . and verdicts', () => {
    const q = dnsQuery(0x1234, { kind: 'dns', qtype: 'SOA', name: '.' });
    assert.deepEqual([...q], [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1]);
    const a = dnsQuery(7, { kind: 'dns', qtype: 'A', name: 'www.example.' });
    assert.equal(a.length, 12 + 13 + 4);
    const reply = (id: number, flags: number, an: number) =>
      Uint8Array.from([id >> 8, id & 255, flags >> 8, flags & 255, 0, 1, 0, an, 0, 0, 0, 0]);
    assert.equal(dnsVerdict(1, reply(2, 0x8180, 1)), undefined);
    assert.deepEqual(dnsVerdict(1, reply(1, 0x8180, 1)), { ok: true });
    assert.equal((dnsVerdict(1, reply(1, 0x8183, 0)) as { reason: string }).reason, 'bad-reply');
    assert.equal((dnsVerdict(1, reply(1, 0x8180, 0)) as { reason: string }).reason, 'bad-reply');
  });
});

describe('check/smtp, udp, misc', () => {
  test('SMTP multi-line replies end on the line without a dash', () => {
    assert.deepEqual(smtpReplies('220-hello\r\n220 ready\r\n250 o'), { codes: [220], rest: '250 o' });
    assert.deepEqual(smtpReplies('junk\n').codes, [-1]);
  });
  test("keepalived's free-format hex and X nibbles", () => {
    assert.deepEqual(
      parseHex('Ab12f 3 456 546443123', false).map((b) => b.value),
      [0xab, 0x12, 0x0f, 0x03, 0x45, 0x06, 0x54, 0x64, 0x43, 0x12, 0x03],
    );
    assert.deepEqual(parseHex('aX', true), [{ value: 0xa0, mask: 0xf0 }]);
  });
  test('UDP reply length bounds and masked pattern', () => {
    const u = {
      kind: 'udp' as const,
      minReplyLength: 2,
      maxReplyLength: 4,
      requireReply: { pattern: parseHex('aX 01', true) },
    };
    assert.equal(udpReplyVerdict(u, Uint8Array.from([0xa7, 0x01])).ok, true);
    assert.equal(udpReplyVerdict(u, Uint8Array.from([0xb7, 0x01])).ok, false);
    assert.equal(udpReplyVerdict(u, Uint8Array.from([0xa7])).ok, false);
  });
  test('misc exit codes, with and without misc_dynamic', () => {
    const exit = (code: number) => ({ kind: 'exit' as const, code });
    assert.deepEqual(miscVerdict(exit(0), false), { ok: true });
    assert.equal(miscVerdict(exit(2), false).ok, false);
    assert.deepEqual(miscVerdict(exit(0), true), { ok: true });
    assert.equal(miscVerdict(exit(1), true).ok, false);
    assert.deepEqual(miscVerdict(exit(12), true), { ok: true, weight: 10 });
    assert.deepEqual(miscVerdict(exit(255), true), { ok: true, weight: 253 });
    const t = miscVerdict({ kind: 'signal', signal: 'SIGTERM', timedOut: true }, false);
    assert.equal(t.ok ? '' : t.reason, 'timeout');
  });
});

describe('check/icmp-echo', () => {
  test('echo request checksum and reply matching (IPv4 header skipped)', async () => {
    const { echoReplySeq, echoRequest } = await import('../../../src/check/icmp-echo.js');
    const req = echoRequest(4, 0x1234, 7, new Uint8Array([1, 2]));
    assert.deepEqual([...req], [8, 0, 0xe4, 0xc2, 0x12, 0x34, 0, 7, 1, 2]);
    const ipHdr = new Uint8Array(20);
    ipHdr[0] = 0x45;
    const reply = Uint8Array.from([...ipHdr, 0, 0, 0, 0, 0x12, 0x34, 0, 7]);
    assert.equal(echoReplySeq(4, 0x1234, reply), 7);
    assert.equal(echoReplySeq(4, 0x9999, reply), undefined);
    assert.equal(echoReplySeq(6, 1, Uint8Array.from([129, 0, 0, 0, 0, 1, 0, 9])), 9);
    assert.equal(echoReplySeq(6, 1, Uint8Array.from([128, 0, 0, 0, 0, 1, 0, 9])), undefined);
  });
});

describe('check/file', () => {
  test('weight 0: up only at 0; -254 or less down; dynamic weights; reverse', async () => {
    const { fileVerdict } = await import('../../../src/check/file.js');
    const f = {
      kind: 'file' as const,
      trackFile: 't',
      weight: 0,
      reverse: false,
      dynamic: false,
      rsWeight: 10,
    };
    assert.equal(fileVerdict(f, 0).ok, true);
    assert.equal(fileVerdict(f, 3).ok, false);
    assert.equal(fileVerdict({ ...f, weight: 1 }, -254).ok, false);
    assert.deepEqual(fileVerdict({ ...f, weight: 2, dynamic: true }, 3), { ok: true, weight: 16 });
    assert.deepEqual(fileVerdict({ ...f, weight: 2, dynamic: true, reverse: true }, 3), {
      ok: true,
      weight: 4,
    });
    assert.deepEqual(fileVerdict({ ...f, weight: 1, dynamic: true }, -20), { ok: true, weight: 0 });
  });
});
