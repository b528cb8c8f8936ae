/**
 * @module Timer formulas: RFC 5798 §6.1 (v3) and RFC 3768 §6.1 (v2), with keepalived's
 * microsecond truncation.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  masterDownIntervalMs,
  masterDownIntervalUs,
  skewTimeCs,
  skewTimeS,
  skewTimeUs,
} from '../../../src/vrrp/index.js';

test('RFC 5798 §6.1 Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256 (cs)', () => {
  assert.equal(skewTimeCs(100, 100), 60.9375);
  assert.equal(skewTimeCs(255, 100), 100 / 256);
  assert.equal(skewTimeCs(1, 4095), (255 * 4095) / 256);
});

test('RFC 5798 §6.1 keepalived computes v3 Skew_Time in truncated microseconds', () => {
  assert.equal(skewTimeUs(3, 100, 100), 609_375);
  assert.equal(skewTimeUs(3, 100, 50), 304_687); // 304 687.5 truncated
  assert.equal(skewTimeUs(3, 200, 25), Math.floor(skewTimeCs(200, 25) * 10_000));
});

test('RFC 5798 §6.1 Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time (v3)', () => {
  assert.equal(masterDownIntervalUs(3, 100, 100), 3_609_375);
  assert.equal(masterDownIntervalMs(3, 100, 100), 3609.375);
  assert.equal(masterDownIntervalMs(3, 100, 50), 1500 + 304.687);
});

test('RFC 3768 §6.1 Skew_Time = (256 - Priority) / 256 seconds (v2), independent of Adver_Interval', () => {
  assert.equal(skewTimeS(100), 0.609375);
  assert.equal(skewTimeUs(2, 100, 100), 609_375);
  assert.equal(skewTimeUs(2, 100, 300), 609_375);
});

test('RFC 3768 §6.1 Master_Down_Interval = 3 * Advertisement_Interval + Skew_Time (v2)', () => {
  assert.equal(masterDownIntervalMs(2, 100, 100), 3609.375);
  assert.equal(masterDownIntervalMs(2, 100, 200), 6609.375);
  // man keepalived.conf: "if advert_int is 1, and priority is 128, the instance would normally wait 3.5 seconds"
  assert.equal(masterDownIntervalMs(2, 128, 100), 3500);
});

test('RFC 5798 §6.1 keepalived down_timer_adverts replaces the factor 3', () => {
  assert.equal(masterDownIntervalMs(3, 100, 100, 1), 1000 + 609.375);
});

test('RFC 5798 §6.1 a higher priority always has a shorter Master_Down_Interval', () => {
  for (let p = 1; p < 255; p++) {
    assert.ok(masterDownIntervalUs(3, p + 1, 100) < masterDownIntervalUs(3, p, 100));
    assert.ok(masterDownIntervalUs(2, p + 1, 100) < masterDownIntervalUs(2, p, 100));
  }
});
