/**
 * The receive path's in-place view (advert-view.ts) against the decoders it stands in
 * for: on every frame of the captures and on seeded mutations of them (half with their
 * checksums repaired so they reach the deeper checks), AdvertView + firstReceiveDrop
 * must give the same drop reason and log text as decodeIpv4Advert / decodeVrrp +
 * checkReceivedAdvert, and the same values for what it accepts. Then what the change
 * is for: parsing and checking an accepted advert allocates nothing.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GCProfiler } from 'node:v8';
import { AdvertView } from '../../../src/wire/advert-view.js';
import { type IpAddress, type IpFamily, ip, ipFromBytes } from '../../../src/wire/ip.js';
import { authDataFromPassword } from '../../../src/wire/vrrp-auth.js';
import { decodeIpv4Advert } from '../../../src/wire/vrrp-ipv4.js';
import { decodeVrrp } from '../../../src/wire/vrrp-packet.js';
import {
  checkReceivedAdvert,
  firstReceiveDrop,
  type InstanceExpectations,
  type ReceivedAdvert,
  receiveDropDetail,
  receivedFromIpv4,
} from '../../../src/wire/vrrp-receive.js';
import { readPcap } from '../../helpers/pcap.js';
import { captureExpectations, prng, repairIpv4, repairVrrp } from '../../helpers/vrrp-mutation.js';

const vectors = resolve(fileURLToPath(new URL('../../../..', import.meta.url)), '../shared/vectors');

type Seed = { file: string; family: IpFamily; bytes: Uint8Array; source: IpAddress; destination: IpAddress };

/** The VRRP and AH frames of every capture: IPv4 datagrams, and IPv6 payloads with their addresses. */
function seeds(): Seed[] {
  const out: Seed[] = [];
  for (const file of readdirSync(vectors).filter((f) => f.endsWith('.pcap'))) {
    for (const f of readPcap(readFileSync(join(vectors, file)))) {
      const d = new Uint8Array(f.data);
      const type = (d[12]! << 8) | d[13]!;
      if (type === 0x0800 && (d[23] === 112 || d[23] === 51)) {
        const bytes = d.subarray(14);
        out.push({
          file,
          family: 'ipv4',
          bytes,
          source: ipFromBytes(bytes.subarray(12, 16)),
          destination: ipFromBytes(bytes.subarray(16, 20)),
        });
      } else if (type === 0x86dd && d[20] === 112) {
        out.push({
          file,
          family: 'ipv6',
          bytes: d.subarray(54),
          source: ipFromBytes(d.subarray(22, 38)),
          destination: ipFromBytes(d.subarray(38, 54)),
        });
      }
    }
  }
  return out;
}

/** The receiving peer's configuration for a capture, and variants that trip other checks. */
function expectations(seed: Seed): InstanceExpectations[] {
  const base = captureExpectations(seed.file, seed.family);
  const other = seed.family === 'ipv4' ? ip('10.100.1.21') : ip('fd00:100::21');
  return [
    base,
    { ...base, vrid: 52 },
    { ...base, version: base.version === 3 ? 2 : 3 },
    { ...base, addresses: [other] },
    { ...base, addresses: [...base.addresses, other] },
    { ...base, authData: authDataFromPassword('other') },
    { ...base, ahLastSequence: 5, adverIntCs: 200 },
    { ...base, unicastPeers: [{ address: other, minTtl: 0, maxTtl: 255 }], checkUnicastSource: true },
    { ...base, unicastPeers: [{ address: seed.source, minTtl: 250, maxTtl: 254 }], checkUnicastSource: true },
    { ...base, dropIfLocalOwner: true, localPriority: 255 },
  ];
}

function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rnd() * n);
  let b = Uint8Array.from(src);
  switch (pick(5)) {
    case 0:
      for (let k = 1 + pick(3); k > 0 && b.length > 0; k--) b[pick(b.length)]! ^= 1 << pick(8);
      break;
    case 1:
      b = b.slice(0, pick(b.length + 1));
      break;
    case 2:
      b = Uint8Array.from([...b, ...Array.from({ length: 1 + pick(20) }, () => pick(256))]);
      break;
    case 3:
      if (b.length > 0)
        b[pick(Math.min(b.length, 48))] = [0, 1, 2, 3, 0x21, 0x31, 51, 112, 254, 255][pick(10)]!;
      break;
    default:
      break; // unchanged
  }
  return b;
}

/** The decoders' verdict: a drop with its text, or the decoded advert. */
function decodeWithValues(seed: Seed, bytes: Uint8Array, ttl: number): ReceivedAdvert | string {
  if (seed.family === 'ipv4') {
    const r = decodeIpv4Advert(bytes);
    return r.ok ? receivedFromIpv4(r.value) : `${r.error.reason}: ${r.error.detail}`;
  }
  const r = decodeVrrp(bytes, { source: seed.source, destination: seed.destination });
  if (!r.ok) return `${r.error.reason}: ${r.error.detail}`;
  return { packet: r.value, source: seed.source, destination: seed.destination, ttl, ah: null };
}

/** The view's verdict on the same bytes, placed at the start of a larger reused buffer as a socket delivers them. */
function parseInPlace(view: AdvertView, seed: Seed, bytes: Uint8Array, ttl: number, buffer: Uint8Array) {
  buffer.fill(0xa5);
  buffer.set(bytes);
  if (seed.family === 'ipv4') return view.parseIpv4(buffer, bytes.length);
  const meta = new Uint8Array(64);
  meta.set(seed.source.bytes, 8);
  meta.set(seed.destination.bytes, 32);
  return view.parseIpv6(buffer, bytes.length, meta, 8, meta, 32, ttl);
}

describe('AdvertView', () => {
  const all = seeds();

  test('the captures hold IPv4, AH and IPv6 adverts to compare on', () => {
    assert.ok(all.some((s) => s.family === 'ipv6'));
    assert.ok(all.some((s) => s.bytes[9] === 51));
    assert.ok(all.length >= 40, `${all.length} seeds`);
  });

  test('same verdicts, texts and values as the decoders on 20,000 mutated capture packets', () => {
    const rnd = prng(0x76696577);
    const view4 = new AdvertView('ipv4');
    const view6 = new AdvertView('ipv6');
    const buffer = new Uint8Array(2048);
    const outcomes = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const seed = all[Math.floor(rnd() * all.length)]!;
      const bytes = mutate(seed.bytes, rnd);
      if (rnd() < 0.5) {
        if (seed.family === 'ipv4') repairIpv4(bytes);
        else repairVrrp(bytes, seed.source, seed.destination);
      }
      const ttl = rnd() < 0.9 ? 255 : Math.floor(rnd() * 256);
      const view = seed.family === 'ipv4' ? view4 : view6;
      const expected = decodeWithValues(seed, bytes, ttl);
      const reason = parseInPlace(view, seed, bytes, ttl, buffer);
      if (typeof expected === 'string') {
        assert.equal(reason === null ? 'accepted' : `${reason}: ${view.decodeDropDetail(reason)}`, expected);
        outcomes.add(expected.split(':')[0]!);
        continue;
      }
      assert.equal(reason, null, `decoders accepted ${Buffer.from(bytes).toString('hex')}`);
      assert.deepEqual(view.toReceivedAdvert(), expected);
      for (const want of expectations(seed)) {
        const byValues = checkReceivedAdvert(expected, want);
        const inPlace = firstReceiveDrop(view, want);
        const text = inPlace === null ? 'accepted' : `${inPlace}: ${receiveDropDetail(inPlace, view, want)}`;
        assert.equal(text, byValues.ok ? 'accepted' : `${byValues.error.reason}: ${byValues.error.detail}`);
        outcomes.add(text.split(':')[0]!);
      }
    }
    // The comparison reached far: most decode and receive checks, and acceptance.
    assert.ok(outcomes.has('accepted'));
    assert.ok(outcomes.size >= 20, [...outcomes].join(' '));
  });

  test('IPv6 without a pktinfo destination is vrrp-truncated, as before', () => {
    const seed = all.find((s) => s.family === 'ipv6')!;
    const view = new AdvertView('ipv6');
    assert.equal(
      view.parseIpv6(seed.bytes, seed.bytes.length, seed.source.bytes, 0, null, 0, 255),
      'vrrp-truncated',
    );
  });

  test('sourceIs and copySource compare and copy the source out of the buffer', () => {
    const seed = all.find((s) => s.file === 'vrrpv3-ipv4.pcap')!;
    const view = new AdvertView('ipv4');
    const buffer = Uint8Array.from(seed.bytes);
    assert.equal(view.parseIpv4(buffer, buffer.length), null);
    const copy = view.copySource();
    assert.deepEqual(copy, seed.source.bytes);
    assert.ok(view.sourceIs(seed.source.bytes));
    buffer.fill(0);
    assert.deepEqual(copy, seed.source.bytes, 'the copy does not alias the buffer');
    assert.ok(!view.sourceIs(seed.source.bytes));
  });

  test('parsing and checking an accepted advert allocates nothing', () => {
    const seed = all.find((s) => s.file === 'vrrpv3-ipv4.pcap')!;
    const want = expectations(seed)[0]!;
    const view = new AdvertView('ipv4');
    const buffer = new Uint8Array(65535);
    buffer.set(seed.bytes);
    const n = seed.bytes.length;
    const inPlace = () => view.parseIpv4(buffer, n) ?? firstReceiveDrop(view, want);
    const byValues = () => {
      const r = decodeIpv4Advert(buffer.subarray(0, n));
      return r.ok ? checkReceivedAdvert(receivedFromIpv4(r.value), want) : r;
    };
    assert.equal(inPlace(), null);
    // The least of three runs: what V8 itself allocates now and then on this thread
    // (installing code compiled in the background) once showed up in a loaded full run.
    const perCall = (fn: () => unknown) =>
      Math.min(...[0, 1, 2].map(() => allocatedBytes(fn, 50_000))) / 50_000;
    const values = perCall(byValues);
    const view_ = perCall(inPlace);
    // The measurement works: the decoders allocate hundreds of bytes an advert.
    console.log(`decoders ${values.toFixed(1)} B/advert, view ${view_.toFixed(1)} B/advert`);
    assert.ok(values > 300, `decoders: ${values.toFixed(1)} B/advert`);
    assert.ok(view_ < 4, `view: ${view_.toFixed(1)} B/advert (decoders: ${values.toFixed(1)})`);
  });
});

/**
 * Bytes allocated on the V8 heap by `times` calls of `fn`, after as many warm-up calls
 * (so V8 has optimized it): the growth of the used heap, plus what each collection in
 * between found in use before it ran, counted from where the previous one left it.
 */
function allocatedBytes(fn: () => unknown, times: number): number {
  for (let i = 0; i < times; i++) fn();
  const profiler = new GCProfiler();
  profiler.start();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < times; i++) fn();
  const after = process.memoryUsage().heapUsed;
  const gcs = profiler.stop()?.statistics ?? [];
  let total = 0;
  let from = before;
  for (const gc of gcs) {
    total += gc.beforeGC.heapStatistics.usedHeapSize - from;
    from = gc.afterGC.heapStatistics.usedHeapSize;
  }
  return total + after - from;
}
