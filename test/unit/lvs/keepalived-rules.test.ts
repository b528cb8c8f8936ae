/**
 * keepalived 2.2.7's rules between the config and the kernel (validate_check_config),
 * each checked against `keepalived -t` on the reference machine and, for what reaches
 * IPVS, against keepalived -C in the qemu lab (lvs-ipvs-guest.ts 'rules' section):
 * - no `protocol`: UDP for a service served by address (reported), none for fwmarks;
 * - DR/TUN real and sorry servers take the service's port, or 0 under a fwmark (in a
 *   group: each entry's); a NAT real server without a port takes the service's;
 * - `ops` reaches IPVS as IP_VS_SVC_F_ONEPACKET, dropped for TCP/SCTP services.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load.js';
import { fromIpvs, toIpvsService } from '../../../src/lvs/ipvs-map.js';
import { kernelPort, lvsModel } from '../../../src/lvs/model.js';
import { desiredServices } from '../../../src/lvs/plan.js';
import { reconcile } from '../../../src/lvs/reconcile.js';
import { IP_VS_SVC_F } from '../../../src/netlink/genl-constants.js';
import { memoryFs } from '../../helpers/memory-fs.js';
import { configOf } from './load-config.js';

function messages(text: string): string[] {
  const r = loadConfig('keepalived.conf', {
    fs: memoryFs({ '/c/keepalived.conf': text }),
    configId: 't',
    cwd: '/c',
    env: {
      interfaceExists: () => true,
      userExists: () => true,
      findScript: (c) => ({ found: true, path: c, secure: true }),
      resolvable: () => true,
      isRoot: () => true,
    },
  });
  return r.diagnostics.map((d) => d.message).sort();
}

const CONF = `
virtual_server_group G1 {
  10.0.0.5 80
  fwmark 3
}
virtual_server_group G2 {
  fwmark 4
}
virtual_server 10.0.0.1 80 {
  lb_algo rr
  lb_kind DR
  real_server 10.0.1.1 8080 {
    weight 1
  }
  real_server 10.0.1.2 {
    weight 1
  }
  real_server 10.0.1.3 8081 {
    lvs_method NAT
  }
  real_server 10.0.1.4 {
    lvs_method NAT
  }
}
virtual_server fwmark 5 {
  lb_algo rr
  lb_kind DR
  protocol TCP
  real_server 10.0.1.1 8080 {
    weight 1
  }
  real_server 10.0.1.3 8081 {
    lvs_method NAT
  }
  sorry_server 10.0.1.9 8082
}
virtual_server 10.0.0.2 53 {
  lb_algo rr
  lb_kind TUN
  ops
  real_server 10.0.1.1 5353 {
    weight 1
  }
  sorry_server 10.0.1.9 5354
}
virtual_server 10.0.0.3 53 {
  lb_algo rr
  lb_kind NAT
  protocol tcp
  ops
  real_server 10.0.1.1 {
    weight 1
  }
}
virtual_server group G1 {
  lb_algo rr
  lb_kind DR
  real_server 10.0.1.1 8080 {
    weight 1
  }
}
virtual_server group G2 {
  lb_algo rr
  lb_kind DR
  protocol UDP
  ops
  real_server 10.0.1.1 8080 {
    weight 1
  }
}
`;

describe('lvs: keepalived 2.2.7 protocol, port and ops rules', () => {
  const specs = lvsModel(configOf(CONF));
  const services = specs.flatMap((v) => desiredServices(v, new Map(), true));
  const svc = (key: string) =>
    services.find((s) =>
      s.match.kind === 'fwmark'
        ? `FWM ${s.match.fwmark}` === key
        : `${s.match.address}:${s.match.port}` === key,
    )!;
  const dests = (key: string) => svc(key).destinations.map((d) => `${d.address}:${d.port}`);

  test('keepalived -t wording for every rule (the lines keepalived 2.2.7 prints for this config)', () => {
    assert.deepEqual(messages(CONF), [
      'Virtual server [10.0.0.1]:none:80: no protocol set - defaulting to UDP',
      'Virtual server [10.0.0.2]:none:53: no protocol set - defaulting to UDP',
      'Virtual server [10.0.0.3]:tcp:53: one packet scheduling requires UDP - resetting',
      'Virtual server [G1]:0: no protocol set - defaulting to UDP',
      'WARNING - fwmark virtual server FWM 5, real server [10.0.1.1]:none:8080 has port specified - clearing',
      'WARNING - fwmark virtual server [G1]:0, real server [10.0.1.1]:udp:8080 has port specified - port will be ignored',
      'WARNING - fwmark virtual server [G2]:0, real server [10.0.1.1]:none:8080 has port specified - port will be ignored',
      'WARNING - virtual server FWM 5, sorry server has port specified - clearing',
      "WARNING - virtual server [10.0.0.1]:udp:80 and real server [10.0.1.1]:udp:8080 ports don't match - resetting",
      "WARNING - virtual server [10.0.0.2]:udp:53 and real server [10.0.1.1]:udp:5353 ports don't match - resetting",
      "WARNING - virtual server [10.0.0.2]:udp:53 and sorry server ports don't match - resetting",
      'Warning: Virtual server FWM 5: protocol specified for fwmark - protocol will be ignored',
      'Warning: Virtual server [G2]:0: protocol specified for fwmark - protocol will be ignored',
      "virtual server [G1]:0:[10.0.0.5,80] and real server [10.0.1.1]:udp:8080 ports don't match",
    ]);
  });

  test('no protocol: UDP for address services and group ranges; the protocol word is case-blind', () => {
    assert.deepEqual(
      services.flatMap((s) => (s.match.kind === 'address' ? [`${s.match.address}/${s.match.protocol}`] : [])),
      ['10.0.0.1/UDP', '10.0.0.2/UDP', '10.0.0.3/TCP', '10.0.0.5/UDP'],
    );
  });

  test('DR/TUN real servers take the service port (group: the entry port); NAT ones without a port too; fwmark clears DR ports', () => {
    assert.deepEqual(dests('10.0.0.1:80'), ['10.0.1.1:80', '10.0.1.2:80', '10.0.1.3:8081', '10.0.1.4:80']);
    assert.deepEqual(dests('FWM 5'), ['10.0.1.1:0', '10.0.1.3:8081']);
    // A group's DR/TUN servers: each entry's port (fwmark entries 0), seen in keepalived -C's listing.
    assert.deepEqual(dests('10.0.0.5:80'), ['10.0.1.1:80']);
    assert.deepEqual(dests('FWM 3'), ['10.0.1.1:0']);
    assert.deepEqual(dests('FWM 4'), ['10.0.1.1:0']);
  });

  test('sorry servers: the same rule when routed (shown with quorum lost)', () => {
    const tun = specs.find((v) => v.id === '10.0.0.2:53')!;
    const fwm = specs.find((v) => v.id === 'FWM 5')!;
    assert.equal(tun.sorry?.port, 53);
    assert.equal(fwm.sorry?.port, 0);
    assert.deepEqual(
      desiredServices(tun, new Map([['10.0.1.1:5353', { up: false, weight: 1 }]]), false)[0]!.destinations,
      [{ family: 4, address: '10.0.1.9', port: 53, weight: 1, lbKind: 'TUN' }],
    );
  });

  test('kernelPort: the rule alone', () => {
    const addr = { kind: 'address', port: 80 } as const;
    assert.deepEqual(
      [
        kernelPort(addr, 'DR', 8080),
        kernelPort(addr, 'TUN', 0),
        kernelPort(addr, 'NAT', 0),
        kernelPort(addr, 'NAT', 8080),
        kernelPort(addr, 'NAT', 0, true),
        kernelPort({ kind: 'fwmark' }, 'DR', 8080),
        kernelPort({ kind: 'fwmark' }, 'NAT', 8080),
        kernelPort({ kind: 'group' }, 'DR', 8080),
      ],
      [80, 80, 80, 8080, 0, 0, 8080, 8080],
    );
  });

  test('ops: kept for UDP and fwmark services, dropped for TCP; IP_VS_SVC_F_ONEPACKET both ways', () => {
    assert.deepEqual(
      ['10.0.0.2:53', '10.0.0.3:53', 'FWM 4', '10.0.0.1:80'].map((k) => svc(k).onePacket ?? false),
      [true, false, true, false],
    );
    const wire = toIpvsService(svc('10.0.0.2:53'));
    assert.equal(wire.flags!.flags & IP_VS_SVC_F.ONEPACKET, IP_VS_SVC_F.ONEPACKET);
    assert.equal(toIpvsService(svc('10.0.0.1:80')).flags!.flags & IP_VS_SVC_F.ONEPACKET, 0);
    assert.equal(fromIpvs(wire, [])?.onePacket, true);
  });

  test('reconcile: ops switched on or off is a service update, the same flags no op', () => {
    const ops = svc('10.0.0.2:53');
    const { onePacket: _, ...plain } = ops;
    assert.deepEqual(
      reconcile([ops], [plain]).map((o) => o.op),
      ['update-service'],
    );
    assert.deepEqual(
      reconcile([plain], [ops]).map((o) => o.op),
      ['update-service'],
    );
    assert.deepEqual(reconcile([ops], [{ ...ops }]), []);
  });
});
