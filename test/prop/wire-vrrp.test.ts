/**
 * @module Properties of the VRRP codecs: decode(encode(x)) = x for v2/v3 x IPv4/IPv6
 * (message and whole IPv4 datagram, with and without AH), decoders and receive
 * checks never throw on arbitrary bytes (10,000 runs per property).
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { DROP_REASONS } from '../../src/wire/drop-reason.js';
import type { IpAddress, IpFamily } from '../../src/wire/ip.js';
import { ipFromBytes } from '../../src/wire/ip.js';
import type { VrrpAuthType } from '../../src/wire/vrrp-auth.js';
import { decodeIpv4Advert, encodeIpv4Advert } from '../../src/wire/vrrp-ipv4.js';
import type { VrrpPacket, VrrpVersion } from '../../src/wire/vrrp-packet.js';
import { decodeVrrp, encodeVrrp } from '../../src/wire/vrrp-packet.js';
import type { InstanceExpectations } from '../../src/wire/vrrp-receive.js';
import { checkReceivedAdvert, receivedFromIpv4 } from '../../src/wire/vrrp-receive.js';

const RUNS = { numRuns: 10_000 };
const REASONS = new Set<string>(DROP_REASONS);

const address = (family: IpFamily): fc.Arbitrary<IpAddress> => {
  const n = family === 'ipv4' ? 4 : 16;
  return fc.uint8Array({ minLength: n, maxLength: n }).map(ipFromBytes);
};

function packet(version: VrrpVersion, family: IpFamily): fc.Arbitrary<VrrpPacket> {
  return fc
    .record({
      version: fc.constant(version),
      family: fc.constant(family),
      vrid: fc.integer({ min: 1, max: 255 }),
      priority: fc.integer({ min: 0, max: 255 }),
      maxAdverIntCs:
        version === 3
          ? fc.integer({ min: 0, max: 0x0fff })
          : fc.integer({ min: 0, max: 255 }).map((s) => s * 100),
      addresses: fc.array(address(family), { maxLength: 40 }),
      authType: (version === 2 ? fc.constantFrom(0, 1, 2) : fc.constant(0)) as fc.Arbitrary<VrrpAuthType>,
      authData:
        version === 2 && family === 'ipv4'
          ? fc.uint8Array({ minLength: 8, maxLength: 8 })
          : fc.constant(new Uint8Array(0)),
    })
    .map((r) => ({ ...r })); // fast-check records have a null prototype; decoded values do not
}

function context(family: IpFamily) {
  return fc.record({
    source: address(family),
    destination: address(family),
    checksumWithIpv4PseudoHeader: fc.boolean(),
  });
}

function assertDropShape(error: { reason: string; detail: string }): void {
  assert.ok(REASONS.has(error.reason), error.reason);
  assert.ok(error.detail.length > 0);
}

describe('VRRP message round trip', () => {
  for (const version of [2, 3] as const) {
    for (const family of ['ipv4', 'ipv6'] as const) {
      test(`v${version} ${family}: decode(encode(x)) = x`, () => {
        fc.assert(
          fc.property(packet(version, family), context(family), (p, ctx) => {
            const r = decodeVrrp(encodeVrrp(p, ctx), ctx);
            assert.ok(r.ok, r.ok ? '' : r.error.detail);
            assert.deepEqual(r.value, p);
          }),
          RUNS,
        );
      });
    }
  }
});

describe('IPv4 datagram round trip', () => {
  for (const version of [2, 3] as const) {
    test(`v${version}: decodeIpv4Advert(encodeIpv4Advert(x)) = x, AH when v2`, () => {
      const args = fc.record({
        p: packet(version, 'ipv4'),
        identification: fc.integer({ min: 0, max: 0xffff }),
        source: address('ipv4'),
        destination: address('ipv4'),
        ttl: fc.integer({ min: 0, max: 255 }),
        ah: fc.option(
          fc.record({
            sequence: fc.integer({ min: 0, max: 0xffffffff }),
            key: fc.uint8Array({ minLength: 8, maxLength: 8 }),
            zeroTtlInIcv: fc.boolean(),
          }),
        ),
      });
      fc.assert(
        fc.property(args, ({ p, ah, ...opts }) => {
          const withAh = version === 2 ? ah : null;
          const bytes = encodeIpv4Advert(p, { ...opts, ah: withAh ?? undefined });
          const r = decodeIpv4Advert(bytes);
          assert.ok(r.ok, r.ok ? '' : r.error.detail);
          assert.deepEqual(r.value.vrrp, p);
          assert.equal(r.value.ip.identification, opts.identification);
          assert.equal(r.value.ip.ttl, opts.ttl);
          assert.equal(r.value.ah?.sequence, withAh?.sequence);
        }),
        RUNS,
      );
    });
  }
});

describe('decoders never throw', () => {
  test('decodeVrrp on arbitrary bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 120 }),
        fc.constantFrom<IpFamily>('ipv4', 'ipv6'),
        (bytes, family) => {
          const src = family === 'ipv4' ? ipFromBytes(new Uint8Array(4)) : ipFromBytes(new Uint8Array(16));
          const r = decodeVrrp(bytes, { source: src, destination: src });
          if (!r.ok) assertDropShape(r.error);
        },
      ),
      RUNS,
    );
  });

  test('decodeIpv4Advert on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        const r = decodeIpv4Advert(bytes);
        if (!r.ok) assertDropShape(r.error);
      }),
      RUNS,
    );
  });

  test('decodeIpv4Advert on a valid IPv4 header followed by arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.constantFrom(51, 112), (payload, protocol) => {
        const d = new Uint8Array(20 + payload.length);
        d.set([0x45, 0xc0, 0, d.length, 0, 1, 0, 0, 255, protocol, 0, 0, 10, 0, 0, 1, 224, 0, 0, 18]);
        d.set(payload, 20);
        let s = 0;
        for (let i = 0; i < 20; i += 2) s += (d[i]! << 8) | d[i + 1]!;
        while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
        d[10] = (~s >> 8) & 0xff;
        d[11] = ~s & 0xff;
        const r = decodeIpv4Advert(d);
        if (!r.ok) assertDropShape(r.error);
      }),
      RUNS,
    );
  });

  test('checkReceivedAdvert on decoded arbitrary packets and arbitrary expectations', () => {
    const want: fc.Arbitrary<InstanceExpectations> = fc.record({
      version: fc.constantFrom<VrrpVersion>(2, 3),
      family: fc.constant<IpFamily>('ipv4'),
      vrid: fc.integer({ min: 1, max: 255 }),
      addresses: fc.array(address('ipv4'), { maxLength: 3 }),
      checkAddresses: fc.boolean(),
      authType: fc.constantFrom<VrrpAuthType>(0, 1, 2),
      authData: fc.uint8Array({ minLength: 8, maxLength: 8 }),
      ahLastSequence: fc.integer({ min: 0, max: 0xffffffff }),
      adverIntCs: fc.integer({ min: 0, max: 4095 }),
      unicastPeers: fc.array(
        fc.record({
          address: address('ipv4'),
          minTtl: fc.integer({ min: 0, max: 255 }),
          maxTtl: fc.integer({ min: 0, max: 255 }),
        }),
        { maxLength: 2 },
      ),
      checkUnicastSource: fc.boolean(),
      dropIfLocalOwner: fc.boolean(),
      localPriority: fc.integer({ min: 1, max: 255 }),
    });
    const datagram = fc.record({
      p: packet(2, 'ipv4'),
      source: address('ipv4'),
      destination: address('ipv4'),
      ttl: fc.integer({ min: 0, max: 255 }),
      ah: fc.option(
        fc.record({
          sequence: fc.nat(),
          key: fc.uint8Array({ minLength: 8, maxLength: 8 }),
          zeroTtlInIcv: fc.boolean(),
        }),
      ),
    });
    fc.assert(
      fc.property(datagram, want, ({ p, source, destination, ttl, ah }, w) => {
        const bytes = encodeIpv4Advert(p, {
          identification: 1,
          source,
          destination,
          ttl,
          ah: ah ?? undefined,
        });
        const r = decodeIpv4Advert(bytes);
        assert.ok(r.ok);
        const v = checkReceivedAdvert(receivedFromIpv4(r.value), w);
        if (!v.ok) assertDropShape(v.error);
      }),
      RUNS,
    );
  });
});
