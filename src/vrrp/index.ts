/**
 * @module The VRRP engine's only import surface: the pure state machine (`step`), instance
 * construction, timer formulas, election rules, stats and keepalived's log lines.
 *
 * Contract with the shell that performs the effects (src/io, src/daemon):
 * - `normalizeConfig` then `createInstance(config)`, then `step(inst, { type: 'start' }, now)`.
 * - Effects are performed in order. `armTimer` replaces any pending firing of that timer;
 *   `cancelTimer` drops it; when a timer is due, feed `{ type: 'timer', timer }` (late or
 *   stale firings are ignored by the engine, so a racy cancel is harmless).
 * - `sendAdvert` carries the priority (0 = stop) and our interval; the codec adds VRID, VIPs
 *   and, for v2, converts centiseconds to seconds.
 * - `addVips`/`removeVips` must be idempotent: keepalived removes VIPs at init as cleanup.
 * - `sendGarp` is one burst of `repeat` messages per VIP, paced by `vrrp_garp_interval`.
 * - `log` lines are keepalived's text; print `detail` ones only with `-D/--log-detail`.
 * - `notify` feeds notify scripts/FIFO; `notifyMasterRxLowerPri` is keepalived's
 *   `notify_master_rx_lower_pri`.
 */

export { compareAddress, formatAddress } from './address.js';
export * from './constants.js';
export {
  type BackupVerdict,
  backupVerdict,
  isV2IntervalMismatch,
  type MasterVerdict,
  masterVerdict,
  outranks,
} from './election.js';
export { shutdownAdvertPriority, step } from './fsm.js';
export { createInstance, type NormalizedConfig, normalizeConfig } from './instance.js';
export { logLine } from './log.js';
export { rehearseRarePaths } from './rehearsal.js';
export { EMPTY_STATS, reduceStats, type VrrpStats } from './stats.js';
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
  ElectionAdvert,
  GarpConfig,
  GarpReason,
  InstanceConfig,
  InstanceState,
  MasterReason,
  StepResult,
  TimerName,
  Transition,
  TransitionCause,
  VrrpEffect,
  VrrpEvent,
  VrrpVersion,
} from './types.js';
export { VrrpState } from './types.js';
