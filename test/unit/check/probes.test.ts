/**
 * The lean TCP_CHECK and HTTP_GET probes (native non-blocking sockets) against local
 * servers on 127.0.0.1 and ::1, each case run twice through the CheckRunner: once as a
 * probe and once as the node:net CheckFn. Both forms must give the same verdict, reason
 * and detail (the log lines are built from them). Plus what only the probes do: a
 * status line split across reads, a body past the kept prefix, fds closed afterwards.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { httpCheck, md5Hex } from '../../../src/check/http.js';
import { CheckRunner } from '../../../src/check/runner.js';
import { streamPoller } from '../../../src/check/stream-poller.js';
import { tcpCheck } from '../../../src/check/tcp.js';
import type { CheckKindSpec, CheckResult, CheckSpec, LeanCheckFn } from '../../../src/check/types.js';

const BODY = 'hello from backend\n';
/** Longer than the poller's batch buffer (256 KiB): the probe reads the rest itself. */
const HUGE = 'y'.repeat(700_000);
const servers: Server[] = [];
const sockets = new Set<Socket>();
const ports: Record<string, number> = {};
const skip = streamPoller() ? false : 'native addon without the stream calls';

function spec(port: number, kind: CheckKindSpec, timeoutMs = 800, address = '127.0.0.1'): CheckSpec {
  return {
    id: `p/${port}/${Math.random()}`,
    type: kind.kind === 'tcp' ? 'TCP_CHECK' : 'HTTP_GET',
    endpoint: { family: address.includes(':') ? 6 : 4, address, port },
    connectTimeoutMs: timeoutMs,
    schedule: { delayLoopMs: 60_000, retry: 0, delayBeforeRetryMs: 0, warmupMs: 0, alpha: false },
    kind,
  };
}
const http = (
  urls: { path?: string; digest?: string; regex?: string; statusCodes?: { from: number; to: number }[] }[],
  httpProtocol: '1.0' | '1.0C' | '1.1' = '1.0',
): CheckKindSpec => ({
  kind: 'http',
  tls: false,
  urls: urls.map((u) => ({ statusCodes: [], loc: undefined as never, ...u })),
  httpProtocol,
  enableSni: false,
});

/** The first result of one check through a runner, as a probe or as the CheckFn. */
function runOnce(s: CheckSpec, fn: LeanCheckFn, noProbes: boolean): Promise<CheckResult> {
  return new Promise((resolve) => {
    const runner = new CheckRunner({
      noProbes,
      onChange: () => {},
      onResult: (_s, r) => {
        runner.stop();
        resolve(r);
      },
    });
    runner.add(s, fn);
  });
}

/** Probe and CheckFn agree; returns the probe's result. */
async function both(s: CheckSpec, fn: LeanCheckFn): Promise<CheckResult> {
  const lean = await runOnce(s, fn, false);
  const plain = await runOnce(s, fn, true);
  assert.deepEqual(lean, plain, `probe vs node:net on ${s.endpoint.address}:${s.endpoint.port}`);
  return lean;
}
const why = (r: CheckResult) => (r.ok ? 'ok' : r.reason);

function tcpServer(onConn: (s: Socket) => void, host = '127.0.0.1'): Promise<number> {
  const srv = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    onConn(s);
  });
  servers.push(srv);
  return new Promise((r) => srv.listen(0, host, () => r((srv.address() as { port: number }).port)));
}

before(async () => {
  const h = createHttpServer((req, res) => {
    if (req.url === '/missing') res.writeHead(404).end('no');
    else if (req.url === '/big') res.writeHead(200).end('x'.repeat(200_000));
    else if (req.url === '/huge') res.writeHead(200).end(HUGE);
    else res.writeHead(200, { 'content-type': 'text/plain' }).end(BODY);
  });
  servers.push(h as unknown as Server);
  ports.http = await new Promise((r) =>
    h.listen(0, '127.0.0.1', () => r((h.address() as { port: number }).port)),
  );
  ports.hang = await tcpServer(() => {});
  // Reads and so sees our FIN: its side closes too, and the fd count is ours alone.
  ports.hangReading = await tcpServer((s) => s.resume());
  ports.garbage = await tcpServer((s) => s.end('\x00\x01garbage\r\n\r\nmore'));
  ports.reset = await tcpServer((s) => s.once('data', () => s.resetAndDestroy()));
  ports.split = await tcpServer((s) =>
    s.once('data', () => {
      s.write('HTTP/1.0 2');
      setTimeout(() => s.end('04 No Content\r\n\r\n'), 30);
    }),
  );
  ports.short = await tcpServer((s) => s.once('data', () => s.end('HTTP/1.0 200')));
  ports.v6 = await tcpServer((s) => s.once('data', () => s.end('HTTP/1.1 200 OK\r\n\r\nv6')), '::1');
  const closed = await tcpServer(() => {});
  servers.pop()!.close();
  ports.closed = closed;
});

after(() => {
  for (const s of sockets) s.destroy();
  for (const s of servers) s.close();
});

describe('check/probes: TCP_CHECK', { skip }, () => {
  test('up on a handshake (even if the server then hangs); refused on a closed port', async () => {
    assert.equal(why(await both(spec(ports.http!, { kind: 'tcp' }), tcpCheck)), 'ok');
    assert.equal(why(await both(spec(ports.hang!, { kind: 'tcp' }), tcpCheck)), 'ok');
    const refused = await both(spec(ports.closed!, { kind: 'tcp' }), tcpCheck);
    assert.deepEqual(refused, { ok: false, reason: 'refused', detail: 'ECONNREFUSED' });
    assert.equal(why(await both(spec(ports.v6!, { kind: 'tcp' }, 800, '::1'), tcpCheck)), 'ok');
  });
  test('the runner takes the probe when the addon has the stream calls', () => {
    const s = spec(ports.http!, { kind: 'tcp' });
    const probe = tcpCheck.probe?.(s, { done: () => {}, deadline: () => {} });
    assert.ok(probe, 'tcpCheck offers a probe');
  });
});

describe('check/probes: HTTP_GET', { skip }, () => {
  test('status codes, digests, regex and every url, as the node:net form judges them', async () => {
    const digest = md5Hex(new TextEncoder().encode(BODY));
    assert.equal(why(await both(spec(ports.http!, http([{ path: '/' }])), httpCheck)), 'ok');
    assert.equal(why(await both(spec(ports.http!, http([{ path: '/', digest }])), httpCheck)), 'ok');
    assert.equal(
      why(await both(spec(ports.http!, http([{ path: '/', digest: '0'.repeat(32) }])), httpCheck)),
      'digest',
    );
    assert.equal(why(await both(spec(ports.http!, http([{ regex: 'from back' }])), httpCheck)), 'ok');
    assert.equal(why(await both(spec(ports.http!, http([{ regex: '^nope' }])), httpCheck)), 'regex');
    assert.equal(
      why(await both(spec(ports.http!, http([{ path: '/' }, { path: '/missing' }])), httpCheck)),
      'status-code',
    );
    const s404 = http([{ path: '/missing', statusCodes: [{ from: 404, to: 404 }] }], '1.1');
    assert.equal(why(await both(spec(ports.http!, s404), httpCheck)), 'ok');
    assert.equal(why(await both(spec(ports.http!, http([{ path: '/big' }], '1.0C')), httpCheck)), 'ok');
    const huge = md5Hex(new TextEncoder().encode(HUGE));
    assert.equal(
      why(await both(spec(ports.http!, http([{ path: '/huge', digest: huge }])), httpCheck)),
      'ok',
    );
    const wrong = http([{ path: '/huge', digest: md5Hex(new TextEncoder().encode(`${HUGE}y`)) }]);
    assert.equal(why(await both(spec(ports.http!, wrong), httpCheck)), 'digest');
  });
  test('garbage, reset, refused, a status line split across reads, a 12-byte answer, IPv6', async () => {
    assert.equal(why(await both(spec(ports.garbage!, http([{}])), httpCheck)), 'bad-response');
    assert.equal(why(await both(spec(ports.reset!, http([{}])), httpCheck)), 'reset');
    assert.equal(why(await both(spec(ports.closed!, http([{}])), httpCheck)), 'refused');
    assert.equal(why(await both(spec(ports.split!, http([{}])), httpCheck)), 'ok');
    const only300 = http([{ statusCodes: [{ from: 300, to: 399 }] }]);
    assert.equal(why(await both(spec(ports.split!, only300), httpCheck)), 'status-code');
    assert.equal(why(await both(spec(ports.short!, http([{}])), httpCheck)), 'ok');
    assert.equal(why(await both(spec(ports.v6!, http([{}]), 800, '::1'), httpCheck)), 'ok');
  });
  test('accepts then hangs: a timeout at connect_timeout, for each url', async () => {
    const t0 = performance.now();
    const r = await runOnce(spec(ports.hang!, http([{}]), 300), httpCheck, false);
    const ms = performance.now() - t0;
    assert.deepEqual(r, { ok: false, reason: 'timeout', detail: 'no answer within 300 ms' });
    assert.ok(ms >= 290 && ms < 1000, `${ms} ms`);
  });
  test('no descriptor is left open after many checks', async () => {
    const fds = () => readdirSync('/proc/self/fd').length;
    await both(spec(ports.http!, http([{}])), httpCheck);
    const before = fds();
    for (let i = 0; i < 50; i++) {
      await runOnce(spec(ports.http!, http([{}])), httpCheck, false);
      await runOnce(spec(ports.closed!, { kind: 'tcp' }), tcpCheck, false);
      await runOnce(spec(ports.hangReading!, http([{}]), 20), httpCheck, false);
    }
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(fds() <= before + 2, `${before} → ${fds()} fds`);
  });
});
