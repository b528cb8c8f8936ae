/**
 * @module Shared socket helpers for the network checkers: connect with a hard deadline,
 * map errno codes to `CheckFailReason`, and settle exactly once. Nothing here throws.
 */
import { connect, type Socket } from 'node:net';
import type { CheckFailReason, CheckResult, CheckSpec } from './types.js';
import { fail } from './types.js';

export function errorReason(e: unknown): CheckFailReason {
  const code = (e as { code?: string } | null)?.code;
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'reset';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (typeof code === 'string' && code.startsWith('ERR_SSL')) return 'tls-error';
  return 'connect-error';
}

export function errorText(e: unknown): string {
  const x = e as { code?: string; message?: string } | null;
  return x?.code ?? x?.message ?? String(e);
}

/**
 * Runs `body` with a settle-once callback and a hard deadline of `timeoutMs`; `cleanup`
 * runs once, whatever settled first (result, deadline or abort).
 */
export function guarded(
  timeoutMs: number,
  signal: AbortSignal,
  body: (settle: (r: CheckResult) => void, onCleanup: (f: () => void) => void) => void,
): Promise<CheckResult> {
  return new Promise((resolve) => {
    const cleanups: (() => void)[] = [];
    let done = false;
    const settle = (r: CheckResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      for (const f of cleanups) {
        try {
          f();
        } catch {
          // cleanup must not turn a result into an exception
        }
      }
      resolve(r);
    };
    const onAbort = (): void => settle(fail('timeout', 'aborted'));
    const timer = setTimeout(() => settle(fail('timeout', `no answer within ${timeoutMs} ms`)), timeoutMs);
    if (signal.aborted) {
      settle(fail('timeout', 'aborted'));
      return;
    }
    signal.addEventListener('abort', onAbort);
    try {
      body(settle, (f) => cleanups.push(f));
    } catch (e) {
      settle(fail(errorReason(e), errorText(e)));
    }
  });
}

/** A TCP socket to the checker's endpoint, bound as configured (bindto / bind_port). */
export function tcpConnect(spec: CheckSpec): Socket {
  const ep = spec.endpoint;
  return connect({
    host: ep.address,
    port: ep.port,
    family: ep.family,
    ...(ep.bindTo ? { localAddress: ep.bindTo } : {}),
    ...(ep.bindPort ? { localPort: ep.bindPort } : {}),
    noDelay: true,
  });
}

/**
 * A dgram `connect` callback. Node calls it with the error when connect(2) fails at
 * once (e.g. ENETUNREACH: no route to the real server) instead of emitting 'error'; a
 * send on that unconnected socket would then throw (ERR_SOCKET_BAD_PORT) out of the
 * callback and kill the checker process. Node's typings omit the argument.
 */
export function afterConnect(settle: (r: CheckResult) => void, connected: () => void): () => void {
  return ((e?: Error) => {
    if (e) settle(fail(errorReason(e), errorText(e)));
    else connected();
  }) as () => void;
}
