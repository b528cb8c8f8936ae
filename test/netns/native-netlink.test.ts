/**
 * NETLINK_ROUTE sockets inside a fresh namespace: an RTM_GETLINK dump request,
 * built by hand (nlmsghdr + ifinfomsg), is answered with RTM_NEWLINK messages and
 * NLMSG_DONE; a request for a missing ifindex gets NLMSG_ERROR -ENODEV; a socket
 * that joined RTNLGRP_LINK hears about a link created afterwards.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { ip, Lab, labUnavailable } from './native-harness.js';

const unavailable = labUnavailable();
const lab = new Lab('nnl');
let ns: string;

const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const NLMSG_ERROR = 2;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_DUMP = 0x300;
const IFLA_IFNAME = 3;
const RTNLGRP_LINK = 1;
const GENL_ID_CTRL = 0x10;
const CTRL_CMD_GETFAMILY = 3;
const CTRL_ATTR_FAMILY_NAME = 2;

/** nlmsghdr (16 bytes) + ifinfomsg (16 bytes), little-endian host order. */
function getlink(flags: number, seq: number, ifindex = 0): string {
  const b = Buffer.alloc(32);
  b.writeUInt32LE(32, 0);
  b.writeUInt16LE(RTM_GETLINK, 4);
  b.writeUInt16LE(flags, 6);
  b.writeUInt32LE(seq, 8);
  b.writeInt32LE(ifindex, 20);
  return b.toString('hex');
}

interface Msg {
  type: number;
  seq: number;
  body: Buffer;
}

function split(datagramHex: string): Msg[] {
  const d = Buffer.from(datagramHex, 'hex');
  const out: Msg[] = [];
  for (let off = 0; off + 16 <= d.length; ) {
    const len = d.readUInt32LE(off);
    if (len < 16 || off + len > d.length) break;
    out.push({
      type: d.readUInt16LE(off + 4),
      seq: d.readUInt32LE(off + 8),
      body: d.subarray(off + 16, off + len),
    });
    off += (len + 3) & ~3;
  }
  return out;
}

/** A NUL-terminated string attribute of type `type`, attributes starting at `start`. */
function stringAttr(body: Buffer, start: number, type: number): string | null {
  for (let off = start; off + 4 <= body.length; ) {
    const len = body.readUInt16LE(off);
    if (len < 4) break;
    if (body.readUInt16LE(off + 2) === type) return body.subarray(off + 4, off + len - 1).toString();
    off += (len + 3) & ~3;
  }
  return null;
}

/** IFLA_IFNAME of an RTM_NEWLINK body (ifinfomsg is 16 bytes, then attributes). */
function ifname(body: Buffer): string | null {
  return stringAttr(body, 16, IFLA_IFNAME);
}

/** nlmsghdr + genlmsghdr {cmd, version 1}: a generic netlink controller request. */
function genlCtrl(flags: number, seq: number): string {
  const b = Buffer.alloc(20);
  b.writeUInt32LE(20, 0);
  b.writeUInt16LE(GENL_ID_CTRL, 4);
  b.writeUInt16LE(flags, 6);
  b.writeUInt32LE(seq, 8);
  b.writeUInt8(CTRL_CMD_GETFAMILY, 16);
  b.writeUInt8(1, 17);
  return b.toString('hex');
}

describe('netlink sockets in a namespace', { skip: unavailable ?? false }, () => {
  before(() => {
    ns = lab.namespace();
  });
  after(() => lab.cleanup());

  test('RTM_GETLINK dump is answered with RTM_NEWLINK messages and NLMSG_DONE', async () => {
    const a = lab.ifname('x');
    ip('-n', ns, 'link', 'add', a, 'type', 'veth', 'peer', 'name', `${a}p`);
    const peer = lab.peer(ns, 'netlink-request', { request: getlink(NLM_F_REQUEST | NLM_F_DUMP, 4242) });
    await peer.waitFor((e) => e.event === 'done');
    const msgs = peer.events.filter((e) => e.event === 'message').flatMap((e) => split(String(e['data'])));
    const links = msgs.filter((m) => m.type === RTM_NEWLINK);
    assert.ok(
      msgs.every((m) => m.seq === 4242),
      'replies echo the sequence number',
    );
    assert.deepEqual(links.map((m) => ifname(m.body)).sort(), ['lo', a, `${a}p`].sort());
    assert.equal(msgs.at(-1)?.type, 3, 'NLMSG_DONE ends the dump');
    assert.equal(await peer.exited, 0);
  });

  test('a request for a missing link gets NLMSG_ERROR with -ENODEV', async () => {
    const peer = lab.peer(ns, 'netlink-request', {
      request: getlink(NLM_F_REQUEST | NLM_F_ACK, 7, 999999),
      extAck: true,
    });
    await peer.waitFor((e) => e.event === 'done');
    const err = peer.events.filter((e) => e.event === 'message').flatMap((e) => split(String(e['data'])))[0];
    assert.equal(err?.type, NLMSG_ERROR);
    assert.equal(err?.body.readInt32LE(0), -19, 'ENODEV');
  });

  test('NETLINK_GENERIC: the controller family dump lists nlctrl', async () => {
    const peer = lab.peer(ns, 'netlink-request', {
      protocol: 'generic',
      request: genlCtrl(NLM_F_REQUEST | NLM_F_DUMP, 99),
    });
    await peer.waitFor((e) => e.event === 'done');
    const msgs = peer.events.filter((e) => e.event === 'message').flatMap((e) => split(String(e['data'])));
    const names = msgs
      .filter((m) => m.type === GENL_ID_CTRL)
      .map((m) => stringAttr(m.body, 4, CTRL_ATTR_FAMILY_NAME));
    assert.ok(names.includes('nlctrl'), `families: ${names.join(', ')}`);
  });

  test('an overrun multicast queue surfaces as an ENOBUFS error event, then reading goes on', async () => {
    const peer = lab.peer(ns, 'netlink-listen', {
      groups: [RTNLGRP_LINK],
      count: 1000,
      rcvbuf: 1,
      pauseMs: 1500,
    });
    await peer.waitFor((e) => e.event === 'ready');
    const base = lab.ifname('o');
    const batch = Array.from(
      { length: 20 },
      (_, i) => `link add ${base}${i} type veth peer name ${base}${i}p`,
    );
    execFileSync('ip', ['-n', ns, '-batch', '-'], { input: `${batch.join('\n')}\n` });
    const err = await peer.waitFor((e) => e.event === 'error', 5000);
    assert.equal(err['code'], 'ENOBUFS');
    assert.equal(err['name'], 'ErrnoError');
    assert.equal(err['overrun'], true);
    const errorAt = peer.events.indexOf(err);
    // The tiny queue may overrun again; any notification for the new pair proves reading went on.
    const late = lab.ifname('l');
    ip('-n', ns, 'link', 'add', late, 'type', 'veth', 'peer', 'name', `${late}p`);
    await peer.waitFor(
      (e) =>
        peer.events.indexOf(e) > errorAt &&
        e.event === 'message' &&
        split(String(e['data'])).some((m) => [late, `${late}p`].includes(ifname(m.body) ?? '')),
    );
  });

  test('RTNLGRP_LINK membership delivers a notification for a new link', async () => {
    const peer = lab.peer(ns, 'netlink-listen', { groups: [RTNLGRP_LINK], count: 1 });
    await peer.waitFor((e) => e.event === 'ready');
    const b = lab.ifname('n');
    ip('-n', ns, 'link', 'add', b, 'type', 'veth', 'peer', 'name', `${b}p`);
    const msg = await peer.waitFor((e) => e.event === 'message');
    const first = split(String(msg['data']))[0];
    assert.equal(first?.type, RTM_NEWLINK);
    assert.ok([b, `${b}p`].includes(ifname(first!.body) ?? ''), 'names one end of the new pair');
    assert.equal(msg['pid'], 0, 'sent by the kernel');
    assert.equal(msg['groups'], 1 << (RTNLGRP_LINK - 1), 'nl_groups of the notification');
  });
});
