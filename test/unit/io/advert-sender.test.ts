/**
 * The advert sender encodes a (priority, interval) once and then only writes the next IP
 * id and header checksum: every datagram it sends must equal a fresh encoding with that
 * id, for IPv4 (multicast and each unicast peer), IPv6, across priority changes; AH
 * adverts are encoded each time (the sequence is in the ICV).
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AdvertSender, type AdvertSenderConfig } from '../../../src/io/advert-sender.js';
import {
  authDataFromPassword,
  decodeIpv4Header,
  type IpAddress,
  ip,
  VRRP_AUTH,
} from '../../../src/wire/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A sender whose channel records the bytes as they were at send time. */
function recorder(cfg: AdvertSenderConfig, ipId: number) {
  const sent: { hex: string; dst: string }[] = [];
  const channel = {
    send: (bytes: Uint8Array, dst: IpAddress) => {
      sent.push({ hex: hex(bytes), dst: hex(dst.bytes) });
      return true;
    },
  };
  return { sender: new AdvertSender(cfg, channel, { ipId }), sent };
}

/** What a fresh sender (nothing cached) sends first with IP id `ipId + 1`. */
function fresh(cfg: AdvertSenderConfig, ipId: number, priority: number, intervalCs: number) {
  const r = recorder(cfg, ipId);
  r.sender.send(priority, intervalCs);
  return r.sent;
}

const v2: AdvertSenderConfig = {
  version: 2,
  family: 'ipv4',
  vrid: 51,
  addresses: [ip('10.100.1.20')],
  authType: VRRP_AUTH.pass,
  authData: authDataFromPassword('12345'),
  source: ip('10.100.1.21'),
  destinations: [ip('224.0.0.18')],
  unicast: false,
};

describe('AdvertSender', () => {
  test('IPv4: each advert equals a fresh encoding with the next IP id, across priority changes', () => {
    const { sender, sent } = recorder(v2, 100);
    const plan = [255, 255, 255, 0, 255];
    for (const p of plan) sender.send(p, 100);
    assert.equal(sent.length, plan.length);
    plan.forEach((p, i) => {
      assert.deepEqual(sent[i], fresh(v2, 100 + i, p, 100)[0], `advert ${i} (priority ${p})`);
    });
    const ids = sent.map((s) => {
      const h = decodeIpv4Header(Buffer.from(s.hex, 'hex'));
      assert.ok(h.ok, 'header checksum valid');
      return h.value.identification;
    });
    assert.deepEqual(ids, [101, 102, 103, 104, 105]);
  });

  test('IPv4 unicast v3: one datagram per peer, each with its own id and checksum', () => {
    const cfg: AdvertSenderConfig = {
      ...v2,
      version: 3,
      authType: VRRP_AUTH.none,
      authData: new Uint8Array(0),
      destinations: [ip('10.100.1.22'), ip('10.100.1.23')],
      unicast: true,
    };
    const { sender, sent } = recorder(cfg, 7);
    sender.send(200, 1);
    sender.send(200, 1);
    assert.equal(sent.length, 4);
    const again = recorder(cfg, 9);
    again.sender.send(200, 1);
    assert.deepEqual(sent.slice(2), again.sent);
    assert.notEqual(sent[0]!.hex, sent[2]!.hex, 'the id moves');
  });

  test('IPv6: the cached message is the fresh one', () => {
    const cfg: AdvertSenderConfig = {
      ...v2,
      version: 3,
      family: 'ipv6',
      addresses: [ip('fd00::20')],
      authType: VRRP_AUTH.none,
      authData: new Uint8Array(0),
      source: ip('fe80::1'),
      destinations: [ip('ff02::12')],
    };
    const { sender, sent } = recorder(cfg, 1);
    sender.send(100, 10);
    sender.send(100, 10);
    assert.equal(sent[0]!.hex, sent[1]!.hex);
    assert.deepEqual(sent[1], fresh(cfg, 1, 100, 10)[0]);
  });

  test('AH: the sequence moves with every advert (no cached ICV)', () => {
    const cfg: AdvertSenderConfig = { ...v2, authType: VRRP_AUTH.ah };
    const { sender, sent } = recorder(cfg, 1);
    sender.send(255, 100);
    sender.send(255, 100);
    const seqs = sent.map((s) => Buffer.from(s.hex, 'hex').readUInt32BE(20 + 8));
    assert.deepEqual(seqs, [1, 2]);
  });

  test('the priority-0 advert prepared ahead sits beside the running one', () => {
    const { sender, sent } = recorder(v2, 40);
    sender.prepare(0, 100);
    sender.send(255, 100);
    sender.send(0, 100);
    sender.send(255, 100);
    assert.deepEqual(sent[0], fresh(v2, 40, 255, 100)[0]);
    assert.deepEqual(sent[1], fresh(v2, 41, 0, 100)[0]);
    assert.deepEqual(sent[2], fresh(v2, 42, 255, 100)[0]);
  });
});
