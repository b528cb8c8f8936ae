/**
 * @module The VRRP engine's only import surface: the pure state machine (`step`), instance
 * construction, timer formulas, election rules, stats and keepalived's log lines.
 */

export { compareAddress, formatAddress } from './address.js';
export * from './constants.js';
export {
  type BackupVerdict,
  backupVerdict,
  type MasterVerdict,
  masterVerdict,
  outranks,
} from './election.js';
export { step } from './fsm.js';
export { createInstance, type NormalizedConfig, normalizeConfig } from './instance.js';
export { logLine } from './log.js';
export { EMPTY_STATS, type VrrpStats } from './stats.js';
export {
  centisecondsToMs,
  masterDownIntervalMs,
  masterDownIntervalUs,
  skewTimeCs,
  skewTimeMs,
  skewTimeS,
  skewTimeUs,
} from './timers.js';
export type {
  AddressFamily,
  GarpConfig,
  GarpReason,
  InstanceConfig,
  InstanceState,
  MasterReason,
  ReceivedAdvert,
  StepResult,
  TimerName,
  Transition,
  TransitionCause,
  VrrpEffect,
  VrrpEvent,
  VrrpVersion,
} from './types.js';
export { VrrpState } from './types.js';
