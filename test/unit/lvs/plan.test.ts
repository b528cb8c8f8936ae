/** Model, planner and reconcile: config → specs, health → desired kernel state, diff → ops. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lvsModel } from '../../../src/lvs/model.js';
import { desiredDestinations, initialQuorum, type RealHealth, stepQuorum } from '../../../src/lvs/plan.js';
import { reconcile } from '../../../src/lvs/reconcile.js';
import { configOf } from './load-config.js';

const CONF = `
virtual_server_group G {
  10.1.0.1-3 80
  fwmark 9
}
virtual_server 10.0.0.1 80 {
  delay_loop 6
  lb_algo wrr
  lb_kind NAT
  protocol TCP
  quorum 4
  hysteresis 1
  quorum_up "/bin/echo up"
  quorum_down "/bin/echo down"
  sorry_server 10.0.9.9 8080
  real_server 10.0.1.1 8080 {
    weight 3
    TCP_CHECK { connect_timeout 2 }
  }
  real_server 10.0.1.2 8080 {
    weight 2
    inhibit_on_failure
    HTTP_GET { url { path /h status_code 200-299 } }
  }
  real_server 10.0.1.3 8080 {
    weight 1
    MISC_CHECK {
      misc_path "/bin/true"
      misc_dynamic
    }
  }
}
virtual_server group G {
  lb_algo rr
  lb_kind DR
  alpha
  real_server 10.1.1.1 80 { weight 1 }
}
`;

const h = (entries: [string, boolean, number][]) =>
  new Map<string, RealHealth>(entries.map(([id, up, weight]) => [id, { up, weight }]));

describe('lvs/model', () => {
  const [vs, grp] = lvsModel(configOf(CONF));
  test('address service: id, match, reals, inherited check timing and defaults', () => {
    assert.equal(vs!.id, '10.0.0.1:80');
    assert.deepEqual(vs!.matches, [
      { kind: 'address', family: 4, address: '10.0.0.1', port: 80, protocol: 'TCP' },
    ]);
    assert.deepEqual(
      vs!.reals.map((r) => [r.id, r.weight, r.inhibitOnFailure]),
      [
        ['10.0.1.1:8080', 3, false],
        ['10.0.1.2:8080', 2, true],
        ['10.0.1.3:8080', 1, false],
      ],
    );
    const [tcp] = vs!.reals[0]!.checks;
    assert.deepEqual(tcp!.schedule, {
      delayLoopMs: 6000,
      retry: 1,
      delayBeforeRetryMs: 1000,
      warmupMs: 6000,
      alpha: false,
    });
    assert.equal(tcp!.connectTimeoutMs, 2000);
    assert.deepEqual(tcp!.endpoint, { family: 4, address: '10.0.1.1', port: 8080 });
    const http = vs!.reals[1]!.checks[0]!;
    assert.equal(http.schedule.delayBeforeRetryMs, 3000);
    assert.equal(http.kind.kind, 'http');
    const misc = vs!.reals[2]!.checks[0]!;
    assert.deepEqual([misc.schedule.retry, misc.kind.kind === 'misc' && misc.kind.dynamic], [0, true]);
    assert.equal(vs!.sorry?.address, '10.0.9.9');
  });
  test('group service expands ranges and fwmarks', () => {
    assert.equal(grp!.id, 'group G');
    assert.deepEqual(
      grp!.matches.map((m) => (m.kind === 'fwmark' ? `fwm ${m.fwmark}` : `${m.address}:${m.port}`)),
      ['10.1.0.1:80', '10.1.0.2:80', '10.1.0.3:80', 'fwm 9'],
    );
    assert.equal(grp!.reals[0]!.lbKind, 'DR');
  });
});

describe('lvs/plan', () => {
  const [vs] = lvsModel(configOf(CONF));
  const all = h([
    ['10.0.1.1:8080', true, 3],
    ['10.0.1.2:8080', true, 2],
    ['10.0.1.3:8080', true, 1],
  ]);
  test('all up: every real server at its weight, no sorry server', () => {
    assert.deepEqual(
      desiredDestinations(vs!, all, true).map((d) => [d.address, d.weight]),
      [
        ['10.0.1.1', 3],
        ['10.0.1.2', 2],
        ['10.0.1.3', 1],
      ],
    );
  });
  test('a failed server is removed, or kept at weight 0 with inhibit_on_failure', () => {
    const health = h([
      ['10.0.1.1:8080', false, 3],
      ['10.0.1.2:8080', false, 2],
      ['10.0.1.3:8080', true, 1],
    ]);
    assert.deepEqual(
      desiredDestinations(vs!, health, true).map((d) => [d.address, d.weight]),
      [
        ['10.0.1.2', 0],
        ['10.0.1.3', 1],
      ],
    );
  });
  test('quorum with hysteresis: lost below quorum - hysteresis, regained at quorum + hysteresis', () => {
    const w = (a: boolean, b: boolean, c: boolean) =>
      h([
        ['10.0.1.1:8080', a, 3],
        ['10.0.1.2:8080', b, 2],
        ['10.0.1.3:8080', c, 1],
      ]);
    assert.equal(initialQuorum(vs!, all), true);
    // quorum 4, hysteresis 1: 3 (>= 3) keeps quorum, 2 loses it
    assert.deepEqual(stepQuorum(vs!, true, w(true, false, false)), { quorumUp: true, event: undefined });
    assert.deepEqual(stepQuorum(vs!, true, w(false, true, false)), { quorumUp: false, event: 'down' });
    // regained only at 5 (>= quorum + hysteresis)
    assert.deepEqual(stepQuorum(vs!, false, w(true, false, true)), { quorumUp: false, event: undefined });
    assert.deepEqual(stepQuorum(vs!, false, w(true, true, false)), { quorumUp: true, event: 'up' });
  });
  test('quorum down with a sorry server: the sorry server alone (inhibited reals at weight 0)', () => {
    assert.deepEqual(
      desiredDestinations(vs!, all, false).map((d) => [d.address, d.port, d.weight]),
      [
        ['10.0.1.2', 8080, 0],
        ['10.0.9.9', 8080, 1],
      ],
    );
  });
});

describe('lvs/reconcile', () => {
  const svc = (dests: [string, number][], scheduler = 'wrr' as const) => ({
    match: {
      kind: 'address' as const,
      family: 4 as const,
      address: '10.0.0.1',
      port: 80,
      protocol: 'TCP' as const,
    },
    scheduler,
    schedulerFlags: [],
    destinations: dests.map(([address, weight]) => ({
      family: 4 as const,
      address,
      port: 80,
      weight,
      lbKind: 'NAT' as const,
    })),
  });
  const show = (ops: ReturnType<typeof reconcile>) =>
    ops.map((o) => `${o.op}${'dest' in o ? ` ${o.dest.address}/${o.dest.weight}` : ''}`);
  test('from nothing: service, then its destinations', () => {
    assert.deepEqual(
      show(
        reconcile(
          [
            svc([
              ['a', 1],
              ['b', 2],
            ]),
          ],
          [],
        ),
      ),
      ['add-service', 'add-dest a/1', 'add-dest b/2'],
    );
  });
  test('equal states need nothing', () => {
    assert.deepEqual(reconcile([svc([['a', 1]])], [svc([['a', 1]])]), []);
  });
  test('additions and weight changes come before removals', () => {
    assert.deepEqual(
      show(
        reconcile(
          [
            svc([
              ['a', 5],
              ['c', 1],
            ]),
          ],
          [
            svc([
              ['a', 1],
              ['b', 1],
            ]),
          ],
        ),
      ),
      ['update-dest a/5', 'add-dest c/1', 'del-dest b/1'],
    );
  });
  test('scheduler change updates the service; unwanted services go last', () => {
    const other = { ...svc([]), match: { ...svc([]).match, port: 81 } };
    assert.deepEqual(show(reconcile([svc([], 'rr' as never)], [svc([]), other])), [
      'update-service',
      'del-service',
    ]);
  });
});

describe('lvs/model: FILE_CHECK', () => {
  test('takes the file and weight from its track_file block, or its own weight', () => {
    const [vs] = lvsModel(
      configOf(`
vrrp_track_file tf {
  file "/run/kts-weight"
  weight 3 reverse
}
virtual_server 10.0.0.1 80 {
  real_server 10.0.1.1 80 {
    weight 7
    FILE_CHECK {
      track_file tf
    }
    FILE_CHECK {
      track_file tf
      weight 0
    }
  }
}`),
    );
    const [a, b] = vs!.reals[0]!.checks;
    assert.deepEqual(a!.kind, {
      kind: 'file',
      trackFile: 'tf',
      path: '/run/kts-weight',
      weight: 3,
      reverse: true,
      dynamic: false,
      rsWeight: 7,
    });
    assert.equal(b!.kind.kind === 'file' && b!.kind.weight, 0);
  });
});

describe('lvs/log-text', () => {
  test("keepalived's FMT_VS / FMT_RS, add/remove and quorum lines", async () => {
    const { checkerLine, quorumLine, rsChangeLine, vsText } = await import('../../../src/lvs/log-text.js');
    const [vs, grp] = lvsModel(configOf(CONF));
    const [a, b] = vs!.reals;
    assert.equal(vsText(vs!), '[10.0.0.1]:tcp:80');
    assert.equal(vsText(grp!), 'group G');
    assert.equal(
      rsChangeLine(vs!, a!, false),
      'Removing service [10.0.1.1]:tcp:8080 from VS [10.0.0.1]:tcp:80',
    );
    assert.equal(
      rsChangeLine(vs!, b!, false),
      'Disabling service [10.0.1.2]:tcp:8080 from VS [10.0.0.1]:tcp:80',
    );
    assert.equal(rsChangeLine(vs!, a!, true), 'Adding service [10.0.1.1]:tcp:8080 to VS [10.0.0.1]:tcp:80');
    assert.equal(
      quorumLine(vs!, false, h([['10.0.1.1:8080', true, 2]])),
      'Lost quorum 4-1=3 > 2 for VS [10.0.0.1]:tcp:80',
    );
    assert.equal(
      quorumLine(vs!, true, h([['10.0.1.1:8080', true, 5]])),
      'Gained quorum 4+1=5 <= 5 for VS [10.0.0.1]:tcp:80',
    );
    assert.equal(
      checkerLine('TCP_CHECK', vs!, a!, true, ''),
      'TCP connection to [10.0.1.1]:tcp:8080 success.',
    );
  });
});
