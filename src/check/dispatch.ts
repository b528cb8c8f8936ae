/**
 * @module Picks the check function for a spec's kind. FILE_CHECK is not implemented
 * yet and BFD_CHECK needs a BFD instance: for those there is no function, and startLvs
 * logs them once and leaves them out of the real server's verdict, so they never take
 * a server down.
 */
import { dnsCheck } from './dns.js';
import { httpCheck } from './http.js';
import { miscCheck, type ScriptExecutor } from './misc.js';
import { pingCheck } from './ping.js';
import { smtpCheck } from './smtp.js';
import { tcpCheck } from './tcp.js';
import type { CheckFn, CheckSpec } from './types.js';
import { udpCheck } from './udp.js';

export function checkFnFor(spec: CheckSpec, scripts: ScriptExecutor): CheckFn | undefined {
  switch (spec.kind.kind) {
    case 'tcp':
      return tcpCheck;
    case 'http':
      return httpCheck;
    case 'misc':
      return miscCheck(scripts);
    case 'smtp':
      return smtpCheck;
    case 'dns':
      return dnsCheck;
    case 'udp':
      return udpCheck;
    case 'ping':
      return pingCheck;
    default:
      return undefined;
  }
}

/** The hard limit for one check: its own timeout plus slack for process/socket teardown. */
export function hardTimeoutMs(spec: CheckSpec): number {
  const own =
    spec.kind.kind === 'misc'
      ? spec.kind.timeoutMs
      : spec.kind.kind === 'http'
        ? spec.connectTimeoutMs * Math.max(1, spec.kind.urls.length)
        : spec.connectTimeoutMs;
  return own + 2000;
}
