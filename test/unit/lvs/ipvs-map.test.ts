/** ServiceState ⇄ IPVS genetlink values, and a round trip through the real codec. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromIpvs, toIpvsDest, toIpvsService } from '../../../src/lvs/ipvs-map.js';
import type { ServiceState } from '../../../src/lvs/model.js';
import { IP_VS_SVC_F } from '../../../src/netlink/genl-constants.js';
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
});
