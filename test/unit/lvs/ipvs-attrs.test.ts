/**
 * The IPVS attributes keepalived 2.2.7 reads from a virtual_server / real_server block, from
 * the config to the desired kernel state and through reconcile: lvs_method TUN with its
 * tunnel options (inherited from the virtual server), uthreshold / lthreshold,
 * persistence_engine / granularity / timeout, scheduler flags; and lvs_timeouts merged over
 * the kernel's values. The kernel's view of the same configs is checked in the qemu lab
 * (test/netns/lvs-ipvs.test.ts) against keepalived 2.2.7 itself.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load.js';
import { mergeTimeouts } from '../../../src/lvs/ipvs-sync-daemon.js';
import { lvsModel, type ServiceState } from '../../../src/lvs/model.js';
import { desiredServices } from '../../../src/lvs/plan.js';
import { reconcile } from '../../../src/lvs/reconcile.js';
import { memoryFs } from '../../helpers/memory-fs.js';
import { configOf } from './load-config.js';

const services = (text: string): ServiceState[] =>
  lvsModel(configOf(text)).flatMap((v) => desiredServices(v, new Map(), true));

describe('lvs: IPVS attributes from the config', () => {
  test('lvs_method TUN options; a real server without lvs_method inherits the tunnel of its virtual server', () => {
    const [s] = services(`
virtual_server 192.0.2.6 80 {
  protocol TCP
  lvs_method TUN type gue port 6080 csum
  real_server 10.0.0.1 80 {
  }
  real_server 10.0.0.2 80 {
    lvs_method TUN type gre nocsum
  }
  real_server 10.0.0.3 80 {
    lvs_method TUN
  }
  real_server 10.0.0.4 80 {
    lvs_method TUN type gue port 6081 remcsum
  }
  real_server 10.0.0.5 80 {
    lvs_method DR
  }
}`);
    assert.deepEqual(
      s!.destinations.map((d) => [d.address, d.lbKind, d.tunnel]),
      [
        ['10.0.0.1', 'TUN', { type: 'gue', port: 6080, csum: 'csum' }],
        ['10.0.0.2', 'TUN', { type: 'gre', csum: 'nocsum' }],
        ['10.0.0.3', 'TUN', undefined],
        ['10.0.0.4', 'TUN', { type: 'gue', port: 6081, csum: 'remcsum' }],
        ['10.0.0.5', 'DR', undefined],
      ],
    );
  });
  test('bad tunnel options are configuration errors, and the tunnel is not set', () => {
    for (const bad of [
      'type gue',
      'type gue port 0',
      'type vxlan',
      'type gre remcsum',
      'type ipip csum',
      'port 5',
    ]) {
      const r = loadConfig('keepalived.conf', {
        fs: memoryFs({ '/c/keepalived.conf': `virtual_server 192.0.2.6 80 {\n  lvs_method TUN ${bad}\n}\n` }),
        configId: 't',
        cwd: '/c',
      });
      assert.ok(
        r.diagnostics.some((d) => /lvs_method TUN/.test(d.message)),
        `${bad}: ${r.diagnostics.map((d) => d.message).join('; ')}`,
      );
      assert.equal(r.config?.virtualServers[0]?.tunnel, undefined, bad);
    }
  });
  test('thresholds, persistence engine, bare persistence_timeout and granularity alone (360 s, as keepalived)', () => {
    const [a, b, c] = services(`
virtual_server 192.0.2.5 5060 {
  protocol UDP
  persistence_engine sip
  persistence_granularity 255.255.255.0
  real_server 10.0.0.9 5060 {
    uthreshold 100
    lthreshold 10
  }
}
virtual_server 192.0.2.8 80 {
  protocol TCP
  persistence_timeout
}
virtual_server 192.0.2.9 80 {
  protocol TCP
  persistence_engine sip
}`);
    assert.deepEqual(
      [a!.persistenceEngine, a!.persistenceTimeoutS, a!.persistenceGranularity],
      ['sip', 360, '255.255.255.0'],
    );
    assert.deepEqual([a!.destinations[0]!.uThreshold, a!.destinations[0]!.lThreshold], [100, 10]);
    assert.equal(b!.persistenceTimeoutS, 360);
    // An engine without a timeout does not make the service persistent.
    assert.deepEqual([c!.persistenceEngine, c!.persistenceTimeoutS], ['sip', undefined]);
  });
});

describe('lvs/reconcile: the new attributes', () => {
  const base: ServiceState = {
    match: { kind: 'address', family: 4, address: '192.0.2.6', port: 80, protocol: 'TCP' },
    scheduler: 'mh',
    schedulerFlags: ['flag-1', 'mh-port'],
    destinations: [{ family: 4, address: '10.0.0.1', port: 80, weight: 1, lbKind: 'TUN' }],
  };
  test('what the kernel reads back for the same settings needs no op', () => {
    const kernel: ServiceState = {
      ...base,
      schedulerFlags: ['mh-fallback', 'mh-port'],
      destinations: [{ ...base.destinations[0]!, tunnel: undefined }],
    };
    assert.deepEqual(reconcile([base], [kernel]), []);
    const gre = { ...base.destinations[0]!, tunnel: { type: 'gre' as const } };
    assert.deepEqual(
      reconcile(
        [{ ...base, destinations: [gre] }],
        [{ ...base, destinations: [{ ...gre, tunnel: { type: 'gre', csum: 'nocsum' } }] }],
      ),
      [],
    );
  });
  test('a full persistence mask is the kernel default (read back as none): no update loop', () => {
    const full = { ...base, persistenceTimeoutS: 99, persistenceGranularity: '255.255.255.255' };
    assert.deepEqual(reconcile([full], [{ ...base, persistenceTimeoutS: 99 }]), []);
    assert.deepEqual(
      reconcile(
        [{ ...full, persistenceGranularity: '255.255.255.0' }],
        [{ ...base, persistenceTimeoutS: 99 }],
      ).map((o) => o.op),
      ['update-service'],
    );
  });
  test('a changed engine, flag, tunnel or threshold is an update', () => {
    const d = base.destinations[0]!;
    const ops = (want: ServiceState) => reconcile([want], [base]).map((o) => o.op);
    assert.deepEqual(ops({ ...base, persistenceEngine: 'sip' }), ['update-service']);
    assert.deepEqual(ops({ ...base, schedulerFlags: ['mh-port'] }), ['update-service']);
    assert.deepEqual(ops({ ...base, destinations: [{ ...d, tunnel: { type: 'gue', port: 1 } }] }), [
      'update-dest',
    ]);
    assert.deepEqual(ops({ ...base, destinations: [{ ...d, uThreshold: 5 }] }), ['update-dest']);
    assert.deepEqual(ops({ ...base, destinations: [{ ...d, lThreshold: 5 }] }), ['update-dest']);
  });
});

describe('lvs_timeouts over the kernel values', () => {
  test('an unset timeout keeps the value the kernel had', () => {
    assert.deepEqual(mergeTimeouts({ tcp: 7200, udp: 77 }, { tcp: 1000, tcpFin: 120, udp: 300 }), {
      tcp: 7200,
      tcpFin: 120,
      udp: 77,
    });
  });
});
