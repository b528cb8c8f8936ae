/**
 * @module What every tracker emits: the new state of one tracker, keyed as the pure
 * tracking module keys them (`script:NAME`, `interface:NAME`, `file:NAME`,
 * `process:NAME`), with the log lines keepalived prints for the change.
 */

import type { TrackerKey, TrackerState } from '../../vrrp/tracking.js';

export interface TrackerUpdate {
  readonly key: TrackerKey;
  readonly state: TrackerState;
  /** keepalived's log lines for this change (may be empty). */
  readonly logs: readonly string[];
}

/** Receives tracker updates; called on the event loop, never synchronously from start(). */
export type TrackerListener = (update: TrackerUpdate) => void;

/** A running tracker. */
export interface Tracker {
  /** The current state (before any run: the initial one). */
  readonly state: TrackerState;
  start(): void;
  /** Stops timers and watchers and kills anything still running. */
  stop(): void;
}
