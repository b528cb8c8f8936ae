/**
 * @module The daemon's clock: monotonic milliseconds (fractional) from `performance.now()`,
 * the time base every engine `nowMs` and `armTimer.atMs` uses. Behind an interface so
 * tests drive a fake clock.
 */

/** A monotonic clock in milliseconds; never goes backwards, unrelated to wall time. */
export interface Clock {
  nowMs(): number;
}

export const monotonicClock: Clock = {
  nowMs: () => performance.now(),
};
