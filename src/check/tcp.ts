/**
 * @module TCP_CHECK: the server is up when a TCP connection to connect_ip:connect_port
 * completes within connect_timeout. The connection is closed at once (keepalived closes
 * it after the handshake too).
 */
import { errorReason, errorText, guarded, tcpConnect } from './net.js';
import type { CheckResult, CheckSpec } from './types.js';
import { fail, pass } from './types.js';

export function tcpCheck(spec: CheckSpec, signal: AbortSignal): Promise<CheckResult> {
  return guarded(spec.connectTimeoutMs, signal, (settle, onCleanup) => {
    const sock = tcpConnect(spec);
    onCleanup(() => sock.destroy());
    sock.once('connect', () => settle(pass));
    sock.once('error', (e) => settle(fail(errorReason(e), errorText(e))));
  });
}
