/**
 * Issue 5's leak bar: open file descriptors and memory stay flat over 100,000 health checks.
 * The checker runs in a child process (the CheckRunner and the real TCP_CHECK, HTTP_GET and
 * UDP_CHECK code) against backends in this process on 127.0.0.1: answering, refusing,
 * accepting and then hanging, answering 500, answering garbage, echoing UDP. Samples at
 * 10%, 25%, 50%, 75% and 100% of the checks, heap measured after a full GC. Flat means:
 * fds at the end no more than at 10% plus 2, heap growth from 10% to 100% under 4 MiB, and
 * RSS growth from 25% to 100% under 16 MiB.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./checker-leak-child.js', import.meta.url));
const TOTAL = Number(process.env.KTS_LEAK_CHECKS ?? 100_000);

type Closer = { close(): unknown };
const closers: Closer[] = [];
const hung: Socket[] = [];

async function listen(server: Server): Promise<number> {
  closers.push(server);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

describe('checker resources over 100,000 checks', () => {
  const ports: Record<string, number> = {};
  before(async () => {
    ports.tcpOk = await listen(createServer((s) => s.destroy()));
    const closed = createServer();
    ports.tcpClosed = await listen(closed);
    await new Promise((r) => closed.close(r)); // nothing listens there now: connection refused
    ports.tcpHang = await listen(
      createServer((s) => {
        hung.push(s);
        s.on('error', () => {});
        s.on('close', () => hung.splice(hung.indexOf(s), 1));
      }),
    );
    ports.httpOk = await listen(createHttpServer((_q, r) => r.end('ok')) as unknown as Server);
    ports.http500 = await listen(
      createHttpServer((_q, r) => {
        r.statusCode = 500;
        r.end('no');
      }) as unknown as Server,
    );
    ports.httpGarbage = await listen(
      createServer((s) => {
        s.on('error', () => {});
        s.end('\x00\x01garbage\r\n\r\n');
      }),
    );
    const udp = createSocket('udp4');
    udp.on('message', (m, r) => udp.send(m, r.port, r.address));
    closers.push(udp);
    ports.udpEcho = await new Promise<number>((r) => udp.bind(0, '127.0.0.1', () => r(udp.address().port)));
  });
  after(() => {
    for (const s of hung) s.destroy();
    for (const c of closers) c.close();
  });

  it('keeps fds and heap flat', { timeout: 240_000 }, async () => {
    const child = spawn(
      process.execPath,
      // The young generation starts at its full size (16 MiB a semi-space, V8's cap here): how
      // soon V8 grows it depends on the allocation rate, and its growth (16 MiB of RSS at once)
      // landing between two samples looked like a leak of 160 bytes a check.
      [
        '--expose-gc',
        '--min-semi-space-size=16',
        '--max-semi-space-size=16',
        CHILD,
        JSON.stringify({ ...ports, total: TOTAL }),
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    assert.equal(code, 0, out);
    const r = JSON.parse(out) as {
      samples: { checks: number; fds: number; heapMiB: number; rssMiB: number }[];
      end: { checks: number; fds: number; heapMiB: number; rssMiB: number };
      seconds: number;
    };
    const f = (n: number) => n.toFixed(1);
    for (const s of r.samples)
      console.log(
        `  ${String(s.checks).padStart(7)} checks: ${s.fds} fds, heap ${f(s.heapMiB)} MiB, RSS ${f(s.rssMiB)} MiB`,
      );
    console.log(
      `  after stop: ${r.end.fds} fds, heap ${f(r.end.heapMiB)} MiB; ${r.end.checks} checks in ${f(r.seconds)} s`,
    );
    const first = r.samples[0]!;
    const last = r.samples.at(-1)!;
    assert.ok(last.checks >= TOTAL);
    assert.ok(r.end.fds <= first.fds + 2, `fds ${first.fds} at 10% → ${r.end.fds} after stop`);
    assert.ok(last.heapMiB - first.heapMiB < 4, `heap ${f(first.heapMiB)} → ${f(last.heapMiB)} MiB`);
    // RSS settles once V8's spaces have grown to their working size: from 25% on, a leak of
    // even 1 KiB per check would add 73 MiB.
    const settled = r.samples[1]!;
    assert.ok(last.rssMiB - settled.rssMiB < 16, `RSS ${f(settled.rssMiB)} → ${f(last.rssMiB)} MiB`);
  });
});
