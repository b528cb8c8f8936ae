/**
 * @module Checks that need the whole configuration or the host: cross-references, VRID
 * uniqueness, keepalived's consistency rules, and (through {@link HostEnvironment})
 * interfaces, scripts and users. Pure given the environment.
 */
import type { DiagnosticSink, SourceLocation } from './diagnostic.js';
import type { Config, ScriptCommand, VirtualServer, VrrpInstance } from './model.js';
import { formatIpPrefix } from './values.js';

/** What validation may ask of the host; tests pass a fake, the CLI the real one. */
export interface HostEnvironment {
  interfaceExists(name: string): boolean;
  userExists(name: string): boolean;
  /** Resolves a script's first word like execvp; `secure` is false if non-root users could change it. */
  findScript(command: string): { found: false } | { found: true; path: string; secure: boolean };
  /** True when `host` is an address or resolves. */
  resolvable(host: string): boolean;
  /** Running as root (scripts would run as root unless a user is set). */
  isRoot(): boolean;
}

const DEFAULT_SCRIPT_USER = 'keepalived_script';

export function validateConfig(config: Config, diags: DiagnosticSink, hostEnv: HostEnvironment): void {
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
  for (const vs of config.virtualServers) checkVirtualServer(config, vs, diags);
  for (const bfd of config.bfdInstances)
    if (!bfd.neighborIp)
      diags.error(
        'semantic',
        `Configuration error: BFD instance ${bfd.name} has no neighbor address set, disabling instance`,
        bfd.loc,
      );
  // keepalived stops before its script security pass when an interface is missing.
  if (!missingInterface.first) checkScriptSecurity(config, diags, env);
  if (missingInterface.first)
    diags.error('environment', 'Non-existent interface specified in configuration', missingInterface.first);
}

function checkGlobal(config: Config, diags: DiagnosticSink, env: HostEnvironment): void {
  const g = config.global;
  if (g.smtpServer && !env.resolvable(g.smtpServer.host))
    diags.error(
      'environment',
      `Invalid smtp server ${g.smtpServer.host} ${g.smtpServer.port}`,
      g.smtpServer.loc,
      {
        text: g.smtpServer.host,
        hint: 'give an IP address or a name this host can resolve',
      },
    );
  if (g.scriptUser && !env.userExists(g.scriptUser.user))
    diags.error('environment', 'Error setting global script uid/gid', g.scriptUser.loc, {
      text: g.scriptUser.user,
      hint: `create user ${g.scriptUser.user} or change script_user`,
    });
}

/** vrrp_script blocks that survive keepalived's start-up checks, by name. */
function checkScripts(config: Config, diags: DiagnosticSink, env: HostEnvironment): Set<string> {
  const usable = new Set<string>();
  const g = config.global;
  const defaultUserMissing = !g.scriptUser && !env.userExists(DEFAULT_SCRIPT_USER);
  let reportedDefaultUser = false;
  for (const s of config.vrrpScripts) {
    if (!s.script) {
      diags.error('semantic', `No script set for vrrp_script ${s.name} - removing`, s.loc, {
        hint: 'add a script line',
      });
      continue;
    }
    if (!s.script.user && g.scriptUser && !env.userExists(g.scriptUser.user)) {
      diags.error('environment', `Unable to set default user for vrrp script ${s.name} - removing`, s.loc);
      continue;
    }
    if (!s.script.user && defaultUserMissing && g.enableScriptSecurity) {
      if (!reportedDefaultUser)
        diags.error('environment', `Unable to set default user ${DEFAULT_SCRIPT_USER} for script`, s.loc, {
          hint: `create user ${DEFAULT_SCRIPT_USER} or set script_user in global_defs`,
        });
      reportedDefaultUser = true;
      diags.error('environment', `Unable to set default user for vrrp script ${s.name} - removing`, s.loc);
      continue;
    }
    const command = s.script.argv[0] ?? '';
    // keepalived only resolves absolute paths and bare names; it leaves other forms
    // (e.g. "</dev/tcp/127.0.0.1/80") alone at start-up.
    const checkable = command.startsWith('/') || !command.includes('/');
    if (checkable && !env.findScript(command).found) {
      diags.error(
        'environment',
        `Disabling track script ${s.name} since not found/accessible`,
        s.script.loc,
        {
          text: s.script.argv[0] ?? '',
        },
      );
      continue;
    }
    usable.add(s.name);
  }
  return usable;
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

function checkVirtualServer(config: Config, vs: VirtualServer, diags: DiagnosticSink): void {
  const name = vsName(vs);
  if (vs.kind === 'group' && !config.virtualServerGroups.some((g) => g.name === vs.group))
    diags.error(
      'semantic',
      `Virtual server group ${vs.group} specified but not configured - ignoring virtual server ${name}`,
      vs.loc,
    );
  if (vs.kind === 'fwmark' && vs.other.protocolForFwmark)
    diags.error(
      'semantic',
      `Warning: Virtual server ${name}: protocol specified for fwmark - protocol will be ignored`,
      vs.loc,
    );
  if (!vs.lbKindConfigured && vs.realServers.some((rs) => !rs.lbKindConfigured))
    diags.error('semantic', `Virtual server ${name}: no forwarding method set, setting default NAT`, vs.loc, {
      hint: 'add lb_kind NAT|DR|TUN',
    });
  for (const rs of vs.realServers)
    if (
      vs.kind === 'address' &&
      (vs.lbKind === 'DR' || vs.lbKind === 'TUN') &&
      rs.port !== vs.port &&
      vs.port !== 0
    )
      diags.error(
        'semantic',
        `WARNING - virtual server ${name} and real server [${rs.address.address}]:${vs.protocol.toLowerCase()}:${rs.port} ports don't match - resetting`,
        rs.loc,
      );
  const totalWeight = vs.realServers.reduce((sum, rs) => sum + rs.weight, 0);
  if (vs.realServers.length > 0 && vs.quorum > totalWeight)
    diags.error(
      'semantic',
      `Warning - quorum ${vs.quorum} for ${name} exceeds total weight of real servers ${totalWeight}, reducing quorum to ${totalWeight}`,
      vs.loc,
    );
}

/** Every script the configuration would run, with where it was written. */
export function allScripts(
  config: Config,
  active: (i: VrrpInstance) => boolean = () => true,
): { script: ScriptCommand; loc: SourceLocation; check: boolean }[] {
  const out: { script: ScriptCommand; loc: SourceLocation; check: boolean }[] = [];
  const add = (s: ScriptCommand | undefined, check = false) => {
    if (s) out.push({ script: s, loc: s.loc, check });
  };
  const instances = config.vrrpInstances.filter(active);
  // Only scripts that would run count: those of instances that can start.
  const tracked = new Set(instances.flatMap((i) => i.trackScripts.map((t) => t.name)));
  for (const s of config.vrrpScripts) if (tracked.has(s.name)) add(s.script);
  for (const i of instances) for (const s of Object.values(i.notify)) add(s);
  for (const g of config.vrrpSyncGroups) for (const s of Object.values(g.notify)) add(s);
  for (const vs of config.virtualServers) {
    add(vs.quorumUp, true);
    add(vs.quorumDown, true);
    for (const rs of vs.realServers) {
      add(rs.notifyUp, true);
      add(rs.notifyDown, true);
      for (const c of rs.checkers) add(c.settings.script as ScriptCommand | undefined, true);
    }
  }
  return out;
}

/**
 * keepalived refuses (exit 6 in -t) to run scripts as root without enable_script_security
 * when they can be found: whoever can change them would get root.
 */
function checkScriptSecurity(config: Config, diags: DiagnosticSink, env: HostEnvironment): void {
  if (config.global.enableScriptSecurity || !env.isRoot()) return;
  const runAsRoot = (s: ScriptCommand) =>
    (s.user ?? config.global.scriptUser?.user ?? 'root') === 'root' ||
    !env.userExists(s.user ?? config.global.scriptUser?.user ?? DEFAULT_SCRIPT_USER);
  const active = (i: VrrpInstance) => i.interface === undefined || env.interfaceExists(i.interface);
  const found = allScripts(config, active).filter(
    ({ script }) => runAsRoot(script) && env.findScript(script.argv[0] ?? '').found,
  );
  const vrrp = found.filter((f) => !f.check);
  const check = found.filter((f) => f.check);
  if (vrrp.length > 0)
    diags.error(
      'security',
      'SECURITY VIOLATION - scripts are being executed but script_security not enabled.',
      vrrp[0]!.loc,
      {
        hint: 'add enable_script_security to global_defs (and a script_user)',
      },
    );
  if (check.length > 0)
    diags.error(
      'security',
      'SECURITY VIOLATION - check scripts are being executed but script_security not enabled.',
      check[0]!.loc,
      {
        hint: 'add enable_script_security to global_defs (and a script_user)',
      },
    );
}
