/**
 * @module Interface tracking as keepalived 2.2.7 does it, pure: an instance is in fault
 * while its own interface is down (unless `dont_track_primary`) or a `track_interface`
 * without weight is down; a weighted `track_interface` moves the effective priority
 * (weight > 0 is added while the interface is up, weight < 0 while it is down;
 * `reverse` swaps up and down). The daemon feeds `fault` / `faultCleared` /
 * `priorityChanged` when the result changes.
 */

import type { VrrpInstance } from '../config/model.js';

export interface TrackResult {
  /** Why the instance is in fault (empty: not), e.g. `eth0 down`. */
  readonly faults: readonly string[];
  /** Configured priority plus the weights that apply. */
  readonly priority: number;
}

/** A `vrrp_script` as tracking sees it: its verdict and its own weight. */
export interface ScriptVerdict {
  /** True while the script is in its OK state; undefined for an unknown script (a fault). */
  readonly ok: boolean | undefined;
  readonly weight: number;
  readonly reverse: boolean;
}

type Contribution = { fault: boolean; delta: number };

/** keepalived's rule for one tracked object that is `on` (up / succeeding). */
function contribution(on: boolean, weight: number | undefined, reverse: boolean): Contribution {
  if (weight === undefined || weight === 0) return { fault: !on, delta: 0 };
  const active = reverse ? !on : on;
  if (weight > 0) return { fault: false, delta: active ? weight : 0 };
  return { fault: false, delta: active ? 0 : weight };
}

/**
 * `up(name)`: the link state, or undefined for an unknown interface (counts as down);
 * `script(name)`: a vrrp_script's verdict (the default: no scripts).
 */
export function trackInterfaces(
  i: VrrpInstance,
  up: (name: string) => boolean | undefined,
  script: (name: string) => ScriptVerdict = () => ({ ok: undefined, weight: 0, reverse: false }),
): TrackResult {
  const faults: string[] = [];
  let priority = i.priority;
  if (i.interface && !i.dontTrackPrimary && up(i.interface) !== true) faults.push(`${i.interface} down`);
  for (const t of i.trackInterfaces) {
    const c = contribution(up(t.name) === true, t.weight, t.reverse);
    if (c.fault) faults.push(`${t.name} down`);
    priority += c.delta;
  }
  for (const t of i.trackScripts) {
    const v = script(t.name);
    const c = contribution(v.ok === true, t.weight ?? v.weight, t.reverse !== v.reverse);
    if (c.fault) faults.push(`script ${t.name} failed`);
    priority += c.delta;
  }
  return { faults: [...new Set(faults)], priority };
}
