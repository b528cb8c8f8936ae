/**
 * @module The host's side of validation: smtp server, script users, script presence and
 * keepalived's script security rule. Pure given the {@link HostEnvironment}.
 */
import type { DiagnosticSink } from './diagnostic.js';
import type { Config, ScriptCommand, VrrpInstance } from './model.js';
import { type ScriptUse, type ServerVerdicts, virtualServerScripts } from './server-verdicts.js';

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

export function checkGlobal(config: Config, diags: DiagnosticSink, env: HostEnvironment): void {
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
export function checkScripts(config: Config, diags: DiagnosticSink, env: HostEnvironment): Set<string> {
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

/** Every script the configuration would run, with where it was written. */
export function allScripts(
  config: Config,
  active: (i: VrrpInstance) => boolean = () => true,
  verdicts?: ServerVerdicts,
): ScriptUse[] {
  const out: ScriptUse[] = [];
  const add = (s: ScriptCommand, check: boolean) => {
    out.push({ script: s, loc: s.loc, check });
  };
  const instances = config.vrrpInstances.filter(active);
  // Only scripts that would run count: those of instances that can start.
  const tracked = new Set(instances.flatMap((i) => i.trackScripts.map((t) => t.name)));
  for (const s of config.vrrpScripts) if (tracked.has(s.name) && s.script) add(s.script, false);
  for (const i of instances) for (const s of Object.values(i.notify)) if (s) add(s, false);
  for (const g of config.vrrpSyncGroups) for (const s of Object.values(g.notify)) if (s) add(s, false);
  for (const vs of config.virtualServers) {
    const verdict = verdicts?.of(vs);
    if (verdict) for (const use of verdict.scripts) out.push(use);
    else virtualServerScripts(vs, out);
  }
  return out;
}

/**
 * keepalived refuses (exit 6 in -t) to run scripts as root without enable_script_security
 * when they can be found: whoever can change them would get root.
 */
export function checkScriptSecurity(
  config: Config,
  diags: DiagnosticSink,
  env: HostEnvironment,
  verdicts?: ServerVerdicts,
): void {
  if (config.global.enableScriptSecurity || !env.isRoot()) return;
  const runAsRoot = (s: ScriptCommand) =>
    (s.user ?? config.global.scriptUser?.user ?? 'root') === 'root' ||
    !env.userExists(s.user ?? config.global.scriptUser?.user ?? DEFAULT_SCRIPT_USER);
  const active = (i: VrrpInstance) => i.interface === undefined || env.interfaceExists(i.interface);
  const found = allScripts(config, active, verdicts).filter(
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
