/**
 * @module The BFD states of this process, by bfd_instance name: what its BfdService
 * reports (keepalived's BFD events: Up, or Down from Up) and what a parent process
 * relays (bfd-bridge.ts). Users follow it instead of a service, so one session can
 * serve several of them: in the daemon the VRRP process runs every session and its
 * checker child follows them, as keepalived's BFD process serves both the VRRP and the
 * checker processes. A name never reported is down.
 */

export type BfdStateListener = (name: string, up: boolean) => void;

export class BfdFeed {
  readonly #states = new Map<string, boolean>();
  readonly #listeners = new Set<BfdStateListener>();

  /** Records a session's state; listeners hear only changes. */
  publish(name: string, up: boolean): void {
    if (this.#states.get(name) === up) return;
    this.#states.set(name, up);
    for (const l of [...this.#listeners]) l(name, up);
  }

  up(name: string): boolean {
    return this.#states.get(name) ?? false;
  }

  /** Every state reported so far. */
  snapshot(): [string, boolean][] {
    return [...this.#states];
  }

  /** Calls `listener` on every change; returns the unsubscribe. */
  subscribe(listener: BfdStateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** This process's feed: every BfdService publishes here. */
export const processBfdFeed = new BfdFeed();
