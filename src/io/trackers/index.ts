/**
 * @module Trackers for VRRP instances: vrrp_script runs, track_file values, process quorum
 * and link state, each emitting typed state changes for src/vrrp/tracking.ts.
 */

export * from './coordinator.js';
export * from './file-tracker.js';
export * from './group-spawn.js';
export * from './interface-tracker.js';
export * from './process-match.js';
export * from './process-tracker.js';
export * from './script-counter.js';
export * from './script-spawner.js';
export * from './script-tracker.js';
export * from './tracker-set.js';
export * from './types.js';
