/**
 * @module BFD_CHECK for the checker process: the bfd_instances named by real servers'
 * `BFD_CHECK { name NAME }` run here on a BfdService of their own (keepalived sends its
 * BFD events to the checker process too), and each such checker's state is the
 * session's: Up is up, anything else down. keepalived's check_bfd.c is event driven, so
 * a session change takes the real server down or up at once, without delay_loop or
 * retry; the synthetic checker states below plug into the real server's verdict like
 * the polled checkers' states.
 */

import type { CheckerState } from '../check/schedule.js';
import type { CheckSpec } from '../check/types.js';
import type { Config } from '../config/model.js';
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

/** Every bfd_instance name a real server's BFD_CHECK names (the checker process runs those). */
export function bfdCheckedNames(config: Config): Set<string> {
  const names = new Set<string>();
  for (const vs of config.virtualServers ?? [])
    for (const rs of vs.realServers)
      for (const c of rs.checkers) {
        const words = c.type === 'BFD_CHECK' ? c.settings.name : undefined;
        if (Array.isArray(words) && typeof words[0] === 'string') names.add(words[0]);
      }
  return names;
}

export class BfdChecks {
  readonly #config: Config;
  readonly #log: (text: string) => void;
  readonly #bindings = new Map<string, Binding>();
  readonly #up = new Map<string, boolean>();
  #service: BfdService | undefined;

  constructor(config: Config, log: (text: string) => void) {
    this.#config = config;
    this.#log = log;
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

  async start(): Promise<void> {
    const names = new Set([...this.#bindings.values()].map((b) => b.name));
    if (names.size === 0) return;
    // keepalived runs one BFD process for both; here the VRRP and checker processes run
    // their own sessions (both see every BFD datagram through their raw IPv4 listeners
    // and each takes its own), so one bfd_instance must not serve both.
    const tracked = new Set(
      this.#config.vrrpInstances.flatMap((i) => (i.trackBfds ?? []).map((r) => r.name)),
    );
    for (const name of names)
      if (tracked.has(name))
        this.#log(
          `BFD: ${name} is used by both track_bfd and BFD_CHECK; each process runs its own session to the same neighbour - not supported yet`,
        );
    this.#service = new BfdService({
      instances: this.#config.bfdInstances.filter((b) => names.has(b.name)),
      log: this.#log,
      onState: (name, state) => {
        const up = state === 'Up';
        if ((this.#up.get(name) ?? false) === up) return;
        this.#up.set(name, up);
        for (const b of this.#bindings.values()) if (b.name === name) b.onChange(up);
      },
    });
    await this.#service.start();
  }

  stop(): void {
    this.#service?.stop();
  }

  status(): BfdSessionStatus[] {
    return this.#service?.status() ?? [];
  }
}
