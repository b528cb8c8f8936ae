/**
 * BfdService on loopback, two services in this process (each as another daemon would
 * be) on a private port: they reach Up, a reload hands a session over without a new
 * handshake, and a stopped peer is declared Down after its detection time (100 ms x 3: shorter
 * intervals flapped on the shared, loaded machine). Needs root
 * (the IPv4 listener is a raw socket, so both services see every datagram, as the VRRP
 * and checker processes do).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { BfdState } from '../../../src/bfd/index.js';
import type { BfdInstance } from '../../../src/config/model.js';
import { BfdService } from '../../../src/io/bfd-service.js';
import { nativeAvailable } from '../../../src/native/binding.js';

const skip = process.getuid?.() !== 0 || !nativeAvailable() ? 'needs root and the native addon' : false;
const PORT = 40000 + (process.pid % 5000);

function instance(name: string, me: string, peer: string): BfdInstance {
  return {
    name,
    loc: { file: 't', line: 1, col: 1 } as never,
    neighborIp: { family: 4, address: peer, prefixLen: 32 },
    sourceIp: { family: 4, address: me, prefixLen: 32 },
    minRxMs: 100,
    minTxMs: 100,
    idleTxMs: 200,
    multiplier: 3,
    passive: false,
    weight: 0,
  };
}

function service(inst: BfdInstance, seen: BfdState[], carry?: ReturnType<BfdService['release']>) {
  return new BfdService({
    instances: [inst],
    log: () => {},
    onState: (_n, s) => seen.push(s),
    port: PORT,
    ...(carry ? { carry } : {}),
  });
}

async function until(what: string, pred: () => boolean, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!pred()) {
    if (performance.now() > end) assert.fail(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const running: BfdService[] = [];
after(() => {
  for (const s of running) s.stop();
});

test('two services reach Up, survive a reload hand-over and detect a stopped peer', { skip }, async () => {
  const aSeen: BfdState[] = [];
  const bSeen: BfdState[] = [];
  const a = service(instance('A', '127.0.0.1', '127.0.0.2'), aSeen);
  let b = service(instance('B', '127.0.0.2', '127.0.0.1'), bSeen);
  running.push(a, b);
  await a.start();
  await b.start();
  await until('both Up', () => a.status()[0]?.state === 'Up' && b.status()[0]?.state === 'Up');
  assert.deepEqual(aSeen, ['Up']);
  // Each sees the other's datagrams on its raw listener too and drops them by session.
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(
    a.drops['no-session'] > 0,
    'the other session\u2019s packets reach this listener and are dropped',
  );

  // Reload: B's session moves to a new service with its discriminator and state.
  const discr = b.status()[0]!.localDiscriminator;
  const carry = b.release();
  b = service(instance('B', '127.0.0.2', '127.0.0.1'), bSeen, carry);
  running.push(b);
  await b.start();
  assert.equal(b.status()[0]?.state, 'Up');
  assert.equal(b.status()[0]?.localDiscriminator, discr);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(a.status()[0]?.state, 'Up', 'no flap across the hand-over');
  assert.deepEqual(aSeen, ['Up']);

  // Stop B: A expires after 3 x 100 ms.
  const t0 = performance.now();
  b.stop();
  await until('A Down', () => a.status()[0]?.state === 'Down', 2000);
  const elapsed = performance.now() - t0;
  assert.ok(elapsed >= 200 && elapsed < 300 + 300, `Down after ${elapsed.toFixed(1)} ms`);
  assert.deepEqual(aSeen, ['Up', 'Down']);
});
