/**
 * Keyword semantics and validation: defaults, typed values, and diagnostics with
 * keepalived's wording, our place (file:line:col) and a fix where one is obvious.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configTestExitCode, type Diagnostic, formatDiagnostic } from '../../../src/config/diagnostic.js';
import { loadConfig } from '../../../src/config/load.js';
import type { HostEnvironment } from '../../../src/config/validate.js';
import { memoryFs } from '../../helpers/memory-fs.js';

const host: HostEnvironment = {
  interfaceExists: (n) => ['lo', 'eth0', 'eth1'].includes(n),
  userExists: (n) => n === 'root' || n === 'nobody',
  findScript: (c) =>
    c === '/bin/true' || c === 'true' ? { found: true, path: '/bin/true', secure: true } : { found: false },
  resolvable: (h) => /^\d+\.\d+\.\d+\.\d+$/.test(h),
  isRoot: () => true,
};

function load(text: string, env: HostEnvironment | undefined = host) {
  return loadConfig('keepalived.conf', {
    fs: memoryFs({ '/c/keepalived.conf': text }),
    configId: 'n1',
    cwd: '/c',
    ...(env ? { env } : {}),
  });
}
const find = (ds: readonly Diagnostic[], re: RegExp) => ds.find((d) => re.test(d.message));

const ARTICLE = `vrrp_instance VI_1 {
        state MASTER
        interface eth0
        virtual_router_id 51
        priority 255
        advert_int 1
        authentication {
              auth_type PASS
              auth_pass 12345
        }
        virtual_ipaddress {
              10.100.1.20/24
        }
}
`;

describe('vrrp_instance', () => {
  test("the article's master config builds a typed instance with no diagnostics", () => {
    const { config, diagnostics } = load(ARTICLE);
    assert.deepEqual(diagnostics, []);
    const vi = config!.vrrpInstances[0]!;
    assert.equal(vi.name, 'VI_1');
    assert.equal(vi.initialState, 'MASTER');
    assert.equal(vi.virtualRouterId, 51);
    assert.equal(vi.priority, 255);
    assert.equal(vi.advertIntCs, 100);
    assert.deepEqual(
      vi.authentication && { type: vi.authentication.type, password: vi.authentication.password },
      { type: 'PASS', password: '12345' },
    );
    assert.deepEqual(
      vi.virtualAddresses.map((a) => [a.family, a.address, a.prefixLen]),
      [[4, '10.100.1.20', 24]],
    );
    assert.equal(vi.preempt, true);
    assert.equal(config!.global.vrrpVersion, 2);
  });

  test('priority out of range is reported at the value, with the fix', () => {
    const { diagnostics } = load(ARTICLE.replace('priority 255', 'priority 300'));
    const d = find(diagnostics, /Priority not valid/)!;
    assert.equal(d.location.line, 5);
    assert.equal(d.location.col, 18);
    assert.match(d.hint!, /priority must be 1\.\.255, got 300/);
    assert.equal(formatDiagnostic(d).split(':').slice(0, 3).join(':'), 'keepalived.conf:5:18');
  });

  test('auth_pass longer than 8 characters is truncated with a diagnostic', () => {
    const { config, diagnostics } = load(ARTICLE.replace('auth_pass 12345', 'auth_pass 0123456789'));
    assert.ok(find(diagnostics, /Truncating auth_pass to 8 characters/));
    assert.equal(config!.vrrpInstances[0]!.authentication!.password, '01234567');
  });

  test('virtual_router_id must be 1..255', () => {
    const { diagnostics } = load(ARTICLE.replace('virtual_router_id 51', 'virtual_router_id 256'));
    assert.ok(find(diagnostics, /number '256' outside range \[1, 255\]/));
  });

  test('duplicate VRID on one interface and family is refused', () => {
    const second = ARTICLE.replace('VI_1', 'VI_2').replace('10.100.1.20/24', '10.100.1.21/24');
    const { diagnostics } = load(ARTICLE + second);
    const d = find(diagnostics, /VRID 51 is already used by VI_1 on eth0/)!;
    assert.equal(d.location.line, 15);
  });

  test('unicast peers of the wrong family are reported', () => {
    const { diagnostics } = load(
      ARTICLE.replace(
        '        virtual_ipaddress',
        '        unicast_peer {\n fd00::2\n }\n        virtual_ipaddress',
      ),
    );
    assert.ok(find(diagnostics, /unicast peer fd00::2 is not of the instance's address family/));
  });

  test('a missing interface is an environment diagnostic at the interface word', () => {
    const { diagnostics } = load(ARTICLE.replace('interface eth0', 'interface eth9'));
    const d = find(diagnostics, /interface eth9 for vrrp_instance VI_1 doesn't exist/)!;
    assert.equal(d.kind, 'environment');
    assert.deepEqual([d.location.line, d.location.col], [3, 19]);
  });

  test('unknown tracked scripts are reported at the reference', () => {
    const { diagnostics } = load(
      ARTICLE.replace(
        '        virtual_ipaddress',
        '        track_script {\n  chk_nothing\n }\n        virtual_ipaddress',
      ),
    );
    assert.equal(find(diagnostics, /track script chk_nothing not found/)!.location.line, 12);
  });

  test('nopreempt with state MASTER follows keepalived: cleared with a warning', () => {
    const { diagnostics } = load(ARTICLE.replace('advert_int 1', 'advert_int 1\n nopreempt'));
    assert.ok(find(diagnostics, /nopreempt will not work with initial state MASTER/));
  });
});

describe('grammar recovery', () => {
  test('unknown keywords are warnings with a place and never stop the parse', () => {
    const { config, diagnostics } = load(`global_defs {\n  router_idd x\n}\n${ARTICLE}`);
    const d = find(diagnostics, /Unknown keyword 'router_idd'/)!;
    assert.equal(d.severity, 'warning');
    assert.deepEqual([d.location.line, d.location.col], [2, 3]);
    assert.equal(config!.vrrpInstances.length, 1);
    assert.equal(configTestExitCode(diagnostics), 5, 'keepalived -t fails on unknown keywords too');
  });

  test('an unknown block is skipped the way keepalived skips it', () => {
    const { diagnostics } = load('local_address_group x {\n 1.2.3.4\n}\n');
    assert.deepEqual(
      diagnostics.map((d) => d.message),
      [
        "Unknown keyword 'local_address_group'",
        "Unexpected '{' - ignoring",
        "Unknown keyword '1.2.3.4'",
        "Unknown keyword '}'",
      ],
    );
  });

  test('a missing parameter is a syntax error naming the keyword', () => {
    const { diagnostics } = load('vrrp_instance VI_1 {\n  interface\n}\n');
    assert.match(find(diagnostics, /missing a parameter/)!.message, /`interface`/);
  });
});

describe('trackers', () => {
  test('the root track_file block (keepalived 2.2.7 name) builds the same tracker as vrrp_track_file', () => {
    const tracking = ARTICLE.replace(
      '        virtual_ipaddress',
      '        track_file {\n  tf weight 2\n }\n        virtual_ipaddress',
    );
    const { config, diagnostics } = load(`track_file tf {\n  file /tmp/x\n  weight 3\n}\n${tracking}`);
    assert.equal(find(diagnostics, /track file tf not found/), undefined);
    assert.deepEqual(
      config!.vrrpTrackFiles.map((f) => [f.name, f.file, f.weight]),
      [['tf', '/tmp/x', 3]],
    );
  });
});

describe('global_defs and scripts', () => {
  test('keepalived defaults apply', () => {
    const g = load('global_defs {\n}\n').config!.global;
    assert.equal(g.vrrpGarpMasterDelayS, 5);
    assert.equal(g.vrrpGarpMasterRepeat, 5);
    assert.equal(g.vrrpMcastGroup4, '224.0.0.18');
    assert.equal(g.enableScriptSecurity, false);
  });

  test('scripts that would run as root without enable_script_security: exit 6 as keepalived', () => {
    const tracking = ARTICLE.replace(
      '        virtual_ipaddress',
      '        track_script {\n  chk\n }\n        virtual_ipaddress',
    );
    const { diagnostics } = load(`vrrp_script chk {\n  script "true"\n}\n${tracking}`);
    assert.ok(find(diagnostics, /SECURITY VIOLATION/));
    assert.equal(configTestExitCode(diagnostics), 6);
  });

  test('a script no instance tracks never runs, so it is no security problem', () => {
    const { diagnostics } = load(`vrrp_script chk {\n  script "true"\n}\n${ARTICLE}`);
    assert.equal(find(diagnostics, /SECURITY VIOLATION/), undefined);
  });

  test('a script that is not on this host disables the tracker', () => {
    const { diagnostics } = load(
      'global_defs {\n enable_script_security\n script_user nobody\n}\nvrrp_script chk {\n  script "/opt/x.sh"\n}\n',
    );
    assert.ok(find(diagnostics, /Disabling track script chk since not found/));
  });

  test('script commands are split like keepalived: quotes group, escapes decode', () => {
    const { config } = load(`vrrp_script chk {\n  script "/bin/check 'a b' c\\x41"\n}\n`, undefined);
    assert.deepEqual(config!.vrrpScripts[0]!.script!.argv, ['/bin/check', 'a b', 'cA']);
  });
});

describe('virtual_server', () => {
  const VS = `virtual_server 10.0.0.1 80 {
  delay_loop 6
  lb_algo wrr
  lb_kind DR
  protocol TCP
  real_server 10.0.1.1 80 {
    weight 3
    TCP_CHECK {
      connect_timeout 3
      retry 2
    }
  }
}
`;
  test('builds typed services with checkers', () => {
    const { config, diagnostics } = load(VS);
    assert.deepEqual(diagnostics, []);
    const vs = config!.virtualServers[0]!;
    assert.equal(vs.lbAlgo, 'wrr');
    assert.equal(vs.lbKind, 'DR');
    assert.equal(vs.delayLoopS, 6);
    assert.equal(vs.realServers[0]!.weight, 3);
    assert.equal(vs.realServers[0]!.checkers[0]!.type, 'TCP_CHECK');
    assert.equal(vs.realServers[0]!.checkers[0]!.connectTimeoutS, 3);
  });

  test('bad lb_algo and lb_kind are reported with the valid values', () => {
    const { diagnostics } = load(
      VS.replace('lb_algo wrr', 'lb_algo conhash').replace('lb_kind DR', 'lb_kind FNAT'),
    );
    assert.match(find(diagnostics, /Invalid lvs_scheduler 'conhash'/)!.hint!, /rr, wrr/);
    assert.ok(find(diagnostics, /unknown \[FNAT\] routing method/));
  });

  test('nb_get_retry is accepted in HTTP_GET as keepalived does, with its deprecation', () => {
    const { config, diagnostics } = load(
      VS.replace(
        'TCP_CHECK {',
        'HTTP_GET {\n url {\n path /\n status_code 200-299\n }\n nb_get_retry 4',
      ).replace('retry 2', ''),
    );
    assert.ok(find(diagnostics, /nb_get_retry is deprecated/));
    const checker = config!.virtualServers[0]!.realServers[0]!.checkers[0]!;
    assert.equal(checker.retry, 4);
    assert.deepEqual((checker.settings.urls as { statusCodes: unknown }[])[0]!.statusCodes, [
      { from: 200, to: 299 },
    ]);
  });
});
