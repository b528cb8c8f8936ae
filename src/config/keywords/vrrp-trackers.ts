/**
 * @module Trackers and groups: `vrrp_script`, `vrrp_track_file`, `vrrp_track_process`,
 * `vrrp_sync_group` and `bfd_instance`, with keepalived 2.2.7's defaults.
 */
import type { Statement } from '../ast.js';
import type {
  BfdInstance,
  Mutable,
  TrackRef,
  VrrpScript,
  VrrpSyncGroup,
  VrrpTrackFile,
  VrrpTrackProcess,
} from '../model.js';
import { parseIpPrefix, readBool, readInt, readTimerS, readUnsigned, wordLoc } from '../values.js';
import { arg, type BuildContext, type KeywordTable, lineScript, notifyScript } from './common.js';
import { memberNames, trackRefs } from './vrrp-instance.js';

type Arr<T> = T extends readonly (infer U)[] ? U[] : T;
type Target<T> = { -readonly [K in keyof T]: Arr<T[K]> };

/** `weight N [reverse]` as keepalived reads it for trackers. */
function weight<T extends { weight: number; weightReverse: boolean }>(min: number, max: number) {
  return (t: T, s: Statement, c: BuildContext): void => {
    const v = readInt(c.diags, s, arg(c, s), min, max);
    if (v !== undefined) t.weight = v;
    if (s.args[1]?.text === 'reverse') t.weightReverse = true;
  };
}

export function newScript(name: string, stmt: Statement): Mutable<VrrpScript> {
  return {
    name,
    loc: stmt.loc,
    intervalS: 1,
    weight: 0,
    weightReverse: false,
    rise: 1,
    fall: 1,
    initFail: false,
  };
}

export const VRRP_SCRIPT: KeywordTable<Mutable<VrrpScript>> = {
  script: (t, s, c) => {
    const sc = lineScript(c, s);
    if (sc) t.script = sc;
  },
  interval: (t, s, c) => {
    const v = readTimerS(c.diags, s, arg(c, s), 1000000);
    if (v !== undefined) t.intervalS = v;
  },
  timeout: (t, s, c) => {
    const v = readTimerS(c.diags, s, arg(c, s), 1000000);
    if (v !== undefined) t.timeoutS = v;
  },
  weight: weight(-253, 253),
  rise: (t, s, c) => {
    const v = readUnsigned(c.diags, s, arg(c, s), 1, 4294967295);
    if (v !== undefined) t.rise = v;
  },
  fall: (t, s, c) => {
    const v = readUnsigned(c.diags, s, arg(c, s), 1, 4294967295);
    if (v !== undefined) t.fall = v;
  },
  user: (t, s, c) => {
    const u = arg(c, s);
    if (u && t.script)
      t.script = { ...t.script, user: u.text, ...(s.args[1] ? { group: s.args[1].text } : {}) };
  },
  init_fail: (t) => {
    t.initFail = true;
  },
};

export function newTrackFile(name: string, stmt: Statement): Mutable<VrrpTrackFile> {
  return { name, loc: stmt.loc, weight: 1, weightReverse: false };
}

export const VRRP_TRACK_FILE: KeywordTable<Mutable<VrrpTrackFile>> = {
  file: (t, s, c) => {
    const w = arg(c, s);
    if (w) t.file = w.text;
  },
  weight: weight(-254, 254),
  init_file: (t, s, c) => {
    const v =
      s.args[0] && /^-?\d+$/.test(s.args[0].text)
        ? readInt(c.diags, s, s.args[0], -2147483648, 2147483647)
        : 0;
    t.initFile = { value: v ?? 0, overwrite: s.args.some((w) => w.text === 'overwrite') };
  },
};

export function newTrackProcess(name: string, stmt: Statement): Mutable<VrrpTrackProcess> {
  return {
    name,
    loc: stmt.loc,
    paramMatch: 'full',
    weight: 0,
    weightReverse: false,
    quorum: 1,
    fullCommand: false,
  };
}

export const VRRP_TRACK_PROCESS: KeywordTable<Mutable<VrrpTrackProcess>> = {
  process: (t, s, c) => {
    const w = arg(c, s);
    if (!w) return;
    t.process = w.text;
    if (s.args.length > 1) t.parameters = s.args.slice(1).map((a) => a.text);
  },
  param_match: (t, s, c) => {
    const w = arg(c, s);
    if (w?.text === 'full' || w?.text === 'initial' || w?.text === 'partial') t.paramMatch = w.text;
    else if (w)
      c.diags.error('semantic', `Invalid param_match '${w.text}'`, wordLoc(s, w), {
        hint: 'use full, initial or partial',
      });
  },
  weight: weight(-254, 254),
  quorum: (t, s, c) => {
    const v = readUnsigned(c.diags, s, arg(c, s), 1, 65535);
    if (v !== undefined) t.quorum = v;
  },
  quorum_max: (t, s, c) => {
    const v = readUnsigned(c.diags, s, arg(c, s), 1, 65535);
    if (v !== undefined) t.quorumMax = v;
  },
  delay: (t, s, c) => {
    const v = readTimerS(c.diags, s, arg(c, s), 0);
    if (v !== undefined) t.delayS = v;
  },
  fork_delay: (t, s, c) => {
    const v = readTimerS(c.diags, s, arg(c, s), 0);
    if (v !== undefined) t.forkDelayS = v;
  },
  terminate_delay: (t, s, c) => {
    const v = readTimerS(c.diags, s, arg(c, s), 0);
    if (v !== undefined) t.terminateDelayS = v;
  },
  full_command: (t) => {
    t.fullCommand = true;
  },
};

export type SyncGroupTarget = Omit<Target<Mutable<VrrpSyncGroup>>, 'notify' | 'trackBfds'> & {
  notify: Mutable<VrrpSyncGroup['notify']>;
  trackBfds: TrackRef[];
};

export function newSyncGroup(name: string, stmt: Statement): SyncGroupTarget {
  return {
    name,
    loc: stmt.loc,
    members: [],
    notify: {},
    trackInterfaces: [],
    trackScripts: [],
    trackFiles: [],
    trackProcesses: [],
    trackBfds: [],
    globalTracking: false,
    syncGroupTrackingWeight: false,
  };
}

function groupNotify(key: keyof VrrpSyncGroup['notify']) {
  return (t: SyncGroupTarget, s: Statement, c: BuildContext): void => {
    const sc = notifyScript(c, s);
    if (sc) t.notify[key] = sc;
  };
}

export const VRRP_SYNC_GROUP: KeywordTable<SyncGroupTarget> = {
  group: (t, s) => {
    t.members.push(...memberNames(s));
  },
  notify_master: groupNotify('master'),
  notify_backup: groupNotify('backup'),
  notify_fault: groupNotify('fault'),
  notify_stop: groupNotify('stop'),
  notify: groupNotify('any'),
  track_interface: (t, s, c) => {
    t.trackInterfaces.push(...trackRefs(c, s, t.name, [-254, 254]));
  },
  track_script: (t, s, c) => {
    t.trackScripts.push(...trackRefs(c, s, t.name, [-254, 254]));
  },
  track_file: (t, s, c) => {
    t.trackFiles.push(...trackRefs(c, s, t.name, [-254, 254]));
  },
  track_process: (t, s, c) => {
    t.trackProcesses.push(...trackRefs(c, s, t.name, [-254, 254]));
  },
  track_bfd: (t, s, c) => {
    t.trackBfds.push(...trackRefs(c, s, t.name, [-253, 253]));
  },
  global_tracking: (t) => {
    t.globalTracking = true;
  },
  sync_group_tracking_weight: (t) => {
    t.syncGroupTrackingWeight = true;
  },
  smtp_alert: (t, s, c) => {
    const v = readBool(c.diags, s, s.args[0]);
    if (v !== undefined) t.smtpAlert = v;
  },
};

export function newBfd(name: string, stmt: Statement): Mutable<BfdInstance> {
  return {
    name,
    loc: stmt.loc,
    minRxMs: 10,
    minTxMs: 10,
    idleTxMs: 1000,
    multiplier: 5,
    passive: false,
    weight: 0,
  };
}

function ms(key: 'minRxMs' | 'minTxMs' | 'idleTxMs', min: number, max: number) {
  return (t: Mutable<BfdInstance>, s: Statement, c: BuildContext): void => {
    const v = readUnsigned(c.diags, s, arg(c, s), min, max);
    if (v !== undefined) t[key] = v;
  };
}

export const BFD_INSTANCE: KeywordTable<Mutable<BfdInstance>> = {
  neighbor_ip: (t, s, c) => {
    const w = arg(c, s);
    const ip = w && parseIpPrefix(w.text, false);
    if (ip) t.neighborIp = ip;
    else if (w)
      c.diags.error(
        'semantic',
        `Configuration error: BFD instance ${t.name} has an invalid neighbor address ${w.text}`,
        wordLoc(s, w),
      );
  },
  source_ip: (t, s, c) => {
    const w = arg(c, s);
    const ip = w && parseIpPrefix(w.text, false);
    if (ip) t.sourceIp = ip;
    else if (w)
      c.diags.error(
        'semantic',
        `Configuration error: BFD instance ${t.name} has an invalid source address ${w.text}`,
        wordLoc(s, w),
      );
  },
  min_rx: ms('minRxMs', 1, 1000),
  min_tx: ms('minTxMs', 1, 1000),
  idle_tx: ms('idleTxMs', 1, 1000),
  multiplier: (t, s, c) => {
    const v = readUnsigned(c.diags, s, arg(c, s), 1, 255);
    if (v !== undefined) t.multiplier = v;
  },
  passive: (t) => {
    t.passive = true;
  },
  ttl: (t, s, c) => {
    const v = readUnsigned(c.diags, s, arg(c, s), 1, 255);
    if (v !== undefined) t.ttl = v;
  },
  weight: (t, s, c) => {
    const v = readInt(c.diags, s, arg(c, s), -253, 253);
    if (v !== undefined) t.weight = v;
  },
};
