/**
 * @module IPVS request builders (src/netlink/ipvs-requests.ts) against bytes written by hand
 * from include/uapi/linux/ip_vs.h and keepalived's libipvs attribute order (family id 0x20,
 * as the qemu lab's Debian kernel assigns it). This kernel has no IPVS to record from.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AF,
  delDestRequest,
  flushRequest,
  getConfigRequest,
  getDaemonsRequest,
  getDestsRequest,
  getInfoRequest,
  getServicesRequest,
  IP_VS_CONN_F,
  IP_VS_STATE,
  IP_VS_SVC_F,
  IPPROTO,
  type IpvsService,
  newDaemonRequest,
  newDestRequest,
  newServiceRequest,
  setConfigRequest,
  toHex,
  zeroRequest,
} from '../../../src/netlink/index.js';
import { v4, v6 } from './fixture.js';

const FAM = 0x20;
const h = (hex: string) => hex.replace(/\s+/g, '');

const vs: IpvsService = { af: AF.INET, protocol: IPPROTO.TCP, addr: v4('192.0.2.100'), port: 80 };
const svcNest = h(
  `30000180 06000100 0200 0000 06000200 0600 0000 14000300 c0000264 ${'00'.repeat(12)} 06000400 0050 0000`,
);

const requests = [
  {
    name: 'NEW_SERVICE tcp 192.0.2.100:80 wlc',
    build: () =>
      newServiceRequest(
        FAM,
        { ...vs, schedName: 'wlc', flags: { flags: 0, mask: 0xffffffff }, timeout: 0, netmask: 0xffffffff },
        1,
      ),
    hex: `68000000 2000 0500 01000000 00000000 01010000
          54000180 06000100 0200 0000 06000200 0600 0000 14000300 c0000264 ${'00'.repeat(12)}
          06000400 0050 0000 08000600 776c6300 0c000700 00000000 ffffffff
          08000800 00000000 08000900 ffffffff`,
  },
  {
    name: 'NEW_SERVICE fwmark 7, IPv6, rr, persistent 300 s, /128',
    build: () =>
      newServiceRequest(
        FAM,
        {
          af: AF.INET6,
          fwmark: 7,
          schedName: 'rr',
          flags: { flags: IP_VS_SVC_F.PERSISTENT, mask: 0xffffffff },
          timeout: 300,
          netmask: 128,
        },
        2,
      ),
    hex: `4c000000 2000 0500 02000000 00000000 01010000
          38000180 06000100 0a00 0000 08000500 07000000 07000600 727200 00
          0c000700 01000000 ffffffff 08000800 2c010000 08000900 80000000`,
  },
  {
    name: 'NEW_SERVICE persistence granularity 255.255.255.0 in network order',
    build: () => newServiceRequest(FAM, { af: AF.INET, fwmark: 1, netmask: 0xffffff00 }, 3),
    hex: `30000000 2000 0500 03000000 00000000 01010000
          1c000180 06000100 0200 0000 08000500 01000000 08000900 ffffff00`,
  },
  {
    name: 'NEW_DEST 10.0.0.1:8080 masq weight 1',
    build: () =>
      newDestRequest(
        FAM,
        vs,
        {
          af: AF.INET,
          addr: v4('10.0.0.1'),
          port: 8080,
          fwdMethod: IP_VS_CONN_F.MASQ,
          weight: 1,
          uThreshold: 0,
          lThreshold: 0,
        },
        4,
      ),
    hex: `8c000000 2000 0500 04000000 00000000 05010000 ${svcNest}
          48000280 06000b00 0200 0000 14000100 0a000001 ${'00'.repeat(12)} 06000200 1f90 0000
          08000300 00000000 08000400 01000000 08000500 00000000 08000600 00000000`,
  },
  {
    name: 'NEW_DEST tunnel GUE port 6080 with checksum',
    build: () =>
      newDestRequest(
        FAM,
        vs,
        {
          af: AF.INET,
          addr: v4('10.0.0.2'),
          port: 80,
          fwdMethod: IP_VS_CONN_F.TUNNEL,
          weight: 3,
          tunType: 1,
          tunPort: 6080,
          tunFlags: 1,
        },
        5,
      ),
    hex: `94000000 2000 0500 05000000 00000000 05010000 ${svcNest}
          50000280 06000b00 0200 0000 14000100 0a000002 ${'00'.repeat(12)} 06000200 0050 0000
          08000300 02000000 08000400 03000000 05000d00 01000000 06000e00 17c0 0000 06000f00 0100 0000`,
  },
  {
    name: 'DEL_DEST IPv6',
    build: () =>
      delDestRequest(
        FAM,
        { af: AF.INET6, fwmark: 9 },
        { af: AF.INET6, addr: v6('20010db8000000000000000000000002'), port: 0 },
        6,
      ),
    hex: `50000000 2000 0500 06000000 00000000 07010000 14000180 06000100 0a00 0000 08000500 09000000
          28000280 06000b00 0a00 0000 14000100 20010db8000000000000000000000002 06000200 0000 0000`,
  },
  {
    name: 'GET_SERVICE dump',
    build: () => getServicesRequest(FAM, 7),
    hex: '14000000 2000 0103 07000000 00000000 04010000',
  },
  {
    name: 'GET_DEST dump of a service',
    build: () => getDestsRequest(FAM, vs, 8),
    hex: `44000000 2000 0103 08000000 00000000 08010000 ${svcNest}`,
  },
  {
    name: 'GET_INFO',
    build: () => getInfoRequest(FAM, 9),
    hex: '14000000 2000 0500 09000000 00000000 0f010000',
  },
  {
    name: 'GET_CONFIG',
    build: () => getConfigRequest(FAM, 10),
    hex: '14000000 2000 0500 0a000000 00000000 0d010000',
  },
  {
    name: 'SET_CONFIG timeouts tcp 900 tcpfin 120 udp 300',
    build: () => setConfigRequest(FAM, { tcp: 900, tcpFin: 120, udp: 300 }, 11),
    hex: `2c000000 2000 0500 0b000000 00000000 0c010000 08000400 84030000 08000500 78000000 08000600 2c010000`,
  },
  {
    name: 'NEW_DAEMON master on eth0 syncid 5',
    build: () => newDaemonRequest(FAM, { state: IP_VS_STATE.MASTER, mcastIfn: 'eth0', syncId: 5 }, 12),
    hex: `34000000 2000 0500 0c000000 00000000 09010000
          20000380 08000100 01000000 09000200 65746830 00000000 08000300 05000000`,
  },
  {
    name: 'NEW_DAEMON backup with IPv4 group, port, ttl',
    build: () =>
      newDaemonRequest(
        FAM,
        {
          state: IP_VS_STATE.BACKUP,
          mcastIfn: 'eth0',
          syncId: 1,
          mcastPort: 8848,
          mcastTtl: 2,
          mcastGroup: v4('224.0.0.81'),
        },
        13,
      ),
    hex: `4c000000 2000 0500 0d000000 00000000 09010000
          38000380 08000100 02000000 09000200 65746830 00000000 08000300 01000000
          06000700 9022 0000 05000800 02000000 08000500 e0000051`,
  },
  {
    name: 'GET_DAEMON dump',
    build: () => getDaemonsRequest(FAM, 14),
    hex: '14000000 2000 0103 0e000000 00000000 0b010000',
  },
  {
    name: 'ZERO all',
    build: () => zeroRequest(FAM, undefined, 15),
    hex: '14000000 2000 0500 0f000000 00000000 10010000',
  },
  {
    name: 'ZERO one service',
    build: () => zeroRequest(FAM, vs, 16),
    hex: `44000000 2000 0500 10000000 00000000 10010000 ${svcNest}`,
  },
  { name: 'FLUSH', build: () => flushRequest(FAM, 17), hex: '14000000 2000 0500 11000000 00000000 11010000' },
];

describe('IPVS requests match ip_vs.h layouts and libipvs order', () => {
  for (const t of requests) {
    it(t.name, () => assert.equal(toHex(t.build()), h(t.hex)));
  }
});
