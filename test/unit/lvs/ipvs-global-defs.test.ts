/** lvs_timeouts and lvs_sync_daemon read as keepalived 2.2.7 reads them, from real config text. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseLvsSyncDaemon, parseLvsTimeouts } from '../../../src/lvs/ipvs-global-defs.js';
import { daemonRequestOf } from '../../../src/lvs/ipvs-sync-daemon.js';
import { IP_VS_STATE } from '../../../src/netlink/genl-constants.js';
import { configOf } from './load-config.js';

const instance = `
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  virtual_ipaddress {
    192.0.2.1
  }
}`;
const globals = (body: string) => configOf(`global_defs {\n${body}\n}\n${instance}`);
const syncd = (line: string) => {
  const c = globals(line);
  return parseLvsSyncDaemon(c.global.lvsSyncDaemon, c.vrrpInstances);
};

describe('lvs/ipvs-global-defs: lvs_timeouts', () => {
  test('tcp, tcpfin and udp in any order; an unset one is left out', () => {
    const r = parseLvsTimeouts(globals('lvs_timeouts udp 60 tcp 7200').global.lvsTimeouts);
    assert.deepEqual(r, { value: { udp: 60, tcp: 7200 }, problems: [] });
    assert.deepEqual(parseLvsTimeouts(globals('lvs_timeouts tcpfin 30').global.lvsTimeouts).value, {
      tcpFin: 30,
    });
  });
  test('out of range, unknown and missing values are reported and ignored', () => {
    const r = parseLvsTimeouts(['tcp', String(86400 * 31 + 1), 'bogus', 'udp', '5', 'tcpfin']);
    assert.deepEqual(r.value, { udp: 5 });
    assert.deepEqual(r.problems, [
      'Invalid lvs_timeout tcp (2678401) - ignoring',
      'Unknown option bogus specified for lvs_timeouts',
      'No value specified for lvs_timeout tcpfin - ignoring',
    ]);
    assert.deepEqual(parseLvsTimeouts(['tcp']).problems, ['lvs_timeouts requires at least one option']);
  });
  test('only zeros (the kernel reads 0 as "unchanged") ask for nothing', () => {
    assert.equal(parseLvsTimeouts(['tcp', '0', 'udp', '0']).value, undefined);
    assert.equal(parseLvsTimeouts(undefined).value, undefined);
  });
});

describe('lvs/ipvs-global-defs: lvs_sync_daemon', () => {
  test('the instance by position or after "inst"; the sync id defaults to its VRID', () => {
    assert.deepEqual(syncd('lvs_sync_daemon eth1 VI_1'), {
      value: { interface: 'eth1', instance: 'VI_1', syncId: 51 },
      problems: [],
    });
    assert.deepEqual(syncd('lvs_sync_daemon eth1 inst VI_1 id 7').value, {
      interface: 'eth1',
      instance: 'VI_1',
      syncId: 7,
    });
  });
  test('every option, IPv4 and IPv6 groups', () => {
    const r = syncd('lvs_sync_daemon eth1 VI_1 id 3 maxlen 1400 port 8900 ttl 4 group 239.1.2.3');
    assert.deepEqual(r.problems, []);
    assert.deepEqual(
      { ...r.value, group: [...r.value!.group!] },
      {
        interface: 'eth1',
        instance: 'VI_1',
        syncId: 3,
        maxlen: 1400,
        port: 8900,
        ttl: 4,
        group: [239, 1, 2, 3],
      },
    );
    assert.equal(syncd('lvs_sync_daemon eth1 VI_1 group ff02::81').value?.group?.length, 16);
  });
  test("the old positional sync id is accepted with keepalived's hint", () => {
    const r = syncd('lvs_sync_daemon eth1 VI_1 9');
    assert.equal(r.value?.syncId, 9);
    assert.deepEqual(r.problems, ['Please use keyword "id" before lvs_sync_daemon SYNCID']);
  });
  test('bad values are reported and ignored; a unicast group is refused', () => {
    const r = syncd('lvs_sync_daemon eth1 VI_1 id 256 ttl 0 port 70000 maxlen 65508 group 192.0.2.9 what');
    assert.deepEqual(r.value, { interface: 'eth1', instance: 'VI_1', syncId: 51 });
    assert.deepEqual(r.problems, [
      'Invalid syncid (256) - defaulting to vrid',
      'Invalid lvs_sync_daemon ttl (0) - ignoring',
      'Invalid lvs_sync_daemon port (70000) - ignoring',
      'Invalid lvs_sync_daemon maxlen (65508) - ignoring',
      'lvs_sync_daemon group address 192.0.2.9 is not multicast - ignoring',
      'Unknown option what specified for lvs_sync_daemon',
    ]);
  });
  test('an unknown instance clears the setting; a too long interface name is refused', () => {
    assert.deepEqual(syncd('lvs_sync_daemon eth1 VI_9'), {
      value: undefined,
      problems: ['Unable to find vrrp instance VI_9 for lvs_syncd - clearing lvs_syncd config'],
    });
    const long = parseLvsSyncDaemon({ interface: 'a'.repeat(16), instance: 'VI_1', options: [] }, []);
    assert.equal(long.value, undefined);
  });
  test('the interface alone is valid (keepalived 2.2.7 accepts it): both roles, sync id 0', () => {
    assert.deepEqual(syncd('lvs_sync_daemon eth1'), {
      value: { interface: 'eth1', syncId: 0 },
      problems: [],
    });
  });
  test('without an instance (options only) the sync id is 0', () => {
    const r = parseLvsSyncDaemon({ interface: 'eth1', instance: 'id', options: ['0', 'ttl', '2'] }, []);
    assert.deepEqual(r, { value: { interface: 'eth1', syncId: 0, ttl: 2 }, problems: [] });
  });
  test('the NEW_DAEMON request carries only the options given', () => {
    const spec = syncd('lvs_sync_daemon eth1 VI_1 port 8900').value!;
    assert.deepEqual(daemonRequestOf(spec, 'master'), {
      state: IP_VS_STATE.MASTER,
      mcastIfn: 'eth1',
      syncId: 51,
      mcastPort: 8900,
    });
    assert.equal(daemonRequestOf(spec, 'backup').state, IP_VS_STATE.BACKUP);
  });
});
