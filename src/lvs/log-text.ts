/**
 * @module keepalived's LVS log wording (check_api.c / ipwrapper.c, 2.2.7), pure:
 * `[addr]:proto:port` for services (FMT_VS / FMT_RS), the add/remove lines and the
 * quorum lines operators grep for.
 */
import type { RealSpec, VirtualSpec } from './model.js';
import { aliveWeight, type RealHealth } from './plan.js';

/** keepalived's protocol word: the service's protocol, `none` for fwmark-only services. */
function proto(vs: VirtualSpec): string {
  const m = vs.matches.find((x) => x.kind === 'address');
  return m?.kind === 'address' ? m.protocol.toLowerCase() : 'none';
}

/** FMT_VS: `[10.0.0.1]:tcp:80`, `FWM 5`, or the group name. */
export function vsText(vs: VirtualSpec): string {
  const m = vs.matches[0];
  if (vs.id.startsWith('group ')) return vs.id;
  if (!m || m.kind === 'fwmark') return vs.id;
  return `[${m.address}]:${proto(vs)}:${m.port}`;
}

/** FMT_RS: `[10.0.1.1]:tcp:8080`, with the port keepalived gave it (DR/TUN: the service's). */
export function rsText(vs: VirtualSpec, rs: RealSpec): string {
  return `[${rs.address.address}]:${proto(vs)}:${rs.kernelPort}`;
}

export function rsChangeLine(vs: VirtualSpec, rs: RealSpec, up: boolean): string {
  if (up) return `Adding service ${rsText(vs, rs)} to VS ${vsText(vs)}`;
  return `${rs.inhibitOnFailure ? 'Disabling' : 'Removing'} service ${rsText(vs, rs)} from VS ${vsText(vs)}`;
}

export function quorumLine(vs: VirtualSpec, up: boolean, health: ReadonlyMap<string, RealHealth>): string {
  const w = aliveWeight(vs, health);
  return up
    ? `Gained quorum ${vs.quorum}+${vs.hysteresis}=${vs.quorum + vs.hysteresis} <= ${w} for VS ${vsText(vs)}`
    : `Lost quorum ${vs.quorum}-${vs.hysteresis}=${vs.quorum - vs.hysteresis} > ${w} for VS ${vsText(vs)}`;
}

/** A checker's transition: `TCP connection to [..]:tcp:80 success.` / `HTTP_GET on service [..] failed.` */
export function checkerLine(
  type: string,
  vs: VirtualSpec,
  rs: RealSpec,
  up: boolean,
  detail: string,
): string {
  const target = rsText(vs, rs);
  if (up)
    return type === 'TCP_CHECK' ? `TCP connection to ${target} success.` : `${type} to ${target} success.`;
  return `${type} on service ${target} failed${detail ? ` (${detail})` : ''}.`;
}
