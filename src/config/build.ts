/**
 * @module Statements → typed {@link Config}: each root block through its keyword table.
 * Pure; cross-references and host checks come after, in validate.ts.
 */
import type { Statement } from './ast.js';
import type { DiagnosticSink } from './diagnostic.js';
import { parseAddressItem, parseRouteItem, parseRuleItem } from './keywords/addresses.js';
import { applyBlock, type BuildContext } from './keywords/common.js';
import { defaultGlobalDefs, GLOBAL_DEFS } from './keywords/global-defs.js';
import { applyVirtualServer, newVirtualServer, virtualServerGroup } from './keywords/virtual-server.js';
import { type InstanceTarget, newInstance, VRRP_INSTANCE } from './keywords/vrrp-instance.js';
import {
  BFD_INSTANCE,
  newBfd,
  newScript,
  newSyncGroup,
  newTrackFile,
  newTrackProcess,
  VRRP_SCRIPT,
  VRRP_SYNC_GROUP,
  VRRP_TRACK_FILE,
  VRRP_TRACK_PROCESS,
} from './keywords/vrrp-trackers.js';
import type { Config, Mutable, VirtualAddress, VirtualServer } from './model.js';
import { missing } from './values.js';

type Writable = {
  -readonly [K in keyof Config]: Config[K] extends readonly (infer U)[] ? U[] : Mutable<Config[K]>;
};

/** The name word of `vrrp_instance NAME {`; keepalived aborts when it is missing. */
function blockName(diags: DiagnosticSink, stmt: Statement): string | undefined {
  const name = stmt.args[0]?.text;
  if (name === undefined) missing(diags, stmt, 2);
  return name;
}

/**
 * `letGo`, when given, sees each virtual server once its block is built and returns true
 * when its real servers need not be kept (config test: see server-verdicts.ts).
 */
export function buildConfig(
  statements: Iterable<Statement>,
  diags: DiagnosticSink,
  files: () => readonly string[],
  letGo?: (vs: VirtualServer, config: Config) => boolean,
): Config {
  const ctx: BuildContext = { diags };
  const config: Writable = {
    files: [],
    global: defaultGlobalDefs(),
    vrrpScripts: [],
    vrrpTrackFiles: [],
    vrrpTrackProcesses: [],
    vrrpSyncGroups: [],
    vrrpInstances: [],
    staticAddresses: [],
    staticRoutes: [],
    staticRules: [],
    virtualServerGroups: [],
    virtualServers: [],
    bfdInstances: [],
  };
  const root = letGo === undefined ? ROOT : withLetGo(letGo);
  for (const stmt of statements) root[stmt.keyword]?.(config, stmt, ctx);
  config.files = [...files()];
  return config;
}

type RootHandler = (config: Writable, stmt: Statement, ctx: BuildContext) => void;

/** The root table with `virtual_server` handing each built server to `letGo`. */
function withLetGo(letGo: (vs: VirtualServer, config: Config) => boolean): typeof ROOT {
  return {
    ...ROOT,
    virtual_server: (config, stmt, ctx) => {
      const vs = newVirtualServer(stmt, ctx);
      if (!vs) return;
      applyVirtualServer(vs, stmt, ctx);
      if (letGo(vs, config)) vs.realServers = [];
      config.virtualServers.push(vs);
    },
  };
}

function named<T>(
  create: (name: string, s: Statement) => T,
  table: Parameters<typeof applyBlock<T>>[0],
  push: (c: Writable, t: T) => void,
): RootHandler {
  return (config, stmt, ctx) => {
    const name = blockName(ctx.diags, stmt);
    if (name === undefined) return;
    const target = create(name, stmt);
    applyBlock(table, target, stmt.body, ctx);
    push(config, target);
  };
}

const ROOT: Readonly<Record<string, RootHandler>> = {
  net_namespace: (config, stmt, ctx) => {
    const name = blockName(ctx.diags, stmt);
    if (name !== undefined) config.global.netNamespace = name;
  },
  global_defs: (config, stmt, ctx) =>
    applyBlock(GLOBAL_DEFS, config.global as ReturnType<typeof defaultGlobalDefs>, stmt.body, ctx),
  vrrp_script: named(newScript, VRRP_SCRIPT, (c, t) => c.vrrpScripts.push(t)),
  vrrp_track_file: named(newTrackFile, VRRP_TRACK_FILE, (c, t) => c.vrrpTrackFiles.push(t)),
  // keepalived 2.2.7 also accepts the root block under its newer name.
  track_file: named(newTrackFile, VRRP_TRACK_FILE, (c, t) => c.vrrpTrackFiles.push(t)),
  vrrp_track_process: named(newTrackProcess, VRRP_TRACK_PROCESS, (c, t) => c.vrrpTrackProcesses.push(t)),
  vrrp_sync_group: named(newSyncGroup, VRRP_SYNC_GROUP, (c, t) => c.vrrpSyncGroups.push(t)),
  bfd_instance: named(newBfd, BFD_INSTANCE, (c, t) => c.bfdInstances.push(t)),
  vrrp_instance: (config, stmt, ctx) => {
    const name = blockName(ctx.diags, stmt);
    if (name === undefined) return;
    if (config.vrrpInstances.some((i) => i.name === name)) {
      ctx.diags.error('semantic', `vrrp instance ${name} already defined`, stmt.loc, {
        text: name,
        hint: 'give each vrrp_instance its own name',
      });
      return;
    }
    const target: InstanceTarget = newInstance(name, stmt);
    applyBlock(VRRP_INSTANCE, target, stmt.body, ctx);
    config.vrrpInstances.push(target);
  },
  static_ipaddress: (config, stmt, ctx) => {
    for (const item of stmt.items ?? []) {
      const a = parseAddressItem(ctx.diags, item, (t) => `Invalid static ip address ${t} - skipping`);
      if (a) config.staticAddresses.push(a as VirtualAddress);
    }
  },
  static_routes: (config, stmt, ctx) => {
    for (const item of stmt.items ?? []) {
      const r = parseRouteItem(ctx.diags, item);
      if (r) config.staticRoutes.push(r);
    }
  },
  static_rules: (config, stmt, ctx) => {
    for (const item of stmt.items ?? []) {
      const r = parseRuleItem(ctx.diags, item);
      if (r) config.staticRules.push(r);
    }
  },
  virtual_server_group: (config, stmt, ctx) => {
    const name = blockName(ctx.diags, stmt);
    if (name !== undefined) config.virtualServerGroups.push(virtualServerGroup(name, stmt, ctx));
  },
  virtual_server: (config, stmt, ctx) => {
    const vs = newVirtualServer(stmt, ctx);
    if (!vs) return;
    applyVirtualServer(vs, stmt, ctx);
    config.virtualServers.push(vs);
  },
};
