/**
 * AF_PACKET sockets across a veth pair: a whole Ethernet frame sent with SOCK_RAW
 * on one end is seen on the peer with its source MAC, ethertype and packet type;
 * a SOCK_DGRAM send has the kernel build the header from the destination MAC.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ip, Lab, labUnavailable, type VethPair, vethPair } from './native-harness.js';

const unavailable = labUnavailable();
const lab = new Lab('npkt');
let pair: VethPair;

const macHex = (mac: string): string => mac.replaceAll(':', '');
/** IEEE 802 local experimental ethertypes: never interpreted by the kernel. */
const EXPERIMENTAL_1 = 0x88b5;
const EXPERIMENTAL_2 = 0x88b6;

describe('packet sockets between namespaces', { skip: unavailable ?? false }, () => {
  before(() => {
    pair = vethPair(lab, 78);
  });
  after(() => lab.cleanup());

  test('SOCK_RAW broadcast frame sent on a veth is seen on the peer', async () => {
    const rx = lab.peer(pair.nsB, 'packet-recv', { ifname: pair.ifB, protocol: EXPERIMENTAL_1 });
    const ready = await rx.waitFor((e) => e.event === 'ready');
    const payload = Buffer.alloc(46, 0xab).toString('hex');
    const frame = 'ffffffffffff' + macHex(pair.macA) + EXPERIMENTAL_1.toString(16) + payload;
    const tx = lab.peer(pair.nsA, 'packet-send', { ifname: pair.ifA, frame, protocol: EXPERIMENTAL_1 });
    const msg = await rx.waitFor((e) => e.event === 'message');
    tx.kill();
    assert.equal(msg['data'], frame, 'the frame arrives byte for byte, header included');
    assert.equal(msg['ifindex'], ready['ifindex']);
    assert.equal(msg['protocol'], EXPERIMENTAL_1);
    assert.equal(msg['packetType'], 1, 'PACKET_BROADCAST');
    assert.equal(msg['hardwareType'], 1, 'ARPHRD_ETHER');
    assert.equal(msg['source'], macHex(pair.macA));
  });

  test('taking the bound interface down surfaces ENETDOWN as an error event', async () => {
    const rx = lab.peer(pair.nsB, 'packet-recv', { ifname: pair.ifB, protocol: EXPERIMENTAL_1 });
    await rx.waitFor((e) => e.event === 'ready');
    ip('-n', pair.nsB, 'link', 'set', pair.ifB, 'down');
    try {
      const err = await rx.waitFor((e) => e.event === 'error');
      assert.equal(err['name'], 'ErrnoError');
      assert.equal(err['code'], 'ENETDOWN');
    } finally {
      ip('-n', pair.nsB, 'link', 'set', pair.ifB, 'up');
    }
  });

  test('SOCK_DGRAM send: the kernel writes the header for the destination MAC', async () => {
    const rx = lab.peer(pair.nsB, 'packet-recv', { ifname: pair.ifB, protocol: EXPERIMENTAL_2 });
    await rx.waitFor((e) => e.event === 'ready');
    const payload = Buffer.alloc(46, 0x5a).toString('hex');
    const tx = lab.peer(pair.nsA, 'packet-send', {
      ifname: pair.ifA,
      mode: 'dgram',
      frame: payload,
      protocol: EXPERIMENTAL_2,
      destination: macHex(pair.macB),
    });
    const msg = await rx.waitFor((e) => e.event === 'message');
    tx.kill();
    assert.equal(msg['data'], macHex(pair.macB) + macHex(pair.macA) + EXPERIMENTAL_2.toString(16) + payload);
    assert.equal(msg['packetType'], 0, 'PACKET_HOST');
  });
});
