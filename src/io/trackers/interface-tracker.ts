/**
 * @module track_interface: link state by interface name, fed by the daemon's link monitor
 * (this module consumes its `onLinkChange` events; it owns no socket). An interface that
 * does not exist is down, as keepalived treats a missing tracked interface. keepalived's
 * log line for the change is attached ("Netlink reports NAME down|up").
 */

import { type TrackerState, trackerKey } from '../../vrrp/tracking.js';
import type { TrackerListener } from './types.js';

export class InterfaceTracker {
  readonly #up = new Map<string, boolean>();
  readonly #onUpdate: TrackerListener;

  constructor(onUpdate: TrackerListener, initial: Iterable<{ readonly name: string; readonly up: boolean }>) {
    this.#onUpdate = onUpdate;
    for (const i of initial) this.#up.set(i.name, i.up);
  }

  stateOf(name: string): TrackerState {
    return { kind: 'interface', up: this.#up.get(name) ?? false };
  }

  /** Every interface known, as tracker states keyed `interface:NAME`. */
  states(): [ReturnType<typeof trackerKey>, TrackerState][] {
    return [...this.#up.keys()].map((n) => [trackerKey('interface', n), this.stateOf(n)]);
  }

  /**
   * The link monitor's `onLinkChange(ifindex, name, up)`. `why` replaces the log line when
   * the change is not the link's own (the daemon holds an interface down while its
   * instances lack a source address on it).
   */
  handleLinkChange(_ifindex: number, name: string, up: boolean, why?: string): void {
    if (this.#up.get(name) === up) return;
    this.#up.set(name, up);
    const logs = [why ?? `Netlink reports ${name} ${up ? 'up' : 'down'}`];
    this.#onUpdate({ key: trackerKey('interface', name), state: this.stateOf(name), logs });
  }
}
