/**
 * @module Tracking: from the state of every tracker (vrrp_script, track_interface,
 * track_file, vrrp_track_process) and an instance's bindings to them, the instance's
 * effective priority and fault, as keepalived 2.2.7 computes them (vrrp_track.c
 * `initialise_*_tracking_priorities`, `process_script_update_priority`,
 * `update_track_file_status`, `process_update_track_process_status`,
 * `vrrp_set_effective_priority`; vrrp.c `vrrp_complete_instance` for the sync-group and
 * address-owner rules).
 *
 * keepalived updates `total_priority` incrementally; every update it makes equals the
 * difference of a per-binding contribution that depends only on the tracker's current
 * state, so here the total is recomputed from scratch (same result, no drift):
 *
 * - weight 0: the tracker faults the instance when failing (with `reverse`: when OK).
 * - weight w ≠ 0, multiplier m = reverse ? -1 : 1: OK adds w·m if w > 0; failing adds w·m
 *   if w < 0 (so a negative weight subtracts |w| on failure, `reverse` flips the sign).
 * - track_file: value v (clamped to ±254 when read) times w·m; ≤ -254 faults, otherwise
 *   min(v·w·m, 253) is added; with weight 0 a non-zero value faults (reverse: zero does).
 * - effective priority: total clamped to 1..254; an address owner (255) never changes.
 * - a weight-0 script that has not reported yet holds the instance in INIT.
 *
 * Pure: no node:* imports (STYLE, functional core).
 */

import type {
  BfdInstance,
  TrackRef,
  VrrpScript,
  VrrpSyncGroup,
  VrrpTrackFile,
  VrrpTrackProcess,
} from '../config/model.js';
import { VRRP_PRIO_MAX_TRACKED, VRRP_PRIO_MIN_TRACKED, VRRP_PRIO_OWNER } from './constants.js';
import type { VrrpEvent } from './types.js';

export type TrackerKind = 'script' | 'interface' | 'file' | 'process' | 'bfd';
/** `kind:name`, e.g. `script:chk_haproxy`, `interface:eth1`. */
export type TrackerKey = `${TrackerKind}:${string}`;

export function trackerKey(kind: TrackerKind, name: string): TrackerKey {
  return `${kind}:${name}`;
}

/**
 * The state of one tracker. Script: `init` until its first result (keepalived
 * SCRIPT_INIT_STATE_INIT), then `ok` (result ≥ rise) or `fail`. File: the value read,
 * already clamped to -254..254. Process: whether quorum ≤ count ≤ quorum_max holds.
 */
export type TrackerState =
  | { readonly kind: 'script'; readonly status: 'init' | 'ok' | 'fail' }
  | { readonly kind: 'interface'; readonly up: boolean }
  | { readonly kind: 'file'; readonly value: number }
  | { readonly kind: 'process'; readonly quorum: boolean }
  /** track_bfd: whether the bfd_instance's session is Up (keepalived `bfd_up`). */
  | { readonly kind: 'bfd'; readonly up: boolean };

/** One instance's use of one tracker, with its resolved weight (−254..254) and direction. */
export interface TrackBinding {
  readonly kind: TrackerKind;
  readonly name: string;
  readonly weight: number;
  readonly reverse: boolean;
  /** Where it came from: the instance's block, its sync group's, or its own interface. */
  readonly source: 'instance' | 'group' | 'primary';
}

/** What tracking says about an instance now. */
export interface TrackingVerdict {
  /** Base priority plus every contribution, unclamped (keepalived `total_priority`). */
  readonly total: number;
  /** Effective priority: `total` clamped to 1..254; the base for an address owner. */
  readonly priority: number;
  /** Trackers that fault the instance now, as TrackerKeys (empty: no fault). */
  readonly faultBy: readonly TrackerKey[];
  /** A weight-0 script has not reported yet: keepalived keeps the instance in INIT. */
  readonly init: boolean;
}

/** State assumed for a tracker never reported: scripts pending, links down, files 0, no quorum. */
function missingState(kind: TrackerKind): TrackerState {
  if (kind === 'script') return { kind, status: 'init' };
  if (kind === 'interface') return { kind, up: false };
  if (kind === 'file') return { kind, value: 0 };
  if (kind === 'bfd') return { kind, up: false };
  return { kind, quorum: false };
}

/** Fault threshold of a weighted track_file (vrrp_track.c: status ≤ -254 is down). */
export const TRACK_FILE_FAULT = -254;
/** Largest track_file contribution (vrrp_track.c caps status at 253). */
export const TRACK_FILE_MAX = 253;

interface Contribution {
  readonly delta: number;
  readonly fault: boolean;
  readonly init: boolean;
}

const NONE: Contribution = { delta: 0, fault: false, init: false };

/** OK/failing trackers with keepalived's weight rules (scripts, interfaces, processes). */
function binary(b: TrackBinding, ok: boolean): Contribution {
  const m = b.reverse ? -1 : 1;
  if (b.weight === 0) return { delta: 0, fault: ok === b.reverse, init: false };
  if (ok) return b.weight > 0 ? { ...NONE, delta: b.weight * m } : NONE;
  return b.weight < 0 ? { ...NONE, delta: b.weight * m } : NONE;
}

function fileContribution(b: TrackBinding, value: number): Contribution {
  const m = b.reverse ? -1 : 1;
  if (b.weight === 0) return { delta: 0, fault: (value !== 0) === (m === 1), init: false };
  const status = value * b.weight * m;
  if (status <= TRACK_FILE_FAULT) return { delta: 0, fault: true, init: false };
  return { ...NONE, delta: Math.min(status, TRACK_FILE_MAX) };
}

/** The contribution of one binding given its tracker's state. */
export function contribution(b: TrackBinding, s: TrackerState): Contribution {
  switch (s.kind) {
    case 'script':
      if (s.status === 'init') return b.weight === 0 ? { ...NONE, init: true } : NONE;
      return binary(b, s.status === 'ok');
    case 'interface':
      return binary(b, s.up);
    case 'process':
      return binary(b, s.quorum);
    case 'bfd':
      return binary(b, s.up);
    case 'file':
      return fileContribution(b, s.value);
  }
}

/** Effective priority and fault of an instance with `basePriority` (keepalived `base_priority`). */
export function evaluateTracking(
  basePriority: number,
  bindings: readonly TrackBinding[],
  states: ReadonlyMap<TrackerKey, TrackerState>,
): TrackingVerdict {
  let total = basePriority;
  let init = false;
  const faultBy: TrackerKey[] = [];
  for (const b of bindings) {
    const key = trackerKey(b.kind, b.name);
    const c = contribution(b, states.get(key) ?? missingState(b.kind));
    total += c.delta;
    init ||= c.init;
    if (c.fault && !faultBy.includes(key)) faultBy.push(key);
  }
  const priority =
    basePriority === VRRP_PRIO_OWNER
      ? VRRP_PRIO_OWNER
      : Math.min(VRRP_PRIO_MAX_TRACKED, Math.max(VRRP_PRIO_MIN_TRACKED, total));
  return { total, priority, faultBy, init };
}

/**
 * The engine events that bring an instance to `next`, given whether tracking faulted it
 * before and the engine's current effective priority. As keepalived 2.2.7 does (checked
 * against it: a track_file going to -254 logs "Entering FAULT STATE" with no priority
 * line; a weighted script failing while in FAULT logs "Changing effective priority from
 * 120 to 70"): a rising fault is reported alone, the priority follows at the next change;
 * otherwise the priority first (so a BACKUP leaving FAULT computes its Master_Down_Interval
 * with it), then a falling fault edge.
 */
export function trackingEvents(
  prevFault: boolean,
  enginePriority: number,
  next: TrackingVerdict,
): VrrpEvent[] {
  const isFault = next.faultBy.length > 0;
  if (isFault && !prevFault) return [{ type: 'fault', reason: next.faultBy.join(',') }];
  const out: VrrpEvent[] = [];
  if (enginePriority !== next.priority) out.push({ type: 'priorityChanged', priority: next.priority });
  if (!isFault && prevFault) out.push({ type: 'faultCleared', reason: 'tracking' });
  return out;
}

/** The pieces of a vrrp_instance that tracking reads. */
export interface TrackedInstance {
  readonly name: string;
  readonly priority: number;
  readonly interface?: string;
  readonly dontTrackPrimary: boolean;
  readonly trackInterfaces: readonly TrackRef[];
  readonly trackScripts: readonly TrackRef[];
  readonly trackFiles: readonly TrackRef[];
  readonly trackProcesses: readonly TrackRef[];
  readonly trackBfds?: readonly TrackRef[];
}

/** The global tracker definitions, for their default weights. */
export interface TrackerDefinitions {
  readonly vrrpScripts: readonly VrrpScript[];
  readonly vrrpTrackFiles: readonly VrrpTrackFile[];
  readonly vrrpTrackProcesses: readonly VrrpTrackProcess[];
  readonly bfdInstances?: readonly BfdInstance[];
}

export interface ResolvedBindings {
  readonly bindings: readonly TrackBinding[];
  /** keepalived's log lines for weights it ignored (vrrp.c `vrrp_complete_instance`). */
  readonly warnings: readonly string[];
}

type Defaults = { readonly weight: number; readonly weightReverse: boolean } | undefined;

function refBinding(
  kind: TrackerKind,
  ref: TrackRef,
  def: Defaults,
  source: TrackBinding['source'],
): TrackBinding {
  // Without `weight` the tracker's own weight applies; keepalived keeps the tracker's
  // `reverse` unless the line says otherwise. TrackRef cannot tell `noreverse` from
  // nothing, so an explicit `noreverse` against a reversed tracker is not honoured.
  const weight = ref.weight ?? def?.weight ?? 0;
  const reverse = ref.reverse || (def?.weightReverse ?? false);
  return { kind, name: ref.name, weight, reverse, source };
}

type Why = 'SYNC group' | 'address owner';

/**
 * keepalived's rules for weighted trackers of an instance in a sync group (without
 * `sync_group_tracking_weight` / `global_tracking`) or of an address owner: interface
 * weights become 0 (owner: the interface is not tracked), weighted scripts and processes
 * are dropped, a track_file at the default weight 1 becomes 0 and other weights are dropped.
 */
function restrict(b: TrackBinding, inst: string, why: Why, warn: string[]): TrackBinding | null {
  if (b.weight === 0) return b;
  const owner = why === 'address owner';
  if (b.kind === 'interface') {
    warn.push(`(${inst}) ignoring ${owner ? '' : 'weight of '}tracked interface ${b.name} due to ${why}`);
    return owner ? null : { ...b, weight: 0 };
  }
  const whyTxt = owner ? 'address_owner' : why;
  if (b.kind === 'file' && b.weight === 1) {
    warn.push(`(${inst}) ignoring weight from tracked file ${b.name} due to ${whyTxt} - specify weight 0`);
    return { ...b, weight: 0 };
  }
  const what =
    b.kind === 'file' || b.kind === 'bfd'
      ? `tracked ${b.kind} ${b.name} with weight ${b.weight}`
      : `tracked ${b.kind} ${b.name} with weights`;
  warn.push(`(${inst}) ignoring ${what} due to ${whyTxt}`);
  return null;
}

/** A bfd_instance's `weight` is the default of its track_bfd lines. */
function bfdDefaults(list: readonly BfdInstance[] | undefined, name: string): Defaults {
  const b = list?.find((x) => x.name === name);
  return b === undefined ? undefined : { weight: b.weight, weightReverse: false };
}

function refsOf(
  src: Pick<
    TrackedInstance,
    'trackInterfaces' | 'trackScripts' | 'trackFiles' | 'trackProcesses' | 'trackBfds'
  >,
  defs: TrackerDefinitions,
  source: TrackBinding['source'],
): TrackBinding[] {
  const find = <T extends { name: string }>(list: readonly T[], n: string): T | undefined =>
    list.find((x) => x.name === n);
  return [
    ...src.trackInterfaces.map((r) =>
      refBinding('interface', { ...r, weight: r.weight ?? 0 }, undefined, source),
    ),
    ...src.trackScripts.map((r) => refBinding('script', r, find(defs.vrrpScripts, r.name), source)),
    ...src.trackFiles.map((r) => refBinding('file', r, find(defs.vrrpTrackFiles, r.name), source)),
    ...src.trackProcesses.map((r) => refBinding('process', r, find(defs.vrrpTrackProcesses, r.name), source)),
    ...(src.trackBfds ?? []).map((r) => refBinding('bfd', r, bfdDefaults(defs.bfdInstances, r.name), source)),
  ];
}

/**
 * Every binding of an instance: its own track_* (restricted in a sync group or for an
 * address owner), its sync group's (weights cleared when a member is an owner), and its
 * own interface at weight 0 unless `dont_track_primary` (or already tracked explicitly).
 */
export function resolveBindings(
  inst: TrackedInstance,
  defs: TrackerDefinitions,
  group?: { readonly config: VrrpSyncGroup; readonly hasOwnerMember: boolean },
): ResolvedBindings {
  const warnings: string[] = [];
  const why: Why | null =
    group !== undefined && !group.config.syncGroupTrackingWeight && !group.config.globalTracking
      ? 'SYNC group'
      : inst.priority === VRRP_PRIO_OWNER
        ? 'address owner'
        : null;
  const own = refsOf(inst, defs, 'instance');
  const kept = why === null ? own : own.flatMap((b) => restrict(b, inst.name, why, warnings) ?? []);
  const fromGroup = group === undefined ? [] : refsOf(group.config, defs, 'group');
  const groupKept = fromGroup.map((b) => (group?.hasOwnerMember && b.weight !== 0 ? { ...b, weight: 0 } : b));
  const bindings = [...kept, ...groupKept];
  const primary = inst.interface;
  if (
    primary !== undefined &&
    !inst.dontTrackPrimary &&
    !bindings.some((b) => b.kind === 'interface' && b.name === primary)
  ) {
    bindings.push({ kind: 'interface', name: primary, weight: 0, reverse: false, source: 'primary' });
  }
  return { bindings, warnings };
}
