/**
 * @module UDP_CHECK: send `payload` (random bytes when none is configured) from a
 * connected UDP socket. Without `require_reply`, the server is up unless an ICMP error
 * (port/host unreachable, surfaced as ECONNREFUSED etc.) arrives within connect_timeout.
 * With it, a reply of min..max_reply_length bytes must arrive and match the pattern
 * (X nibbles match anything) up to the shorter of the two.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { afterConnect, errorReason, errorText, guarded } from './net.js';
import type { CheckResult, CheckSpec, UdpSpec } from './types.js';
import { fail, pass } from './types.js';

/** Pure reply verdict. */
export function udpReplyVerdict(u: UdpSpec, reply: Uint8Array): CheckResult {
  if (reply.length < u.minReplyLength || reply.length > u.maxReplyLength)
    return fail('bad-reply', `reply length ${reply.length} outside ${u.minReplyLength}-${u.maxReplyLength}`);
  const pattern = u.requireReply?.pattern ?? [];
  const n = Math.min(pattern.length, reply.length);
  for (let i = 0; i < n; i++) {
    const p = pattern[i]!;
    if ((reply[i]! & p.mask) !== (p.value & p.mask))
      return fail('bad-reply', `reply byte ${i} does not match`);
  }
  return pass;
}

export function udpCheck(spec: CheckSpec, signal: AbortSignal): Promise<CheckResult> {
  const u = spec.kind as UdpSpec;
  const needReply = u.requireReply !== undefined;
  return guarded(spec.connectTimeoutMs, signal, (settle, onCleanup) => {
    const sock = createSocket(spec.endpoint.family === 6 ? 'udp6' : 'udp4');
    onCleanup(() => sock.close());
    // Without require_reply, silence until the deadline is success: settle just before it.
    if (!needReply) {
      const t = setTimeout(() => settle(pass), Math.max(1, spec.connectTimeoutMs - 5));
      onCleanup(() => clearTimeout(t));
    }
    sock.once('error', (e) => settle(fail(errorReason(e), errorText(e))));
    sock.on('message', (msg) => settle(needReply ? udpReplyVerdict(u, msg) : pass));
    const ep = spec.endpoint;
    const go = (): void =>
      sock.connect(
        ep.port,
        ep.address,
        afterConnect(settle, () =>
          sock.send(u.payload ?? randomBytes(16), (e) => e && settle(fail(errorReason(e), errorText(e)))),
        ),
      );
    if (ep.bindTo || ep.bindPort)
      sock.bind({ ...(ep.bindTo ? { address: ep.bindTo } : {}), port: ep.bindPort ?? 0 }, go);
    else go();
  });
}
