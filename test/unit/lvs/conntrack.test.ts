/** The nftables plane's conntrack clean-up: which destinations left, and the conntrack -D filters. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { conntrackDeleteArgs, deletedCount, removedDestinations } from '../../../src/lvs/conntrack.js';
import type { Destination, ServiceState } from '../../../src/lvs/model.js';

const d = (address: string, port: number, weight = 1): Destination => ({
  family: address.includes(':') ? 6 : 4,
  address,
  port,
  weight,
  lbKind: 'NAT',
});
const udp: ServiceState = {
  match: { kind: 'address', family: 4, address: '10.0.0.1', port: 53, protocol: 'UDP' },
  scheduler: 'rr',
  schedulerFlags: [],
  destinations: [d('10.0.1.1', 5300), d('10.0.1.2', 5300)],
};
const fwm: ServiceState = {
  match: { kind: 'fwmark', family: 6, fwmark: 7 },
  scheduler: 'rr',
  schedulerFlags: [],
  destinations: [d('fd00::1', 0)],
};

describe('lvs/conntrack', () => {
  test('a destination that leaves its service, and every one of a service that goes', () => {
    const after: ServiceState = { ...udp, destinations: [d('10.0.1.1', 5300)] };
    assert.deepEqual(
      removedDestinations([udp, fwm], [after]).map((r) => `${r.dest.address}:${r.dest.port}`),
      ['10.0.1.2:5300', 'fd00::1:0'],
    );
  });
  test('weight changes (inhibit to 0 included) and unchanged sets remove nothing', () => {
    const quiesced: ServiceState = { ...udp, destinations: [d('10.0.1.1', 5300, 0), d('10.0.1.2', 5300, 4)] };
    assert.deepEqual(removedDestinations([udp], [quiesced]), []);
    assert.deepEqual(removedDestinations([], [udp]), []);
  });
  test('address services: protocol, service address and port, server address and port, DNAT only', () => {
    assert.deepEqual(conntrackDeleteArgs({ match: udp.match, dest: d('10.0.1.2', 5300) }), [
      [
        '-D',
        '-f',
        'ipv4',
        '-p',
        'udp',
        '--orig-dst',
        '10.0.0.1',
        '--orig-port-dst',
        '53',
        '--reply-src',
        '10.0.1.2',
        '--reply-port-src',
        '5300',
        '--dst-nat',
      ],
    ]);
  });
  test('port 0 (all ports / keep the port) leaves the port filters out; fwmark services filter by server', () => {
    const all = { ...udp.match, port: 0 };
    assert.deepEqual(conntrackDeleteArgs({ match: all, dest: d('10.0.1.2', 0) }), [
      ['-D', '-f', 'ipv4', '-p', 'udp', '--orig-dst', '10.0.0.1', '--reply-src', '10.0.1.2', '--dst-nat'],
    ]);
    assert.deepEqual(conntrackDeleteArgs({ match: fwm.match, dest: d('fd00::1', 0) }), [
      ['-D', '-f', 'ipv6', '--reply-src', 'fd00::1', '--dst-nat'],
    ]);
  });
  test("conntrack's count line", () => {
    assert.equal(deletedCount('conntrack v1.4.7 (conntrack-tools): 3 flow entries have been deleted.\n'), 3);
    assert.equal(deletedCount('conntrack v1.4.7 (conntrack-tools): 1 flow entry has been deleted.\n'), 1);
    assert.equal(deletedCount(''), 0);
  });
});
