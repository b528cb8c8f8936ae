import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkBfdPacket, checkBfdTtl, decodeBfdControl, encodeBfdControl } from '../../../src/bfd/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('encodes the mandatory section as RFC 5880 4.1 lays it out', () => {
  const bytes = encodeBfdControl({
    diag: 1,
    state: 'Up',
    poll: true,
    detectMult: 5,
    myDiscriminator: 0x01020304,
    yourDiscriminator: 0xa0b0c0d0,
    desiredMinTxUs: 10_000,
    requiredMinRxUs: 1_000_000,
  });
  // version 1 | diag 1, Up (3<<6) | P, mult 5, length 24, discriminators, intervals, echo 0
  assert.equal(hex(bytes), `21e00518${'01020304'}${'a0b0c0d0'}${'00002710'}${'000f4240'}${'00000000'}`);
});

test('decode inverts encode field by field', () => {
  const fields = {
    diag: 3,
    state: 'Init' as const,
    final: true,
    detectMult: 3,
    myDiscriminator: 7,
    yourDiscriminator: 0xffffffff,
    desiredMinTxUs: 300_000,
    requiredMinRxUs: 50_000,
  };
  const d = decodeBfdControl(encodeBfdControl(fields));
  assert.ok(d.ok);
  assert.deepEqual(
    {
      diag: d.value.diag,
      state: d.value.state,
      final: d.value.final,
      poll: d.value.poll,
      detectMult: d.value.detectMult,
      myDiscriminator: d.value.myDiscriminator,
      yourDiscriminator: d.value.yourDiscriminator,
      desiredMinTxUs: d.value.desiredMinTxUs,
      requiredMinRxUs: d.value.requiredMinRxUs,
    },
    { ...fields, poll: false },
  );
  assert.equal(d.value.version, 1);
  assert.equal(d.value.length, 24);
});

test('encoder refuses Poll with Final, a zero multiplier and out-of-range discriminators', () => {
  const base = {
    diag: 0,
    state: 'Down' as const,
    detectMult: 3,
    myDiscriminator: 1,
    yourDiscriminator: 0,
    desiredMinTxUs: 1,
    requiredMinRxUs: 1,
  };
  assert.throws(() => encodeBfdControl({ ...base, poll: true, final: true }), RangeError);
  assert.throws(() => encodeBfdControl({ ...base, detectMult: 0 }), RangeError);
  assert.throws(() => encodeBfdControl({ ...base, myDiscriminator: 2 ** 32 }), RangeError);
});

/** A valid Down packet, then one byte changed: each check gives its own reason. */
test('every reception check of RFC 5880 6.8.6 has its own drop reason', () => {
  const good = encodeBfdControl({
    diag: 0,
    state: 'Down',
    detectMult: 3,
    myDiscriminator: 9,
    yourDiscriminator: 0,
    desiredMinTxUs: 1_000_000,
    requiredMinRxUs: 10_000,
  });
  const verdict = (mutate: (b: Uint8Array) => void, len = 24) => {
    const b = new Uint8Array(good);
    mutate(b);
    const d = decodeBfdControl(b.subarray(0, len));
    if (!d.ok) return d.error;
    const c = checkBfdPacket(d.value, len);
    return c.ok ? 'ok' : c.error;
  };
  assert.equal(
    verdict(() => {}),
    'ok',
  );
  assert.equal(
    verdict(() => {}, 23),
    'too-short',
  );
  assert.equal(
    verdict((b) => {
      b[0] = (2 << 5) | 0;
    }),
    'bad-version',
  );
  assert.equal(
    verdict((b) => {
      b[3] = 30;
    }),
    'length-mismatch',
  );
  assert.equal(
    verdict((b) => {
      b[3] = 20;
    }),
    'length-mismatch',
  );
  assert.equal(
    verdict((b) => {
      b[2] = 0;
    }),
    'zero-detect-mult',
  );
  assert.equal(
    verdict((b) => {
      b[1] = b[1]! | 1;
    }),
    'multipoint',
  );
  assert.equal(
    verdict((b) => {
      b[7] = 0;
    }),
    'zero-my-discriminator',
  );
  assert.equal(
    verdict((b) => {
      b[1] = 3 << 6;
    }),
    'zero-your-discriminator',
  );
  const withAuth = new Uint8Array(28);
  withAuth.set(good);
  withAuth[1] = withAuth[1]! | 0x04;
  withAuth[3] = 28;
  const a = decodeBfdControl(withAuth);
  assert.ok(a.ok);
  assert.deepEqual(checkBfdPacket(a.value, 28), { ok: false, error: 'auth-unsupported' });
  assert.equal(
    verdict((b) => {
      b[1] = b[1]! | 0x30;
    }),
    'poll-and-final',
  );
  assert.equal(
    verdict((b) => {
      b[0] = (1 << 5) | 9;
    }),
    'bad-diagnostic',
  );
});

test('GTSM: TTL 255 passes, fewer fails unless max_hops allows it, unknown passes', () => {
  assert.equal(checkBfdTtl(255, 255, 0), true);
  assert.equal(checkBfdTtl(254, 255, 0), false);
  assert.equal(checkBfdTtl(253, 255, 2), true);
  assert.equal(checkBfdTtl(252, 255, 2), false);
  assert.equal(checkBfdTtl(0, 255, 0), true);
});
