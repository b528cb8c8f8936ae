/**
 * Plain lines (no comment, quote, escape, `$`, `@`, `~` or include) take the
 * preprocessor's short path: trimmed in place, split at their first brace, words'
 * columns from their offsets. Whatever path a line takes, the statements and every
 * diagnostic's file:line:column must be the same; a trailing comment forces the general
 * path, so each case is read both ways and compared.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load.js';
import { memoryFs } from '../../helpers/memory-fs.js';

function load(text: string, extra: Record<string, string> = {}) {
  return loadConfig('keepalived.conf', {
    fs: memoryFs({ '/c/keepalived.conf': text, ...extra }),
    configId: 'n1',
    cwd: '/c',
  });
}

/** The same configuration with a comment on every line: no line is plain any more. */
const commented = (text: string) =>
  text
    .split('\n')
    .map((l) => (l.trim() === '' ? l : `${l} # c`))
    .join('\n');

const CASES: Record<string, string> = {
  'block on the keyword line':
    'virtual_server 10.0.0.1 80 {\n  delay_loop x\n  real_server 10.0.0.2 80 {\n    weight 70000\n  }\n}\n',
  'block opened on the next line': 'virtual_server 10.0.0.1 80\n{\n  lb_kind XX\n}\n',
  'inline blocks': 'virtual_server 10.0.0.1 80 { real_server 10.0.0.2 80 { weight -1 } }\n',
  'tabs and other blanks': '\tvirtual_server\t10.0.0.1 \t80 {\n\v\fquorum 0\n}\n',
  'unknown keywords and stray braces': 'vrrp_instnace X {\n}\n}\n{\nglobal_defs {\n  router_idd r\n}\n',
  'value blocks':
    'vrrp_instance V {\n  virtual_ipaddress {\n    10.1.1.1/24 dev eth9\n    300.1.1.1 }\n  virtual_router_id 300\n}\n',
  'CRLF line ends': 'global_defs {\r\n  vrrp_garp_master_delay x\r\n}\r\n',
};

describe('plain lines read like the same lines with a comment', () => {
  for (const [name, text] of Object.entries(CASES))
    test(name, () => {
      const plain = load(text);
      const general = load(commented(text));
      assert.ok(plain.diagnostics.length > 0, 'each case reports something, so columns are compared');
      assert.deepEqual(plain.diagnostics, general.diagnostics);
      assert.deepEqual(plain.config, general.config);
    });
});

describe('plain-line details', () => {
  test('unicode white space around a line is trimmed as String.prototype.trim does', () => {
    // (A comment on the line would change that: keepalived's decomment strips blanks and tabs only.)
    const { config, diagnostics } = load(
      '\u00a0virtual_server 10.0.0.1 80 {\u3000\n\ufeff  protocol QUIC\u2028\n}\n',
    );
    assert.equal(config?.virtualServers.length, 1);
    const d = diagnostics.find((x) => x.message.includes('QUIC'));
    assert.deepEqual(d?.location, { file: 'keepalived.conf', line: 2, col: 13 });
  });

  test('a word after tabs and blanks is reported at its own column', () => {
    const { diagnostics } = load('global_defs {\n \t  vrrp_garp_master_delay   abc\n}\n');
    const d = diagnostics.find((x) => x.message.includes('abc'));
    assert.deepEqual(d?.location, { file: 'keepalived.conf', line: 2, col: 30 });
  });

  test('the brace a line ends with is placed where it is written', () => {
    const { diagnostics } = load('virtual_server 10.0.0.1 80 {\n  real_server 10.0.0.2 80 {\n}\n');
    assert.deepEqual(diagnostics.at(-1)?.location.line, 3);
    const { diagnostics: top } = load('  {\n');
    assert.deepEqual(top[0]?.location, { file: 'keepalived.conf', line: 1, col: 3 });
  });

  test('a line whose first word is include still includes', () => {
    const { config } = load('include a.conf\n', { '/c/a.conf': 'vrrp_script s {\n  script "true"\n}\n' });
    assert.deepEqual(
      config?.vrrpScripts.map((s) => s.name),
      ['s'],
    );
  });

  test('include after a brace on the same line still includes', () => {
    const { config } = load('vrrp_script s { include a.conf\n}\n', { '/c/a.conf': 'interval 7\n' });
    assert.equal(config?.vrrpScripts[0]?.intervalS, 7);
  });
});
