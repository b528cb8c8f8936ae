/**
 * The checker side of checker-leak.test.ts: runs the daemon's CheckRunner with the real
 * checkers against the backends the parent names until `total` checks have run, sampling
 * open fds, heap (after a full GC) and RSS; prints one JSON line with the samples.
 * Started with --expose-gc.
 */
import { readdirSync } from 'node:fs';
import { loadCheckFns } from '../../src/check/dispatch.js';
import { CheckRunner } from '../../src/check/runner.js';
import type { CheckKindSpec, CheckSpec } from '../../src/check/types.js';

interface Targets {
  readonly tcpOk: number;
  readonly tcpClosed: number;
  readonly tcpHang: number;
  readonly httpOk: number;
  readonly http500: number;
  readonly httpGarbage: number;
  readonly udpEcho: number;
  readonly total: number;
}

const t = JSON.parse(process.argv[2]!) as Targets;
const gc = (globalThis as { gc?: () => void }).gc!;

const http = (path: string): CheckKindSpec => ({
  kind: 'http',
  tls: false,
  urls: [{ path, statusCodes: [], loc: { file: 'leak', line: 1, col: 1 } }] as never,
  httpProtocol: '1.0',
  enableSni: false,
});
const kinds: { port: number; type: CheckSpec['type']; kind: CheckKindSpec }[] = [
  { port: t.tcpOk, type: 'TCP_CHECK', kind: { kind: 'tcp' } },
  { port: t.tcpClosed, type: 'TCP_CHECK', kind: { kind: 'tcp' } },
  { port: t.tcpHang, type: 'HTTP_GET', kind: http('/') },
  { port: t.httpOk, type: 'HTTP_GET', kind: http('/') },
  { port: t.http500, type: 'HTTP_GET', kind: http('/') },
  { port: t.httpGarbage, type: 'HTTP_GET', kind: http('/') },
  {
    port: t.udpEcho,
    type: 'UDP_CHECK',
    kind: {
      kind: 'udp',
      payload: new Uint8Array([1, 2, 3]),
      requireReply: { pattern: [] },
      minReplyLength: 0,
      maxReplyLength: 0,
    },
  },
];

const specs: CheckSpec[] = [];
for (let i = 0; i < 240; i++) {
  const k = kinds[i % kinds.length]!;
  specs.push({
    id: `leak/${i}`,
    type: k.type,
    endpoint: { family: 4, address: '127.0.0.1', port: k.port },
    connectTimeoutMs: 200,
    schedule: { delayLoopMs: 10, retry: 0, delayBeforeRetryMs: 10, warmupMs: 10, alpha: false },
    kind: k.kind,
  });
}

const scripts = { run: async () => ({ kind: 'error' as const, message: 'no scripts here' }) };
// KTS_LEAK_NO_PROBES=1: the node:net forms of TCP_CHECK and HTTP_GET instead of the lean probes.
const noProbes = process.env.KTS_LEAK_NO_PROBES === '1';
const runner = new CheckRunner({ concurrency: 128, noProbes, onChange: () => {} });
const checkFnFor = await loadCheckFns(specs);
for (const s of specs) runner.add(s, checkFnFor(s, scripts as never)!);

const fds = () => readdirSync('/proc/self/fd').length;
const sample = () => {
  gc();
  const m = process.memoryUsage();
  return { checks: runner.checksRun, fds: fds(), heapMiB: m.heapUsed / 2 ** 20, rssMiB: m.rss / 2 ** 20 };
};
const samples: ReturnType<typeof sample>[] = [];
const marks = [0.1, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * t.total));
const started = performance.now();
const timer = setInterval(() => {
  if (runner.checksRun < marks[samples.length]!) return;
  samples.push(sample());
  if (samples.length < marks.length) return;
  clearInterval(timer);
  runner.stop();
  // Let in-flight sockets close, then take the after-stop sample.
  setTimeout(() => {
    const end = sample();
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`${JSON.stringify({ samples, end, seconds })}\n`);
    process.exit(0);
  }, 500);
}, 20);
