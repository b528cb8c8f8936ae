/**
 * Batched send (sendmmsg) on the real kernel, loopback, RFC 3692 protocol 253: while a
 * socket is corked its plain sends are queued and leave at uncork, in order, each with
 * its own bytes and length (the queue copies them: the caller may reuse its buffer);
 * a queue longer than one batch goes out whole; sendQueued empties the queue early; a
 * send with options is not held; the binding's argument checks and errno reporting.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { native } from '../../../src/native/binding.js';
import { ErrnoError } from '../../../src/native/errno-error.js';
import { type RawIpDatagram, type RawIpSendOptions, RawIpSocket } from '../../../src/native/raw-ip-socket.js';
import { SEND_BATCH_MAX } from '../../../src/native/send-batch.js';
import { nativeUnavailable } from './helpers.js';

type Family = 4 | 6;

function loopback(family: Family): Uint8Array {
  return family === 4 ? Uint8Array.of(127, 0, 0, 1) : Uint8Array.of(...Array<number>(15).fill(0), 1);
}

/** Datagram i: this run's 4-byte tag, i, then i % 7 filler bytes (lengths differ). */
function fill(p: Uint8Array, tag: Uint8Array, i: number): Uint8Array {
  const out = p.subarray(0, 5 + (i % 7));
  out.set(tag);
  out[4] = i;
  out.fill(0xa0 + (i % 7), 5);
  return out;
}

/** The bodies of this run's datagrams read so far (the IPv4 header skipped). */
function collector(family: Family, tag: Uint8Array): { rx: RawIpSocket; bodies: number[][] } {
  const rx = RawIpSocket.open({ family, protocol: 253 });
  rx.pause();
  rx.setReceiveBufferSize(1 << 20);
  const bodies: number[][] = [];
  rx.setDatagramHandler((d: RawIpDatagram) => {
    const body = d.buffer.subarray(family === 4 ? 20 : 0, d.length);
    if (body.length >= 5 && tag.every((b, k) => body[k] === b)) bodies.push([...body]);
  });
  return { rx, bodies };
}

/**
 * An IPv4 sender and this run's collector on loopback for `body`: `send(i)` sends
 * datagram i, `arrived()` waits for loopback and reads what came; both closed after.
 */
async function withIpv4Pair(
  body: (p: {
    tx: RawIpSocket;
    bodies: number[][];
    send: (i: number, options?: RawIpSendOptions) => void;
    arrived: () => Promise<void>;
  }) => Promise<void>,
): Promise<void> {
  const tag = randomBytes(4);
  const tx = RawIpSocket.open({ family: 4, protocol: 253, receive: false });
  const { rx, bodies } = collector(4, tag);
  const buf = new Uint8Array(16);
  try {
    await body({
      tx,
      bodies,
      send: (i, options) => void tx.send(fill(buf, tag, i), { address: loopback(4) }, options),
      arrived: async () => {
        await sleep(50);
        rx.readPending();
      },
    });
  } finally {
    tx.close();
    rx.close();
  }
}

describe('RawIpSocket batched send', { skip: nativeUnavailable() ?? false }, () => {
  for (const family of [4, 6] as const) {
    test(`IPv${family}: corked sends leave at uncork, whole and in order, from a reused buffer`, async () => {
      const tag = randomBytes(4);
      const lo = loopback(family);
      const tx = RawIpSocket.open({ family, protocol: 253, receive: false });
      const { rx, bodies } = collector(family, tag);
      const errors: Error[] = [];
      tx.on('error', (e) => errors.push(e));
      try {
        const buf = new Uint8Array(16);
        tx.cork();
        for (let i = 0; i < 10; i++) assert.equal(tx.send(fill(buf, tag, i), { address: lo }), 5 + (i % 7));
        await sleep(50);
        rx.readPending();
        assert.equal(bodies.length, 0, 'nothing leaves while corked');
        tx.uncork();
        await sleep(50);
        rx.readPending();
        assert.equal(bodies.length, 10);
        for (const [i, b] of bodies.entries()) {
          assert.deepEqual(b, [...fill(new Uint8Array(16), tag, i)], `datagram ${i}`);
        }

        // More than one sendmmsg's worth: the queue is sent as it fills, the rest at uncork.
        bodies.length = 0;
        const many = SEND_BATCH_MAX * 2 + 7;
        tx.cork();
        tx.cork();
        for (let i = 0; i < many; i++) tx.send(fill(buf, tag, i % 256), { address: lo });
        tx.uncork();
        await sleep(50);
        rx.readPending();
        assert.equal(bodies.length, SEND_BATCH_MAX * 2, 'nested: still corked after the inner uncork');
        tx.uncork();
        await sleep(50);
        rx.readPending();
        assert.equal(bodies.length, many);
        for (const [i, b] of bodies.entries()) assert.equal(b[4], i % 256, `datagram ${i} in order`);
        assert.deepEqual(errors, []);
      } finally {
        tx.close();
        rx.close();
      }
    });
  }

  test('sendQueued sends what the cork holds now and stays corked', () =>
    withIpv4Pair(async ({ tx, bodies, send, arrived }) => {
      tx.sendQueued();
      tx.cork();
      for (let i = 0; i < 3; i++) send(i);
      tx.sendQueued();
      await arrived();
      assert.deepEqual(
        bodies.map((b) => b[4]),
        [0, 1, 2],
      );
      for (let i = 3; i < 5; i++) send(i);
      await arrived();
      assert.equal(bodies.length, 3, 'later sends are queued again');
      tx.uncork();
      await arrived();
      assert.deepEqual(
        bodies.map((b) => b[4]),
        [0, 1, 2, 3, 4],
      );
    }));

  test('a send with options is not held by a cork', () =>
    withIpv4Pair(async ({ tx, bodies, send, arrived }) => {
      tx.cork();
      send(1, { hopLimit: 64 });
      await arrived();
      assert.equal(bodies.length, 1);
      tx.uncork();
    }));

  test('sendmmsg checks its arguments and names the call and errno on failure', () => {
    const n = native();
    const data = new Uint8Array(8);
    const lengths = Int32Array.of(8);
    const addresses = new Uint8Array(16);
    const scopes = new Int32Array(1);
    const AF_INET = n.constants.AF_INET;
    assert.throws(() => n.sendmmsg(-1, AF_INET, data, lengths, addresses, scopes, 0), TypeError);
    assert.throws(
      () => n.sendmmsg(-1, AF_INET, data, lengths, addresses, scopes, SEND_BATCH_MAX + 1),
      TypeError,
    );
    assert.throws(() => n.sendmmsg(-1, AF_INET, data, Int32Array.of(9), addresses, scopes, 1), TypeError);
    assert.throws(() => n.sendmmsg(-1, AF_INET, data, lengths, new Uint8Array(4), scopes, 1), TypeError);
    assert.throws(() => n.sendmmsg(-1, 99, data, lengths, addresses, scopes, 1), TypeError);
    assert.throws(
      () => n.sendmmsg(-1, AF_INET, data, lengths, addresses, scopes, 1),
      (e: unknown) => e instanceof ErrnoError && e.syscall === 'sendmmsg' && e.code === 'EBADF',
    );
  });
});
