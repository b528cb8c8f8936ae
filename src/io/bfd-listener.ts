/**
 * @module The BFD listening sockets (UDP 3784, one per family). For IPv4 with the
 * native addon each datagram comes with its received TTL, so the GTSM check of RFC 5881
 * section 5 can run; otherwise (IPv6, no addon, no CAP_NET_RAW) node:dgram is used and
 * the TTL is unknown (0), which the check lets through as keepalived does when no TTL
 * is reported.
 */

import { createSocket, type Socket } from 'node:dgram';
import { native, nativeAvailable } from '../native/binding.js';
import { RawIpSocket } from '../native/raw-ip-socket.js';
import { formatIp } from '../wire/ip.js';

const IPPROTO_UDP = 17;

/**
 * One received datagram: its bytes, source address text, TTL (0: unknown) and the
 * local address it was sent to (undefined: unknown).
 */
export type BfdDatagramHandler = (
  bytes: Uint8Array,
  source: string,
  ttl: number,
  destination?: string,
) => void;

export interface BfdListener {
  readonly family: 4 | 6;
  /** Whether received TTLs are real (native) or unknown (dgram). */
  readonly readsTtl: boolean;
  /** Where datagrams go (null: dropped, e.g. between a reload's two services). */
  setHandler(handler: BfdDatagramHandler | null): void;
  close(): void;
}

/** Classic BPF for an IPv4 raw socket: accept UDP datagrams to `port` only. */
function udpPortFilter(port: number): Uint8Array {
  const insns: [number, number, number, number][] = [
    [0xb1, 0, 0, 0], // ldxb 4*([0]&0xf): IP header length
    [0x48, 0, 0, 2], // ldh [x+2]: UDP destination port
    [0x15, 0, 1, port], // jeq #port
    [0x06, 0, 0, 0xffff], // ret #65535: accept
    [0x06, 0, 0, 0], // ret #0: drop
  ];
  const prog = new Uint8Array(insns.length * 8);
  const view = new DataView(prog.buffer);
  insns.forEach(([code, jt, jf, k], n) => {
    view.setUint16(n * 8, code, true);
    view.setUint8(n * 8 + 2, jt);
    view.setUint8(n * 8 + 3, jf);
    view.setUint32(n * 8 + 4, k, true);
  });
  return prog;
}

/**
 * IPv4 with the TTL: the native addon opens no UDP sockets, so a raw IPv4 socket for
 * protocol 17, filtered in the kernel to the BFD port, reads each datagram with its IP
 * header (the TTL is in it); a plain UDP socket stays bound to the port so the kernel
 * takes the datagrams (no ICMP port unreachable) and its copies are ignored.
 */
class RawIpv4Listener implements BfdListener {
  readonly family = 4 as const;
  readonly readsTtl = true;
  #handler: BfdDatagramHandler | null = null;
  readonly #raw: RawIpSocket;
  readonly #port: Socket;

  constructor(raw: RawIpSocket, port: Socket, portNumber: number) {
    this.#raw = raw;
    this.#port = port;
    native().attachFilter(raw.fd, udpPortFilter(portNumber));
    port.on('message', () => {});
    raw.on('message', (m) => {
      const ihl = (m.data[0]! & 0x0f) * 4;
      const udp = m.data.subarray(ihl);
      if (udp.length < 8 || ((udp[2]! << 8) | udp[3]!) !== portNumber) return;
      const end = Math.min(udp.length, (udp[4]! << 8) | udp[5]!);
      const source = formatIp({ family: 'ipv4', bytes: m.source });
      const destination = formatIp({ family: 'ipv4', bytes: m.data.slice(16, 20) });
      this.#handler?.(udp.slice(8, end), source, m.data[8]!, destination);
    });
  }

  setHandler(handler: BfdDatagramHandler | null): void {
    this.#handler = handler;
  }

  close(): void {
    this.#raw.close();
    this.#port.close();
  }
}

async function bindUdp(family: 4 | 6, port: number): Promise<Socket> {
  const sock = createSocket({ type: family === 6 ? 'udp6' : 'udp4', reuseAddr: true });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind({ port, address: family === 6 ? '::' : '0.0.0.0' }, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  return sock;
}

/**
 * Opens a listener on `port` of every address of `family`: IPv4 with the TTL when the
 * native addon and CAP_NET_RAW allow, else (and for IPv6) node:dgram without it.
 */
export async function openBfdListener(
  family: 4 | 6,
  port: number,
  onError: (e: Error) => void,
): Promise<BfdListener> {
  const sock = await bindUdp(family, port);
  sock.on('error', onError);
  if (family === 4 && nativeAvailable()) {
    try {
      const raw = RawIpSocket.open({ family: 4, protocol: IPPROTO_UDP });
      raw.on('error', onError);
      return new RawIpv4Listener(raw, sock, port);
    } catch {
      // No CAP_NET_RAW: the TTL stays unknown.
    }
  }
  let handler: BfdDatagramHandler | null = null;
  sock.on('message', (msg, rinfo) =>
    handler?.(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), rinfo.address, 0),
  );
  return {
    family,
    readsTtl: false,
    setHandler: (h) => {
      handler = h;
    },
    close: () => sock.close(),
  };
}
