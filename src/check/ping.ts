/**
 * @module PING_CHECK: one ICMP (or ICMPv6) echo request per check through a raw socket
 * of the native layer (CAP_NET_RAW), shared by all ping checks of a family; replies are
 * matched by (source, id, sequence). Up when the reply arrives within connect_timeout.
 */
import { isErrno, RawIpSocket } from '../native/index.js';
import { parseIp } from '../wire/ip.js';
import { echoReplySeq, echoRequest } from './icmp-echo.js';
import { errorText, guarded } from './net.js';
import type { CheckResult, CheckSpec } from './types.js';
import { fail, pass } from './types.js';

const ID = Math.floor(Math.random() * 65536);
const sockets = new Map<4 | 6, { socket: RawIpSocket; waiting: Map<string, () => void> }>();
let seq = 0;

function shared(family: 4 | 6): { socket: RawIpSocket; waiting: Map<string, () => void> } {
  let s = sockets.get(family);
  if (s) return s;
  const socket = RawIpSocket.open({ family, protocol: family === 4 ? 1 : 58 });
  const waiting = new Map<string, () => void>();
  socket.on('message', (m) => {
    const n = echoReplySeq(family, ID, m.data);
    if (n !== undefined) waiting.get(`${[...m.source].join('.')}/${n}`)?.();
  });
  socket.on('error', () => {});
  socket.unref();
  s = { socket, waiting };
  sockets.set(family, s);
  return s;
}

export function pingCheck(spec: CheckSpec, signal: AbortSignal): Promise<CheckResult> {
  return guarded(spec.connectTimeoutMs, signal, (settle, onCleanup) => {
    const addr = parseIp(spec.endpoint.address);
    if (!addr.ok) {
      settle(fail('connect-error', addr.error));
      return;
    }
    let s: ReturnType<typeof shared>;
    try {
      s = shared(spec.endpoint.family);
    } catch (e) {
      settle(fail('unsupported', `no raw ICMP socket: ${errorText(e)}`));
      return;
    }
    seq = (seq + 1) & 0xffff;
    const key = `${[...addr.value.bytes].join('.')}/${seq}`;
    s.waiting.set(key, () => settle(pass));
    onCleanup(() => s.waiting.delete(key));
    try {
      s.socket.send(echoRequest(spec.endpoint.family, ID, seq, new TextEncoder().encode('keepalived-ts')), {
        address: addr.value.bytes,
      });
    } catch (e) {
      settle(fail(isErrno(e, 'EAGAIN') ? 'timeout' : 'connect-error', errorText(e)));
    }
  });
}
