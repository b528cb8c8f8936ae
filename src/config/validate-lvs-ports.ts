/**
 * @module keepalived 2.2.7's checks of a virtual server's protocol and of its real and
 * sorry servers' ports (validate_check_config), as config diagnostics. Pure. What the
 * kernel then gets (UDP by default, DR/TUN ports reset) is src/lvs/model.ts's business.
 *
 * - Served by address (an address, or a group with address ranges): no `protocol` line
 *   means UDP, reported; `ops` needs UDP there, else it is reported and dropped.
 * - Served only by fwmark: a `protocol` line is reported and ignored.
 * - Ports of DR/TUN servers: an address service resets them to its own port (a missing
 *   one silently), a fwmark service clears them; a group only reports them.
 */
import type { DiagnosticSink } from './diagnostic.js';
import type { Config, LbKind, RealServer, VirtualServer, VirtualServerGroup } from './model.js';

type GroupEntry = VirtualServerGroup['entries'][number];

function groupOf(config: Config, vs: VirtualServer): VirtualServerGroup | undefined {
  return vs.kind === 'group' ? config.virtualServerGroups.find((g) => g.name === vs.group) : undefined;
}

/** keepalived's FMT_VS, with the protocol word it has at that point. */
function fmtVs(vs: VirtualServer, proto: string): string {
  if (vs.kind === 'fwmark') return `FWM ${vs.fwmark}`;
  if (vs.kind === 'group') return `[${vs.group}]:${vs.port ?? 0}`;
  return `[${vs.address!.address}]:${proto}:${vs.port}`;
}

/** The protocol word of FMT_VS / FMT_RS once validation has run. */
function finalProto(config: Config, vs: VirtualServer): string {
  return servedByAddress(config, vs) ? vs.protocol.toLowerCase() : 'none';
}

function servedByAddress(config: Config, vs: VirtualServer): boolean {
  if (vs.kind === 'address') return true;
  return groupOf(config, vs)?.entries.some((e) => e.kind === 'range') ?? false;
}

function fwmarkOnly(config: Config, vs: VirtualServer): boolean {
  if (vs.kind === 'fwmark') return true;
  const g = groupOf(config, vs);
  return g !== undefined && g.entries.length > 0 && g.entries.every((e) => e.kind === 'fwmark');
}

export function checkProtocol(config: Config, vs: VirtualServer, diags: DiagnosticSink): void {
  if (servedByAddress(config, vs)) {
    if (!vs.protocolConfigured)
      diags.error(
        'semantic',
        `Virtual server ${fmtVs(vs, 'none')}: no protocol set - defaulting to UDP`,
        vs.loc,
        { hint: 'add protocol TCP|UDP|SCTP' },
      );
    if (vs.opsFlag && vs.protocol !== 'UDP')
      diags.error(
        'semantic',
        `Virtual server ${fmtVs(vs, vs.protocol.toLowerCase())}: one packet scheduling requires UDP - resetting`,
        vs.loc,
      );
  }
  if (vs.protocolConfigured && fwmarkOnly(config, vs))
    diags.error(
      'semantic',
      `Warning: Virtual server ${fmtVs(vs, 'none')}: protocol specified for fwmark - protocol will be ignored`,
      vs.loc,
    );
}

function methodOf(vs: VirtualServer, rs: RealServer): LbKind {
  return rs.lbKind ?? vs.lbKind;
}

function fmtRs(rs: RealServer, proto: string): string {
  return `[${rs.address.address}]:${proto}:${rs.port}`;
}

function fmtEntry(e: GroupEntry): string {
  if (e.kind === 'fwmark') return `FWM ${e.fwmark}`;
  const range = e.first.address === e.last.address ? e.first.address : `${e.first.address}-${e.last.address}`;
  return `${range},${e.port}`;
}

export function checkServerPorts(config: Config, vs: VirtualServer, diags: DiagnosticSink): void {
  const proto = finalProto(config, vs);
  const name = fmtVs(vs, proto);
  const routed = vs.realServers.filter((rs) => methodOf(vs, rs) !== 'NAT');
  const sorry = vs.sorryServer;
  const sorryRouted = sorry !== undefined && (sorry.lbKind ?? vs.lbKind) !== 'NAT';
  const warn = (text: string, loc = vs.loc): void => diags.error('semantic', text, loc);
  const g = groupOf(config, vs);
  if (vs.kind === 'group') {
    if (!g) return;
    if (g.entries.some((e) => e.kind === 'fwmark')) {
      for (const rs of routed)
        if (rs.port !== 0)
          warn(
            `WARNING - fwmark virtual server ${name}, real server ${fmtRs(rs, proto)} has port specified - port will be ignored`,
            rs.loc,
          );
      if (sorryRouted && sorry.port !== 0)
        warn(
          `WARNING - fwmark virtual server ${name}, sorry server has port specified - port will be ignored`,
        );
    }
    for (const e of g.entries) {
      if (e.kind !== 'range') continue;
      for (const rs of routed)
        if (rs.port !== 0 && rs.port !== e.port)
          warn(
            `virtual server ${name}:[${fmtEntry(e)}] and real server ${fmtRs(rs, proto)} ports don't match`,
            rs.loc,
          );
      if (sorryRouted && sorry.port !== 0 && sorry.port !== e.port)
        warn(`WARNING - virtual server ${name}, sorry server has port specified - port will be ignored`);
    }
    return;
  }
  for (const rs of routed) {
    if (vs.kind === 'fwmark' && rs.port !== 0)
      warn(
        `WARNING - fwmark virtual server ${name}, real server ${fmtRs(rs, proto)} has port specified - clearing`,
        rs.loc,
      );
    else if (vs.kind === 'address' && rs.port !== 0 && rs.port !== vs.port)
      warn(
        `WARNING - virtual server ${name} and real server ${fmtRs(rs, proto)} ports don't match - resetting`,
        rs.loc,
      );
  }
  if (!sorryRouted) return;
  if (vs.kind === 'fwmark' && sorry.port !== 0)
    warn(`WARNING - virtual server ${name}, sorry server has port specified - clearing`);
  else if (vs.kind === 'address' && sorry.port !== 0 && sorry.port !== vs.port)
    warn(`WARNING - virtual server ${name} and sorry server ports don't match - resetting`);
}
