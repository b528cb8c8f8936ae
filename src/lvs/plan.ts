/**
 * @module The planner: from a virtual server's spec and the health of its real servers,
 * the desired kernel state and quorum transitions, with keepalived 2.2.7's rules. Pure.
 *
 * - Alive weight = sum of the effective weights of real servers that are up.
 * - Quorum is gained when alive weight >= quorum + hysteresis, and lost when it is
 *   0 or < quorum - hysteresis (a flap dampener). quorum_up / quorum_down run then.
 * - Quorum up: live real servers at their weight; failed ones at weight 0 with
 *   inhibit_on_failure, absent otherwise; the sorry server absent (weight 0 with
 *   sorry_server_inhibit).
 * - Quorum down with a sorry server: the sorry server alone (weight 1); real servers
 *   absent (weight 0 with inhibit_on_failure). Without one, the live servers stay.
 */
import {
  type Destination,
  destKey,
  type RealSpec,
  type ServiceMatch,
  type ServiceState,
  type VirtualSpec,
} from './model.js';

/** Health of one real server, as the checkers see it. */
export interface RealHealth {
  readonly up: boolean;
  /** Effective weight (configured, or dynamic from misc_dynamic). */
  readonly weight: number;
}

export type QuorumEvent = 'up' | 'down' | undefined;

export function aliveWeight(vs: VirtualSpec, health: ReadonlyMap<string, RealHealth>): number {
  let sum = 0;
  for (const rs of vs.reals) {
    const h = health.get(rs.id);
    if (h?.up) sum += h.weight;
  }
  return sum;
}

/** Quorum at start-up (no script runs for it). */
export function initialQuorum(vs: VirtualSpec, health: ReadonlyMap<string, RealHealth>): boolean {
  return aliveWeight(vs, health) >= vs.quorum;
}

export function stepQuorum(
  vs: VirtualSpec,
  quorumUp: boolean,
  health: ReadonlyMap<string, RealHealth>,
): { readonly quorumUp: boolean; readonly event: QuorumEvent } {
  const w = aliveWeight(vs, health);
  if (!quorumUp && w >= vs.quorum + vs.hysteresis) return { quorumUp: true, event: 'up' };
  if (quorumUp && (w === 0 || w < vs.quorum - vs.hysteresis)) return { quorumUp: false, event: 'down' };
  return { quorumUp, event: undefined };
}

function realDest(rs: RealSpec, weight: number): Destination {
  return {
    family: rs.address.family,
    address: rs.address.address,
    port: rs.kernelPort,
    weight,
    lbKind: rs.lbKind,
    ...(rs.tunnel ? { tunnel: rs.tunnel } : {}),
    ...(rs.uThreshold ? { uThreshold: rs.uThreshold } : {}),
    ...(rs.lThreshold ? { lThreshold: rs.lThreshold } : {}),
  };
}

export function desiredDestinations(
  vs: VirtualSpec,
  health: ReadonlyMap<string, RealHealth>,
  quorumUp: boolean,
): Destination[] {
  const sorryActive = !quorumUp && vs.sorry !== undefined;
  const out: Destination[] = [];
  for (const rs of vs.reals) {
    const h = health.get(rs.id) ?? { up: !vs.alpha, weight: rs.weight };
    if (h.up && !sorryActive) out.push(realDest(rs, h.weight));
    else if (rs.inhibitOnFailure) out.push(realDest(rs, 0));
  }
  if (vs.sorry && (sorryActive || vs.sorryInhibit)) out.push({ ...vs.sorry, weight: sorryActive ? 1 : 0 });
  return out;
}

/** One kernel service per match of the virtual server, all with the same destinations. */
export function desiredServices(
  vs: VirtualSpec,
  health: ReadonlyMap<string, RealHealth>,
  quorumUp: boolean,
): ServiceState[] {
  const destinations = desiredDestinations(vs, health, quorumUp);
  return vs.matches.map((match) => ({
    match,
    scheduler: vs.scheduler,
    schedulerFlags: vs.schedulerFlags,
    ...(vs.persistenceTimeoutS === undefined ? {} : { persistenceTimeoutS: vs.persistenceTimeoutS }),
    ...(vs.persistenceGranularity === undefined ? {} : { persistenceGranularity: vs.persistenceGranularity }),
    ...(vs.persistenceEngine === undefined ? {} : { persistenceEngine: vs.persistenceEngine }),
    ...(vs.onePacket ? { onePacket: true } : {}),
    destinations: forMatch(vs, match, destinations),
  }));
}

/**
 * A service's destinations: its family's (fwmarks take all); in a group, DR/TUN ones at
 * the entry's port (0 under a fwmark), as keepalived adds them entry by entry. Two real
 * servers can meet on one kernel destination once those ports are reset (keepalived's
 * second add then fails): the first one configured is kept.
 */
function forMatch(vs: VirtualSpec, match: ServiceMatch, destinations: readonly Destination[]): Destination[] {
  const taken = new Set<string>();
  const out: Destination[] = [];
  for (const d of destinations) {
    if (match.kind !== 'fwmark' && d.family !== match.family) continue;
    const port = vs.grouped && d.lbKind !== 'NAT' ? (match.kind === 'fwmark' ? 0 : match.port) : d.port;
    const placed = port === d.port ? d : { ...d, port };
    if (taken.has(destKey(placed))) continue;
    taken.add(destKey(placed));
    out.push(placed);
  }
  return out;
}
