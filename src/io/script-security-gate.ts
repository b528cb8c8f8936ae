/**
 * @module Applies script security to a configuration before a process runs it, as
 * keepalived 2.2.7 does after reading its config (vrrp.c check_vrrp_script_security,
 * check_daemon.c check_check_script_security): every script the process would run is
 * judged (script-security.ts); disabled ones are removed from the Config the process
 * uses — a `vrrp_script` and its `track_script` references, a notify script, a FIFO
 * script, a MISC_CHECK checker — and the others run by the path the check resolved.
 * Pure given the probe and identity functions.
 */

import type { Config, NotifyScripts, RealServer, ScriptCommand, VirtualServer } from '../config/model.js';
import { judgeScript, type ScriptFacts, type ScriptVerdict, securitySummary } from './script-security.js';

export interface ScriptGateDeps {
  /** Who the script runs as, or why no user could be set (users.ts scriptIdentity). */
  identity(script: ScriptCommand): { uid: number; gid: number } | { error: string };
  probe(command: string, runAs: { uid: number; gid: number }): ScriptFacts;
  log(text: string): void;
  /** Logged once, before the first script that names no user (users.ts defaultUserNotice). */
  readonly defaultUserNotice?: string | null;
}

/** keepalived's cmd_str: every word in single quotes (a leading `<`/`>` word left bare). */
export function cmdStr(argv: readonly string[]): string {
  return argv.map((w, i) => (i === 0 && /^[<>]/.test(w) ? w : `'${w}'`)).join(' ');
}

class Gate {
  readonly verdicts: ScriptVerdict[] = [];
  readonly #d: ScriptGateDeps;
  readonly #security: boolean;
  readonly #reported = new Set<string>();

  constructor(d: ScriptGateDeps, securityEnabled: boolean) {
    this.#d = d;
    this.#security = securityEnabled;
  }

  /** The script to run (argv[0] possibly resolved), or undefined when disabled. */
  check(
    script: ScriptCommand | undefined,
    type: string,
  ): { script?: ScriptCommand; verdict?: ScriptVerdict } {
    if (script === undefined) return {};
    const notice = this.#d.defaultUserNotice;
    if (script.user === undefined && notice && !this.#reported.has(notice)) {
      this.#reported.add(notice);
      this.#d.log(notice);
    }
    const ids = this.#d.identity(script);
    if ('error' in ids) {
      // keepalived reports the user problem once, then each script it ignores.
      if (!this.#reported.has(ids.error)) this.#d.log(ids.error);
      this.#reported.add(ids.error);
      this.#d.log(`Failed to set default user for ${type} script ${script.argv[0] ?? ''} - ignoring`);
      return {};
    }
    const verdict = judgeScript(this.#d.probe(script.argv[0] ?? '', ids), ids, this.#security);
    this.verdicts.push(verdict);
    for (const l of verdict.logs) this.#d.log(l);
    if (!verdict.run) return { verdict };
    const runPath = verdict.runPath;
    if (runPath === undefined || runPath === script.argv[0]) return { script, verdict };
    return { script: { ...script, argv: [runPath, ...script.argv.slice(1)] }, verdict };
  }

  notify(scripts: NotifyScripts): NotifyScripts {
    const out: { -readonly [K in keyof NotifyScripts]: ScriptCommand } = {};
    for (const key of Object.keys(scripts) as (keyof NotifyScripts)[]) {
      const s = this.check(scripts[key], 'notify').script;
      if (s) out[key] = s;
    }
    return out;
  }

  fifo<T extends { readonly path: string; readonly script?: ScriptCommand }>(
    fifo: T | undefined,
    type: string,
  ): T | undefined {
    if (fifo?.script === undefined) return fifo;
    const { script: _dropped, ...rest } = fifo;
    const s = this.check(fifo.script, `${type}notify_fifo`).script;
    return (s ? { ...rest, script: s } : rest) as T;
  }

  summary(process: '' | 'check '): string | null {
    return securitySummary(this.verdicts, this.#security, process);
  }
}

const withOptional = <T extends object, K extends string>(
  base: T,
  key: K,
  value: unknown,
): T & Partial<Record<K, unknown>> => {
  const out = { ...base } as Record<string, unknown>;
  delete out[key];
  if (value !== undefined) out[key] = value;
  return out as T & Partial<Record<K, unknown>>;
};

/**
 * The VRRP process's scripts: vrrp_script (tracked ones), instance and sync-group notify
 * scripts, and the notify_fifo / vrrp_notify_fifo scripts.
 */
export function gateVrrpScripts(config: Config, d: ScriptGateDeps): Config {
  const g = config.global;
  const gate = new Gate(d, g.enableScriptSecurity);
  const disabled = new Set<string>();
  const vrrpScripts = config.vrrpScripts.flatMap((vs) => {
    if (vs.script === undefined) return [vs];
    const { script, verdict } = gate.check(vs.script, 'vrrp_script');
    if (script) return [{ ...vs, script }];
    disabled.add(vs.name);
    if (verdict?.reason === 'insecure') d.log(`Disabling track script ${vs.name} due to insecure`);
    else if (verdict?.reason === 'notFound')
      d.log(`Disabling track script ${vs.name} since not found/accessible`);
    return [];
  });
  const untracked = <T extends { readonly trackScripts: readonly { readonly name: string }[] }>(x: T): T => ({
    ...x,
    trackScripts: x.trackScripts.filter((t) => !disabled.has(t.name)),
  });
  const vrrpInstances = config.vrrpInstances.map((i) => {
    const base = untracked({ ...i, notify: gate.notify(i.notify) });
    const rx = gate.check(i.notifyMasterRxLowerPri, 'notify').script;
    return withOptional(base, 'notifyMasterRxLowerPri', rx) as typeof i;
  });
  const vrrpSyncGroups = config.vrrpSyncGroups.map((sg) =>
    untracked({ ...sg, notify: gate.notify(sg.notify) }),
  );
  const global = withOptional(
    withOptional(g, 'notifyFifo', gate.fifo(g.notifyFifo, '')),
    'vrrpNotifyFifo',
    gate.fifo(g.vrrpNotifyFifo, 'vrrp_'),
  ) as typeof g;
  const summary = gate.summary('');
  if (summary) d.log(summary);
  return { ...config, global, vrrpScripts, vrrpInstances, vrrpSyncGroups };
}

/**
 * The checker process's scripts: MISC_CHECK scripts, real servers' notify_up/down,
 * quorum_up/down, and the notify_fifo / lvs_notify_fifo scripts.
 */
export function gateCheckerScripts(config: Config, d: ScriptGateDeps): Config {
  const g = config.global;
  const gate = new Gate(d, g.enableScriptSecurity);
  const real = (rs: RealServer): RealServer => {
    const checkers = rs.checkers.flatMap((c) => {
      const script = c.settings.script as ScriptCommand | undefined;
      if (c.type !== 'MISC_CHECK' || script === undefined) return [c];
      const r = gate.check(script, 'misc');
      if (r.script) return [{ ...c, settings: { ...c.settings, script: r.script } }];
      if (r.verdict?.reason === 'insecure')
        d.log(`Disabling misc script ${cmdStr(script.argv)} due to insecure`);
      else if (r.verdict?.reason === 'notFound')
        d.log(`Disabling misc script ${cmdStr(script.argv)} since not found/accessible`);
      return [];
    });
    const up = gate.check(rs.notifyUp, 'notify').script;
    const down = gate.check(rs.notifyDown, 'notify').script;
    return withOptional(withOptional({ ...rs, checkers }, 'notifyUp', up), 'notifyDown', down) as RealServer;
  };
  const virtualServers = config.virtualServers.map((vs) => {
    const realServers = vs.realServers.map(real);
    const up = gate.check(vs.quorumUp, 'notify').script;
    const down = gate.check(vs.quorumDown, 'notify').script;
    return withOptional(
      withOptional({ ...vs, realServers }, 'quorumUp', up),
      'quorumDown',
      down,
    ) as VirtualServer;
  });
  const global = withOptional(
    withOptional(g, 'notifyFifo', gate.fifo(g.notifyFifo, '')),
    'lvsNotifyFifo',
    gate.fifo(g.lvsNotifyFifo, 'lvs_'),
  ) as typeof g;
  const summary = gate.summary('check ');
  if (summary) d.log(summary);
  return { ...config, global, virtualServers };
}
