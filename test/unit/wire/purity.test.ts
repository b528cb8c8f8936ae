/**
 * @module The functional-core rules for src/wire (STYLE "What each layer may import"):
 * no `node:*` imports, no Node globals, erasable syntax only, files under 300 lines,
 * and a TSDoc `@module` header on every file.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const wireDir = join(fileURLToPath(new URL('../../../..', import.meta.url)), 'src', 'wire');
const files = readdirSync(wireDir).filter((f) => f.endsWith('.ts'));

test('src/wire has its sources', () => assert.ok(files.length >= 15));

for (const file of files) {
  test(`src/wire/${file} stays in the functional core`, () => {
    const text = readFileSync(join(wireDir, file), 'utf8');
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    assert.doesNotMatch(code, /from\s+['"]node:|require\(|\bprocess\.|\bBuffer\b|setTimeout|setInterval/);
    assert.doesNotMatch(code, /^\s*(export\s+)?(const\s+)?enum\s|^\s*(export\s+)?namespace\s/m);
    assert.match(text, /^\/\*\*\n \* @module /);
    assert.ok(text.split('\n').length < 300, `${file} is over 300 lines`);
  });
}
