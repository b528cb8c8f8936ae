/**
 * The session state machine in virtual time: two sessions joined by a simulated
 * link with a fixed delay, driven only by their own deadlines.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type BfdControlPacket,
  type BfdEffect,
  type BfdEvent,
  type BfdSession,
  type BfdSessionConfig,
  checkBfdPacket,
  createBfdSession,
  decodeBfdControl,
  encodeBfdControl,
  jitteredInterval,
  nextBfdDeadline,
  stepBfd,
} from '../../../src/bfd/index.js';

const ms = 1000;

function cfg(name: string, over: Partial<BfdSessionConfig> = {}): BfdSessionConfig {
  return {
    name,
    desiredMinTxUs: 10 * ms,
    requiredMinRxUs: 10 * ms,
    idleTxUs: 1000 * ms,
    detectMult: 5,
    passive: false,
    ...over,
  };
}

/** A deterministic generator so runs are reproducible. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

interface Peer {
  s: BfdSession;
  alive: boolean;
  log: string[];
  states: { at: number; to: string }[];
  sent: { at: number; packet: BfdControlPacket }[];
}

/**
 * Runs both peers until `untilUs`; packets take `delayUs` and go through the codec
 * and the reception checks. `starts` are start events at given times.
 */
function simulate(a: Peer, b: Peer, fromUs: number, untilUs: number, starts: { p: Peer; at: number }[] = []) {
  const delayUs = 200;
  const random = lcg(42);
  const inflight: { at: number; to: Peer; bytes: Uint8Array }[] = [];
  const pending = [...starts];
  const apply = (p: Peer, effects: readonly BfdEffect[], now: number) => {
    const other = p === a ? b : a;
    for (const e of effects) {
      if (e.type === 'log') p.log.push(e.text);
      if (e.type === 'stateChanged') p.states.push({ at: now, to: e.to });
      if (e.type === 'send') {
        const bytes = encodeBfdControl(e.packet);
        p.sent.push({ at: now, packet: decodeOk(bytes) });
        if (p.alive) inflight.push({ at: now + delayUs, to: other, bytes });
      }
    }
  };
  const run = (p: Peer, event: BfdEvent, now: number) => {
    const step = stepBfd(p.s, event, { nowUs: now, random });
    p.s = step.session;
    apply(p, step.effects, now);
  };
  let now = fromUs;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const timers = [a, b]
      .filter((p) => p.alive)
      .map((p) => ({ p, at: nextBfdDeadline(p.s) }))
      .filter((x): x is { p: Peer; at: number } => x.at !== null)
      .sort((x, y) => x.at - y.at);
    inflight.sort((x, y) => x.at - y.at);
    pending.sort((x, y) => x.at - y.at);
    const at = Math.min(timers[0]?.at ?? Infinity, inflight[0]?.at ?? Infinity, pending[0]?.at ?? Infinity);
    if (at > untilUs) break;
    now = at;
    if (pending[0]?.at === at) {
      run(pending.shift()!.p, { type: 'start' }, now);
    } else if (inflight[0]?.at === at) {
      const { to, bytes } = inflight.shift()!;
      if (!to.alive) continue;
      const c = checkBfdPacket(decodeOk(bytes), bytes.length);
      assert.ok(c.ok, `valid packet expected: ${JSON.stringify(c)}`);
      run(to, { type: 'packet', packet: c.value }, now);
    } else if (timers[0]) {
      run(timers[0].p, { type: 'tick' }, now);
    }
  }
  return now;
}

function peer(name: string, discr: number, over: Partial<BfdSessionConfig> = {}): Peer {
  return { s: createBfdSession(cfg(name, over), discr), alive: true, log: [], states: [], sent: [] };
}

function startBoth(a: Peer, b: Peer, untilUs: number) {
  return simulate(a, b, 0, untilUs, [
    { p: a, at: 0 },
    { p: b, at: 0 },
  ]);
}

function decodeOk(bytes: Uint8Array): BfdControlPacket {
  const d = decodeBfdControl(bytes);
  assert.ok(d.ok);
  return d.value;
}

test('three-way handshake: Down → Init → Up on both sides (RFC 5880 6.2)', () => {
  const a = peer('A', 0x1111);
  const b = peer('B', 0x2222);
  // A starts first; B only when A's first packet is on the wire.
  simulate(a, b, 0, 3_000 * ms, [
    { p: a, at: 0 },
    { p: b, at: 100 },
  ]);
  assert.equal(a.sent[0]?.packet.state, 'Down');
  assert.equal(a.sent[0]?.packet.yourDiscriminator, 0);
  assert.equal(a.s.state, 'Up');
  assert.equal(b.s.state, 'Up');
  const seqA = a.states.map((s) => s.to);
  const seqB = b.states.map((s) => s.to);
  assert.deepEqual(seqA.slice(0, 2), ['Init', 'Up']);
  assert.deepEqual(seqB.slice(0, 2), ['Init', 'Up']);
  assert.equal(a.s.remoteDiscriminator, 0x2222);
  assert.equal(b.s.remoteDiscriminator, 0x1111);
  // Once Up the Poll Sequence moved both to the fast rate and ended.
  assert.equal(a.s.poll, false);
  assert.equal(a.s.txIntervalUs, 10 * ms);
  assert.equal(a.s.detectTimeUs, 50 * ms);
  assert.ok(a.sent.some((s) => s.packet.poll) && b.sent.some((s) => s.packet.final));
  assert.ok(a.log.includes('(A) Entering Up state'), a.log.join('\n'));
});

test('while not Up, DesiredMinTx is at least idle_tx and packets go at that rate', () => {
  const a = peer('A', 1);
  const b = peer('B', 2);
  b.alive = false;
  simulate(a, b, 0, 5_000 * ms, [{ p: a, at: 0 }]);
  assert.ok(a.sent.every((s) => s.packet.desiredMinTxUs === 1000 * ms));
  const gaps = a.sent.slice(1).map((s, i) => s.at - a.sent[i]!.at);
  assert.ok(gaps.length >= 4);
  for (const g of gaps) assert.ok(g >= 750 * ms && g <= 1000 * ms, `gap ${g}`);
});

test('detection: a silent neighbour is declared Down after multiplier × agreed interval', () => {
  const a = peer('A', 1, { detectMult: 3 });
  const b = peer('B', 2, { detectMult: 4, desiredMinTxUs: 20 * ms });
  startBoth(a, b, 3_000 * ms);
  assert.equal(a.s.state, 'Up');
  // A's detection time: B's multiplier (4) × max(A's min_rx 10, B's min_tx 20) = 80 ms.
  assert.equal(a.s.detectTimeUs, 80 * ms);
  const lastFromB = b.sent.at(-1)!.at;
  b.alive = false;
  simulate(a, b, 3_000 * ms, 4_000 * ms);
  const down = a.states.find((s) => s.to === 'Down');
  assert.ok(down, 'A went Down');
  const elapsed = down.at - lastFromB;
  assert.ok(elapsed >= 80 * ms && elapsed <= 80 * ms + 1 * ms, `detected after ${elapsed} us`);
  assert.equal(a.s.localDiag, 1);
  assert.ok(
    a.log.some((l) =>
      l.startsWith('(A) Entering Down state (Local diagnostic - Control Detection Time Expired'),
    ),
  );
  assert.equal(a.s.remoteDiscriminator, 0);
});

test('a neighbour signalling Down takes an Up session Down with diag 3 and its users are told', () => {
  const a = peer('A', 1);
  const b = peer('B', 2);
  startBoth(a, b, 2_000 * ms);
  assert.equal(a.s.state, 'Up');
  const down = (state: 'Down' | 'AdminDown') =>
    decodeOk(
      encodeBfdControl({
        diag: state === 'AdminDown' ? 7 : 1,
        state,
        detectMult: 5,
        myDiscriminator: 2,
        yourDiscriminator: 1,
        desiredMinTxUs: 1000 * ms,
        requiredMinRxUs: 10 * ms,
      }),
    );
  const env = { nowUs: 2_000 * ms + 100, random: () => 0 };
  const r = stepBfd(a.s, { type: 'packet', packet: down('Down') }, env);
  assert.equal(r.session.state, 'Down');
  assert.equal(r.session.localDiag, 3);
  const change = r.effects.find((e) => e.type === 'stateChanged');
  assert.ok(change?.type === 'stateChanged' && change.notify, 'a path failure is reported');
  // An administrative Down is no path failure: keepalived does not tell its users.
  const admin = stepBfd(a.s, { type: 'packet', packet: down('AdminDown') }, env);
  assert.equal(admin.session.state, 'Down');
  const quiet = admin.effects.find((e) => e.type === 'stateChanged');
  assert.ok(quiet?.type === 'stateChanged' && !quiet.notify);
});

test('adminDown (a socket that cannot be opened) silences the session: no packet', () => {
  const s0 = createBfdSession(cfg('A'), 1);
  const r = stepBfd(s0, { type: 'adminDown' }, { nowUs: 0, random: () => 0 });
  assert.equal(r.session.state, 'AdminDown');
  assert.equal(r.effects.filter((e) => e.type === 'send').length, 0);
  assert.equal(nextBfdDeadline(r.session), null);
});

test('passive: silent until the neighbour speaks, then answers', () => {
  const p = peer('P', 5, { passive: true });
  const a = peer('A', 6);
  simulate(a, p, 0, 500 * ms, [{ p, at: 0 }]);
  assert.equal(p.sent.length, 0);
  assert.equal(nextBfdDeadline(p.s), null);
  simulate(a, p, 500 * ms, 3_000 * ms, [{ p: a, at: 500 * ms }]);
  assert.equal(p.s.state, 'Up');
  assert.equal(a.s.state, 'Up');
});

test('a Poll is answered at once with Final; a Final ends our Poll Sequence', () => {
  const s0 = createBfdSession(cfg('A'), 1);
  const poll = decodeOk(
    encodeBfdControl({
      diag: 0,
      state: 'Down',
      poll: true,
      detectMult: 3,
      myDiscriminator: 2,
      yourDiscriminator: 0,
      desiredMinTxUs: 1000 * ms,
      requiredMinRxUs: 10 * ms,
    }),
  );
  const r = stepBfd(s0, { type: 'packet', packet: poll }, { nowUs: 0, random: () => 0 });
  const sends = r.effects.filter((e) => e.type === 'send');
  assert.equal(sends.length, 1);
  assert.ok(sends[0]!.type === 'send' && sends[0]!.packet.final && !sends[0]!.packet.poll);
  assert.equal(r.session.final, false, 'Final is sent once');
});

test('jitter: 75-100% of the interval, 75-90% with a multiplier of 1 (6.8.7)', () => {
  assert.equal(
    jitteredInterval(1000, 3, () => 0),
    1000,
  );
  assert.equal(
    jitteredInterval(1000, 3, () => 0.999999),
    750,
  );
  assert.equal(
    jitteredInterval(1000, 1, () => 0),
    900,
  );
  assert.equal(
    jitteredInterval(1000, 1, () => 0.999999),
    750,
  );
});

test('an AdminDown session ignores packets', () => {
  const s0 = createBfdSession(cfg('A'), 1);
  const down = stepBfd(s0, { type: 'adminDown' }, { nowUs: 0, random: () => 0 }).session;
  const pkt = decodeOk(
    encodeBfdControl({
      diag: 0,
      state: 'Down',
      detectMult: 3,
      myDiscriminator: 2,
      yourDiscriminator: 0,
      desiredMinTxUs: 1,
      requiredMinRxUs: 1,
    }),
  );
  const r = stepBfd(down, { type: 'packet', packet: pkt }, { nowUs: 1, random: () => 0 });
  assert.equal(r.session.state, 'AdminDown');
  assert.equal(r.effects.length, 0);
});
