/**
 * @module Picks the check function for a spec's kind. BFD_CHECK has none: it is not
 * polled but follows its bfd_instance's session as events (src/io/bfd-check.ts, bound
 * by startLvs), taking the real server down or up at once as keepalived 2.2.7 does.
 */
import { dnsCheck } from './dns.js';
import { fileCheck } from './file.js';
import { httpCheck } from './http.js';
import { miscCheck, type ScriptExecutor } from './misc.js';
import { pingCheck } from './ping.js';
import { smtpCheck } from './smtp.js';
import { tcpCheck } from './tcp.js';
import type { CheckFn, CheckSpec } from './types.js';
import { udpCheck } from './udp.js';

export function checkFnFor(
  spec: CheckSpec,
  scripts: ScriptExecutor,
  ids?: (user: string, group?: string) => { uid: number; gid: number } | undefined,
): CheckFn | undefined {
  switch (spec.kind.kind) {
    case 'tcp':
      return tcpCheck;
    case 'http':
      return httpCheck;
    case 'misc':
      return miscCheck(scripts, ids);
    case 'smtp':
      return smtpCheck;
    case 'dns':
      return dnsCheck;
    case 'udp':
      return udpCheck;
    case 'ping':
      return pingCheck;
    case 'file':
      return fileCheck;
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
