/**
 * @module Tests for IFLA_AF_SPEC (src/netlink/link-af.ts) and the VMAC-related requests of
 * src/netlink/link-requests.ts, against the kernel's dumps and what `ip` sent.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeLink,
  encodeMessage,
  fromHex,
  getLinkByNameRequest,
  IN6_ADDR_GEN_MODE,
  IPV4_DEVCONF,
  type Link,
  RTM,
  setAddrGenModeRequest,
  setIpv4DevconfRequest,
  splitMessages,
  toHex,
} from '../../../src/netlink/index.js';
import { command, dump, messages } from './fixture.js';

function link(name: string): Link {
  for (const m of messages(dump('links').replies)) {
    if (m.header.type !== RTM.NEWLINK) continue;
    const r = decodeLink(m);
    assert.ok(r.ok);
    if (r.value.name === name) return r.value;
  }
  throw new Error(name);
}

const devconf = (l: Link, id: number) => l.ipv4Devconf?.[id - 1];

describe('IFLA_AF_SPEC in the recorded link dump', () => {
  it('shows the sysctls written for kts0.vmac (arp_ignore, arp_filter, accept_local, rp_filter)', () => {
    const l = link('kts0.vmac');
    assert.equal(devconf(l, IPV4_DEVCONF.ARP_IGNORE), 1);
    assert.equal(devconf(l, IPV4_DEVCONF.ARPFILTER), 1);
    assert.equal(devconf(l, IPV4_DEVCONF.ACCEPT_LOCAL), 1);
    assert.equal(devconf(l, IPV4_DEVCONF.RP_FILTER), 0);
    assert.equal(devconf(link('kts0'), IPV4_DEVCONF.ARP_IGNORE), 0);
  });
  it('shows IPv6 address generation turned off on the VMAC only', () => {
    assert.equal(link('kts0.vmac').inet6?.addrGenMode, IN6_ADDR_GEN_MODE.NONE);
    assert.equal(link('kts0').inet6?.addrGenMode, IN6_ADDR_GEN_MODE.EUI64);
  });
  it('rejects an IPv4 conf blob that is not whole u32s', () => {
    const payload = `00000100 02000000 00000000 00000000 14001a00 10000200 0b000100 01000000 020000 00`;
    const m = splitMessages(encodeMessage({ type: RTM.NEWLINK, flags: 0, seq: 1 }, fromHex(payload)));
    assert.ok(m.ok && m.value[0] !== undefined);
    const r = decodeLink(m.value[0]);
    assert.equal(r.ok ? 'ok' : r.error.reason, 'attr-size');
  });
});

describe('VMAC requests', () => {
  it('setAddrGenModeRequest is what `ip link set addrgenmode none` sends', () => {
    const sent = command('link-set-addrgenmode-none').sent;
    const ip = fromHex(sent[sent.length - 1] ?? '');
    const seq = new DataView(ip.buffer).getUint32(8, true);
    assert.equal(toHex(setAddrGenModeRequest(4, IN6_ADDR_GEN_MODE.NONE, seq)), toHex(ip));
  });
  it('getLinkByNameRequest is the lookup `ip` sends before acting on a name', () => {
    const ip = fromHex(command('link-set-addrgenmode-none').sent[1] ?? '');
    const seq = new DataView(ip.buffer).getUint32(8, true);
    assert.equal(toHex(getLinkByNameRequest('kts0.vmac', seq)), toHex(ip));
  });
  it('setIpv4DevconfRequest nests {id: u32} under AF_SPEC / AF_INET / IFLA_INET_CONF', () => {
    const b = setIpv4DevconfRequest(
      4,
      new Map([
        [IPV4_DEVCONF.ARP_IGNORE, 1],
        [IPV4_DEVCONF.ARPFILTER, 1],
      ]),
      7,
    );
    assert.equal(
      toHex(b),
      '3c000000 1000 0500 07000000 00000000 00000000 04000000 00000000 00000000 1c001a00 18000200 14000100 08001300 01000000 08000d00 01000000'.replace(
        /\s+/g,
        '',
      ),
    );
  });
  it('asserts devconf ids and values', () => {
    assert.throws(() => setIpv4DevconfRequest(4, new Map([[0, 1]]), 1), RangeError);
    assert.throws(() => setIpv4DevconfRequest(4, new Map([[19, -1]]), 1), RangeError);
  });
});
