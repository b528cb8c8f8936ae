/**
 * @module The status report the control socket serves: per instance its state, priorities,
 * master, timers and counters (VRRP-MIB statistics from the engine, drop counters by
 * reason with their MIB names), per channel its socket counters, and daemon-wide figures.
 * `statusReport` builds the JSON value; `formatStatus` renders it as text.
 */

import { formatAddress } from '../vrrp/index.js';
import { DROP_COUNTERS, type DropReason } from '../wire/index.js';
import type { InstanceRuntime } from './instance-runtime.js';
import type { VrrpDaemon } from './vrrp-daemon.js';

export interface DropCount {
  readonly reason: DropReason;
  readonly counter: string;
  readonly count: number;
}

function drops(map: ReadonlyMap<DropReason, number>, version: 2 | 3): DropCount[] {
  return [...map].map(([reason, count]) => ({
    reason,
    counter: version === 2 ? DROP_COUNTERS[reason].vrrpMib : DROP_COUNTERS[reason].vrrpv3Mib,
    count,
  }));
}

function timerIn(atMs: number | null, nowMs: number): number | null {
  return atMs === null ? null : Math.round((atMs - nowMs) * 1000) / 1000;
}

function instanceStatus(rt: InstanceRuntime, nowMs: number) {
  const s = rt.state;
  const c = s.config;
  return {
    name: c.name,
    interface: rt.plan.ifname,
    vrid: c.vrid,
    version: c.version,
    family: c.family,
    state: s.state,
    priority: c.priority,
    effectivePriority: s.effectivePriority,
    masterAddress:
      s.state === 'MASTER'
        ? formatAddress(c.sourceAddress)
        : s.masterAddress
          ? formatAddress(s.masterAddress)
          : null,
    masterPriority: s.state === 'MASTER' ? s.effectivePriority : s.masterPriority,
    sourceAddress: formatAddress(c.sourceAddress),
    advertIntervalMs: c.adverIntCs * 10,
    masterAdvertIntervalMs: s.masterAdverIntCs * 10,
    masterDownIntervalMs: s.masterDownIntervalMs,
    timersInMs: {
      adver: timerIn(s.timers.adver, nowMs),
      masterDown: timerIn(s.timers.masterDown, nowMs),
      garpMasterDelay: timerIn(s.timers.garpMasterDelay, nowMs),
      garpLowerPrio: timerIn(s.timers.garpLowerPrio, nowMs),
    },
    preempt: c.preempt,
    vipsSet: s.vipsSet,
    virtualAddresses: rt.plan.vipAddresses.map((a) => formatAddress(a.bytes)),
    lastTransition: s.lastTransition
      ? {
          ...s.lastTransition,
          agoMs: Math.round(nowMs - s.lastTransition.atMs),
          /** Wall-clock time of the transition, ms since the epoch, sub-ms precision (for failover measurements across processes). */
          atWallMs: performance.timeOrigin + s.lastTransition.atMs,
        }
      : null,
    stats: { ...s.stats, advertSendErrors: rt.advertSendErrors },
    drops: drops(rt.drops, c.version),
  };
}

export type InstanceStatus = ReturnType<typeof instanceStatus>;

export function statusReport(d: VrrpDaemon, pid: number) {
  const now = d.clock.nowMs();
  return {
    pid,
    uptimeMs: Math.round(now - d.startedAtMs),
    instances: d.instances.map((rt) => ({
      ...instanceStatus(rt, now),
      tracking: d.trackingVerdict(rt.plan.name),
    })),
    channels: [...d.channels.values()].map((ch) => ({
      interface: ch.options.ifname,
      family: ch.options.family,
      protocol: ch.options.protocol,
      instances: ch.size,
      received: ch.received,
      sent: ch.sent,
      sendErrors: ch.sendErrors,
      drops: drops(ch.drops, 3),
    })),
    bfd: d.bfdStatus(),
    garp: d.garpStats,
    scriptsStarted: d.scriptsStarted,
    vipRestores: d.vipRestores,
    timers: {
      armed: d.scheduler.size,
      fired: d.scheduler.fired,
      maxLateMs: Math.round(d.scheduler.maxLateMs * 1000) / 1000,
    },
    log: d.log.stats,
    eventLoopDelayMs: d.loopDelay(),
    memoryBytes: process.memoryUsage(),
  };
}

export type StatusReport = ReturnType<typeof statusReport>;

function ms(v: number | null): string {
  return v === null ? '-' : `${v.toFixed(1)} ms`;
}

/** Text rendering, one block per instance (keepalived's data dump spirit, not its format). */
export function formatStatus(r: StatusReport): string {
  const out: string[] = [`keepalived-ts pid ${r.pid}, up ${(r.uptimeMs / 1000).toFixed(1)} s`];
  for (const i of r.instances) {
    out.push(
      `VRRP Instance ${i.name}`,
      `  State: ${i.state}`,
      `  Interface: ${i.interface}  VRID: ${i.vrid}  Version: ${i.version}  Family: ${i.family}`,
      `  Priority: ${i.priority}  Effective priority: ${i.effectivePriority}  Preempt: ${i.preempt}`,
      `  Master: ${i.masterAddress ?? '-'} (priority ${i.masterPriority})  Source: ${i.sourceAddress}`,
      `  Advert interval: ${i.advertIntervalMs} ms  Master advert interval: ${i.masterAdvertIntervalMs} ms  Master down interval: ${i.masterDownIntervalMs} ms`,
      `  Timers: adver ${ms(i.timersInMs.adver)}  masterDown ${ms(i.timersInMs.masterDown)}`,
      `  Virtual addresses (${i.vipsSet ? 'set' : 'not set'}): ${i.virtualAddresses.join(' ')}`,
      `  Stats: ${Object.entries(i.stats)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
      `  Drops: ${i.drops.length === 0 ? 'none' : i.drops.map((x) => `${x.counter}(${x.reason})=${x.count}`).join(' ')}`,
    );
  }
  for (const c of r.channels) {
    out.push(
      `Channel ${c.interface} ${c.family} proto ${c.protocol}: ${c.instances} instances, rx ${c.received}, tx ${c.sent}, tx errors ${c.sendErrors}, drops ${c.drops.length === 0 ? 'none' : c.drops.map((x) => `${x.counter}(${x.reason})=${x.count}`).join(' ')}`,
    );
  }
  out.push(
    `GARP sent ${r.garp.arp}, NA sent ${r.garp.na}; scripts started ${r.scriptsStarted}; VIPs restored ${r.vipRestores}`,
    `Timers armed ${r.timers.armed}, fired ${r.timers.fired}, max late ${r.timers.maxLateMs} ms; log written ${r.log.written}, dropped ${r.log.dropped}`,
  );
  return `${out.join('\n')}\n`;
}
