/**
 * @module Checks that need the whole configuration or the host: cross-references, VRID
 * uniqueness, keepalived's consistency rules, and (through {@link HostEnvironment})
 * interfaces, scripts and users. Pure given the environment.
 */
import type { DiagnosticSink, SourceLocation } from './diagnostic.js';
import type { Config, VirtualServer, VrrpInstance } from './model.js';
import type { ServerVerdicts } from './server-verdicts.js';
import { checkGlobal, checkScriptSecurity, checkScripts, type HostEnvironment } from './validate-host.js';
import { checkProtocol, checkServerPorts } from './validate-lvs-ports.js';
import { formatIpPrefix } from './values.js';

export type { HostEnvironment } from './validate-host.js';

/**
 * `verdicts`: virtual servers checked as they were built (see server-verdicts.ts), whose
 * recorded diagnostics are reported here, in their place, instead of checking them again.
 */
export function validateConfig(
  config: Config,
  diags: DiagnosticSink,
  hostEnv: HostEnvironment,
  verdicts?: ServerVerdicts,
): void {
  // With dynamic_interfaces keepalived waits for interfaces instead of complaining; with
  // net_namespace they live in a namespace this host view cannot see.
  const unknowable = config.global.dynamicInterfaces || config.global.netNamespace !== undefined;
  const env: HostEnvironment = unknowable ? { ...hostEnv, interfaceExists: () => true } : hostEnv;
  checkGlobal(config, diags, env);
  const usableScripts = checkScripts(config, diags, env);
  const missingInterface: { first?: SourceLocation } = {};
  for (const inst of config.vrrpInstances)
    checkInstance(config, inst, diags, env, usableScripts, missingInterface);
  checkVrids(config, diags);
  checkSyncGroups(config, diags);
  checkStatic(config, diags, env);
  for (const vs of config.virtualServers) {
    const verdict = verdicts?.of(vs);
    if (verdict) for (const d of verdict.diagnostics) diags.report(d);
    else checkVirtualServer(config, vs, diags);
  }
  for (const bfd of config.bfdInstances)
    if (!bfd.neighborIp)
      diags.error(
        'semantic',
        `Configuration error: BFD instance ${bfd.name} has no neighbor address set, disabling instance`,
        bfd.loc,
      );
  // keepalived stops before its script security pass when an interface is missing.
  if (!missingInterface.first) checkScriptSecurity(config, diags, env, verdicts);
  if (missingInterface.first)
    diags.error('environment', 'Non-existent interface specified in configuration', missingInterface.first);
}

function checkInstance(
  config: Config,
  inst: VrrpInstance,
  diags: DiagnosticSink,
  env: HostEnvironment,
  usableScripts: Set<string>,
  missingInterface: { first?: SourceLocation },
): void {
  const name = `(${inst.name})`;
  if (inst.interface !== undefined && !env.interfaceExists(inst.interface)) {
    diags.error(
      'environment',
      `WARNING - interface ${inst.interface} for vrrp_instance ${inst.name} doesn't exist`,
      inst.interfaceLoc ?? inst.loc,
      {
        text: inst.interface,
      },
    );
    missingInterface.first ??= inst.interfaceLoc ?? inst.loc;
  }
  if (inst.virtualRouterId === undefined)
    diags.error('semantic', `${name} the virtual router id must be set`, inst.loc, {
      hint: 'add virtual_router_id 1..255',
    });
  for (const t of inst.trackInterfaces) {
    if (t.name === inst.interface)
      diags.error('semantic', `Ignoring track_interface ${t.name} since own interface`, t.loc, {
        text: t.name,
      });
    else if (!env.interfaceExists(t.name))
      diags.error('environment', `${name} tracked interface ${t.name} doesn't exist`, t.loc, {
        text: t.name,
      });
  }
  for (const t of inst.trackScripts)
    if (
      !usableScripts.has(t.name) &&
      !config.vrrpScripts.some((s) => s.name === t.name && usableScripts.has(s.name))
    )
      diags.error('semantic', `${name} track script ${t.name} not found, ignoring...`, t.loc, {
        text: t.name,
      });
  for (const t of inst.trackFiles)
    if (!config.vrrpTrackFiles.some((f) => f.name === t.name))
      diags.error('semantic', `${name} track file ${t.name} not found, ignoring...`, t.loc, { text: t.name });
  for (const t of inst.trackProcesses)
    if (!config.vrrpTrackProcesses.some((p) => p.name === t.name))
      diags.error('semantic', `${name} track process ${t.name} not found, ignoring...`, t.loc, {
        text: t.name,
      });
  for (const a of [...inst.virtualAddresses, ...inst.excludedAddresses])
    if (a.dev !== undefined && !env.interfaceExists(a.dev))
      diags.error(
        'environment',
        `WARNING - interface ${a.dev} for ip address ${formatIpPrefix(a)} doesn't exist`,
        a.loc,
        { text: a.dev },
      );
  checkInstanceConsistency(config, inst, diags);
}

function checkInstanceConsistency(config: Config, inst: VrrpInstance, diags: DiagnosticSink): void {
  const name = `(${inst.name})`;
  const strict = inst.strictMode ?? config.global.vrrpStrict;
  if (inst.initialState === 'MASTER' && !inst.preempt)
    diags.error(
      'semantic',
      `${name} Warning - nopreempt will not work with initial state MASTER - clearing`,
      inst.loc,
      {
        hint: 'use state BACKUP with nopreempt',
      },
    );
  if (inst.initialState === 'MASTER' && inst.authentication?.type === 'AH')
    diags.error(
      'semantic',
      `${name} Initial state master is incompatible with AH authentication - clearing`,
      inst.loc,
    );
  if (strict && inst.initialState === 'MASTER' && inst.priority !== 255)
    diags.error('semantic', `${name} State MASTER must match being address owner`, inst.loc, {
      hint: 'vrrp_strict requires priority 255 for state MASTER',
    });
  if (strict && inst.authentication)
    diags.error(
      'semantic',
      `${name} Strict mode does not support authentication. Ignoring.`,
      inst.authentication.loc,
    );
  if (inst.virtualAddresses.length === 0)
    diags.error('semantic', `${name} No VIP specified; at least one is sensible`, inst.loc, {
      hint: 'add a virtual_ipaddress block',
    });
  const family = inst.virtualAddresses[0]?.family;
  for (const a of inst.virtualAddresses.slice(1))
    if (a.family !== family)
      diags.error(
        'semantic',
        `${name}: address family must match VRRP instance [${formatIpPrefix(a)}] - ignoring`,
        a.loc,
      );
  for (const p of inst.unicastPeers)
    if (family !== undefined && p.address.family !== family)
      diags.error(
        'semantic',
        `${name} unicast peer ${p.address.address} is not of the instance's address family`,
        p.loc,
      );
  if (inst.unicastSrcIp && inst.unicastPeers.length === 0)
    diags.error(
      'semantic',
      `${name} A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.`,
      inst.loc,
    );
  const version = inst.version ?? config.global.vrrpVersion;
  if (version === 2 && inst.advertIntCs % 100 !== 0)
    diags.error(
      'semantic',
      `${name} VRRPv2 advert_int must be a whole number of seconds; rounding`,
      inst.loc,
    );
  if (version === 3 && inst.advertIntCs > 4095)
    diags.error('semantic', `${name} VRRPv3 advert_int must be at most 40.95 seconds`, inst.loc);
}

/** RFC 5798 §5.2.3: one virtual router id per interface and address family. */
function checkVrids(config: Config, diags: DiagnosticSink): void {
  const seen = new Map<string, VrrpInstance>();
  for (const inst of config.vrrpInstances) {
    if (inst.virtualRouterId === undefined || inst.interface === undefined) continue;
    const family = inst.virtualAddresses[0]?.family ?? (inst.nativeIpv6 ? 6 : 4);
    const key = `${inst.interface}/${family}/${inst.virtualRouterId}`;
    const prev = seen.get(key);
    if (prev)
      diags.error(
        'semantic',
        `(${inst.name}) VRID ${inst.virtualRouterId} is already used by ${prev.name} on ${inst.interface} (IPv${family})`,
        inst.loc,
        {
          hint: 'give each instance on an interface its own virtual_router_id',
        },
      );
    else seen.set(key, inst);
  }
}

function checkSyncGroups(config: Config, diags: DiagnosticSink): void {
  for (const g of config.vrrpSyncGroups) {
    const members = g.members.filter((m) => config.vrrpInstances.some((i) => i.name === m.name));
    for (const m of g.members)
      if (!members.includes(m))
        diags.error(
          'semantic',
          `Virtual router ${m.name} specified in sync group ${g.name} doesn't exist - ignoring`,
          m.loc,
        );
    if (members.length === 0)
      diags.error('semantic', `Sync group ${g.name} has no virtual router(s). removing`, g.loc);
    else if (members.length === 1)
      diags.error(
        'semantic',
        `Sync group ${g.name} has only 1 virtual router(s) - this probably isn't what you want`,
        g.loc,
      );
  }
}

function checkStatic(config: Config, diags: DiagnosticSink, env: HostEnvironment): void {
  for (const a of config.staticAddresses)
    if (a.dev !== undefined && !env.interfaceExists(a.dev))
      diags.error(
        'environment',
        `WARNING - interface ${a.dev} for ip address ${formatIpPrefix(a)} doesn't exist`,
        a.loc,
        { text: a.dev },
      );
  const routes = [...config.staticRoutes, ...config.vrrpInstances.flatMap((i) => i.virtualRoutes)];
  for (const r of routes)
    if (r.dev !== undefined && !env.interfaceExists(r.dev))
      diags.error('environment', `WARNING - interface ${r.dev} for VROUTE nexthop doesn't exist`, r.loc, {
        text: r.dev,
      });
  const rules = [...config.staticRules, ...config.vrrpInstances.flatMap((i) => i.virtualRules)];
  for (const r of rules) {
    if (r.priority === undefined)
      diags.error(
        'semantic',
        'Rule has no preference specified - setting to 16384. This is probably not what you want.',
        r.loc,
        {
          hint: 'add priority N to the rule',
        },
      );
    for (const dev of [r.iif, r.oif])
      if (dev !== undefined && !env.interfaceExists(dev))
        diags.error('environment', `WARNING - interface ${dev} for rule doesn't exist`, r.loc, { text: dev });
  }
}

function vsName(vs: VirtualServer): string {
  if (vs.kind === 'fwmark') return `FWM ${vs.fwmark}`;
  if (vs.kind === 'group') return `[${vs.group}]:${vs.port ?? 0}`;
  const a = vs.address!;
  return `${a.family === 6 ? `[${a.address}]` : `[${a.address}]`}:${vs.protocol.toLowerCase()}:${vs.port}`;
}

export function checkVirtualServer(config: Config, vs: VirtualServer, diags: DiagnosticSink): void {
  // Named only when there is something to report: most virtual servers have nothing.
  let named: string | undefined;
  const name = (): string => {
    named ??= vsName(vs);
    return named;
  };
  if (vs.kind === 'group' && !config.virtualServerGroups.some((g) => g.name === vs.group))
    diags.error(
      'semantic',
      `Virtual server group ${vs.group} specified but not configured - ignoring virtual server ${name()}`,
      vs.loc,
    );
  checkProtocol(config, vs, diags);
  if (!vs.lbKindConfigured && vs.realServers.some((rs) => !rs.lbKindConfigured))
    diags.error(
      'semantic',
      `Virtual server ${name()}: no forwarding method set, setting default NAT`,
      vs.loc,
      {
        hint: 'add lb_kind NAT|DR|TUN',
      },
    );
  checkServerPorts(config, vs, diags);
  const totalWeight = vs.realServers.reduce((sum, rs) => sum + rs.weight, 0);
  if (vs.realServers.length > 0 && vs.quorum > totalWeight)
    diags.error(
      'semantic',
      `Warning - quorum ${vs.quorum} for ${name()} exceeds total weight of real servers ${totalWeight}, reducing quorum to ${totalWeight}`,
      vs.loc,
    );
}
