/**
 * @module keepalived's process scheduling settings for the VRRP process, applied once at
 * start-up: `vrrp_priority` (nice, -20..19) through os.setPriority, and
 * `vrrp_rt_priority N` (SCHED_RR priority N for every thread) through chrt(1), since the
 * native layer has no sched_setscheduler. Threads created later (workers, libuv pool)
 * inherit the policy. Failures are logged, never fatal.
 */

import { execFile } from 'node:child_process';
import { setPriority } from 'node:os';
import type { Config } from '../config/model.js';

export function applyProcessPriority(config: Config, log: (text: string) => void): void {
  const nice = config.global.other.vrrp_priority?.[0];
  if (nice !== undefined) {
    try {
      setPriority(Number(nice));
    } catch (e) {
      log(`Unable to set vrrp process priority ${nice}: ${(e as Error).message}`);
    }
  }
  const rt = config.global.other.vrrp_rt_priority?.[0];
  if (rt === undefined) return;
  execFile('chrt', ['-r', '-a', '-p', rt, String(process.pid)], (err) => {
    if (err) log(`Unable to set vrrp process real-time priority ${rt}: ${err.message}`);
    else log(`Set vrrp process real-time priority ${rt} (SCHED_RR)`);
  });
}
