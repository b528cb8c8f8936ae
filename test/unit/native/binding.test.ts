/**
 * The addon's contract with the kernel: ErrnoError for failing calls, TypeError
 * for arguments outside the allow-lists, socket options set and read back,
 * interface lookups, EAGAIN on a full receiver, truncation reporting and BPF.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { native } from '../../../src/native/binding.js';
import { ErrnoError, isErrno } from '../../../src/native/errno-error.js';
import { ifIndexToName, ifNameToIndex } from '../../../src/native/interfaces.js';
import { ETH_P_ALL, type PacketMessage, PacketSocket } from '../../../src/native/packet-socket.js';
import { type RawIpMessage, RawIpSocket } from '../../../src/native/raw-ip-socket.js';
import { nativeUnavailable, netlinkPair, waitUntil } from './helpers.js';

const unavailable = nativeUnavailable();

function throwsErrno(fn: () => unknown, syscall: string, code: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ErrnoError, `expected ErrnoError, got ${String(err)}`);
    assert.equal(err.syscall, syscall);
    assert.equal(err.code, code);
    assert.ok(err.errno > 0);
    assert.match(err.message, new RegExp(`^${syscall} ${code} \\(`));
    return true;
  });
}

describe('native binding', { skip: unavailable ?? false }, () => {
  test('constants come from the C headers', () => {
    const c = native().constants;
    assert.equal(c.AF_INET, 2);
    assert.equal(c.AF_INET6, 10);
    assert.equal(c.AF_PACKET, 17);
    assert.equal(c.AF_NETLINK, 16);
    assert.equal(c.IPV6_CHECKSUM, 7);
    assert.equal(c.ETH_P_ALL, ETH_P_ALL);
  });

  test('socket() with a bad protocol throws ErrnoError', () => {
    const c = native().constants;
    throwsErrno(() => native().socket(c.AF_INET, c.SOCK_RAW, 1000), 'socket', 'EINVAL');
    throwsErrno(() => native().socket(c.AF_NETLINK, c.SOCK_RAW, 99), 'socket', 'EPROTONOSUPPORT');
    throwsErrno(() => RawIpSocket.open({ family: 6, protocol: 1000 }), 'socket', 'EINVAL');
  });

  test('socket() outside the domain/type allow-list is a TypeError', () => {
    const c = native().constants;
    assert.throws(() => native().socket(c.AF_INET, c.SOCK_DGRAM, 17), TypeError);
    assert.throws(() => native().socket(1 /* AF_UNIX */, c.SOCK_RAW, 0), TypeError);
  });

  test('bind to a missing ifindex or a foreign address throws ErrnoError', () => {
    throwsErrno(() => PacketSocket.open({ protocol: ETH_P_ALL, ifindex: 999999 }), 'bind', 'ENODEV');
    const raw = RawIpSocket.open({ family: 4, protocol: 112, receive: false });
    try {
      throwsErrno(() => raw.bind(Uint8Array.of(10, 255, 255, 1)), 'bind', 'EADDRNOTAVAIL');
      throwsErrno(() => raw.bindToDevice('kts-nonexist0'), 'setsockopt', 'ENODEV');
    } finally {
      raw.close();
    }
  });

  test('integer options are allow-listed and read back', () => {
    const c = native().constants;
    const v4 = RawIpSocket.open({ family: 4, protocol: 112, receive: false });
    const v6 = RawIpSocket.open({ family: 6, protocol: 112, receive: false });
    try {
      const get = (s: RawIpSocket, level: number, name: number): number =>
        native().getIntOpt(s.fd, level, name);
      assert.equal(get(v4, c.SOL_SOCKET, c.SO_DOMAIN), c.AF_INET);
      assert.equal(get(v4, c.SOL_SOCKET, c.SO_TYPE), c.SOCK_RAW);
      assert.equal(get(v4, c.SOL_SOCKET, c.SO_PROTOCOL), 112);
      v4.setMulticastHops(255);
      assert.equal(get(v4, c.IPPROTO_IP, c.IP_MULTICAST_TTL), 255);
      v4.setMulticastLoop(false);
      assert.equal(get(v4, c.IPPROTO_IP, c.IP_MULTICAST_LOOP), 0);
      v4.setTrafficClass(0xc0);
      assert.equal(get(v4, c.IPPROTO_IP, c.IP_TOS), 0xc0);
      v4.setHeaderIncluded(true);
      assert.equal(get(v4, c.IPPROTO_IP, c.IP_HDRINCL), 1);
      v4.setPriority(6);
      assert.equal(get(v4, c.SOL_SOCKET, c.SO_PRIORITY), 6);
      v4.setReceiveBufferSize(262144, true);
      assert.equal(v4.getReceiveBufferSize(), 524288, 'Linux doubles SO_RCVBUF');
      v6.setMulticastHops(255);
      assert.equal(get(v6, c.IPPROTO_IPV6, c.IPV6_MULTICAST_HOPS), 255);
      v6.setUnicastHops(255);
      assert.equal(get(v6, c.IPPROTO_IPV6, c.IPV6_UNICAST_HOPS), 255);
      v6.setChecksumOffset(6);
      assert.equal(get(v6, c.IPPROTO_IPV6, c.IPV6_CHECKSUM), 6);
      assert.throws(() => v4.setChecksumOffset(6), TypeError);
      assert.throws(() => native().setIntOpt(v4.fd, c.SOL_SOCKET, 6 /* SO_BROADCAST */, 1), TypeError);
      assert.throws(() => native().setIntOpt(v4.fd, c.SOL_SOCKET, c.SO_TYPE, 1), TypeError, 'read-only');
      v4.bindToDevice('lo');
      v4.bindToDevice('');
    } finally {
      v4.close();
      v6.close();
    }
  });

  test('multicast membership on lo: join, leave, leave again fails', () => {
    const lo = ifNameToIndex('lo')!;
    const s = RawIpSocket.open({ family: 4, protocol: 112 });
    const s6 = RawIpSocket.open({ family: 6, protocol: 112 });
    try {
      const group = Uint8Array.of(224, 0, 0, 18);
      s.joinMulticast(group, lo);
      s.setMulticastInterface(lo);
      s.setMulticastInterface(lo, Uint8Array.of(127, 0, 0, 1));
      s.leaveMulticast(group, lo);
      throwsErrno(() => s.leaveMulticast(group, lo), 'setsockopt', 'EADDRNOTAVAIL');
      const group6 = Uint8Array.from([0xff, 0x02, ...Array<number>(13).fill(0), 0x12]);
      s6.setMulticastInterface(lo);
      s6.joinMulticast(group6, lo);
      s6.leaveMulticast(group6, lo);
      assert.throws(() => s.joinMulticast(Uint8Array.of(224, 0, 0), lo), TypeError);
    } finally {
      s.close();
      s6.close();
    }
  });

  test('interface lookups', () => {
    assert.equal(ifNameToIndex('lo'), 1);
    assert.equal(ifIndexToName(1), 'lo');
    assert.equal(ifNameToIndex('kts-nonexist0'), null);
    assert.equal(ifNameToIndex('x'.repeat(40)), null);
    assert.equal(ifIndexToName(999999), null);
  });

  test('sendmsg to a full receiver throws ErrnoError EAGAIN instead of blocking', () => {
    const { a, b } = netlinkPair();
    try {
      b.setReceiveBufferSize(4096);
      const dest = { pid: b.portId };
      const chunk = new Uint8Array(1024);
      let caught: unknown;
      for (let i = 0; i < 10000 && caught === undefined; i++) {
        try {
          a.send(chunk, dest);
        } catch (err) {
          caught = err;
        }
      }
      assert.ok(isErrno(caught, 'EAGAIN'), `expected EAGAIN, got ${String(caught)}`);
      assert.equal((caught as ErrnoError).syscall, 'sendmsg');
    } finally {
      a.close();
      b.close();
    }
  });

  test('recvmsg reports truncation and the full length', async () => {
    const { a, b } = netlinkPair(16);
    try {
      const got: Array<{ data: Uint8Array; truncated: boolean; length: number; pid: number }> = [];
      b.on('message', (data, info) => got.push({ data, ...info }));
      a.send(new Uint8Array(100).fill(7), { pid: b.portId });
      b.resume();
      await waitUntil(() => got.length > 0, 'the datagram');
      assert.equal(got.length, 1);
      assert.equal(got[0]!.data.length, 16);
      assert.equal(got[0]!.truncated, true);
      assert.equal(got[0]!.length, 100);
      assert.equal(got[0]!.pid, a.portId, 'source port id');
    } finally {
      a.close();
      b.close();
    }
  });

  test('a drop-all BPF filter stops delivery; detaching restores it', async () => {
    const { a, b } = netlinkPair();
    try {
      const prog = new Uint8Array(8);
      new Uint16Array(prog.buffer, 0, 1)[0] = 0x06; // BPF_RET | BPF_K, k = 0
      native().attachFilter(b.fd, prog);
      a.send(Uint8Array.of(1, 2, 3, 4), { pid: b.portId });
      native().detachFilter(b.fd);
      a.send(Uint8Array.of(5, 6, 7, 8), { pid: b.portId });
      const seen: number[][] = [];
      b.on('message', (d) => seen.push([...d]));
      b.resume();
      await waitUntil(() => seen.length > 0, 'the unfiltered datagram');
      assert.deepEqual(seen, [[5, 6, 7, 8]], 'the first datagram was dropped by the filter');
      assert.throws(() => native().attachFilter(b.fd, new Uint8Array(7)), TypeError);
    } finally {
      a.close();
      b.close();
    }
  });

  test('loopback round trip (RFC 3692 protocol 253); a send-only socket receives only after resume()', async () => {
    for (const family of [4, 6] as const) {
      const loopback =
        family === 4 ? Uint8Array.of(127, 0, 0, 1) : Uint8Array.from([...Array<number>(15).fill(0), 1]);
      const tx = RawIpSocket.open({ family, protocol: 253, receive: false });
      const rx = RawIpSocket.open({ family, protocol: 253, receive: false });
      try {
        const got: RawIpMessage[] = [];
        rx.on('message', (m) => got.push(m));
        tx.send(Uint8Array.of(1, 1, 1, 1), { address: loopback }, { hopLimit: 7 });
        rx.resume();
        tx.send(Uint8Array.of(2, 2, 2, 2), { address: loopback }, { hopLimit: 7 });
        await waitUntil(() => got.length > 0, `IPv${family} loopback datagram`);
        const m = got[0]!;
        assert.equal(got.length, 1, 'the datagram sent before resume() was filtered');
        assert.deepEqual([...m.data.subarray(family === 4 ? 20 : 0)], [2, 2, 2, 2]);
        assert.deepEqual(m.source, loopback);
        assert.deepEqual(m.destination, loopback);
        assert.equal(m.ttl, 7);
        assert.equal(m.ifindex, 1);
      } finally {
        tx.close();
        rx.close();
      }
    }
  });

  test('IP_HDRINCL: the caller writes the IPv4 header, the kernel fills length, id and checksum', async () => {
    const loopback = [127, 0, 0, 1];
    const tx = RawIpSocket.open({ family: 4, protocol: 253, receive: false });
    const rx = RawIpSocket.open({ family: 4, protocol: 253 });
    try {
      tx.setHeaderIncluded(true);
      const got: RawIpMessage[] = [];
      rx.on('message', (m) => got.push(m));
      // version 4, IHL 5, TOS 0, length 0, id 0, no fragment, TTL 9, protocol 253, checksum 0.
      const header = [0x45, 0, 0, 0, 0, 0, 0, 0, 9, 253, 0, 0, ...loopback, ...loopback];
      tx.send(Uint8Array.from([...header, 0xde, 0xad, 0xbe, 0xef]), { address: Uint8Array.from(loopback) });
      await waitUntil(() => got.length > 0, 'the header-included datagram');
      const d = got[0]!.data;
      assert.equal(got[0]!.ttl, 9);
      assert.equal((d[2]! << 8) | d[3]!, 24, 'total length filled in');
      assert.notEqual((d[10]! << 8) | d[11]!, 0, 'header checksum filled in');
      assert.deepEqual([...d.subarray(20)], [0xde, 0xad, 0xbe, 0xef]);
    } finally {
      tx.close();
      rx.close();
    }
  });

  test('packet sockets on lo: an ETH_P_ALL tap sees a sent raw frame as PACKET_OUTGOING with its ethertype', async () => {
    const lo = ifNameToIndex('lo')!;
    const tap = PacketSocket.open({ protocol: ETH_P_ALL, ifindex: lo });
    const tx = PacketSocket.open();
    try {
      const seen: PacketMessage[] = [];
      tap.on('message', (m) => seen.push(m));
      const marker = Uint8Array.from([0x4b, 0x54, 0x53, 0x21, ...Array<number>(42).fill(0)]);
      const frame = Uint8Array.from([...Array<number>(12).fill(0), 0x88, 0xb5, ...marker]);
      assert.equal(tx.send(frame, lo), frame.length);
      const isOurs = (m: PacketMessage): boolean => m.data.length === frame.length && m.data[14] === 0x4b;
      await waitUntil(() => seen.some((m) => isOurs(m) && m.packetType === 4), 'the outgoing copy');
      const out = seen.find((m) => isOurs(m) && m.packetType === 4)!;
      assert.equal(out.protocol, 0x88b5, 'sll_protocol / skb->protocol taken from the frame');
      assert.equal(out.ifindex, lo);
      assert.deepEqual([...out.data], [...frame]);
    } finally {
      tap.close();
      tx.close();
    }
  });

  test('operations on a closed socket throw', () => {
    const s = RawIpSocket.open({ family: 4, protocol: 112, receive: false });
    const fd = s.fd;
    s.close();
    s.close();
    assert.equal(s.fd, -1);
    assert.throws(() => s.setMulticastHops(1), /closed/);
    throwsErrno(() => native().close(fd), 'close', 'EBADF');
  });
});
