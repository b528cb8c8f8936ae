/**
 * @module Deterministic mutation fuzzing of the VRRP receive path from the real captures.
 *
 * 100,000 packets derived from every frame of ../shared/vectors/*.pcap by a
 * seeded PRNG: bit flips, truncation, extension, byte and field overwrites,
 * field swaps; half of them get their IPv4 header and VRRP checksums repaired
 * so that the mutations reach the deeper checks. Each goes through the decoder
 * and, when decoded, the receive checks against the capture's configuration.
 * Nothing may throw; every rejection must carry a known reason. The count per
 * reason is printed (a coverage report, not an assertion on exact numbers).
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeArpFrame } from '../../src/wire/arp.js';
import { DROP_REASONS } from '../../src/wire/drop-reason.js';
import { decodeIpv6Header } from '../../src/wire/ethernet.js';
import { decodeNaFrame } from '../../src/wire/ndisc.js';
import { decodeIpv4Advert } from '../../src/wire/vrrp-ipv4.js';
import { decodeVrrp } from '../../src/wire/vrrp-packet.js';
import { checkReceivedAdvert, receivedFromIpv4 } from '../../src/wire/vrrp-receive.js';
import { readPcap } from '../helpers/pcap.js';
import {
  captureExpectations as expectations,
  prng,
  repairIpv4,
  repairVrrp,
} from '../helpers/vrrp-mutation.js';

const ITERATIONS = 100_000;
const SEED = 0x6b656570; // 'keep'

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const vectorsDir = resolve(repoRoot, '../shared/vectors');

type Seed = { file: string; kind: 'ipv4' | 'ipv6' | 'arp' | 'na'; bytes: Uint8Array; frame: Uint8Array };

function loadSeeds(): Seed[] {
  const seeds: Seed[] = [];
  for (const file of readdirSync(vectorsDir).filter((f) => f.endsWith('.pcap'))) {
    for (const f of readPcap(readFileSync(join(vectorsDir, file)))) {
      const type = (f.data[12]! << 8) | f.data[13]!;
      if (type === 0x0800) seeds.push({ file, kind: 'ipv4', bytes: f.data.subarray(14), frame: f.data });
      else if (type === 0x0806) seeds.push({ file, kind: 'arp', bytes: f.data, frame: f.data });
      else if (f.data[20] === 112)
        seeds.push({ file, kind: 'ipv6', bytes: f.data.subarray(54), frame: f.data });
      else seeds.push({ file, kind: 'na', bytes: f.data, frame: f.data });
    }
  }
  return seeds;
}

function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rnd() * n);
  let b = Uint8Array.from(src);
  const rounds = 1 + pick(3);
  for (let i = 0; i < rounds && b.length > 0; i++) {
    switch (pick(7)) {
      case 0: // bit flips
        for (let k = 1 + pick(4); k > 0; k--) b[pick(b.length)]! ^= 1 << pick(8);
        break;
      case 1: // truncation
        b = b.slice(0, pick(b.length));
        break;
      case 2: {
        // extension with random bytes
        const more = Uint8Array.from({ length: 1 + pick(40) }, () => pick(256));
        b = Uint8Array.from([...b, ...more]);
        break;
      }
      case 3: // interesting value at an interesting offset (header fields)
        b[pick(Math.min(b.length, 48))] = [0, 1, 2, 3, 0x21, 0x31, 0x45, 51, 112, 254, 255][pick(11)]!;
        break;
      case 4: {
        // swap two 1-4 byte fields
        const n = 1 + pick(4);
        const x = pick(Math.max(1, b.length - n));
        const y = pick(Math.max(1, b.length - n));
        const tmp = b.slice(x, x + n);
        b.copyWithin(x, y, y + n);
        b.set(tmp.subarray(0, Math.max(0, Math.min(n, b.length - y))), y);
        break;
      }
      case 5: // random byte
        b[pick(b.length)] = pick(256);
        break;
      default: // duplicate a run (e.g. an extra address)
        if (b.length > 4) {
          const at = pick(b.length - 4);
          b = Uint8Array.from([...b.subarray(0, at + 4), ...b.subarray(at)]);
        }
    }
  }
  return b;
}

test(`fuzz: ${ITERATIONS} mutated capture packets through decode and receive checks`, () => {
  const seeds = loadSeeds();
  assert.equal(seeds.length, 88); // every frame of the 8 captures
  const rnd = prng(SEED);
  const counts = new Map<string, number>();
  const known = new Set<string>(DROP_REASONS);
  const bump = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
  for (let i = 0; i < ITERATIONS; i++) {
    const seed = seeds[Math.floor(rnd() * seeds.length)]!;
    const bytes = mutate(seed.bytes, rnd);
    if (seed.kind === 'ipv4') {
      if (rnd() < 0.5) repairIpv4(bytes);
      const r = decodeIpv4Advert(bytes);
      if (!r.ok) {
        assert.ok(known.has(r.error.reason) && r.error.detail, r.error.reason);
        bump(r.error.reason);
        continue;
      }
      const v = checkReceivedAdvert(receivedFromIpv4(r.value), expectations(seed.file, 'ipv4'));
      if (!v.ok) assert.ok(known.has(v.error.reason) && v.error.detail, v.error.reason);
      bump(v.ok ? 'accepted' : v.error.reason);
    } else if (seed.kind === 'ipv6') {
      const h = decodeIpv6Header(seed.frame.subarray(14));
      assert.ok(h.ok);
      const { source, destination } = h.value;
      if (rnd() < 0.5) repairVrrp(bytes, source, destination);
      const r = decodeVrrp(bytes, { source, destination });
      if (!r.ok) {
        assert.ok(known.has(r.error.reason) && r.error.detail, r.error.reason);
        bump(r.error.reason);
        continue;
      }
      const ttl = rnd() < 0.9 ? 255 : Math.floor(rnd() * 256);
      const v = checkReceivedAdvert(
        { packet: r.value, source, destination, ttl, ah: null },
        expectations(seed.file, 'ipv6'),
      );
      if (!v.ok) assert.ok(known.has(v.error.reason) && v.error.detail, v.error.reason);
      bump(v.ok ? 'accepted' : v.error.reason);
    } else {
      const r = seed.kind === 'arp' ? decodeArpFrame(bytes) : decodeNaFrame(bytes);
      bump(r.ok ? `${seed.kind}:decoded` : `${seed.kind}:${r.error.reason}`);
    }
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  assert.equal(total, ITERATIONS);
  const report = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  console.log(`fuzz counts per reason (seed 0x${SEED.toString(16)}):`);
  for (const [reason, n] of report) console.log(`  ${reason.padEnd(32)} ${n}`);
  // Coverage sanity: the mutations must reach well beyond the first check.
  const vrrpReasons = report.filter(([r]) => known.has(r)).length;
  assert.ok(vrrpReasons >= 20, `only ${vrrpReasons} distinct drop reasons reached`);
  assert.ok((counts.get('accepted') ?? 0) > 0);
});
