/**
 * Raw VRRP sockets across two namespaces joined by a veth pair: IPv4 multicast to
 * 224.0.0.18 with TTL 255, IPv4 unicast with IP_PKTINFO source/ifindex, IPv6
 * multicast to ff02::12 with hop limit 255 and the kernel-computed checksum
 * (IPV6_CHECKSUM at offset 6, as VRRPv3 needs).
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addrBytes, hex, Lab, labUnavailable, type VethPair, vethPair } from './native-harness.js';

const unavailable = labUnavailable();
const lab = new Lab('nraw');
let pair: VethPair;

/** RFC 1071 one's-complement sum over 16-bit words. */
function sum16(bytes: number[]): number {
  let s = 0;
  for (let i = 0; i < bytes.length; i += 2) s += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

describe('raw IP sockets between namespaces', { skip: unavailable ?? false }, () => {
  before(() => {
    pair = vethPair(lab, 77);
  });
  after(() => lab.cleanup());

  test('IPv4 VRRP multicast to 224.0.0.18 arrives with TTL 255, ifindex and destination', async () => {
    const rx = lab.peer(pair.nsB, 'raw-recv', { family: 4, ifname: pair.ifB, group: '224.0.0.18' });
    const ready = await rx.waitFor((e) => e.event === 'ready');
    // A VRRPv3 advertisement body: version 3 type 1, VRID 51, priority 100, 1 address.
    const payload = '3133640100640000' + hex(addrBytes('10.77.0.100'));
    const tx = lab.peer(pair.nsA, 'raw-send', { family: 4, ifname: pair.ifA, dest: '224.0.0.18', payload });
    const msg = await rx.waitFor((e) => e.event === 'message');
    tx.kill();
    assert.equal(msg['ttl'], 255);
    assert.equal(msg['ifindex'], ready['ifindex']);
    assert.equal(msg['destination'], hex(addrBytes('224.0.0.18')));
    assert.equal(msg['source'], hex(addrBytes(pair.v4A)));
    const data = Buffer.from(String(msg['data']), 'hex');
    assert.equal(data[0]! >> 4, 4, 'IPv4 raw sockets deliver the IP header');
    assert.equal(data[8], 255, 'TTL in the header');
    assert.equal(data[9], 112, 'protocol VRRP');
    assert.equal(data.subarray((data[0]! & 0x0f) * 4).toString('hex'), payload);
    assert.equal(msg['truncated'], false);
  });

  for (const multicastAll of [false, true]) {
    test(`IP_MULTICAST_ALL ${multicastAll ? 'on' : 'off (default)'}: a socket that did not join ${
      multicastAll ? 'also gets' : 'does not get'
    } the group's packets`, async () => {
      const rx = lab.peer(pair.nsB, 'raw-recv-pair', {
        ifname: pair.ifB,
        group: '224.0.0.18',
        multicastAll,
        count: 3,
      });
      await rx.waitFor((e) => e.event === 'ready');
      const tx = lab.peer(pair.nsA, 'raw-send', {
        family: 4,
        ifname: pair.ifA,
        dest: '224.0.0.18',
        payload: '3133640100640000',
        count: 50,
      });
      const counts = await rx.waitFor((e) => e.event === 'counts');
      tx.kill();
      assert.ok(Number(counts['joined']) >= 3);
      if (multicastAll) assert.ok(Number(counts['other']) > 0, JSON.stringify(counts));
      else assert.equal(counts['other'], 0, 'keepalived sets IP_MULTICAST_ALL 0 for the same reason');
    });
  }

  test('IPv4 unicast with IP_PKTINFO source and ifindex', async () => {
    const rx = lab.peer(pair.nsB, 'raw-recv', { family: 4, ifname: pair.ifB });
    const ready = await rx.waitFor((e) => e.event === 'ready');
    const tx = lab.peer(pair.nsA, 'raw-send', {
      family: 4,
      ifname: pair.ifA,
      dest: pair.v4B,
      source: pair.v4A,
      payload: '2101640100010000',
    });
    const msg = await rx.waitFor((e) => e.event === 'message');
    tx.kill();
    assert.equal(msg['source'], hex(addrBytes(pair.v4A)));
    assert.equal(msg['destination'], hex(addrBytes(pair.v4B)));
    assert.equal(msg['ifindex'], ready['ifindex']);
    assert.equal(msg['ttl'], 255, 'hopLimit from the per-packet IP_TTL cmsg');
  });

  test('IPv6 unicast to a link-local peer with IPV6_PKTINFO source and ifindex', async () => {
    const rx = lab.peer(pair.nsB, 'raw-recv', { family: 6, ifname: pair.ifB });
    const ready = await rx.waitFor((e) => e.event === 'ready');
    const tx = lab.peer(pair.nsA, 'raw-send', {
      family: 6,
      ifname: pair.ifA,
      dest: pair.v6B,
      source: pair.v6A,
      payload: '3101640100010000',
    });
    const msg = await rx.waitFor((e) => e.event === 'message');
    tx.kill();
    assert.equal(msg['source'], hex(addrBytes(pair.v6A)));
    assert.equal(msg['destination'], hex(addrBytes(pair.v6B)));
    assert.equal(msg['ifindex'], ready['ifindex']);
    assert.equal(msg['ttl'], 255, 'hop limit from the per-packet IPV6_HOPLIMIT cmsg');
  });

  test('IPv6 VRRP multicast to ff02::12 with hop limit 255 and kernel checksum at offset 6', async () => {
    const rx = lab.peer(pair.nsB, 'raw-recv', {
      family: 6,
      ifname: pair.ifB,
      group: 'ff02::12',
      checksumOffset: 6,
    });
    const ready = await rx.waitFor((e) => e.event === 'ready');
    // VRRPv3 with a zero checksum field: the sender's kernel fills it in.
    const payload = '3133640100640000' + hex(addrBytes('fe80::100'));
    const tx = lab.peer(pair.nsA, 'raw-send', {
      family: 6,
      ifname: pair.ifA,
      dest: 'ff02::12',
      payload,
      checksumOffset: 6,
    });
    const msg = await rx.waitFor((e) => e.event === 'message');
    tx.kill();
    assert.equal(msg['ttl'], 255, 'hop limit');
    assert.equal(msg['ifindex'], ready['ifindex']);
    assert.equal(msg['scopeId'], ready['ifindex'], 'link-local source carries the arrival scope');
    assert.equal(msg['destination'], hex(addrBytes('ff02::12')));
    assert.equal(msg['source'], hex(addrBytes(pair.v6A)));
    const data = [...Buffer.from(String(msg['data']), 'hex')];
    assert.equal(data.length, payload.length / 2, 'IPv6 raw sockets deliver the payload only');
    assert.notEqual((data[6]! << 8) | data[7]!, 0, 'checksum was filled in');
    // RFC 8200 §8.1 pseudo-header: src, dst, upper-layer length, next header.
    const pseudo = [...addrBytes(pair.v6A), ...addrBytes('ff02::12'), 0, 0, 0, data.length, 0, 0, 0, 112];
    assert.equal(sum16([...pseudo, ...data]), 0xffff, 'checksum verifies');
  });
});
