/**
 * real_server `smtp_alert [BOOL]`: keepalived 2.2.7 reads the optional word as a boolean
 * (`smtp_alert no` turns the alerts off for that server; `-t` accepts both forms).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/load.js';
import { memoryFs } from '../../helpers/memory-fs.js';

test('real_server smtp_alert takes an optional boolean', () => {
  const rs = (line: string) =>
    `  real_server 10.1.1.${line.length % 200} 80 {\n    ${line}\n    TCP_CHECK {\n      connect_timeout 1\n    }\n  }\n`;
  const text = `virtual_server 10.1.1.1 80 {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n${rs('smtp_alert no')}${rs('smtp_alert')}${rs('smtp_alert yes')}}\n`;
  const r = loadConfig('k.conf', { fs: memoryFs({ '/c/k.conf': text }), configId: 'n1', cwd: '/c' });
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const reals = r.config!.virtualServers[0]!.realServers as readonly { smtpAlert?: boolean }[];
  assert.deepEqual(
    reals.map((x) => x.smtpAlert),
    [false, true, true],
  );
});
