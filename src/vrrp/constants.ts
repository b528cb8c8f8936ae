/**
 * @module VRRP protocol constants (RFC 3768 §5.3, RFC 5798 §5.2) and the keepalived 2.2.7
 * defaults the engine falls back to. The config layer owns parsing; these are the values
 * keepalived uses when a keyword is absent (`man 5 keepalived.conf`, vrrp_data.h).
 */

/** Priority of the IP address owner (RFC 5798 §5.2.4). */
export const VRRP_PRIO_OWNER = 255;
/** Priority 0: "the current Master has stopped participating" (RFC 5798 §5.2.4). */
export const VRRP_PRIO_STOP = 0;
/** keepalived's default priority when none is configured and state is BACKUP. */
export const VRRP_PRIO_DEFAULT = 100;
/** Highest priority a non-owner may reach through tracking (keepalived clamps to 254). */
export const VRRP_PRIO_MAX_TRACKED = 254;
/** Lowest effective priority keepalived allows through tracking. */
export const VRRP_PRIO_MIN_TRACKED = 1;

/** Master_Down_Interval multiplier of RFC 5798 §6.1; keepalived `down_timer_adverts` default. */
export const DOWN_TIMER_ADVERTS_DEFAULT = 3;

/** Default advertisement interval: 1 s = 100 cs (RFC 5798 §5.2.7, keepalived `advert_int`). */
export const ADVER_INT_DEFAULT_CS = 100;
/** VRRPv3 Max Adver Int is a 12-bit field in centiseconds (RFC 5798 §5.2.7). */
export const V3_MAX_ADVER_INT_CS = 4095;
/** VRRPv2 Adver Int is an 8-bit field in seconds (RFC 3768 §5.3.7). */
export const V2_MAX_ADVER_INT_S = 255;

/** keepalived's `ms_down_timer = 1` for an owner starting in MASTER: time out "very quickly (1usec)". */
export const OWNER_START_DOWN_TIMER_US = 1;

/** keepalived 2.2.7 GARP defaults (`vrrp_garp_master_delay` 5 s, `vrrp_garp_master_repeat` 5). */
export const GARP_DEFAULTS = {
  masterDelayMs: 5_000,
  masterRepeat: 5,
  masterRefreshMs: 0,
  masterRefreshRepeat: 1,
  lowerPrioDelayMs: 5_000,
  lowerPrioRepeat: 5,
} as const;

/** Microseconds per centisecond / millisecond, for the keepalived timer arithmetic. */
export const US_PER_CS = 10_000;
export const US_PER_MS = 1_000;
export const US_PER_S = 1_000_000;
