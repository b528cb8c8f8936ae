/**
 * @module BFD_CHECK for the checker process: each checker's state is its bfd_instance's
 * session state (Up is up, anything else down), as this process's BFD feed reports it.
 * In the daemon the sessions run in the VRRP process, which relays their states over
 * the checker's IPC channel (bfd-bridge.ts), so a bfd_instance that a track_bfd also
 * uses is one session, as in keepalived's single BFD process. A checker started
 * without such a parent runs the sessions it needs itself. keepalived's check_bfd.c is
 * event driven, so a session change takes the real server down or up at once, without
 * delay_loop or retry; the synthetic checker states below plug into the real server's
 * verdict like the polled checkers' states.
 */

import type { CheckerState } from '../check/schedule.js';
import type { CheckSpec } from '../check/types.js';
import type { Config } from '../config/model.js';
import { followParentBfd } from './bfd-bridge.js';
import { type BfdFeed, processBfdFeed } from './bfd-feed.js';
import { BfdService, type BfdSessionStatus } from './bfd-service.js';

interface Binding {
  readonly name: string;
  readonly onChange: (up: boolean) => void;
}

/** `check id → BFD name` for every BFD_CHECK, by position (virtual server, real server, checker). */
export function bfdCheckNames(
  config: Config,
  services: readonly { readonly reals: readonly { readonly checks: readonly CheckSpec[] }[] }[],
): Map<string, string | undefined> {
  const names = new Map<string, string | undefined>();
  services.forEach((vs, i) => {
    vs.reals.forEach((rs, j) => {
      rs.checks.forEach((c, k) => {
        if (c.type !== 'BFD_CHECK') return;
        const words = config.virtualServers[i]?.realServers[j]?.checkers[k]?.settings.name;
        const name = Array.isArray(words) && typeof words[0] === 'string' ? words[0] : undefined;
        names.set(c.id, name);
      });
    });
  });
  return names;
}

export class BfdChecks {
  readonly #config: Config;
  readonly #log: (text: string) => void;
  readonly #feed: BfdFeed;
  readonly #bindings = new Map<string, Binding>();
  readonly #up = new Map<string, boolean>();
  #service: BfdService | undefined;
  #stops: (() => void)[] = [];
  /** While a quiet start adopts the parent's states: no onChange. */
  #quiet = false;

  constructor(config: Config, log: (text: string) => void, feed: BfdFeed = processBfdFeed) {
    this.#config = config;
    this.#log = log;
    this.#feed = feed;
  }

  /**
   * Binds a BFD_CHECK to its bfd_instance; false (with keepalived's message) when the
   * name is missing or not configured, and the checker is skipped.
   */
  bind(checkId: string, rsName: string, name: string | undefined, onChange: (up: boolean) => void): boolean {
    if (name === undefined) {
      this.#log(`(${rsName}) BFD_CHECK - No or too many names specified - skipping checker`);
      return false;
    }
    if (!this.#config.bfdInstances.some((b) => b.name === name)) {
      this.#log(`(${rsName}) BFD_CHECK - BFD ${name} not configured`);
      return false;
    }
    this.#bindings.set(checkId, { name, onChange });
    return true;
  }

  /** The checker state of a bound BFD_CHECK (undefined for other checks). */
  state(checkId: string): CheckerState | undefined {
    const b = this.#bindings.get(checkId);
    if (b === undefined) return undefined;
    return { up: this.#up.get(b.name) ?? false, hasRun: true, retryIt: 0, dueMs: Number.POSITIVE_INFINITY };
  }

  /**
   * Where the sessions run: the parent VRRP process when it serves them, else here.
   * `quiet` (a checker reload): the parent's current states are adopted without
   * onChange, so a real server whose session stayed Up is not reported down and up
   * again; the caller reads them through `state()`.
   */
  async start(quiet = false): Promise<void> {
    const names = new Set([...this.#bindings.values()].map((b) => b.name));
    if (names.size === 0) return;
    this.#quiet = quiet;
    this.#stops.push(this.#feed.subscribe((name, up) => this.#follow(name, up)));
    const fromParent = await followParentBfd(this.#feed);
    if (fromParent) {
      this.#stops.push(fromParent);
      // States the parent had before this checker (re)started.
      for (const name of names) this.#follow(name, this.#feed.up(name));
      this.#quiet = false;
      return;
    }
    this.#quiet = false;
    this.#service = new BfdService({
      instances: this.#config.bfdInstances.filter((b) => names.has(b.name)),
      log: this.#log,
      feed: this.#feed,
      onState: () => {},
    });
    // Own sessions start Down: a previous checker's Up does not carry over.
    for (const name of names) this.#feed.publish(name, false);
    await this.#service.start();
  }

  #follow(name: string, up: boolean): void {
    if ((this.#up.get(name) ?? false) === up) return;
    this.#up.set(name, up);
    if (this.#quiet) return;
    for (const b of this.#bindings.values()) if (b.name === name) b.onChange(up);
  }

  stop(): void {
    for (const stop of this.#stops.splice(0)) stop();
    this.#service?.stop();
  }

  /** The sessions this process runs (none when the parent runs them). */
  status(): BfdSessionStatus[] {
    return this.#service?.status() ?? [];
  }
}
