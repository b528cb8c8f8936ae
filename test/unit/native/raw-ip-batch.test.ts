/**
 * Batched receive (recvmmsg) on the real kernel, loopback, RFC 3692 protocol 253:
 * a queue longer than one batch and than one drain budget is read whole by
 * readPending, in order, each datagram with its own length, TTL and addresses;
 * a handler that reads another socket mid-batch does not corrupt the batch; the
 * binding's argument checks and errno reporting.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { META_INT32S, native } from '../../../src/native/binding.js';
import { ErrnoError } from '../../../src/native/errno-error.js';
import { DRAIN_BUDGET, dropAllFilter } from '../../../src/native/fd-handle.js';
import {
  type RawIpDatagram,
  type RawIpMessage,
  RawIpSocket,
  RECEIVE_BATCH,
} from '../../../src/native/raw-ip-socket.js';
import { nativeUnavailable, waitUntil } from './helpers.js';

type Family = 4 | 6;

function loopback(family: Family): Uint8Array {
  return family === 4 ? Uint8Array.of(127, 0, 0, 1) : Uint8Array.of(...Array<number>(15).fill(0), 1);
}

/** Datagram i: this run's 4-byte tag, i, then i % 7 filler bytes (lengths differ). */
function payload(tag: Uint8Array, i: number): Uint8Array {
  const p = new Uint8Array(5 + (i % 7));
  p.set(tag);
  p[4] = i;
  p.fill(0xa0 + (i % 7), 5);
  return p;
}

/** A receiver that reads nothing until readPending (its ancillary data is on). */
function pausedReceiver(family: Family, bufferSize?: number, protocol = 253): RawIpSocket {
  const rx = RawIpSocket.open({ family, protocol, ...(bufferSize === undefined ? {} : { bufferSize }) });
  rx.pause();
  rx.setReceiveBufferSize(1 << 20);
  return rx;
}

interface Seen {
  body: number[];
  length: number;
  ttl: number | null;
  source: number[];
  destination: number[] | null;
}

/** Copies a datagram of this run (its tag after the IPv4 header) out of the handler; null for other traffic. */
function ours(family: Family, tag: Uint8Array, d: RawIpDatagram): Seen | null {
  const header = family === 4 ? 20 : 0;
  const body = d.buffer.subarray(header, d.length);
  if (body.length < 5 || !tag.every((b, k) => body[k] === b)) return null;
  return {
    body: [...body],
    length: d.length - header,
    ttl: d.ttl,
    source: [...d.addresses.subarray(d.sourceAt, d.sourceAt + d.sourceLength)],
    destination: d.hasDestination
      ? [...d.addresses.subarray(d.destinationAt, d.destinationAt + d.sourceLength)]
      : null,
  };
}

describe('RawIpSocket batched receive', { skip: nativeUnavailable() ?? false }, () => {
  for (const family of [4, 6] as const) {
    test(`IPv${family}: readPending reads a queue of several batches and budgets in order, each datagram its own`, async () => {
      const count = DRAIN_BUDGET + RECEIVE_BATCH * 2 + 3;
      const tag = randomBytes(4);
      const lo = loopback(family);
      const tx = RawIpSocket.open({ family, protocol: 253, receive: false });
      const rx = pausedReceiver(family);
      try {
        const seen: Seen[] = [];
        rx.setDatagramHandler((d) => {
          const s = ours(family, tag, d);
          if (s) seen.push(s);
        });
        for (let i = 0; i < count; i++)
          tx.send(payload(tag, i), { address: lo }, { hopLimit: 1 + (i % 200) });
        await sleep(100); // loopback delivers within the send; the pause is a margin
        assert.equal(seen.length, 0, 'nothing is read while paused');
        rx.readPending();
        assert.equal(seen.length, count, 'one readPending drains the whole queue');
        seen.forEach((s, i) => {
          assert.deepEqual(s.body, [...payload(tag, i)], `datagram ${i} bytes`);
          assert.equal(s.length, 5 + (i % 7));
          assert.equal(s.ttl, 1 + (i % 200), `datagram ${i} TTL`);
          assert.deepEqual(s.source, [...lo]);
          assert.deepEqual(s.destination, [...lo]);
        });

        // The 'message' path reads through the same batches, from the loop.
        rx.setDatagramHandler(null);
        const messages: RawIpMessage[] = [];
        const header = family === 4 ? 20 : 0;
        rx.on('message', (m) => {
          if (tag.every((b, k) => m.data[header + k] === b)) messages.push(m);
        });
        const more = RECEIVE_BATCH + 5;
        for (let i = 0; i < more; i++) tx.send(payload(tag, i), { address: lo }, { hopLimit: 200 - i });
        rx.resume();
        await waitUntil(() => messages.length === more, `IPv${family} 'message' for each datagram`);
        messages.forEach((m, i) => {
          assert.deepEqual([...m.data.subarray(header)], [...payload(tag, i)]);
          assert.equal(m.ttl, 200 - i);
          assert.equal(m.truncated, false);
          assert.deepEqual([...m.source], [...lo]);
          assert.deepEqual(m.destination === null ? null : [...m.destination], [...lo]);
          assert.equal(m.ifindex, 1);
        });
      } finally {
        tx.close();
        rx.close();
      }
    });
  }

  test('a handler that reads another socket mid-batch leaves the rest of the batch intact', async () => {
    const tag = randomBytes(4);
    const lo = loopback(4);
    // Two protocols, so the second socket's datagrams differ from the first's: had its read
    // refilled the shared batch, the first would be handed the second's bytes.
    const tx = RawIpSocket.open({ family: 4, protocol: 253, receive: false });
    const tx2 = RawIpSocket.open({ family: 4, protocol: 254, receive: false });
    const first = pausedReceiver(4);
    const second = pausedReceiver(4, undefined, 254);
    try {
      const order: string[] = [];
      second.setDatagramHandler((d) => {
        const s = ours(4, tag, d);
        if (s) order.push(`second:${s.body[4]}`);
      });
      first.setDatagramHandler((d) => {
        const s = ours(4, tag, d);
        if (s === null) return;
        order.push(`first:${s.body[4]}`);
        if (s.body[4] === 0) second.readPending();
      });
      for (let i = 0; i < 4; i++) {
        tx.send(payload(tag, i), { address: lo });
        tx2.send(payload(tag, 10 + i), { address: lo });
      }
      await sleep(100);
      first.readPending();
      second.readPending();
      assert.deepEqual(order, [
        'first:0',
        'second:10',
        'second:11',
        'second:12',
        'second:13',
        'first:1',
        'first:2',
        'first:3',
      ]);
    } finally {
      tx.close();
      tx2.close();
      first.close();
      second.close();
    }
  });

  test('a datagram longer than its slot is reported truncated with its full length', async () => {
    const tag = randomBytes(4);
    const tx = RawIpSocket.open({ family: 6, protocol: 253, receive: false });
    const rx = pausedReceiver(6, 8);
    try {
      const messages: RawIpMessage[] = [];
      rx.on('message', (m) => {
        if (tag.every((b, k) => m.data[k] === b)) messages.push(m);
      });
      const long = new Uint8Array(40);
      long.set(tag);
      tx.send(long, { address: loopback(6) });
      tx.send(tag, { address: loopback(6) });
      await sleep(100);
      rx.readPending();
      assert.equal(messages.length, 2);
      assert.equal(messages[0]!.truncated, true);
      assert.equal(messages[0]!.length, 40);
      assert.equal(messages[0]!.data.length, 8);
      assert.equal(messages[1]!.truncated, false);
      assert.deepEqual([...messages[1]!.data], [...tag]);
    } finally {
      tx.close();
      rx.close();
    }
  });

  test('binding: 0 from an empty queue, TypeError for bad arguments, ErrnoError naming recvmmsg', () => {
    const b = native();
    const c = b.constants;
    const fd = b.socket(c.AF_INET, c.SOCK_RAW, 253);
    const buffer = new Uint8Array(64 * 4);
    const meta = new Int32Array(META_INT32S * 4);
    try {
      b.attachFilter(fd, dropAllFilter());
      assert.equal(b.recvmmsg(fd, buffer, 64, meta, 4), 0);
      assert.throws(() => b.recvmmsg(fd, buffer, 64, meta, 0), TypeError);
      assert.throws(() => b.recvmmsg(fd, buffer, 64, meta, 65), TypeError);
      assert.throws(() => b.recvmmsg(fd, buffer, 128, meta, 4), TypeError, 'buffer shorter than 4 slots');
      assert.throws(() => b.recvmmsg(fd, buffer, 64, new Int32Array(META_INT32S * 3), 4), TypeError);
    } finally {
      b.close(fd);
    }
    assert.throws(
      () => b.recvmmsg(fd, buffer, 64, meta, 4),
      (err: unknown) => err instanceof ErrnoError && err.syscall === 'recvmmsg' && err.code === 'EBADF',
    );
  });
});
