/**
 * @module VRRP timer formulas. RFC 5798 §6.1 (v3, centiseconds) and RFC 3768 §6.1 (v2,
 * seconds), computed the way keepalived 2.2.7 does (`VRRP_TIMER_SKEW` in vrrp.h): in
 * integer microseconds, truncated, from the *effective* priority and, for v3, the learnt
 * Master_Adver_Interval. The engine converts to (possibly fractional) milliseconds.
 */

import { DOWN_TIMER_ADVERTS_DEFAULT, US_PER_CS, US_PER_MS, US_PER_S } from './constants.js';
import type { VrrpVersion } from './types.js';

/**
 * RFC 5798 §6.1: Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256, in
 * centiseconds, exact (fractional).
 */
export function skewTimeCs(priority: number, masterAdverIntCs: number): number {
  return ((256 - priority) * masterAdverIntCs) / 256;
}

/** RFC 3768 §6.1: Skew_Time = (256 - Priority) / 256 seconds, exact. */
export function skewTimeS(priority: number): number {
  return (256 - priority) / 256;
}

/**
 * Skew_Time as keepalived computes it, in whole microseconds: v3
 * `(256 - prio) * MAI_cs * 625 / 16` (= Skew_Time in cs × 10 000, truncated); v2
 * `(256 - prio) * 1 000 000 / 256` whatever the advert interval.
 */
export function skewTimeUs(version: VrrpVersion, priority: number, masterAdverIntCs: number): number {
  if (version === 3) return Math.floor(((256 - priority) * masterAdverIntCs * 625) / 16);
  return Math.floor(((256 - priority) * US_PER_S) / 256);
}

/**
 * Master_Down_Interval = down_timer_adverts × Master_Adver_Interval + Skew_Time, in µs
 * (RFC 5798 §6.1 with down_timer_adverts = 3; RFC 3768 §6.1).
 */
export function masterDownIntervalUs(
  version: VrrpVersion,
  priority: number,
  masterAdverIntCs: number,
  downTimerAdverts: number = DOWN_TIMER_ADVERTS_DEFAULT,
): number {
  return downTimerAdverts * masterAdverIntCs * US_PER_CS + skewTimeUs(version, priority, masterAdverIntCs);
}

/** The same in milliseconds (fractional: microsecond resolution, as keepalived). */
export function masterDownIntervalMs(
  version: VrrpVersion,
  priority: number,
  masterAdverIntCs: number,
  downTimerAdverts: number = DOWN_TIMER_ADVERTS_DEFAULT,
): number {
  return masterDownIntervalUs(version, priority, masterAdverIntCs, downTimerAdverts) / US_PER_MS;
}

/** Skew_Time in milliseconds (fractional), keepalived arithmetic. */
export function skewTimeMs(version: VrrpVersion, priority: number, masterAdverIntCs: number): number {
  return skewTimeUs(version, priority, masterAdverIntCs) / US_PER_MS;
}

/** Advertisement interval in ms. */
export function centisecondsToMs(cs: number): number {
  return cs * 10;
}
