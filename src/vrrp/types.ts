/**
 * @module Types of the pure VRRP engine: the readonly per-instance configuration, the
 * runtime state the engine owns, the events it consumes and the effects it returns.
 * Nothing here touches the world; the daemon performs the effects (DESIGN principle 2,
 * STYLE rule 9). Times are milliseconds on the caller's monotonic clock (`nowMs`), and may
 * be fractional: keepalived computes timers in microseconds.
 */

import type { VrrpStats } from './stats.js';

/** Instance states: RFC 5798 §6.4 (Initialize, Backup, Master) plus keepalived's FAULT and STOP. */
export const VrrpState = {
  Init: 'INIT',
  Backup: 'BACKUP',
  Master: 'MASTER',
  Fault: 'FAULT',
  Stop: 'STOP',
} as const;
export type VrrpState = (typeof VrrpState)[keyof typeof VrrpState];

/** VRRP protocol version: 2 (RFC 3768, seconds) or 3 (RFC 5798, centiseconds). */
export type VrrpVersion = 2 | 3;
export type AddressFamily = 'ipv4' | 'ipv6';

/** Gratuitous ARP / unsolicited NA scheduling (keepalived `garp_*` keywords), all in ms. */
export interface GarpConfig {
  /** `garp_master_delay`: second burst this long after becoming MASTER; 0 = none. */
  readonly masterDelayMs: number;
  /** `garp_master_repeat`: messages per address in each burst after becoming MASTER. */
  readonly masterRepeat: number;
  /** `garp_master_refresh`: minimum interval between refresh bursts while MASTER; 0 = off. */
  readonly masterRefreshMs: number;
  /** `garp_master_refresh_repeat`: messages per address in a refresh burst. */
  readonly masterRefreshRepeat: number;
  /** `garp_lower_prio_delay`: second burst this long after a lower-priority advert; 0 = none. */
  readonly lowerPrioDelayMs: number;
  /** `garp_lower_prio_repeat`: burst size on a lower-priority advert while MASTER; 0 = none. */
  readonly lowerPrioRepeat: number;
}

/** Readonly configuration of one `vrrp_instance` as the engine needs it. */
export interface InstanceConfig {
  /** keepalived instance name (`vrrp_instance VI_1`), used in every log line. */
  readonly name: string;
  /** Virtual Router Identifier, 1..255. */
  readonly vrid: number;
  readonly version: VrrpVersion;
  readonly family: AddressFamily;
  /** Configured (base) priority 1..255; 255 = address owner. */
  readonly priority: number;
  /** Advertisement interval in centiseconds (v2: a multiple of 100). */
  readonly adverIntCs: number;
  /** Preempt_Mode; false = keepalived `nopreempt`. */
  readonly preempt: boolean;
  /** keepalived `preempt_delay`, converted to ms; 0 = none. */
  readonly preemptDelayMs: number;
  /** keepalived `state MASTER|BACKUP` (already defaulted by the config layer). */
  readonly initialState: 'MASTER' | 'BACKUP';
  /** Our primary address (the advert source), 4 or 16 bytes in network order. */
  readonly sourceAddress: Uint8Array;
  /** Accept_Mode (RFC 5798 §6.1), carried into the VIP effects. */
  readonly accept: boolean;
  /** keepalived `down_timer_adverts` (default 3 = RFC). */
  readonly downTimerAdverts: number;
  /** keepalived `lower_prio_no_advert`: as MASTER, do not answer a lower-priority advert. */
  readonly lowerPrioNoAdvert: boolean;
  /** keepalived `higher_prio_send_advert`: as MASTER, advertise once before yielding. */
  readonly higherPrioSendAdvert: boolean;
  readonly garp: GarpConfig;
}

/**
 * What the election needs of an advertisement that src/wire already decoded and accepted
 * (`checkReceivedAdvert`): from its `VrrpPacket` the priority and interval, from the IP
 * header the source. Named apart from src/wire's `ReceivedAdvert` on purpose.
 */
export interface ElectionAdvert {
  /** Priority field, 0..255. */
  readonly priority: number;
  /** Advertisement interval of the sender in centiseconds (v2 seconds × 100). */
  readonly maxAdverIntCs: number;
  /** Source address of the IP header, 4 or 16 bytes, network order. */
  readonly source: Uint8Array;
}

/** The engine's timers; each is armed or cancelled by an effect. */
export type TimerName = 'adver' | 'masterDown' | 'garpMasterDelay' | 'garpLowerPrio';

/** Why a state changed; carried by every transition and notify effect. */
export type TransitionCause =
  | 'start'
  | 'masterDownTimer'
  | 'higherPriorityAdvert'
  | 'equalPriorityHigherAddress'
  | 'fault'
  | 'faultCleared'
  | 'shutdown';

/** VRRPv3-MIB vrrpv3StatisticsNewMasterReason. */
export type MasterReason = 'notMaster' | 'priority' | 'preempted' | 'masterNoResponse';

export type VrrpEvent =
  | { readonly type: 'start' }
  | { readonly type: 'shutdown' }
  | { readonly type: 'timer'; readonly timer: TimerName }
  | { readonly type: 'advert'; readonly advert: ElectionAdvert }
  | { readonly type: 'fault'; readonly reason: string }
  | { readonly type: 'faultCleared'; readonly reason: string }
  | { readonly type: 'priorityChanged'; readonly priority: number };

/** Which rule asked for a GARP/NA burst. */
export type GarpReason = 'master' | 'masterDelay' | 'refresh' | 'lowerPrio' | 'lowerPrioDelay';

export type VrrpEffect =
  | { readonly type: 'sendAdvert'; readonly priority: number; readonly adverIntCs: number }
  | { readonly type: 'armTimer'; readonly timer: TimerName; readonly atMs: number }
  | { readonly type: 'cancelTimer'; readonly timer: TimerName }
  | { readonly type: 'addVips'; readonly accept: boolean }
  | { readonly type: 'removeVips'; readonly accept: boolean }
  | { readonly type: 'sendGarp'; readonly repeat: number; readonly reason: GarpReason }
  | {
      readonly type: 'notify';
      readonly from: VrrpState;
      readonly to: VrrpState;
      readonly cause: TransitionCause;
    }
  | { readonly type: 'notifyMasterRxLowerPri'; readonly source: Uint8Array }
  | { readonly type: 'log'; readonly detail: boolean; readonly text: string };

/** The last state change, for status reports. */
export interface Transition {
  readonly from: VrrpState;
  readonly to: VrrpState;
  readonly cause: TransitionCause;
  readonly atMs: number;
}

/** Runtime state of one instance; owned by the engine, replaced (never mutated) by `step`. */
export interface InstanceState {
  readonly config: InstanceConfig;
  readonly state: VrrpState;
  /** Priority currently advertised (tracking-adjusted, keepalived `effective_priority`). */
  readonly effectivePriority: number;
  /**
   * keepalived `base_priority`: the configured priority, lowered to 254 if another owner is
   * seen on the LAN. While it is 255 (address owner) tracking never changes the priority.
   */
  readonly basePriority: number;
  /** Master_Adver_Interval (RFC 5798 §6.1), learnt from the master in v3. */
  readonly masterAdverIntCs: number;
  /** keepalived `ms_down_timer`: the current down interval in ms (not a deadline). */
  readonly masterDownIntervalMs: number;
  /** Deadline of each armed timer, or null. */
  readonly timers: Readonly<Record<TimerName, number | null>>;
  /** keepalived `preempt_time`: end of the running preempt delay, or null. */
  readonly preemptUntilMs: number | null;
  /** Source and priority of the master we last accepted adverts from. */
  readonly masterAddress: Uint8Array | null;
  readonly masterPriority: number;
  /** Set by fault events while not yet started or while in FAULT. */
  readonly faulted: boolean;
  /** Next time a GARP refresh burst is due while MASTER, or null. */
  readonly garpRefreshDueMs: number | null;
  readonly vipsSet: boolean;
  readonly nextMasterReason: MasterReason;
  readonly lastTransition: Transition | null;
  readonly stats: VrrpStats;
}

/** What `step` returns. */
export interface StepResult {
  readonly instance: InstanceState;
  readonly effects: readonly VrrpEffect[];
}
