/**
 * The configuration pipeline never throws: 10,000 inputs, most of them real corpus
 * configs mutated at random (the rest arbitrary text), all come back as a model plus
 * diagnostics, and every diagnostic has a place.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { loadConfig } from '../../src/config/load.js';
import { memoryFs } from '../helpers/memory-fs.js';

const corpusDir = resolve(import.meta.dirname, '../../../../shared/corpus/keepalived-conf');
const seeds = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.conf'))
  .map((f) => readFileSync(join(corpusDir, f), 'latin1'));

/** Pieces that exercise the preprocessor's special syntax when spliced in. */
const TOKENS = [
  '{',
  '}',
  '"',
  "'",
  '\\',
  '\n',
  '#',
  '!',
  '$',
  '${',
  '$X=',
  '$X=\\\n',
  '~SEQ(i,1,3) ',
  '~LST(a,1,2) ',
  '@',
  '@^',
  'include ',
  'include *.conf',
  'vrrp_instance V {',
  'virtual_ipaddress {',
  'real_server 1.2.3.4 80 {',
  ' weight ',
  'priority 300',
  'advert_int 0',
  '${_RANDOM 1 2}',
  '\t',
  '\r\n',
  '\u00e9',
  '\u0000',
  '999999999999999999999',
];

const mutation = fc.oneof(
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 8 })),
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 200 }) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function apply(text: string, muts: readonly Mutation[]): string {
  let out = text;
  for (const m of muts) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.op === 'insert') out = out.slice(0, at) + m.text + out.slice(at);
    else if (m.op === 'delete') out = out.slice(0, at) + out.slice(at + m.len);
    else out = out.slice(0, at) + out.slice(at, at + m.len) + out.slice(at);
  }
  return out;
}

function checkNeverThrows(text: string): void {
  const fs = memoryFs({
    '/cfg/keepalived.conf': text,
    '/cfg/a.conf': 'vrrp_script s {\n script "true"\n}\n',
  });
  const { config, diagnostics } = loadConfig('keepalived.conf', {
    fs,
    configId: 'node1',
    cwd: '/cfg',
    randomSeed: 7,
    maxLines: 20_000,
  });
  assert.ok(config, 'a readable file always yields a model');
  for (const d of diagnostics) {
    assert.equal(typeof d.location.file, 'string');
    assert.ok(d.location.line >= 0 && d.location.col >= 0, `diagnostic without a place: ${d.message}`);
    assert.ok(d.message.length > 0);
  }
}

test('mutated corpus configs never make the parser throw (8,000 cases)', () => {
  fc.assert(
    fc.property(
      fc.nat({ max: seeds.length - 1 }),
      fc.array(mutation, { minLength: 1, maxLength: 12 }),
      (i, muts) => checkNeverThrows(apply(seeds[i]!, muts)),
    ),
    { numRuns: 8000, seed: 20261124 },
  );
});

test('arbitrary text never makes the parser throw (2,000 cases)', () => {
  const line = fc.array(
    fc.oneof(
      fc.constantFrom(...TOKENS),
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 6 }),
    ),
    {
      maxLength: 12,
    },
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 40 }), (lines) =>
      checkNeverThrows(lines.map((l) => l.join(' ')).join('\n')),
    ),
    { numRuns: 2000, seed: 5798 },
  );
});
