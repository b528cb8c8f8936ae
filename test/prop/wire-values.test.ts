/**
 * @module Properties of the small wire values and frame codecs: IP text round
 * trips, MD5/HMAC-MD5 agree with node:crypto, ARP and NA frames round trip,
 * frame decoders never throw (10,000 runs per property).
 */

import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeArpFrame, encodeArpFrame, gratuitousArp } from '../../src/wire/arp.js';
import { formatIp, ipFromBytes, parseIp } from '../../src/wire/ip.js';
import { macFromBytes } from '../../src/wire/mac.js';
import { hmacMd5, md5 } from '../../src/wire/md5.js';
import { decodeNaFrame, encodeNaFrame, unsolicitedNa } from '../../src/wire/ndisc.js';

const RUNS = { numRuns: 10_000 };
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytesOf = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

describe('values', () => {
  test('parseIp(formatIp(a)) = a for IPv4 and IPv6', () => {
    fc.assert(
      fc.property(fc.oneof(bytesOf(4), bytesOf(16)), (b) => {
        const a = ipFromBytes(b);
        const r = parseIp(formatIp(a));
        assert.ok(r.ok);
        assert.deepEqual(r.value, a);
      }),
      RUNS,
    );
  });

  test('parseIp never throws', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.x '.split('')), maxLength: 50 }),
        (s) => {
          const r = parseIp(s);
          if (r.ok) assert.ok([4, 16].includes(r.value.bytes.length));
        },
      ),
      RUNS,
    );
  });

  test('md5 and hmacMd5 agree with node:crypto', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 100 }), (data, key) => {
        assert.equal(toHex(md5(data)), createHash('md5').update(data).digest('hex'));
        assert.equal(toHex(hmacMd5(key, data)), createHmac('md5', key).update(data).digest('hex'));
      }),
      RUNS,
    );
  });
});

describe('frames', () => {
  test('gratuitous ARP round trip', () => {
    fc.assert(
      fc.property(bytesOf(6), bytesOf(4), (m, a) => {
        const frame = gratuitousArp(macFromBytes(m), ipFromBytes(a));
        const r = decodeArpFrame(encodeArpFrame(frame));
        assert.ok(r.ok);
        assert.deepEqual(r.value, frame);
      }),
      RUNS,
    );
  });

  test('unsolicited NA round trip', () => {
    fc.assert(
      fc.property(bytesOf(6), bytesOf(16), fc.boolean(), (m, a, router) => {
        const frame = unsolicitedNa(macFromBytes(m), ipFromBytes(a), router);
        const r = decodeNaFrame(encodeNaFrame(frame));
        assert.ok(r.ok, r.ok ? '' : r.error.detail);
        assert.deepEqual(r.value, frame);
      }),
      RUNS,
    );
  });

  test('frame decoders never throw on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.constantFrom(0x0806, 0x86dd), (b, type) => {
        const frame = new Uint8Array(b.length + 14);
        frame.set(b, 14);
        frame[12] = type >> 8;
        frame[13] = type & 0xff;
        if (b.length > 0) frame[14] = type === 0x86dd ? 0x60 | (b[0]! & 0x0f) : b[0]!;
        for (const r of [decodeArpFrame(frame), decodeNaFrame(frame), decodeArpFrame(b), decodeNaFrame(b)]) {
          if (!r.ok) assert.ok(r.error.reason.length > 0 && r.error.detail.length > 0);
        }
      }),
      RUNS,
    );
  });
});
