/**
 * Datagrams sent from a stop signal's handler (native/stop-send.c), on the real kernel,
 * loopback, RFC 3692 protocol 253, with SIGUSR2 standing in for SIGTERM: armed
 * datagrams are on the wire before the JS listener runs, each once, with their own
 * destination and control data; disarmed and closed ones are not; the flag tells JS a
 * stop signal came; installing needs a JS listener first; uninstalling puts it back.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { native } from '../../../src/native/binding.js';
import { type RawIpDatagram, RawIpSocket } from '../../../src/native/raw-ip-socket.js';
import {
  installStopSends,
  resetStopSignalled,
  stopSendSent,
  stopSignalled,
} from '../../../src/native/stop-send.js';
import { nativeUnavailable } from './helpers.js';

const SIGNAL = 'SIGUSR2';
const LO4 = Uint8Array.of(127, 0, 0, 1);
const LO6 = Uint8Array.of(...Array<number>(15).fill(0), 1);

/** A datagram of this run: its tag, then `i` (the kernel adds the IP header). */
function datagram(tag: Uint8Array, i: number): Uint8Array {
  return Uint8Array.of(...tag, i, 0xa5, 0x5a);
}

/** The `i` of each datagram of this run read so far, from both families. */
function collector(tag: Uint8Array) {
  const seen: string[] = [];
  const sockets = ([4, 6] as const).map((family) => {
    const rx = RawIpSocket.open({ family, protocol: 253 });
    rx.pause();
    rx.setDatagramHandler((d: RawIpDatagram) => {
      const body = d.buffer.subarray(family === 4 ? 20 : 0, d.length);
      if (body.length >= 5 && tag.every((b, k) => body[k] === b)) seen.push(`${family}:${body[4]}`);
    });
    return rx;
  });
  return {
    seen,
    read: () => {
      for (const rx of sockets) rx.readPending();
      return [...seen].sort();
    },
    close: () => {
      for (const rx of sockets) rx.close();
    },
  };
}

/** Raises SIGNAL and resolves with what `probe` saw when the JS listener ran. */
function raise<T>(probe: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    // A signal listener does not keep the loop alive: this timer does, and bounds the wait.
    const timeout = setTimeout(() => reject(new Error(`${SIGNAL} never reached its listener`)), 2000);
    process.once(SIGNAL, () => {
      clearTimeout(timeout);
      resolve(probe());
    });
    process.kill(process.pid, SIGNAL);
  });
}

describe('stop-signal sends', { skip: nativeUnavailable() ?? false }, () => {
  // A listener of our own stays on all along: it is what the stop sends go in front of.
  const keep = () => {};
  process.on(SIGNAL, keep);
  after(() => {
    process.off(SIGNAL, keep);
    resetStopSignalled();
  });

  test('installing needs a JS listener first', () => {
    assert.throws(() => installStopSends(['SIGWINCH']), /no handler to run after the stop sends/);
  });

  test('armed datagrams leave from the handler, before the listener runs, once each', async () => {
    const tag = randomBytes(4);
    const rx = collector(tag);
    const tx4 = RawIpSocket.open({ family: 4, protocol: 253, receive: false });
    const tx6 = RawIpSocket.open({ family: 6, protocol: 253, receive: false });
    const uninstall = installStopSends([SIGNAL]);
    try {
      assert.equal(stopSignalled(), false);
      const a = tx4.armStopSend(datagram(tag, 1), { address: LO4 });
      const b = tx6.armStopSend(
        datagram(tag, 2),
        { address: LO6 },
        { ifindex: 1, hopLimit: 255, source: LO6 },
      );
      const gone = tx4.armStopSend(datagram(tag, 3), { address: LO4 });
      const closed = tx4.armStopSend(datagram(tag, 4), { address: LO4 });
      assert.ok(a >= 0 && b >= 0 && gone >= 0 && closed >= 0);
      assert.equal(new Set([a, b, gone, closed]).size, 4, 'one slot each');
      tx4.disarmStopSend(gone);
      const tx4b = RawIpSocket.open({ family: 4, protocol: 253, receive: false });
      const onClosed = tx4b.armStopSend(datagram(tag, 5), { address: LO4 });
      tx4b.close();
      tx4.disarmStopSend(closed);
      assert.equal(tx4.armStopSend(new Uint8Array(1501), { address: LO4 }), -1, 'larger than a slot');

      const atListener = await raise(() => rx.read());
      assert.deepEqual(atListener, ['4:1', '6:2'], 'on the wire before the loop heard of the signal');
      assert.equal(stopSignalled(), true);
      assert.equal(new Int32Array(native().stopSendFlag())[0], constants.signals[SIGNAL]);
      assert.equal(stopSendSent(a), true);
      assert.equal(stopSendSent(b), true);
      assert.ok(onClosed >= 0);

      await raise(() => undefined);
      await sleep(20);
      assert.deepEqual(rx.read(), ['4:1', '6:2'], 'a second signal sends nothing again');

      tx4.disarmStopSend(a);
      tx6.disarmStopSend(b);
      assert.throws(() => stopSendSent(100_000), /never armed/);
    } finally {
      uninstall();
      tx4.close();
      tx6.close();
      rx.close();
      resetStopSignalled();
    }
    assert.equal(stopSignalled(), false);
  });

  test('after uninstall the signal reaches the listener and nothing is sent', async () => {
    const tag = randomBytes(4);
    const rx = collector(tag);
    const tx = RawIpSocket.open({ family: 4, protocol: 253, receive: false });
    try {
      installStopSends([SIGNAL])();
      const slot = tx.armStopSend(datagram(tag, 7), { address: LO4 });
      assert.ok(slot >= 0);
      await raise(() => undefined);
      await sleep(20);
      assert.deepEqual(rx.read(), []);
      assert.equal(stopSendSent(slot), false);
      assert.equal(stopSignalled(), false);
    } finally {
      tx.close();
      rx.close();
    }
  });

  test('every slot taken: arming says -1 and frees nothing', () => {
    const tx = RawIpSocket.open({ family: 4, protocol: 253, receive: false });
    try {
      const slots: number[] = [];
      for (;;) {
        const s = tx.armStopSend(Uint8Array.of(1), { address: LO4 });
        if (s < 0) break;
        slots.push(s);
        assert.ok(slots.length <= 512, 'a bounded table');
      }
      assert.equal(slots.length, 512);
      tx.disarmStopSend(slots[100]!);
      assert.equal(tx.armStopSend(Uint8Array.of(1), { address: LO4 }), slots[100]);
    } finally {
      tx.close();
    }
  });
});
