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

/** `up(name)`: the link state, or undefined for an unknown interface (counts as down). */
export function trackInterfaces(i: VrrpInstance, up: (name: string) => boolean | undefined): TrackResult {
  const faults: string[] = [];
  let priority = i.priority;
  if (i.interface && !i.dontTrackPrimary && up(i.interface) !== true) faults.push(`${i.interface} down`);
  for (const t of i.trackInterfaces) {
    const isUp = up(t.name) === true;
    if (t.weight === undefined || t.weight === 0) {
      if (!isUp) faults.push(`${t.name} down`);
      continue;
    }
    const on = t.reverse ? !isUp : isUp;
    if (t.weight > 0 && on) priority += t.weight;
    if (t.weight < 0 && !on) priority += t.weight;
  }
  return { faults: [...new Set(faults)], priority };
}
