/**
 * @module What `-t` keeps of a virtual server served by address or fwmark once its block
 * is built: the diagnostics validation would give it and the scripts it would run. Those
 * need nothing else of the configuration (only a group-served server looks up its group,
 * which may come later in the file), so its real servers can be let go at once instead of
 * being kept to the end: they then die young, and the 10,000 real servers of a large LVS
 * configuration are neither copied by every scavenge nor promoted into fresh pages. The
 * daemon, its reload and `-d` keep the whole model (see LoadOptions.verdictsOnly). Pure.
 */
import type { Diagnostic, SourceLocation } from './diagnostic.js';
import { DiagnosticSink } from './diagnostic.js';
import type { Config, ScriptCommand, VirtualServer } from './model.js';

/** A script a configuration would run, where it was written, and whether a checker runs it. */
export interface ScriptUse {
  readonly script: ScriptCommand;
  readonly loc: SourceLocation;
  readonly check: boolean;
}

/** What validation needs of one virtual server after its real servers are gone. */
interface Verdict {
  readonly diagnostics: readonly Diagnostic[];
  readonly scripts: readonly ScriptUse[];
}

/** The scripts of one virtual server in the order script security lists them. */
export function virtualServerScripts(vs: VirtualServer, out: ScriptUse[]): void {
  // Plain tests before each push: most of tens of thousands of real servers have no scripts.
  if (vs.quorumUp) out.push({ script: vs.quorumUp, loc: vs.quorumUp.loc, check: true });
  if (vs.quorumDown) out.push({ script: vs.quorumDown, loc: vs.quorumDown.loc, check: true });
  for (const rs of vs.realServers) {
    if (rs.notifyUp) out.push({ script: rs.notifyUp, loc: rs.notifyUp.loc, check: true });
    if (rs.notifyDown) out.push({ script: rs.notifyDown, loc: rs.notifyDown.loc, check: true });
    for (const c of rs.checkers) {
      const script = c.settings.script as ScriptCommand | undefined;
      if (script) out.push({ script, loc: script.loc, check: true });
    }
  }
}

const NONE: readonly never[] = [];

/** Verdicts of the virtual servers whose real servers were let go, by server. */
export class ServerVerdicts {
  private readonly byServer = new Map<VirtualServer, Verdict>();

  /**
   * Records what validation will say of `vs` (checked by `check` now, while it is whole)
   * and returns true when its real servers may be let go: only for a server served by
   * address or fwmark, whose checks read nothing but the server itself.
   */
  record(
    vs: VirtualServer,
    config: Config,
    check: (config: Config, vs: VirtualServer, diags: DiagnosticSink) => void,
  ): boolean {
    if (vs.kind === 'group') return false;
    const sink = new DiagnosticSink();
    check(config, vs, sink);
    const scripts: ScriptUse[] = [];
    virtualServerScripts(vs, scripts);
    this.byServer.set(vs, {
      diagnostics: sink.items.length > 0 ? sink.items : NONE,
      scripts: scripts.length > 0 ? scripts : NONE,
    });
    return true;
  }

  /** What was recorded for `vs`, or undefined if it was kept whole. */
  of(vs: VirtualServer): Verdict | undefined {
    return this.byServer.get(vs);
  }
}
