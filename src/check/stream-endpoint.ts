/**
 * @module A checker's endpoint in the form the native stream calls take (address bytes,
 * AF_* family, bind address), computed once per checker; and a failed socket call's
 * errno as the `CheckResult` node:net's error would have given (same reason, same code
 * in the detail, so log lines do not change).
 */
import { parseIp } from '../wire/ip.js';
import { errorReason } from './net.js';
import type { StreamPoller, StreamTarget } from './stream-poller.js';
import { errnoName } from './stream-poller.js';
import type { CheckResult, CheckSpec } from './types.js';
import { fail } from './types.js';

export type StreamEndpoint = StreamTarget;

/** Undefined when an address does not parse as a plain IP (the node:net path handles it). */
export function streamEndpoint(spec: CheckSpec, poller: StreamPoller): StreamEndpoint | undefined {
  const ep = spec.endpoint;
  const addr = parseIp(ep.address);
  const bind = ep.bindTo === undefined ? undefined : parseIp(ep.bindTo);
  if (!addr.ok || (bind !== undefined && !bind.ok)) return undefined;
  const v6 = addr.value.family === 'ipv6';
  if (bind?.ok && (bind.value.family === 'ipv6') !== v6) return undefined;
  const c = poller.calls.constants;
  return {
    family: v6 ? c.AF_INET6 : c.AF_INET,
    address: addr.value.bytes,
    port: ep.port,
    bindAddress: bind?.ok ? bind.value.bytes : null,
    bindPort: ep.bindPort ?? 0,
  };
}

/** The result node:net would have given for this errno. */
export function errnoFailure(errno: number): CheckResult {
  const code = errnoName(errno);
  return fail(errorReason({ code }), code);
}
