/**
 * @module Tests for the counter-free IPVS decoding (src/netlink/ipvs-lean.ts, reached through
 * decodeIpvs(..., {counters: false})): on every generated service/destination message it
 * gives what the schema decoder gives minus the counters, with nests flagged or not (the
 * kernel does not set NLA_F_NESTED); on corrupted ones it never throws, succeeds with the
 * same values whenever the schema decoder succeeds, and fails as it does when the message
 * has no counters (the schema decoder also checks those, the lean walk steps over them).
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  decodeIpvs,
  decodeIpvsBatch,
  encodeIpvs,
  IPVS_CMD,
  type IpvsMessage,
  type NlMessage,
  splitMessages,
} from '../../../src/netlink/index.js';
import { ipvsMessage } from '../../prop/netlink-arb.js';

const FAM = 0x20;
const RUNS = { numRuns: 3000 };

/** Services and destinations only: what the lean walk decodes (daemons and timeouts go the full way). */
const serviceOrDest = ipvsMessage.filter(
  (m) => m.daemon === undefined && m.timeouts === undefined && m.info === undefined,
);

function only(b: Uint8Array): NlMessage {
  const m = splitMessages(b);
  assert.ok(m.ok && m.value.length === 1);
  return m.value[0]!;
}

/** The message as decodeIpvs gives it, without stats and connection counts. */
function withoutCounters(m: IpvsMessage): IpvsMessage {
  const out: { -readonly [K in keyof IpvsMessage]: IpvsMessage[K] } = { ...m };
  if (m.service) {
    const { stats: _s, ...service } = m.service;
    out.service = service;
  }
  if (m.dest) {
    const { stats: _s, activeConns: _a, inactConns: _i, persistConns: _p, ...dest } = m.dest;
    out.dest = dest;
  }
  return out;
}

/** Clears NLA_F_NESTED on the top-level attributes, as the kernel's replies have them. */
function unflagNests(msg: NlMessage): NlMessage {
  const p = msg.payload.slice();
  const dv = new DataView(p.buffer);
  for (let at = 4; at + 4 <= p.length; at += (dv.getUint16(at, true) + 3) & ~3) {
    dv.setUint16(at + 2, dv.getUint16(at + 2, true) & 0x7fff, true);
    if (dv.getUint16(at, true) < 4) break;
  }
  return { ...msg, payload: p };
}

/** Whether a (possibly corrupted) payload has a counter attribute in a service or destination nest. */
function hasCounters(p: Uint8Array): boolean {
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const counterTypes = (nest: number) => (nest === 1 ? [10, 12] : nest === 2 ? [7, 8, 9, 10, 12] : []);
  for (let at = 4; at + 4 <= p.length; ) {
    const len = dv.getUint16(at, true);
    const nest = dv.getUint16(at + 2, true) & 0x3fff;
    if (len < 4) return false;
    const end = Math.min(p.length, at + len);
    for (let i = at + 4; i + 4 <= end; ) {
      const l = dv.getUint16(i, true);
      if (counterTypes(nest).includes(dv.getUint16(i + 2, true) & 0x3fff)) return true;
      if (l < 4) break;
      i += (l + 3) & ~3;
    }
    at += (len + 3) & ~3;
  }
  return false;
}

describe('IPVS messages without counters', () => {
  it('give the schema decoder’s values minus the counters', () => {
    fc.assert(
      fc.property(serviceOrDest, fc.boolean(), (m, flagged) => {
        const encoded = only(encodeIpvs(FAM, m, { flags: 2, seq: 9 }));
        const msg = flagged ? encoded : unflagNests(encoded);
        assert.deepEqual(decodeIpvs(msg, { counters: false }), { ok: true, value: withoutCounters(m) });
      }),
      RUNS,
    );
  });

  it('a destination without a family takes the given one, as the schema decoder does', () => {
    const m: IpvsMessage = {
      cmd: IPVS_CMD.NEW_DEST,
      dest: { addr: Uint8Array.of(10, 0, 0, 1), port: 80, weight: 3 },
    };
    const msg = only(encodeIpvs(FAM, m, { flags: 2, seq: 9 }));
    for (const destAf of [2, 10, undefined]) {
      const full = decodeIpvs(msg, destAf === undefined ? {} : { destAf });
      const lean = decodeIpvs(msg, { counters: false, ...(destAf === undefined ? {} : { destAf }) });
      assert.deepEqual(lean, full, `destAf ${destAf}`);
    }
  });

  it('a message with timeouts (left to the schema decoder) loses its counters too', () => {
    const zero = { conns: 0n, inpkts: 0n, outpkts: 0n, inbytes: 0n, outbytes: 0n };
    const stats = { ...zero, cps: 0n, inpps: 0n, outpps: 0n, inbps: 0n, outbps: 0n };
    const m: IpvsMessage = {
      cmd: IPVS_CMD.NEW_SERVICE,
      service: { af: 2, protocol: 6, addr: Uint8Array.of(10, 0, 0, 1), port: 80, stats },
      dest: {
        addr: Uint8Array.of(10, 0, 0, 2),
        port: 80,
        activeConns: 3,
        inactConns: 1,
        persistConns: 0,
        stats,
      },
      timeouts: { udp: 300 },
    };
    const msg = only(encodeIpvs(FAM, m, { flags: 2, seq: 9 }));
    const full = decodeIpvs(msg);
    assert.ok(full.ok && full.value.service?.stats !== undefined && full.value.dest?.activeConns === 3);
    assert.deepEqual(decodeIpvs(msg, { counters: false }), { ok: true, value: withoutCounters(full.value) });
  });

  it('corrupted: never throw, succeed where the schema decoder does, fail alike without counters', () => {
    const corrupted = fc.tuple(
      serviceOrDest,
      fc.boolean(),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
      fc.nat(),
    );
    fc.assert(
      fc.property(corrupted, ([m, counters, pokes, cut]) => {
        const msg = only(encodeIpvs(FAM, counters ? m : withoutCounters(m), { flags: 2, seq: 9 }));
        const p = msg.payload.slice(0, msg.payload.length - (cut % 8));
        for (const [at, v] of pokes) if (p.length > 0) p[at % p.length] = v;
        const bad: NlMessage = { ...msg, payload: p };
        const full = decodeIpvs(bad);
        const lean = decodeIpvs(bad, { counters: false });
        if (full.ok) assert.deepEqual(lean, { ok: true, value: withoutCounters(full.value) });
        // The schema decoder also looks into the counters (and may fail there first), which
        // the lean walk steps over: without counters (a poke can make one) both fail alike.
        else if (!counters && !hasCounters(p)) assert.deepEqual(lean, full);
        else if (!lean.ok) assert.equal(full.ok, false);
      }),
      RUNS,
    );
  });

  it('a dump datagram decodes to the same items either way', () => {
    fc.assert(
      fc.property(fc.array(serviceOrDest, { minLength: 1, maxLength: 5 }), (ms) => {
        const parts = ms.map((m, i) => encodeIpvs(FAM, m, { flags: 2, seq: 100 + i }));
        const bytes = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
        let at = 0;
        for (const b of parts) {
          bytes.set(b, at);
          at += b.length;
        }
        const full = decodeIpvsBatch(bytes, FAM);
        const lean = decodeIpvsBatch(bytes, FAM, { counters: false });
        assert.ok(full.ok && lean.ok);
        assert.deepEqual(
          lean.value,
          full.value.map((it) => (it.kind === 'message' ? { ...it, value: withoutCounters(it.value) } : it)),
        );
      }),
      { numRuns: 500 },
    );
  });
});
