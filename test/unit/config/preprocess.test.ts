/**
 * The line preprocessor against the examples of keepalived.conf(5) (2.2.7):
 * comments, conditionals, definitions, ~SEQ/~LST, includes and brace splitting.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decomment } from '../../../src/config/decomment.js';
import { DiagnosticSink } from '../../../src/config/diagnostic.js';
import { Preprocessor } from '../../../src/config/preprocess.js';
import { memoryFs } from '../../helpers/memory-fs.js';

function lines(
  text: string,
  configId = 'main',
  extra: Record<string, string> = {},
): { out: string[]; diags: DiagnosticSink } {
  const diags = new DiagnosticSink();
  const pre = new Preprocessor(memoryFs({ '/etc/k/keepalived.conf': text, ...extra }), diags, {
    configId,
    randomSeed: 1,
  });
  assert.ok(pre.openMain('keepalived.conf', '/etc/k'));
  const out: string[] = [];
  for (let l = pre.next(); l; l = pre.next()) out.push(l.text);
  return { out, diags };
}

describe('decomment', () => {
  test('strips # and ! comments outside double quotes, keeps them inside', () => {
    assert.equal(decomment('  priority 100 # high'), 'priority 100');
    assert.equal(decomment('script "echo #1 ! x" ! note'), 'script "echo #1 ! x"');
    assert.equal(decomment('a \\# b'), 'a # b');
  });
  test('keeps a trailing backslash as continuation marker', () => {
    assert.equal(decomment('  vrrp_instance X { \\'), 'vrrp_instance X {\\');
  });
});

describe('braces', () => {
  test('a block opener on the keyword line and on the next line give the same lines', () => {
    assert.deepEqual(lines('vrrp_instance VI_1 {\n state MASTER\n}\n').out, [
      'vrrp_instance VI_1',
      '{',
      'state MASTER',
      '}',
    ]);
    assert.deepEqual(lines('vrrp_instance VI_1\n{\n state MASTER\n}\n').out, [
      'vrrp_instance VI_1',
      '{',
      'state MASTER',
      '}',
    ]);
  });
  test('an inline block is split into its own lines', () => {
    assert.deepEqual(lines('virtual_ipaddress { 10.0.0.1/24 }').out, [
      'virtual_ipaddress',
      '{',
      '10.0.0.1/24',
      '}',
    ]);
  });
  test('braces inside quotes are not split', () => {
    assert.deepEqual(lines('script "a {b}"').out, ['script "a {b}"']);
  });
  test('a missing } is reported once at the end', () => {
    const { diags } = lines('global_defs {\n router_id x\n');
    assert.match(diags.items[0]!.message, /There are 1 missing '}'s or extra '{'s/);
  });
  test('an extra } is reported with its line', () => {
    const { diags } = lines('global_defs {\n}\n}\n');
    assert.equal(diags.items[0]!.message, "Extra '}' found");
    assert.equal(diags.items[0]!.location?.line, 3);
  });
});

describe('conditional configuration (man page example)', () => {
  const text =
    'global_defs {\n @main router_id main_router\n @backup router_id backup_router\n}\nunicast_peer {\n @^main 1.2.3.4\n @^backup 1.2.3.5\n @^backup2 1.2.3.6\n}\n';
  test('-i main keeps @main lines and drops @^main lines', () => {
    assert.deepEqual(lines(text, 'main').out, [
      'global_defs',
      '{',
      'router_id main_router',
      '}',
      'unicast_peer',
      '{',
      '1.2.3.5',
      '1.2.3.6',
      '}',
    ]);
  });
  test('another id keeps neither @main nor @backup', () => {
    assert.deepEqual(lines(text, 'other').out.slice(0, 3), ['global_defs', '{', '}']);
  });
});

describe('parameter substitution (man page examples)', () => {
  test('substitution happens at use time and recursively', () => {
    const text =
      '$ADDRESS_BASE=10.2.${ADDRESS_BASE_SUB}\n$ADDRESS_BASE_SUB=0\n${ADDRESS_BASE}.100/32\n$ADDRESS_BASE_SUB=10\n${ADDRESS_BASE}.100/32\n';
    assert.deepEqual(lines(text).out, ['10.2.0.100/32', '10.2.10.100/32']);
  });
  test('$NAME needs a following blank; undefined names stay as written', () => {
    assert.deepEqual(lines('$P=240\npriority $P\nx $Px $UNDEF\n').out, ['priority 240', 'x $Px $UNDEF']);
  });
  test('a definition may carry a conditional', () => {
    assert.deepEqual(lines('$IF_MAIN=@main\n$IF_MAIN priority 240\n', 'main').out, ['priority 240']);
    assert.deepEqual(lines('$IF_MAIN=@main\n$IF_MAIN priority 240\n', 'other').out, []);
  });
  test('multi-line definitions expand at the end of a line, nested', () => {
    const text = [
      '$RS= \\',
      'real_server 192.168.${VS}.${RS_NUM} 80 { \\',
      '  weight 1 \\',
      '}',
      '$VS_BLOCK= \\',
      'virtual_server 10.0.${VS}.4 80 { \\',
      '  $RS_NUM=1 \\',
      '  $RS \\',
      '}',
      '$VS=0',
      '$VS_BLOCK',
    ].join('\n');
    assert.deepEqual(lines(text).out, [
      'virtual_server 10.0.0.4 80',
      '{',
      'real_server 192.168.0.1 80',
      '{',
      'weight 1',
      '}',
      '}',
    ]);
  });
  test('${_INSTANCE} is the config id; ${_HASH} starts a comment as in keepalived 2.2.7 (corpus 099)', () => {
    assert.deepEqual(lines('a ${_INSTANCE}\n', 'n1').out, ['a n1']);
    assert.deepEqual(lines('$C=${_HASH}\n${C} weight 10\nb ${_BANG} c\n').out, ['b']);
  });
  test('${_RANDOM min max} stays within its bounds', () => {
    const out = lines('~SEQ(i,1,50) ${_RANDOM 3 5}\n').out.map(Number);
    assert.equal(out.length, 50);
    assert.ok(out.every((v) => v >= 3 && v <= 5));
  });
  test('a self-referencing definition is an error, not a hang', () => {
    const { diags } = lines('$A=x $A\ny $A\n');
    assert.ok(diags.items.some((d) => /does not terminate/.test(d.message)));
  });
});

describe('~SEQ and ~LST (man page examples)', () => {
  test('~SEQ counts up', () => {
    assert.deepEqual(lines('~SEQ(SUBNET, 0, 3) ip_address 10.0.${SUBNET}.1\n').out, [
      'ip_address 10.0.0.1',
      'ip_address 10.0.1.1',
      'ip_address 10.0.2.1',
      'ip_address 10.0.3.1',
    ]);
  });
  test('~SEQx formats in hex and nests', () => {
    assert.deepEqual(
      lines('~SEQx(AD2, 0x90, 0x10, 0xa0) ~SEQx(AD1, 0x12, -1, 0x11) fe81::10:${AD2}:${AD1}\n').out,
      ['fe81::10:90:12', 'fe81::10:90:11', 'fe81::10:a0:12', 'fe81::10:a0:11'],
    );
  });
  test('~SEQ with one or two numbers uses keepalived defaults', () => {
    assert.deepEqual(lines('~SEQ(I, 3) x${I}\n').out, ['x1', 'x2', 'x3']);
    assert.deepEqual(lines('~SEQ(I, 3, 1) x${I}\n').out, ['x3', 'x2', 'x1']);
  });
  test('~LST with tuples, combined with ~SEQ', () => {
    assert.deepEqual(
      lines('~LST({IP, IP1}, {10,1},{20,4}) ~SEQ(IP2,168,2,170) 192.${IP2}.${IP}.${IP1}\n').out,
      ['192.168.10.1', '192.170.10.1', '192.168.20.4', '192.170.20.4'],
    );
  });
  test('an invalid ~SEQ is an error with its location', () => {
    const { diags } = lines('\n~SEQ(I, 1, -1, 5) x\n');
    assert.equal(diags.items[0]!.location?.line, 2);
    assert.match(diags.items[0]!.message, /Invalid ~SEQ specification/);
  });
});

describe('include', () => {
  test('globs relative to the including file, in sorted order', () => {
    const { out } = lines('include conf.d/*.conf\nlast\n', 'x', {
      '/etc/k/conf.d/b.conf': 'second\n',
      '/etc/k/conf.d/a.conf': 'first\n',
    });
    assert.deepEqual(out, ['first', 'second', 'last']);
  });
  test('brace expansion in include patterns', () => {
    const { out } = lines('include {one,two}.inc\n', 'x', {
      '/etc/k/one.inc': '1\n',
      '/etc/k/two.inc': '2\n',
    });
    assert.deepEqual(out, ['1', '2']);
  });
  test('a missing plain include is only a notice; includea makes it an error', () => {
    assert.equal(lines('include nothere.conf\n').diags.items[0]!.severity, 'notice');
    const strict = lines('includea nothere.conf\n').diags.items[0]!;
    assert.equal(strict.severity, 'error');
    assert.equal(strict.message, "Config files missing 'nothere.conf'.");
  });
  test('diagnostics in an included file point at that file', () => {
    const { diags } = lines('include x.conf\n', 'x', { '/etc/k/x.conf': 'a\n}\n' });
    assert.equal(diags.items[0]!.location?.file, '/etc/k/x.conf');
    assert.equal(diags.items[0]!.location?.line, 2);
  });
});
