/**
 * @module The daemon's one entry to tracking: runs every tracker a config uses, resolves
 * each instance's bindings (its own track_*, its sync group's, its interface unless
 * `dont_track_primary`; weights restricted as keepalived does in sync groups and for
 * address owners, with keepalived's log lines), and turns tracker changes into engine
 * events per instance (src/vrrp/tracking.ts `trackingEvents`). For a sync-group member the
 * fault edge is reported separately (`onFault`) so the daemon can route it through
 * src/vrrp/sync-group.ts `setMemberFault` instead of feeding it to the member alone.
 */

import type { Config } from '../../config/model.js';
import { VRRP_PRIO_OWNER } from '../../vrrp/constants.js';
import type { VrrpEvent } from '../../vrrp/index.js';
import {
  evaluateTracking,
  resolveBindings,
  type TrackBinding,
  type TrackingVerdict,
  trackerKey,
  trackingEvents,
} from '../../vrrp/tracking.js';
import type { BfdCarry, BfdSessionStatus } from '../bfd-service.js';
import { DEFAULT_SCRIPT_USER, resolveUser } from '../users.js';
import { TrackerSet } from './tracker-set.js';

export interface TrackingHooks {
  /** The engine's current effective priority of an instance. */
  readonly enginePriority: (instance: string) => number;
  /** Events for an instance not in a sync group (or priority events of a member). */
  readonly onEvents: (instance: string, events: readonly VrrpEvent[]) => void;
  /** A sync-group member's own fault changed. */
  readonly onFault: (group: string, instance: string, faulted: boolean, reason: string) => void;
  readonly log: (text: string) => void;
  /**
   * Whether tracking had faulted an instance before this coordinator existed (a reload
   * keeping a running instance), so that a fault gone meanwhile is cleared. Default: no.
   */
  readonly trackedFault?: (instance: string) => boolean;
  /** Every weight-0 script of an instance that was held in INIT has now reported. */
  readonly onInitDone?: (instance: string) => void;
  /** A reload: the previous coordinator's BFD sessions (`releaseBfd`), kept where unchanged. */
  readonly bfdCarry?: BfdCarry;
}

interface Tracked {
  readonly name: string;
  readonly base: number;
  readonly bindings: readonly TrackBinding[];
  readonly group: string | null;
  fault: boolean;
  verdict: TrackingVerdict | null;
}

/** What holds a faulted instance in FAULT while a weight-0 script has not reported yet. */
const SCRIPT_PENDING = trackerKey('script', '(first result pending)');

/**
 * keepalived 2.2.7 does not bring an instance out of FAULT while a weight-0 script it
 * tracks has not reported once (observed: an instance faulted at start by its interface
 * stayed FAULT after the link came up, until the script's first result, then BACKUP). An
 * instance never faulted is held in INIT instead (holdsInit).
 */
function heldInFault(wasFault: boolean, v: TrackingVerdict): TrackingVerdict {
  return wasFault && v.init && v.faultBy.length === 0 ? { ...v, faultBy: [SCRIPT_PENDING] } : v;
}

export class TrackingCoordinator {
  readonly trackers: TrackerSet;
  readonly #hooks: TrackingHooks;
  readonly #tracked: Tracked[] = [];

  constructor(
    config: Config,
    links: Iterable<{ readonly name: string; readonly up: boolean }>,
    hooks: TrackingHooks,
  ) {
    this.#hooks = hooks;
    // Track scripts run as script_user, else keepalived's default user when it exists
    // (else as the daemon), like every other script.
    const user: { readonly user: string; readonly group?: string } | undefined =
      config.global?.scriptUser ??
      (resolveUser(DEFAULT_SCRIPT_USER) === undefined ? undefined : { user: DEFAULT_SCRIPT_USER });
    this.trackers = new TrackerSet({
      config,
      links,
      onChange: () => this.evaluateAll(),
      log: hooks.log,
      ...(hooks.bfdCarry ? { bfdCarry: hooks.bfdCarry } : {}),
      ...(user ? { defaultUser: user.user, ...(user.group ? { defaultGroup: user.group } : {}) } : {}),
    });
    for (const inst of config.vrrpInstances) {
      const g = config.vrrpSyncGroups.find((s) => s.members.some((m) => m.name === inst.name));
      const hasOwnerMember =
        g !== undefined &&
        config.vrrpInstances.some(
          (i) => g.members.some((m) => m.name === i.name) && i.priority === VRRP_PRIO_OWNER,
        );
      const r = resolveBindings(inst, config, g === undefined ? undefined : { config: g, hasOwnerMember });
      for (const w of r.warnings) hooks.log(w);
      const group = g === undefined ? null : g.name;
      this.#tracked.push({
        name: inst.name,
        base: inst.priority,
        bindings: r.bindings,
        group,
        fault: hooks.trackedFault?.(inst.name) ?? false,
        verdict: null,
      });
    }
  }

  /** Initial reads, then the trackers running. Call `evaluateAll()` before starting instances. */
  async start(): Promise<void> {
    await this.trackers.start();
  }

  stop(): void {
    this.trackers.stop();
  }

  /** Feed the link monitor's `onLinkChange` here (`why`: the log line when not the link itself). */
  handleLinkChange(ifindex: number, name: string, up: boolean, why?: string): void {
    this.trackers.interfaces.handleLinkChange(ifindex, name, up, why);
  }

  /** Hands the BFD sessions to the next coordinator (a reload); call before `stop`. */
  releaseBfd(): BfdCarry {
    return this.trackers.bfd.release();
  }

  /** track_bfd sessions and the BFD packets dropped, by reason (status output). */
  bfdStatus(): { sessions: BfdSessionStatus[]; drops: Record<string, number> } {
    return { sessions: this.trackers.bfd.status(), drops: { ...this.trackers.bfd.drops } };
  }

  /** The latest verdict of an instance (for status output). */
  verdict(instance: string): TrackingVerdict | null {
    return this.#tracked.find((t) => t.name === instance)?.verdict ?? null;
  }

  /** A weight-0 script has not reported yet: keepalived keeps the instance in INIT. */
  holdsInit(instance: string): boolean {
    return this.verdict(instance)?.init ?? false;
  }

  /** Re-evaluates every instance and emits what changed. */
  evaluateAll(): void {
    for (const t of this.#tracked) {
      const wasInit = t.verdict?.init ?? false;
      this.#evaluate(t);
      this.#releaseInit(t, wasInit);
    }
  }

  /** keepalived's "(VI_1): tracked file tf now FAULT state" / "leaving FAULT state" (observed). */
  #logFileFaults(t: Tracked, before: readonly string[], after: readonly string[]): void {
    for (const k of after) {
      if (k.startsWith('file:') && !before.includes(k))
        this.#hooks.log(`(${t.name}): tracked file ${k.slice(5)} now FAULT state`);
    }
    for (const k of before) {
      if (k.startsWith('file:') && !after.includes(k))
        this.#hooks.log(`(${t.name}): tracked file ${k.slice(5)} leaving FAULT state`);
    }
  }

  #evaluate(t: Tracked): void {
    const first = t.verdict === null;
    const v = heldInFault(t.fault, evaluateTracking(t.base, t.bindings, this.trackers.states));
    this.#logFileFaults(t, t.verdict?.faultBy ?? [], v.faultBy);
    t.verdict = v;
    const enginePriority = this.#hooks.enginePriority(t.name);
    const events = trackingEvents(t.fault, enginePriority, v);
    const fault = v.faultBy.length > 0;
    // At start keepalived sets the effective priority from every tracker even when one
    // holds the instance in FAULT ("entering FAULT state", then "Changing effective
    // priority from 100 to 212"); later a rising fault comes alone (trackingEvents).
    const startPriority: VrrpEvent[] =
      first && fault && enginePriority !== v.priority
        ? [{ type: 'priorityChanged', priority: v.priority }]
        : [];
    if (t.group === null) {
      t.fault = fault;
      if (events.length + startPriority.length > 0)
        this.#hooks.onEvents(t.name, [...events, ...startPriority]);
      return;
    }
    const prio = events.filter((e) => e.type === 'priorityChanged');
    if (prio.length > 0) this.#hooks.onEvents(t.name, prio);
    if (fault !== t.fault) {
      t.fault = fault;
      this.#hooks.onFault(t.group, t.name, fault, fault ? v.faultBy.join(',') : 'tracking');
    }
    if (startPriority.length > 0) this.#hooks.onEvents(t.name, startPriority);
  }

  /** Called last by #evaluate's callers: releases instances whose INIT hold ended. */
  #releaseInit(t: Tracked, wasInit: boolean): void {
    if (wasInit && t.verdict !== null && !t.verdict.init) this.#hooks.onInitDone?.(t.name);
  }
}
