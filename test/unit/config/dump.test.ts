/**
 * The canonical dump parses back to the same model (places aside), for the article's
 * configs and for corpus configs that keepalived accepts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { dumpConfig } from '../../../src/config/dump.js';
import { loadConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/model.js';
import { memoryFs } from '../../helpers/memory-fs.js';

const repo = resolve(import.meta.dirname, '../../../..');
const corpus = resolve(repo, '../shared/corpus/keepalived-conf');

function load(text: string): Config {
  const { config } = loadConfig('k.conf', { fs: memoryFs({ '/d/k.conf': text }), configId: 'x', cwd: '/d' });
  return config!;
}

/** The model without source places, file lists and keywords kept verbatim. */
function meaning(c: Config): unknown {
  return JSON.parse(
    JSON.stringify(c, (k, v) =>
      k === 'loc' || k === 'interfaceLoc' || k === 'files' || k === 'text' ? undefined : v,
    ),
  );
}

const files = [
  resolve(repo, 'examples/server1.conf'),
  resolve(repo, 'examples/server2.conf'),
  resolve(corpus, '005-acassen-vrrp-scripts.conf'),
  resolve(corpus, '035-yrmcds-minimal.conf'),
  resolve(corpus, '045-weqe-vmac-minimal.conf'),
];

for (const file of files)
  test(`dump(load(x)) loads back to the same model: ${file.split('/').slice(-2).join('/')}`, () => {
    const first = load(readFileSync(file, 'latin1'));
    const again = load(dumpConfig(first));
    assert.deepEqual(meaning(again), meaning(first));
  });
