/**
 * RawIpSocket.setDatagramHandler on the real kernel (loopback, RFC 3692 protocol 253):
 * the handler reads each datagram in the socket's buffer with its addresses, TTL and
 * interface, no 'message' is emitted meanwhile, and clearing the handler brings the
 * 'message' copies back.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type RawIpDatagram, type RawIpMessage, RawIpSocket } from '../../../src/native/raw-ip-socket.js';
import { nativeUnavailable, waitUntil } from './helpers.js';

/** What a handler may keep: copies, taken while the datagram is valid. */
type Seen = {
  data: number[];
  source: number[];
  destination: number[] | null;
  ttl: number | null;
  ifindex: number | null;
};

function copyOut(d: RawIpDatagram): Seen {
  return {
    data: [...d.buffer.subarray(0, d.length)],
    source: [...d.addresses.subarray(d.sourceAt, d.sourceAt + d.sourceLength)],
    destination: d.hasDestination
      ? [...d.addresses.subarray(d.destinationAt, d.destinationAt + d.sourceLength)]
      : null,
    ttl: d.ttl,
    ifindex: d.ifindex,
  };
}

describe('RawIpSocket datagram handler', { skip: nativeUnavailable() ?? false }, () => {
  for (const family of [4, 6] as const) {
    test(`IPv${family}: datagrams in place, then 'message' again once the handler is cleared`, async () => {
      const loopback = family === 4 ? [127, 0, 0, 1] : [...Array<number>(15).fill(0), 1];
      const tx = RawIpSocket.open({ family, protocol: 253, receive: false });
      const rx = RawIpSocket.open({ family, protocol: 253 });
      try {
        const seen: Seen[] = [];
        const messages: RawIpMessage[] = [];
        rx.on('message', (m) => messages.push(m));
        rx.setDatagramHandler((d) => seen.push(copyOut(d)));
        const to = { address: Uint8Array.from(loopback) };
        tx.send(Uint8Array.of(1, 2, 3, 4, 5), to, { hopLimit: 9 });
        tx.send(Uint8Array.of(6, 7), to, { hopLimit: 8 });
        await waitUntil(() => seen.length === 2, `IPv${family} datagrams through the handler`);
        const header = family === 4 ? 20 : 0;
        assert.deepEqual(
          seen.map((s) => s.data.slice(header)),
          [
            [1, 2, 3, 4, 5],
            [6, 7],
          ],
        );
        for (const s of seen) {
          assert.deepEqual(s.source, loopback);
          assert.deepEqual(s.destination, loopback);
          assert.equal(s.ifindex, 1);
        }
        assert.deepEqual(
          seen.map((s) => s.ttl),
          [9, 8],
        );
        assert.equal(messages.length, 0, "no 'message' while a handler is set");
        rx.setDatagramHandler(null);
        tx.send(Uint8Array.of(9), to);
        await waitUntil(() => messages.length === 1, `IPv${family} 'message' after clearing the handler`);
        assert.deepEqual([...messages[0]!.data.subarray(header)], [9]);
        assert.equal(seen.length, 2);
      } finally {
        tx.close();
        rx.close();
      }
    });
  }
});
