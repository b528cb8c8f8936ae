/** ServiceState ⇄ IPVS genetlink values, and a round trip through the real codec. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromIpvs, toIpvsDest, toIpvsService } from '../../../src/lvs/ipvs-map.js';
import type { Destination, ServiceState } from '../../../src/lvs/model.js';
import { IP_VS_SVC_F, IP_VS_TUNNEL_FLAG, IP_VS_TUNNEL_TYPE } from '../../../src/netlink/genl-constants.js';
import { decodeIpvs, encodeIpvs } from '../../../src/netlink/ipvs.js';
import { splitMessages } from '../../../src/netlink/message.js';

const svc: ServiceState = {
  match: { kind: 'address', family: 4, address: '192.0.2.10', port: 80, protocol: 'TCP' },
  scheduler: 'sh',
  schedulerFlags: ['sh-port'],
  persistenceTimeoutS: 300,
  persistenceGranularity: '255.255.255.0',
  destinations: [
    { family: 4, address: '198.51.100.1', port: 8080, weight: 3, lbKind: 'NAT' },
    { family: 4, address: '198.51.100.2', port: 8080, weight: 0, lbKind: 'DR' },
  ],
};

describe('lvs/ipvs-map', () => {
  test('service: protocol, scheduler flags, persistence and netmask as ipvsadm sends them', () => {
    const s = toIpvsService(svc);
    assert.equal(s.af, 2);
    assert.equal(s.protocol, 6);
    assert.deepEqual([...s.addr!], [192, 0, 2, 10]);
    assert.equal(s.schedName, 'sh');
    assert.equal(s.flags!.flags, IP_VS_SVC_F.PERSISTENT | IP_VS_SVC_F.SCHED_SH_PORT);
    assert.equal(s.timeout, 300);
    assert.equal(s.netmask, 0xffffff00);
    assert.equal(toIpvsDest(svc.destinations[1]!).fwdMethod, 3);
  });
  test('round trip through the genetlink codec gives the same ServiceState', () => {
    const wire = (m: Parameters<typeof encodeIpvs>[1]) => {
      const bytes = encodeIpvs(32, m, { flags: 0, seq: 1 });
      const msgs = splitMessages(bytes);
      assert.ok(msgs.ok);
      const d = decodeIpvs(msgs.value[0]!);
      assert.ok(d.ok);
      return d.value;
    };
    const back = wire({ cmd: 1, service: toIpvsService(svc) }).service!;
    const dests = svc.destinations.map(
      (d) => wire({ cmd: 5, service: toIpvsService(svc), dest: toIpvsDest(d) }).dest!,
    );
    assert.deepEqual(fromIpvs(back, dests), svc);
  });
  test('IPv6 fwmark service', () => {
    const v6: ServiceState = {
      ...svc,
      match: { kind: 'fwmark', family: 6, fwmark: 5 },
      scheduler: 'wlc',
      schedulerFlags: [],
      persistenceGranularity: '64',
      destinations: [],
    };
    const s = toIpvsService(v6);
    assert.deepEqual([s.af, s.fwmark, s.netmask], [10, 5, 64]);
    assert.deepEqual(fromIpvs(s, []), v6);
  });
  test('TUN destinations: tunnel type, GUE port and checksum flag as keepalived 2.2.7 sends them', () => {
    const tun = (tunnel?: Destination['tunnel']): Destination => ({
      family: 4,
      address: '10.0.0.1',
      port: 80,
      weight: 1,
      lbKind: 'TUN',
      ...(tunnel ? { tunnel } : {}),
    });
    const pick = (d: Destination) => {
      const w = toIpvsDest(d);
      return [w.tunType, w.tunPort, w.tunFlags];
    };
    assert.deepEqual(pick(tun()), [IP_VS_TUNNEL_TYPE.IPIP, undefined, undefined]);
    assert.deepEqual(pick(tun({ type: 'gue', port: 6080, csum: 'csum' })), [
      IP_VS_TUNNEL_TYPE.GUE,
      6080,
      IP_VS_TUNNEL_FLAG.CSUM,
    ]);
    // remcsum alone (not remcsum|csum); gre has no port; nocsum is 0.
    assert.deepEqual(pick(tun({ type: 'gue', port: 1, csum: 'remcsum' }))[2], IP_VS_TUNNEL_FLAG.REMCSUM);
    assert.deepEqual(pick(tun({ type: 'gre' })), [
      IP_VS_TUNNEL_TYPE.GRE,
      undefined,
      IP_VS_TUNNEL_FLAG.NOCSUM,
    ]);
    // Not a tunnel: no tunnel attributes at all.
    assert.deepEqual(pick({ ...tun({ type: 'gre' }), lbKind: 'DR' }), [undefined, undefined, undefined]);
  });
  test('persistence engine, thresholds, tunnels and flag-N survive the codec round trip', () => {
    const s: ServiceState = {
      match: { kind: 'address', family: 4, address: '192.0.2.5', port: 5060, protocol: 'UDP' },
      scheduler: 'wrr',
      schedulerFlags: ['flag-2', 'flag-3'],
      persistenceTimeoutS: 360,
      persistenceGranularity: '255.255.0.0',
      persistenceEngine: 'sip',
      destinations: [
        {
          family: 4,
          address: '10.0.0.1',
          port: 5060,
          weight: 2,
          lbKind: 'TUN',
          uThreshold: 100,
          lThreshold: 10,
        },
        {
          family: 4,
          address: '10.0.0.2',
          port: 5060,
          weight: 1,
          lbKind: 'TUN',
          tunnel: { type: 'gue', port: 6081, csum: 'remcsum' },
        },
        {
          family: 4,
          address: '10.0.0.3',
          port: 5060,
          weight: 1,
          lbKind: 'TUN',
          tunnel: { type: 'gre', csum: 'nocsum' },
        },
      ],
    };
    const wire = (m: Parameters<typeof encodeIpvs>[1]) => {
      const msgs = splitMessages(encodeIpvs(32, m, { flags: 0, seq: 1 }));
      assert.ok(msgs.ok);
      const d = decodeIpvs(msgs.value[0]!);
      assert.ok(d.ok);
      return d.value;
    };
    const back = wire({ cmd: 1, service: toIpvsService(s) }).service!;
    assert.equal(back.peName, 'sip');
    assert.equal(back.flags!.flags, IP_VS_SVC_F.PERSISTENT | IP_VS_SVC_F.SCHED2 | IP_VS_SVC_F.SCHED3);
    const dests = s.destinations.map(
      (d) => wire({ cmd: 5, service: toIpvsService(s), dest: toIpvsDest(d) }).dest!,
    );
    assert.deepEqual(fromIpvs(back, dests), s);
  });
  test('read back, sh/mh flags take the scheduler-specific names ipvsadm prints', () => {
    const mh = toIpvsService({ ...svc, scheduler: 'mh', schedulerFlags: ['flag-1', 'mh-port'] });
    assert.deepEqual(fromIpvs(mh, [])!.schedulerFlags, ['mh-fallback', 'mh-port']);
  });
});
