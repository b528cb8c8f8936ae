/**
 * @module Kernel link and address events turned into what the daemon acts on: a link
 * going down or up (the daemon feeds `fault` / `faultCleared` to the instances on it),
 * and an address deleted by someone else (the daemon puts a MASTER's VIP back, as
 * keepalived does). Only changes are reported: repeated RTM_NEWLINK with the same
 * up/down state are ignored.
 */

import { type Address, isLinkUp, type RtnlEvent } from '../netlink/index.js';

export interface LinkMonitorHandlers {
  /** The link's up/down state changed (IFF_UP + IFF_RUNNING + IFF_LOWER_UP). */
  readonly onLinkChange: (ifindex: number, name: string, up: boolean) => void;
  /** An address was deleted from an interface. */
  readonly onAddressDeleted: (address: Address) => void;
  /** An address was added to an interface. */
  readonly onAddressAdded: (address: Address) => void;
}

export class LinkMonitor {
  readonly #up = new Map<number, boolean>();
  readonly #handlers: LinkMonitorHandlers;

  constructor(handlers: LinkMonitorHandlers, initial: Iterable<{ ifindex: number; up: boolean }>) {
    this.#handlers = handlers;
    for (const i of initial) this.#up.set(i.ifindex, i.up);
  }

  /** Feed one decoded rtnetlink notification. */
  handle(event: RtnlEvent): void {
    if (event.kind === 'link') {
      const l = event.link;
      const up = event.op === 'new' && isLinkUp(l);
      if (this.#up.get(l.ifindex) === up) return;
      this.#up.set(l.ifindex, up);
      this.#handlers.onLinkChange(l.ifindex, l.name ?? String(l.ifindex), up);
    } else if (event.kind === 'address') {
      if (event.op === 'del') this.#handlers.onAddressDeleted(event.address);
      else this.#handlers.onAddressAdded(event.address);
    }
  }

  isUp(ifindex: number): boolean | undefined {
    return this.#up.get(ifindex);
  }
}
