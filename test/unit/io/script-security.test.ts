/**
 * Script security as keepalived 2.2.7 decides it: the pure rule over path entries, the
 * verdict and keepalived's log lines (worded as keepalived 2.2.7 printed them on this
 * machine), the default script user, the probe on real files, and the config gate that
 * removes disabled scripts. Scripts are argv, never a shell command.
 */

import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Config, ScriptCommand } from '../../../src/config/model.js';
import { ScriptRunner } from '../../../src/io/script-runner.js';
import {
  entryInsecure,
  isExecutableBy,
  judgeChain,
  judgeScript,
  type PathEntry,
  type ScriptFacts,
  securitySummary,
} from '../../../src/io/script-security.js';
import { cmdStr, gateCheckerScripts, gateVrrpScripts } from '../../../src/io/script-security-gate.js';
import { pathChain, probeScript } from '../../../src/io/script-security-probe.js';
import { scriptIdentity } from '../../../src/io/users.js';

const ROOT = { uid: 0, gid: 0 };
type Entry = Extract<PathEntry, { uid: number }>;
const dirE = (path: string, mode = 0o755, uid = 0, gid = 0): Entry => ({
  path,
  kind: 'dir',
  uid,
  gid,
  mode,
});
const fileE = (path: string, mode = 0o755, uid = 0, gid = 0): Entry => ({
  path,
  kind: 'file',
  uid,
  gid,
  mode,
});
const facts = (path: string, chain: PathEntry[], file = { uid: 0, gid: 0, mode: 0o755 }): ScriptFacts => ({
  command: path,
  runPath: path,
  file,
  chains: [chain],
});
const secureChain = (p = '/etc/ka/n.sh') => [dirE('/'), dirE('/etc'), dirE('/etc/ka'), fileE(p)];

describe('the rule (check_security)', () => {
  test('owned by root and not writable by others: secure', () => {
    assert.equal(entryInsecure(dirE('/etc', 0o755)) || entryInsecure(fileE('/x', 0o755)), false);
  });
  test('owner not root, world-writable, writable by a non-root group: insecure', () => {
    assert.ok(entryInsecure(dirE('/home/u', 0o755, 1000)));
    assert.ok(entryInsecure(dirE('/srv', 0o777)));
    assert.ok(entryInsecure(fileE('/x', 0o775, 0, 50)));
    assert.ok(entryInsecure(fileE('/x', 0o757)));
  });
  test('group root may write; a sticky directory (like /tmp) is fine', () => {
    assert.equal(entryInsecure(fileE('/x', 0o775, 0, 0)), false);
    assert.equal(entryInsecure(dirE('/tmp', 0o1777)), false);
  });
  test('the first offending component decides, with the full script path in the message', () => {
    const chain = [dirE('/'), dirE('/srv', 0o777), fileE('/srv/n.sh')];
    assert.deepEqual(judgeChain(chain, '/srv/n.sh', true), {
      verdict: 'insecure',
      log: "Unsafe permissions found for script '/srv/n.sh' - disabling.",
    });
    assert.deepEqual(judgeChain(chain, '/srv/n.sh', false), {
      verdict: 'insecure',
      log: "Unsafe permissions found for script '/srv/n.sh'.",
    });
    assert.equal(
      judgeChain([dirE('/'), fileE('/etc'), fileE('/etc/x')], '/etc/x', false).verdict,
      'wrongType',
    );
  });
});

describe('judgeScript', () => {
  test('root runs a secure script', () => {
    const v = judgeScript(facts('/etc/ka/n.sh', secureChain()), ROOT, true);
    assert.deepEqual(v, { run: true, runPath: '/etc/ka/n.sh', isScript: true, insecure: false, logs: [] });
  });

  test('insecure: disabled with enable_script_security, run (and flagged) without', () => {
    const chain = [dirE('/'), dirE('/tmp'), dirE('/tmp/fx/ww', 0o777), fileE('/tmp/fx/ww/bad.sh')];
    const on = judgeScript(facts('/tmp/fx/ww/bad.sh', chain), ROOT, true);
    assert.equal(on.run, false);
    assert.equal(on.reason, 'insecure');
    assert.deepEqual(on.logs, ["Unsafe permissions found for script '/tmp/fx/ww/bad.sh' - disabling."]);
    const off = judgeScript(facts('/tmp/fx/ww/bad.sh', chain), ROOT, false);
    assert.equal(off.run, true);
    assert.equal(off.insecure, true);
    assert.equal(
      securitySummary([off], false, ''),
      'SECURITY VIOLATION - scripts are being executed but script_security not enabled. There are insecure scripts.',
    );
    assert.equal(securitySummary([on], true, ''), null);
  });

  test('a script run as a non-root user needs no path check', () => {
    const chain = [dirE('/'), dirE('/srv', 0o777), fileE('/srv/n.sh')];
    const v = judgeScript(facts('/srv/n.sh', chain), { uid: 1000, gid: 1000 }, true);
    assert.equal(v.run, true);
    assert.equal(v.insecure, false);
  });

  test('a setuid-root file is checked even for a non-root user', () => {
    const chain = [dirE('/'), dirE('/srv', 0o777), fileE('/srv/n.sh', 0o4755)];
    const v = judgeScript(
      facts('/srv/n.sh', chain, { uid: 0, gid: 0, mode: 0o4755 }),
      { uid: 1000, gid: 1000 },
      true,
    );
    assert.equal(v.run, false);
  });

  test('not executable by its user, not accessible, bare names in PATH', () => {
    const f = { uid: 0, gid: 0, mode: 0o744 };
    const ne = judgeScript(facts('/etc/ka/n.sh', secureChain(), f), { uid: 1000, gid: 1000 }, false);
    assert.equal(ne.run, false);
    assert.deepEqual(ne.logs, [
      "WARNING - script '/etc/ka/n.sh' is not executable for uid:gid 1000:1000 - disabling.",
    ]);
    const gone = judgeScript(
      { command: '/nope', realpathError: 'No such file or directory', chains: [] },
      ROOT,
      false,
    );
    assert.deepEqual(gone.logs, ['Script /nope cannot be accessed - No such file or directory']);
    assert.equal(gone.reason, 'notFound');
    const missing = judgeScript(
      { command: 'nosuch', search: { failed: 'notFound' }, chains: [] },
      ROOT,
      false,
    );
    assert.deepEqual(missing.logs, ['Cannot find script nosuch in path - disabling']);
    const found = judgeScript(
      {
        ...facts('/usr/bin/true', [dirE('/'), dirE('/usr'), dirE('/usr/bin'), fileE('/usr/bin/true')]),
        command: 'true',
        search: { found: '/usr/bin/true' },
      },
      ROOT,
      false,
    );
    assert.equal(found.runPath, '/usr/bin/true');
    assert.deepEqual(found.logs, [
      'WARNING - script `true` resolved by path search to `/usr/bin/true`. Please specify full path.',
    ]);
  });

  test('</dev/tcp tests are not scripts', () => {
    const v = judgeScript({ command: '</dev/tcp/127.0.0.1/80', chains: [] }, ROOT, true);
    assert.deepEqual(v, { run: true, isScript: false, insecure: false, logs: [] });
  });

  test('is_executable', () => {
    assert.ok(isExecutableBy({ uid: 5, gid: 5, mode: 0o001 }, 0, 0));
    assert.ok(isExecutableBy({ uid: 5, gid: 5, mode: 0o100 }, 5, 9));
    assert.equal(isExecutableBy({ uid: 5, gid: 5, mode: 0o011 }, 5, 5), false);
    assert.ok(isExecutableBy({ uid: 5, gid: 7, mode: 0o010 }, 6, 7));
    assert.equal(isExecutableBy({ uid: 5, gid: 7, mode: 0o001 }, 6, 7), false);
  });
});

describe('default script user (keepalived_script)', () => {
  const lookup = (
    users: Record<string, { uid: number; gid: number }>,
    groups: Record<string, number> = {},
  ) => ({
    user: (n: string) => users[n],
    group: (n: string) => groups[n],
  });
  const self = { uid: 0, gid: 0 };
  test('own user, then script_user, then keepalived_script, then the daemon', () => {
    const l = lookup(
      { alice: { uid: 1001, gid: 1001 }, keepalived_script: { uid: 990, gid: 990 } },
      { ops: 50 },
    );
    assert.deepEqual(scriptIdentity({ user: 'alice', group: 'ops' }, { securityEnabled: true }, self, l), {
      uid: 1001,
      gid: 50,
    });
    assert.deepEqual(scriptIdentity({}, { securityEnabled: true, scriptUser: { user: 'alice' } }, self, l), {
      uid: 1001,
      gid: 1001,
    });
    assert.deepEqual(scriptIdentity({}, { securityEnabled: true }, self, l), { uid: 990, gid: 990 });
    assert.deepEqual(scriptIdentity({}, { securityEnabled: false }, self, lookup({})), self);
  });
  test('keepalived_script missing under enable_script_security: no user, script disabled', () => {
    assert.deepEqual(scriptIdentity({}, { securityEnabled: true }, self, lookup({})), {
      error: 'Unable to set default user keepalived_script for script',
    });
    assert.deepEqual(scriptIdentity({ user: 'ghost' }, { securityEnabled: false }, self, lookup({})), {
      error: "Script user 'ghost' does not exist",
    });
  });
});

describe('probe and gate on real files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-sec-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  const good = join(dir, 'good.sh');
  writeFileSync(good, '#!/bin/sh\n', { mode: 0o755 });
  const ww = join(dir, 'ww');
  mkdirSync(ww);
  chmodSync(ww, 0o777);
  const bad = join(ww, 'bad.sh');
  writeFileSync(bad, '#!/bin/sh\n', { mode: 0o755 });
  const link = join(dir, 'link.sh');
  symlinkSync(good, link);

  const asRoot = process.getuid?.() === 0;

  test('pathChain lstat()s every component', { skip: !asRoot && 'files must be owned by root' }, () => {
    const chain = pathChain(bad);
    assert.equal(chain[0]!.path, '/');
    assert.equal(chain.at(-1)!.path, bad);
    assert.deepEqual(
      chain.map((e) => e.kind),
      [...chain.slice(0, -1).map(() => 'dir'), 'file'],
    );
    const v = judgeScript(probeScript(bad, ROOT), ROOT, true);
    assert.equal(v.run, false);
    assert.equal(judgeScript(probeScript(good, ROOT), ROOT, true).run, true);
    assert.equal(judgeScript(probeScript(join(dir, 'absent.sh'), ROOT), ROOT, true).reason, 'notFound');
    const viaLink = judgeScript(probeScript(link, ROOT), ROOT, true);
    assert.equal(viaLink.run, true);
    assert.equal(viaLink.runPath, link, 'the configured name is kept when it is the same file');
    const bare = judgeScript(probeScript('true', ROOT, '/nonexistent:/usr/bin:/bin'), ROOT, true);
    assert.equal(bare.runPath, '/usr/bin/true');
  });

  const cmd = (...argv: string[]): ScriptCommand => ({
    argv,
    text: argv.join(' '),
    loc: { file: 'k', line: 1, col: 1 },
  });
  const baseConfig = (enableScriptSecurity: boolean): Config =>
    ({
      global: { enableScriptSecurity, vrrpNotifyFifo: { path: '/run/v.fifo', script: cmd(bad) } },
      vrrpScripts: [
        { name: 'chk_good', script: cmd(good, 'arg') },
        { name: 'chk_bad', script: cmd(bad) },
      ],
      vrrpInstances: [
        {
          name: 'VI_1',
          trackScripts: [{ name: 'chk_good' }, { name: 'chk_bad' }],
          notify: { master: cmd(good), backup: cmd(bad), any: cmd(good) },
          notifyMasterRxLowerPri: cmd(bad),
        },
      ],
      vrrpSyncGroups: [{ name: 'G', trackScripts: [{ name: 'chk_bad' }], notify: { fault: cmd(bad) } }],
      virtualServers: [
        {
          quorumUp: cmd(bad),
          realServers: [
            {
              notifyDown: cmd(good),
              notifyUp: cmd(bad),
              checkers: [
                { type: 'MISC_CHECK', settings: { script: cmd(bad, 'x') } },
                { type: 'TCP_CHECK', settings: {} },
              ],
            },
          ],
        },
      ],
    }) as unknown as Config;
  const deps = (logs: string[]) => ({
    identity: () => ROOT,
    probe: (c: string, ids: { uid: number; gid: number }) => probeScript(c, ids),
    log: (t: string) => logs.push(t),
  });

  test('enable_script_security: insecure scripts are removed everywhere', {
    skip: !asRoot && 'needs root-owned files',
  }, () => {
    const logs: string[] = [];
    const c = gateVrrpScripts(baseConfig(true), deps(logs));
    assert.deepEqual(
      c.vrrpScripts.map((s) => s.name),
      ['chk_good'],
    );
    assert.deepEqual(
      c.vrrpInstances[0]!.trackScripts.map((t) => t.name),
      ['chk_good'],
    );
    assert.deepEqual(Object.keys(c.vrrpInstances[0]!.notify).sort(), ['any', 'master']);
    assert.equal(c.vrrpInstances[0]!.notifyMasterRxLowerPri, undefined);
    assert.deepEqual(c.vrrpSyncGroups[0]!.trackScripts, []);
    assert.deepEqual(c.vrrpSyncGroups[0]!.notify, {});
    assert.deepEqual(c.global.vrrpNotifyFifo, { path: '/run/v.fifo' });
    assert.ok(logs.includes(`Unsafe permissions found for script '${bad}' - disabling.`));
    assert.ok(logs.includes('Disabling track script chk_bad due to insecure'));
    assert.ok(!logs.some((l) => l.startsWith('SECURITY VIOLATION')));

    const lvsLogs: string[] = [];
    const l = gateCheckerScripts(baseConfig(true), deps(lvsLogs));
    const vs = l.virtualServers[0]!;
    const rs = vs.realServers[0]!;
    assert.equal(vs.quorumUp, undefined);
    assert.equal(rs.notifyUp, undefined);
    assert.deepEqual(rs.notifyDown?.argv, [good]);
    assert.deepEqual(
      rs.checkers.map((ch) => ch.type),
      ['TCP_CHECK'],
    );
    assert.ok(lvsLogs.includes(`Disabling misc script ${cmdStr([bad, 'x'])} due to insecure`));
  });

  test("without it they stay, with keepalived's violation summary", {
    skip: !asRoot && 'needs root-owned files',
  }, () => {
    const logs: string[] = [];
    const c = gateVrrpScripts(baseConfig(false), deps(logs));
    assert.deepEqual(
      c.vrrpScripts.map((s) => s.name),
      ['chk_good', 'chk_bad'],
    );
    assert.equal(
      logs.at(-1),
      'SECURITY VIOLATION - scripts are being executed but script_security not enabled. There are insecure scripts.',
    );
    const lvsLogs: string[] = [];
    gateCheckerScripts(baseConfig(false), deps(lvsLogs));
    assert.equal(
      lvsLogs.at(-1),
      'SECURITY VIOLATION - check scripts are being executed but script_security not enabled. There are insecure scripts.',
    );
  });

  test('scripts without a user under enable_script_security and no keepalived_script are not run', () => {
    const logs: string[] = [];
    const c = gateVrrpScripts(baseConfig(true), {
      ...deps(logs),
      identity: () => ({ error: 'Unable to set default user keepalived_script for script' }),
    });
    assert.deepEqual(c.vrrpScripts, []);
    assert.deepEqual(c.vrrpInstances[0]!.notify, {});
    assert.equal(
      logs.filter((l) => l === 'Unable to set default user keepalived_script for script').length,
      1,
    );
  });

  test('a notify argument with shell syntax stays one argument', async () => {
    const marker = join(dir, 'INJECTED');
    const out = join(dir, 'args');
    const script = join(dir, 'args.sh');
    writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$@" > ${out}\n`, { mode: 0o755 });
    const runner = new ScriptRunner();
    const r = await runner.run({
      argv: [script, `x; touch ${marker}`, `$(touch ${marker})`],
      timeoutMs: 5000,
    });
    runner.close();
    assert.deepEqual(r, { kind: 'exit', code: 0 });
    const { readFileSync, existsSync } = await import('node:fs');
    assert.equal(readFileSync(out, 'utf8'), `x; touch ${marker}\n$(touch ${marker})\n`);
    assert.equal(existsSync(marker), false);
  });
});
