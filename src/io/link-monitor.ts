/**
 * @module Kernel link and address events turned into what the daemon acts on: a link
 * going down or up (the daemon feeds `fault` / `faultCleared` to the instances on it),
 * an interface appearing, deleted, or re-created under its name with a new ifindex (the
 * daemon re-plans the instances on it, as keepalived picks interfaces up by name), and
 * an address deleted by someone else (the daemon puts a MASTER's VIP back, as keepalived
 * does). Only changes are reported: repeated RTM_NEWLINK with the same up/down state are
 * ignored. Given the daemon's interface table, it keeps the table current first
 * (interfaces.ts `applyRtnlEvent`), so handlers see the interface as it now is.
 */

import { type Address, isLinkUp, type RtnlEvent } from '../netlink/index.js';
import { applyRtnlEvent, type InterfaceInfo } from './interfaces.js';

export interface LinkMonitorHandlers {
  /** The link's up/down state changed (IFF_UP + IFF_RUNNING + IFF_LOWER_UP). */
  readonly onLinkChange: (ifindex: number, name: string, up: boolean) => void;
  /** An address was deleted from an interface. */
  readonly onAddressDeleted: (address: Address) => void;
  /** An address was added to an interface. */
  readonly onAddressAdded: (address: Address) => void;
  /** An interface appeared (new, or re-created with a new ifindex). Reported before its up/down. */
  readonly onInterfaceAdded?: (info: InterfaceInfo) => void;
  /** An interface was deleted. Reported after it went down. */
  readonly onInterfaceDeleted?: (info: InterfaceInfo) => void;
}

export class LinkMonitor {
  readonly #up = new Map<number, boolean>();
  readonly #handlers: LinkMonitorHandlers;
  readonly #table: Map<string, InterfaceInfo> | undefined;

  /** `table`: the daemon's interfaces by name, updated in place from every event. */
  constructor(
    handlers: LinkMonitorHandlers,
    initial: Iterable<{ ifindex: number; up: boolean }>,
    table?: Map<string, InterfaceInfo>,
  ) {
    this.#handlers = handlers;
    this.#table = table;
    for (const i of initial) this.#up.set(i.ifindex, i.up);
  }

  /** Feed one decoded rtnetlink notification. */
  handle(event: RtnlEvent): void {
    const change = this.#table === undefined ? null : applyRtnlEvent(this.#table, event);
    if (event.kind === 'link') {
      const l = event.link;
      if (change?.kind === 'added') this.#handlers.onInterfaceAdded?.(change.info);
      const up = event.op === 'new' && isLinkUp(l);
      if (this.#up.get(l.ifindex) !== up) {
        this.#up.set(l.ifindex, up);
        this.#handlers.onLinkChange(l.ifindex, l.name ?? change?.info.name ?? String(l.ifindex), up);
      }
      if (event.op === 'del') this.#up.delete(l.ifindex);
      if (change?.kind === 'deleted') this.#handlers.onInterfaceDeleted?.(change.info);
    } else if (event.kind === 'address') {
      if (event.op === 'del') this.#handlers.onAddressDeleted(event.address);
      else this.#handlers.onAddressAdded(event.address);
    }
  }

  isUp(ifindex: number): boolean | undefined {
    return this.#up.get(ifindex);
  }
}
