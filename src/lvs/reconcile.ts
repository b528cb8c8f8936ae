/**
 * @module Reconciliation: desired vs actual kernel services → an ordered list of
 * operations that turns one into the other (pure). Order keeps traffic flowing: new
 * services first, then per service new destinations and weight changes before
 * removals, and services that are no longer wanted last.
 */
import type { Destination, ServiceState } from './model.js';
import { destKey, matchKey } from './model.js';

export type LvsOp =
  | { readonly op: 'add-service'; readonly service: ServiceState }
  | { readonly op: 'update-service'; readonly service: ServiceState }
  | { readonly op: 'del-service'; readonly service: ServiceState }
  | { readonly op: 'add-dest'; readonly service: ServiceState; readonly dest: Destination }
  | { readonly op: 'update-dest'; readonly service: ServiceState; readonly dest: Destination }
  | { readonly op: 'del-dest'; readonly service: ServiceState; readonly dest: Destination };

/** Scheduler flags as the kernel's bits: flag-1 = *-fallback, flag-2 = *-port, flag-3. */
function flagBits(flags: readonly string[]): string {
  const bits = new Set<number>();
  for (const f of flags)
    bits.add(f === 'flag-1' || f.endsWith('-fallback') ? 1 : f === 'flag-2' || f.endsWith('-port') ? 2 : 3);
  return [...bits].sort().join(',');
}

/** A full mask (IPv4 255.255.255.255, IPv6 /128) is the kernel's default: the same as none. */
function granularity(g: string | undefined): string {
  return g === undefined || g === '255.255.255.255' || g === '128' ? '' : g;
}

function sameService(a: ServiceState, b: ServiceState): boolean {
  return (
    a.scheduler === b.scheduler &&
    flagBits(a.schedulerFlags) === flagBits(b.schedulerFlags) &&
    (a.persistenceTimeoutS ?? 0) === (b.persistenceTimeoutS ?? 0) &&
    granularity(a.persistenceGranularity) === granularity(b.persistenceGranularity) &&
    (a.persistenceEngine ?? '') === (b.persistenceEngine ?? '') &&
    (a.onePacket ?? false) === (b.onePacket ?? false)
  );
}

/** Tunnel settings and thresholds: absent compares as the kernel's default (ipip, no csum, 0). */
function sameExtras(a: Destination, b: Destination): boolean {
  const tun = (d: Destination) =>
    d.lbKind === 'TUN'
      ? `${d.tunnel?.type ?? 'ipip'}/${d.tunnel?.port ?? 0}/${d.tunnel?.csum ?? 'nocsum'}`
      : '';
  return (
    tun(a) === tun(b) &&
    (a.uThreshold ?? 0) === (b.uThreshold ?? 0) &&
    (a.lThreshold ?? 0) === (b.lThreshold ?? 0)
  );
}

function destOps(want: ServiceState, have: ServiceState | undefined): LvsOp[] {
  const haveBy = new Map((have?.destinations ?? []).map((d) => [destKey(d), d]));
  const wantKeys = new Set(want.destinations.map(destKey));
  const adds: LvsOp[] = [];
  for (const d of want.destinations) {
    const h = haveBy.get(destKey(d));
    if (!h) adds.push({ op: 'add-dest', service: want, dest: d });
    else if (h.weight !== d.weight || h.lbKind !== d.lbKind || !sameExtras(h, d))
      adds.push({ op: 'update-dest', service: want, dest: d });
  }
  const dels: LvsOp[] = [];
  for (const [k, d] of haveBy) if (!wantKeys.has(k)) dels.push({ op: 'del-dest', service: want, dest: d });
  return [...adds, ...dels];
}

export function reconcile(desired: readonly ServiceState[], actual: readonly ServiceState[]): LvsOp[] {
  const actualBy = new Map(actual.map((s) => [matchKey(s.match), s]));
  const desiredKeys = new Set(desired.map((s) => matchKey(s.match)));
  const ops: LvsOp[] = [];
  for (const want of desired) {
    const have = actualBy.get(matchKey(want.match));
    if (!have) ops.push({ op: 'add-service', service: want });
    else if (!sameService(want, have)) ops.push({ op: 'update-service', service: want });
    ops.push(...destOps(want, have));
  }
  for (const [k, have] of actualBy) if (!desiredKeys.has(k)) ops.push({ op: 'del-service', service: have });
  return ops;
}
