/**
 * @module DNS_CHECK: one UDP query (type and name from the checker, default SOA for
 * `.`) to connect_ip:connect_port (53 when the real server port is 0); the answer is
 * judged by dns-message.ts. The deadline is connect_timeout.
 */
import { createSocket } from 'node:dgram';
import { dnsQuery, dnsVerdict } from './dns-message.js';
import { afterConnect, errorReason, errorText, guarded } from './net.js';
import type { CheckResult, CheckSpec, DnsSpec } from './types.js';
import { fail } from './types.js';

export function dnsCheck(spec: CheckSpec, signal: AbortSignal): Promise<CheckResult> {
  const d = spec.kind as DnsSpec;
  const id = Math.floor(Math.random() * 65536);
  return guarded(spec.connectTimeoutMs, signal, (settle, onCleanup) => {
    const sock = createSocket(spec.endpoint.family === 6 ? 'udp6' : 'udp4');
    onCleanup(() => sock.close());
    sock.once('error', (e) => settle(fail(errorReason(e), errorText(e))));
    sock.on('message', (msg) => {
      const r = dnsVerdict(id, msg);
      if (r) settle(r);
    });
    const port = spec.endpoint.port || 53;
    sock.connect(
      port,
      spec.endpoint.address,
      afterConnect(settle, () =>
        sock.send(dnsQuery(id, d), (e) => e && settle(fail(errorReason(e), errorText(e)))),
      ),
    );
  });
}
