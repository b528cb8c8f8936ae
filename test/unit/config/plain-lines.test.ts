/**
 * Plain lines (no comment, quote, escape, `$`, `@`, `~` or include) take the
 * preprocessor's short path: trimmed in place, split at their first brace, words'
 * columns from their offsets. Whatever path a line takes, the statements and every
 * diagnostic's file:line:column must be the same; a trailing comment forces the general
 * path, so each case is read both ways and compared.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateConfig } from '../../../bench/config-parse.js';
import { buildConfig } from '../../../src/config/build.js';
import { DiagnosticSink } from '../../../src/config/diagnostic.js';
import { ROOT_GRAMMAR } from '../../../src/config/keywords/grammar.js';
import { loadConfig } from '../../../src/config/load.js';
import { Parser } from '../../../src/config/parser.js';
import { Preprocessor } from '../../../src/config/preprocess.js';
import { memoryFs } from '../../helpers/memory-fs.js';
import { Prng } from '../../sim/prng.js';

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

/**
 * A configuration that is one plain file is read by the preprocessor's plain-file path;
 * turned off, the same text goes through the general line path. Random plain texts
 * (keywords of several blocks, unknown words, bad values, stray and inline braces, every
 * kind of blank, CRLF, blank lines) must give the same statements and diagnostics both ways.
 */
describe('the plain-file path reads like the general path', () => {
  const WORDS = [
    'global_defs',
    'router_id',
    'vrrp_instance',
    'virtual_ipaddress',
    'virtual_router_id',
    'priority',
    'state',
    'virtual_server',
    'real_server',
    'TCP_CHECK',
    'HTTP_GET',
    'url',
    'path',
    'weight',
    'delay_loop',
    'lb_algo',
    'protocol',
    'connect_timeout',
    'static_ipaddress',
    'bogus_word',
    '10.0.0.1',
    '10.0.0.1/24',
    'dev',
    'eth0',
    '80',
    '-1',
    '70000',
    'x',
    'MASTER',
    'NAT',
    '{',
    '}',
    '{',
    '}',
    'a{b',
    '}c',
  ];
  const BLANKS = [' ', ' ', ' ', '  ', '\t', '\v', '\f', '\u00a0', '\u3000', '\ufeff'];
  const ENDS = ['\n', '\n', '\n', '\r\n', '\n\n', ' \n', '\u00a0\n'];

  function randomPlainText(random: () => number): string {
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    let text = '';
    const lines = 1 + Math.floor(random() * 40);
    for (let l = 0; l < lines; l++) {
      const n = Math.floor(random() * 6);
      let line = random() < 0.5 ? pick(BLANKS) : '';
      for (let w = 0; w < n; w++) line += (w > 0 ? pick(BLANKS) : '') + pick(WORDS);
      text += line + (l === lines - 1 && random() < 0.3 ? '' : pick(ENDS));
    }
    return text;
  }

  function read(text: string, plainFilePath: boolean) {
    const diags = new DiagnosticSink();
    const pre = new Preprocessor(memoryFs({ '/c/keepalived.conf': text }), diags, {
      configId: 'n1',
      maxLines: 5_000_000,
      plainFilePath,
    });
    assert.ok(pre.openMain('keepalived.conf', '/c'));
    const statements = new Parser(pre, diags).parse(ROOT_GRAMMAR);
    const config = buildConfig(statements, diags, () => pre.filesRead);
    return { statements, config, diagnostics: diags.items };
  }

  test('2,000 random plain configurations', () => {
    const rng = new Prng(20261124);
    const random = () => rng.next();
    let reported = 0;
    for (let i = 0; i < 2000; i++) {
      const text = randomPlainText(random);
      const fast = read(text, true);
      const general = read(text, false);
      assert.deepEqual(fast, general, JSON.stringify(text));
      if (fast.diagnostics.length > 0) reported++;
    }
    assert.ok(reported > 1000, `most cases report something (${reported}), so locations are compared`);
  });

  test('the 1,000 x 10 bench configuration reads the same both ways', () => {
    const text = generateConfig(1000, 10);
    const fast = JSON.stringify(read(text, true));
    const general = JSON.stringify(read(text, false));
    // Compared as text: a structural diff of two large models takes minutes to print.
    let i = 0;
    while (i < fast.length && fast[i] === general[i]) i++;
    assert.ok(i === fast.length && i === general.length, `differ at ${i}: ${fast.slice(i - 200, i + 200)}`);
  });
});
