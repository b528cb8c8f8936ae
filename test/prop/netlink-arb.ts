/**
 * @module fast-check arbitraries for the netlink domain values (links, addresses, routes,
 * rules, IPVS messages). Optional fields are generated absent, never `undefined`, so that
 * decode(encode(x)) can be compared with deepEqual.
 */

import fc from 'fast-check';
import {
  type Address,
  AF,
  IPVS_CMD,
  type IpvsDaemon,
  type IpvsDest,
  type IpvsMessage,
  type IpvsService,
  type IpvsStats,
  type Link,
  type Route,
  type Rule,
} from '../../src/netlink/index.js';

export const RUNS = { numRuns: 10_000 };

/** fc.record with ordinary prototypes, so deepStrictEqual compares decoded values with it. */
export function rec<T>(
  model: { [K in keyof T]: fc.Arbitrary<T[K]> },
  constraints: { requiredKeys?: (keyof T)[] } = {},
): fc.Arbitrary<T> {
  return fc.record(model, { ...constraints, noNullPrototype: true } as {
    requiredKeys: (keyof T)[];
  }) as fc.Arbitrary<T>;
}

export const u8 = fc.integer({ min: 0, max: 0xff });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u32 = fc.integer({ min: 0, max: 0xffffffff });
export const s32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
export const u64 = fc.bigInt({ min: 0n, max: 0xffffffffffffffffn });
export const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
/** Printable ASCII without NUL, as interface names and labels are. */
export const name = (max: number) => fc.string({ maxLength: max });

const family = fc.constantFrom(AF.INET, AF.INET6);
const sizeOf = (f: number) => (f === AF.INET ? 4 : 16);

export const address: fc.Arbitrary<Address> = family.chain((f) =>
  rec(
    {
      family: fc.constant(f),
      ifindex: u32,
      prefixLen: fc.integer({ min: 0, max: sizeOf(f) * 8 }),
      scope: u8,
      flags: u32,
      local: bytes(sizeOf(f)),
      address: bytes(sizeOf(f)),
      label: name(15),
      broadcast: bytes(4),
      rtPriority: u32,
      proto: u8,
    },
    { requiredKeys: ['family', 'ifindex', 'prefixLen', 'scope', 'flags'] },
  ),
);

const metrics = rec(
  {
    mtu: u32,
    advmss: u32,
    rtt: u32,
    window: u32,
    hoplimit: u32,
    initcwnd: u32,
    lock: u32,
    congctl: name(15),
  },
  { requiredKeys: [] },
);

const via = family.chain((f) => rec({ family: fc.constant(f), addr: bytes(sizeOf(f)) }));
const encap = rec({ type: u16, data: fc.uint8Array({ maxLength: 40 }) });

export const route: fc.Arbitrary<Route> = family.chain((f) => {
  const addr = bytes(sizeOf(f));
  const nexthop = rec(
    { ifindex: s32, flags: u8, weight: fc.integer({ min: 1, max: 256 }), gateway: addr, via, realm: u32 },
    { requiredKeys: ['ifindex', 'flags', 'weight'] },
  );
  return rec(
    {
      family: fc.constant(f),
      dstLen: fc.integer({ min: 0, max: sizeOf(f) * 8 }),
      srcLen: fc.integer({ min: 0, max: sizeOf(f) * 8 }),
      tos: u8,
      table: u32,
      protocol: u8,
      scope: u8,
      type: u8,
      flags: u32,
      dst: addr,
      src: addr,
      gateway: addr,
      prefsrc: addr,
      oif: u32,
      iif: u32,
      priority: u32,
      mark: u32,
      realm: u32,
      pref: u8,
      expires: u32,
      uid: u32,
      metrics,
      multipath: fc.array(nexthop, { maxLength: 4 }),
      via,
      encap,
    },
    { requiredKeys: ['family', 'dstLen', 'srcLen', 'tos', 'table', 'protocol', 'scope', 'type', 'flags'] },
  );
});

export const rule: fc.Arbitrary<Rule> = family.chain((f) => {
  const range = (max: number) =>
    rec({ start: fc.integer({ min: 0, max }), end: fc.integer({ min: 0, max }) });
  return rec(
    {
      family: fc.constant(f),
      dstLen: fc.integer({ min: 0, max: sizeOf(f) * 8 }),
      srcLen: fc.integer({ min: 0, max: sizeOf(f) * 8 }),
      tos: u8,
      table: u32,
      action: u8,
      flags: u32,
      priority: u32,
      dst: bytes(sizeOf(f)),
      src: bytes(sizeOf(f)),
      iifname: name(15),
      oifname: name(15),
      fwmark: u32,
      fwmask: u32,
      goto: u32,
      realm: u32,
      suppressPrefixLen: u32,
      suppressIfgroup: u32,
      l3mdev: u8,
      uidRange: range(0xffffffff),
      ipProto: u8,
      sportRange: range(0xffff),
      dportRange: range(0xffff),
      protocol: u8,
    },
    { requiredKeys: ['family', 'dstLen', 'srcLen', 'tos', 'table', 'action', 'flags'] },
  );
});

const macvlanInfo = rec(
  { kind: fc.constant('macvlan'), macvlanMode: u32, macvlanFlags: u16 },
  { requiredKeys: ['kind'] },
);
const otherInfo = rec({ kind: name(15).filter((k) => k !== 'macvlan') });

export const link: fc.Arbitrary<Link> = rec(
  {
    family: u8,
    type: u16,
    ifindex: s32,
    flags: u32,
    change: u32,
    name: name(15),
    address: fc.uint8Array({ maxLength: 32 }),
    broadcast: fc.uint8Array({ maxLength: 32 }),
    mtu: u32,
    parent: u32,
    master: u32,
    operstate: u8,
    carrier: u8,
    txqlen: u32,
    info: fc.oneof(macvlanInfo, otherInfo),
    ipv4Devconf: fc.array(u32, { maxLength: 40 }),
    inet6: rec({ flags: u32, addrGenMode: u8 }, { requiredKeys: [] }),
  },
  { requiredKeys: ['family', 'type', 'ifindex', 'flags', 'change'] },
);

const statsKeys = [
  'conns',
  'inpkts',
  'outpkts',
  'inbytes',
  'outbytes',
  'cps',
  'inpps',
  'outpps',
  'inbps',
  'outbps',
] as const;
const stats = fc
  .tuple(...statsKeys.map(() => u64))
  .map((v) => Object.fromEntries(statsKeys.map((k, i) => [k, v[i]])) as IpvsStats);

const service: fc.Arbitrary<IpvsService> = family.chain((f) =>
  rec(
    {
      af: fc.constant(f),
      protocol: u16,
      addr: bytes(sizeOf(f)),
      port: u16,
      fwmark: u32,
      schedName: name(15),
      peName: name(15),
      flags: rec({ flags: u32, mask: u32 }),
      timeout: u32,
      netmask: u32,
      stats,
    },
    { requiredKeys: ['af'] },
  ),
);

const dest: fc.Arbitrary<IpvsDest> = family.chain((f) =>
  rec(
    {
      af: fc.constant(f),
      addr: bytes(sizeOf(f)),
      port: u16,
      fwdMethod: u32,
      weight: s32,
      uThreshold: u32,
      lThreshold: u32,
      tunType: u8,
      tunPort: u16,
      tunFlags: u16,
      activeConns: u32,
      inactConns: u32,
      persistConns: u32,
      stats,
    },
    { requiredKeys: ['af', 'addr', 'port'] },
  ),
);

const daemon: fc.Arbitrary<IpvsDaemon> = rec(
  {
    state: u32,
    mcastIfn: name(15),
    syncId: u32,
    syncMaxlen: u16,
    mcastPort: u16,
    mcastTtl: u8,
    mcastGroup: fc.oneof(bytes(4), bytes(16)),
  },
  { requiredKeys: ['state'] },
);

const nonInfoCmd = fc
  .integer({ min: 1, max: 17 })
  .filter((c) => c !== IPVS_CMD.SET_INFO && c !== IPVS_CMD.GET_INFO);

export const ipvsMessage: fc.Arbitrary<IpvsMessage> = fc.oneof(
  rec(
    {
      cmd: nonInfoCmd,
      service,
      dest,
      daemon,
      timeouts: rec({ tcp: u32, tcpFin: u32, udp: u32 }, { requiredKeys: ['tcp'] }),
    },
    { requiredKeys: ['cmd'] },
  ),
  rec({
    cmd: fc.constantFrom(IPVS_CMD.SET_INFO, IPVS_CMD.GET_INFO),
    info: rec({ version: u32, connTabSize: u32 }, { requiredKeys: [] }),
  }),
);
