/**
 * The channel's receive path with a fake socket fed keepalived's captured adverts:
 * demultiplexing by VRID to every member, each drop counted under its reason (decode
 * failures and unknown VRIDs on the channel, configuration mismatches on the member),
 * and IPv6 adverts checked with the pseudo-header from pktinfo.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type ChannelMember, type ChannelSocket, VrrpChannel } from '../../../src/io/vrrp-channel.js';
import type { RawIpMessage } from '../../../src/native/index.js';
import {
  authDataFromPassword,
  type DropReason,
  formatIp,
  type InstanceExpectations,
  ip,
  ipFromBytes,
  VRRP_AUTH,
} from '../../../src/wire/index.js';
import { readPcap } from '../../helpers/pcap.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const frame = (name: string, i = 0) =>
  readPcap(readFileSync(resolve(repoRoot, '../shared/vectors', name)))[i]!.data;

class FakeSocket implements ChannelSocket {
  onMessage: (m: RawIpMessage) => void = () => {};
  sent: Uint8Array[] = [];
  on(event: 'message' | 'error', listener: (x: never) => void): this {
    if (event === 'message') this.onMessage = listener as (m: RawIpMessage) => void;
    return this;
  }
  send(data: Uint8Array): number {
    this.sent.push(data);
    return data.length;
  }
  close(): void {}
}

function v4Message(data: Uint8Array): RawIpMessage {
  return {
    data,
    source: data.subarray(12, 16),
    scopeId: 0,
    ttl: data[8]!,
    ifindex: 3,
    destination: data.subarray(16, 20),
    truncated: false,
    length: data.length,
  };
}

const want = (over: Partial<InstanceExpectations> = {}): InstanceExpectations => ({
  version: 2,
  family: 'ipv4',
  vrid: 51,
  addresses: [ip('10.100.1.20')],
  checkAddresses: true,
  authType: VRRP_AUTH.pass,
  authData: authDataFromPassword('pa-pass1'),
  ahLastSequence: 0,
  adverIntCs: 100,
  unicastPeers: [],
  checkUnicastSource: false,
  dropIfLocalOwner: false,
  localPriority: 100,
  ...over,
});

function member(w: InstanceExpectations) {
  const got: number[] = [];
  const drops: DropReason[] = [];
  const m: ChannelMember = {
    vrid: w.vrid,
    expectations: () => w,
    onAdvert: (p) => got.push(p.priority),
    onDrop: (r) => drops.push(r),
  };
  return { m, got, drops };
}

const options = {
  ifname: 'eth0',
  ifindex: 3,
  family: 'ipv4' as const,
  protocol: 112,
  group: ip('224.0.0.18'),
};

describe('VrrpChannel receive path', () => {
  test('an accepted advert reaches every member with its VRID', () => {
    const sock = new FakeSocket();
    const ch = new VrrpChannel(options, sock);
    const a = member(want());
    const b = member(want());
    ch.add(a.m);
    ch.add(b.m);
    sock.onMessage(v4Message(frame('vrrpv2-pass.pcap').subarray(14)));
    assert.deepEqual(a.got, [255]);
    assert.deepEqual(b.got, [255]);
    assert.equal(ch.received, 1);
  });

  test('a wrong password is the member’s auth-password-mismatch', () => {
    const sock = new FakeSocket();
    const ch = new VrrpChannel(options, sock);
    const a = member(want({ authData: authDataFromPassword('other') }));
    ch.add(a.m);
    sock.onMessage(v4Message(frame('vrrpv2-pass.pcap').subarray(14)));
    assert.deepEqual(a.got, []);
    assert.deepEqual(a.drops, ['auth-password-mismatch']);
  });

  test('an unknown VRID and a corrupted packet are counted on the channel', () => {
    const sock = new FakeSocket();
    const ch = new VrrpChannel(options, sock);
    ch.add(member(want({ vrid: 52 })).m);
    const good = frame('vrrpv2-pass.pcap').subarray(14);
    sock.onMessage(v4Message(good));
    const bad = Uint8Array.from(good);
    bad[20 + 6] = (bad[20 + 6]! + 1) & 0xff; // VRRP checksum byte
    sock.onMessage(v4Message(bad));
    assert.deepEqual(Object.fromEntries(ch.drops), { 'vrid-mismatch': 1, 'vrrp-bad-checksum': 1 });
  });

  test('a packet from another interface is ignored', () => {
    const sock = new FakeSocket();
    const ch = new VrrpChannel(options, sock);
    const a = member(want());
    ch.add(a.m);
    sock.onMessage({ ...v4Message(frame('vrrpv2-pass.pcap').subarray(14)), ifindex: 9 });
    assert.deepEqual(a.got, []);
  });

  test('IPv6: the checksum is verified with source and pktinfo destination', () => {
    const sock = new FakeSocket();
    const ch = new VrrpChannel({ ...options, family: 'ipv6', group: ip('ff02::12') }, sock);
    const w = want({
      version: 3,
      family: 'ipv6',
      addresses: [ip('fd00:100::20')],
      authType: VRRP_AUTH.none,
      authData: new Uint8Array(0),
    });
    const a = member(w);
    ch.add(a.m);
    const f = frame('vrrpv3-ipv6.pcap').subarray(14);
    const msg = (dst: string): RawIpMessage => ({
      data: f.subarray(40),
      source: f.subarray(8, 24),
      scopeId: 3,
      ttl: 255,
      ifindex: 3,
      destination: ip(dst).bytes,
      truncated: false,
      length: f.length - 40,
    });
    sock.onMessage(msg('ff02::12'));
    sock.onMessage(msg('ff02::1'));
    assert.deepEqual(a.got, [255]);
    assert.deepEqual(Object.fromEntries(ch.drops), { 'vrrp-bad-checksum': 1 });
  });

  test('send: each datagram goes to its own destination, with the interface as IPv6 scope', () => {
    for (const [family, group, other, scope] of [
      ['ipv4', '224.0.0.18', '10.100.1.2', 0],
      ['ipv6', 'ff02::12', 'fe80::2', 3],
    ] as const) {
      const seen: string[] = [];
      const ch = new VrrpChannel(
        { ...options, family, group: ip(group) },
        {
          ...new FakeSocket(),
          on() {
            return this;
          },
          send(data: Uint8Array, to: { address: Uint8Array; scopeId?: number }) {
            // What the socket reads during the call (the channel may reuse the object).
            seen.push(`${data.length} ${formatIp(ipFromBytes(to.address))} %${to.scopeId ?? 0}`);
            return data.length;
          },
          close() {},
        },
      );
      assert.ok(ch.send(new Uint8Array(4), ip(group)));
      assert.ok(ch.send(new Uint8Array(5), ip(other)));
      assert.deepEqual(seen, [`4 ${group} %${scope}`, `5 ${other} %${scope}`]);
      assert.equal(ch.sent, 2);
    }
  });

  test('send never throws: failures are counted', () => {
    const ch = new VrrpChannel(options, {
      ...new FakeSocket(),
      on() {
        return this;
      },
      send() {
        throw new Error('ENOBUFS');
      },
      close() {},
    });
    assert.equal(ch.send(new Uint8Array(4), ip('224.0.0.18')), false);
    assert.equal(ch.sendErrors, 1);
  });
});
