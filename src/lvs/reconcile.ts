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

function sameService(a: ServiceState, b: ServiceState): boolean {
  return (
    a.scheduler === b.scheduler &&
    a.schedulerFlags.join(',') === b.schedulerFlags.join(',') &&
    (a.persistenceTimeoutS ?? 0) === (b.persistenceTimeoutS ?? 0) &&
    (a.persistenceGranularity ?? '') === (b.persistenceGranularity ?? '')
  );
}

function destOps(want: ServiceState, have: ServiceState | undefined): LvsOp[] {
  const haveBy = new Map((have?.destinations ?? []).map((d) => [destKey(d), d]));
  const wantKeys = new Set(want.destinations.map(destKey));
  const adds: LvsOp[] = [];
  for (const d of want.destinations) {
    const h = haveBy.get(destKey(d));
    if (!h) adds.push({ op: 'add-dest', service: want, dest: d });
    else if (h.weight !== d.weight || h.lbKind !== d.lbKind)
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
