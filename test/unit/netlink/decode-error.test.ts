/**
 * @module Every NetlinkDecodeReason is reachable: one hex input per reason, through the
 * decoder that checks it (so each counter in the daemon can actually move).
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeAddress,
  decodeFamily,
  decodeRoute,
  fromHex,
  NETLINK_DECODE_REASONS,
  type NetlinkDecodeReason,
  parseBatch,
  splitMessages,
} from '../../../src/netlink/index.js';

type Decode = (b: Uint8Array) => { ok: boolean; error?: { reason: string } };

/** Runs a message decoder on the first message of `b`. */
const first =
  (decode: (m: Parameters<typeof decodeAddress>[0]) => ReturnType<Decode>): Decode =>
  (b) => {
    const m = splitMessages(b);
    if (!m.ok) return m;
    assert.ok(m.value[0] !== undefined);
    return decode(m.value[0]);
  };

const cases: { reason: NetlinkDecodeReason; decode: Decode; hex: string }[] = [
  { reason: 'header-truncated', decode: parseBatch, hex: '10000000 1000' },
  { reason: 'message-length', decode: parseBatch, hex: '20000000 1000 0000 01000000 00000000' },
  {
    reason: 'family-header-truncated',
    decode: first(decodeAddress),
    hex: '14000000 1400 0000 01000000 00000000 0218 0000',
  },
  {
    reason: 'attr-truncated',
    decode: first(decodeAddress),
    hex: '1a000000 1400 0000 01000000 00000000 02180000 01000000 0800',
  },
  {
    reason: 'attr-length',
    decode: first(decodeAddress),
    hex: '1c000000 1400 0000 01000000 00000000 02180000 01000000 02000100',
  },
  {
    reason: 'attr-size',
    decode: first(decodeAddress),
    hex: '1e000000 1400 0000 01000000 00000000 02180000 01000000 06000200 0102',
  },
  {
    reason: 'attr-value',
    decode: first(decodeAddress),
    hex: '18000000 1400 0000 01000000 00000000 02210000 01000000',
  },
  {
    reason: 'attr-missing',
    decode: first(decodeFamily),
    hex: '14000000 1000 0000 01000000 00000000 01020000',
  },
  {
    reason: 'nexthop-length',
    decode: first(decodeRoute),
    hex: '28000000 1800 0000 01000000 00000000 02180000 64040001 00000000 0c000900 04000000 03000000',
  },
  {
    reason: 'unexpected-type',
    decode: first(decodeAddress),
    hex: '18000000 1000 0000 01000000 00000000 02180000 01000000',
  },
  {
    reason: 'address-family',
    decode: first(decodeAddress),
    hex: '18000000 1400 0000 01000000 00000000 07180000 01000000',
  },
];

describe('every decode reason has an input that produces it', () => {
  it('covers the whole list', () => {
    assert.deepEqual(new Set(cases.map((c) => c.reason)), new Set(NETLINK_DECODE_REASONS));
  });
  for (const c of cases) {
    it(c.reason, () => {
      const r = c.decode(fromHex(c.hex));
      assert.equal(r.ok ? 'ok' : r.error?.reason, c.reason);
    });
  }
});
