/**
 * @module Pure verdicts for the corpus start test: is a keepalived-ts status steady, is
 * a log line error-level, what state keepalived 2.2.7's log says each instance is in.
 */
import type { Config } from '../../src/config/model.js';

export interface InstanceStatus {
  readonly name: string;
  readonly state: string;
  readonly priority: number;
  readonly effectivePriority: number;
  readonly interface: string;
  readonly vipsSet: boolean;
  readonly masterDownIntervalMs: number;
  readonly virtualAddresses: readonly string[];
  readonly lastTransition: { readonly agoMs: number } | null;
  readonly tracking: { readonly faultBy: readonly string[] } | null;
  readonly stats: { readonly advertSent: number; readonly advertSendErrors: number };
}

export interface LvsStatus {
  readonly plane: string;
  readonly syncs: number;
  readonly syncErrors: number;
}

/** The part of `keepalived-ts status --json` the test reads. */
export interface Status {
  readonly instances: readonly InstanceStatus[];
  readonly channels: readonly { readonly interface: string; readonly sendErrors: number }[];
  readonly garp: { readonly errors: number };
  readonly lvs?: LvsStatus | null;
}

/** Errors the daemon counted without logging them (send failures), and MASTERs that never advertised. */
export function countedErrors(s: Status): string[] {
  const out: string[] = [];
  for (const i of s.instances) {
    if (i.stats.advertSendErrors > 0) out.push(`${i.name}: ${i.stats.advertSendErrors} advert send errors`);
    if (i.state === 'MASTER' && i.stats.advertSent === 0) out.push(`${i.name}: MASTER but no advert sent`);
  }
  for (const c of s.channels)
    if (c.sendErrors > 0) out.push(`channel ${c.interface}: ${c.sendErrors} send errors`);
  if (s.garp.errors > 0) out.push(`${s.garp.errors} gratuitous ARP/NA errors`);
  return out;
}

const TIMESTAMP = /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}: /;

/**
 * Error-level lines. Config diagnostics (`file:line:col: severity: ...`) are judged by
 * their severity alone. Other lines are error-level when they report a failure, or when
 * Node printed them (a crash, an uncaught error, a process warning). Health-check
 * verdicts ("HTTP_GET on service [a]:tcp:80 failed", "Removing service", "Lost quorum")
 * are not: with no real server in the namespace they are the expected steady state
 * (keepalived logs them at LOG_INFO).
 */
export function errorLevel(text: string): boolean {
  const body = text.replace(TIMESTAMP, '');
  const diagnostic = /^\S+:\d+:\d+: (error|warning|notice): /.exec(body);
  if (diagnostic) return diagnostic[1] === 'error';
  if (/^\S+ on service \[[^\]]*\]:\S+ failed|^(Removing|Disabling) service |^Lost quorum /.test(body))
    return false;
  return (
    /\b(error|errors|fail|failed|failure|cannot|can't|unable|refused|denied|invalid|exception|not supported|timed out)\b/i.test(
      body,
    ) || /^\s+at |Warning:|Uncaught|Unhandled|^node:/.test(body)
  );
}

/** How long an instance must have held its state to count as settled, ms. */
export function settleMs(i: InstanceStatus): number {
  // With no peer in the namespace a BACKUP becomes MASTER when its master-down timer fires.
  return i.state === 'BACKUP' ? Math.max(1000, i.masterDownIntervalMs + 500) : 1000;
}

/**
 * Why the VRRP part is not steady yet, or null. FAULT is steady only when the
 * instance's own trackers hold it there; those go to `faults` for the output.
 */
export function vrrpNotSteady(s: Status, faults: string[]): string | null {
  faults.length = 0;
  for (const i of s.instances) {
    const by = i.tracking?.faultBy ?? [];
    if (i.state === 'FAULT' && by.length > 0) faults.push(`${i.name} FAULT (its trackers: ${by.join(', ')})`);
    else if (i.state !== 'MASTER' && i.state !== 'BACKUP') return `${i.name} is ${i.state}`;
    const settle = settleMs(i);
    if ((i.lastTransition?.agoMs ?? 0) < settle) return `${i.name} ${i.state} for less than ${settle} ms`;
    if (i.state === 'MASTER' && !i.vipsSet) return `${i.name} is MASTER without its VIPs set`;
  }
  return null;
}

/** Why the LVS part is not steady yet, or null (configs without virtual servers: null). */
export function lvsNotSteady(
  s: Status,
  config: Config,
  table: string | null,
  want: readonly string[],
  have: readonly string[],
): string | null {
  if (config.virtualServers.length === 0) return null;
  const lvs = s.lvs;
  if (!lvs) return 'LVS part not running';
  if (lvs.plane !== 'nftables') return `LVS plane is ${lvs.plane}`;
  if (lvs.syncErrors > 0) return `LVS plane: ${lvs.syncErrors} sync errors`;
  if (lvs.syncs === 0) return 'LVS plane not synced yet';
  if (table === null) return 'no nftables table inet keepalived_ts';
  if (want.join() !== have.join())
    return `nftables table matches [${have.join(', ')}], config asks [${want.join(', ')}]`;
  return null;
}

/** The VIPs of MASTER instances missing from `present` (addresses in the namespace). */
export function missingVips(s: Status, present: ReadonlySet<string>): string[] {
  return s.instances
    .filter((i) => i.state === 'MASTER')
    .flatMap((i) => i.virtualAddresses.filter((a) => !present.has(a)).map((a) => `${i.name}:${a}`));
}

/** Each instance's latest state and effective priority in keepalived's log. */
export function keepalivedView(lines: readonly string[]): Map<string, { state?: string; priority?: number }> {
  const view = new Map<string, { state?: string; priority?: number }>();
  const at = (name: string) => view.get(name) ?? view.set(name, {}).get(name)!;
  for (const line of lines) {
    const m =
      /\((\S+)\) Entering (MASTER|BACKUP|FAULT) STATE/i.exec(line) ??
      /\((\S+)\): entering (FAULT) state/.exec(line);
    if (m) at(m[1]!).state = m[2]!.toUpperCase();
    const p = /\((\S+)\) Changing effective priority from \d+ to (\d+)/.exec(line);
    if (p) at(p[1]!).priority = Number(p[2]);
  }
  return view;
}

/** Where keepalived-ts's instances differ from keepalived 2.2.7's (state, effective priority). */
export function instanceDifferences(s: Status, lines: readonly string[]): string[] {
  const view = keepalivedView(lines);
  const out: string[] = [];
  for (const i of s.instances) {
    const theirs = view.get(i.name);
    if (theirs?.state !== i.state)
      out.push(`${i.name}: keepalived-ts ${i.state}, keepalived 2.2.7 ${theirs?.state ?? 'no state'}`);
    const priority = theirs?.priority ?? i.priority;
    if (priority !== i.effectivePriority)
      out.push(`${i.name}: effective priority ${i.effectivePriority}, keepalived 2.2.7 ${priority}`);
  }
  return out;
}

/** Lines only in `ours` / only in `theirs`, for the output. */
export function snapshotDifferences(ours: readonly string[], theirs: readonly string[]): string[] {
  return [
    ...ours.filter((l) => !theirs.includes(l)).map((l) => `only keepalived-ts: ${l}`),
    ...theirs.filter((l) => !ours.includes(l)).map((l) => `only keepalived 2.2.7: ${l}`),
  ];
}
