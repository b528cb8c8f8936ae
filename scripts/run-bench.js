#!/usr/bin/env node
// Runs every benchmark in dist/bench (or those named on the command line): figures
// and ratios against keepalived, never pass/fail.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('../dist/bench/', import.meta.url).pathname;
const wanted = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.js') && f !== 'stats.js' && !f.endsWith('-lib.js'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)));
let failed = 0;
for (const b of benches) {
  console.log(`\n### bench/${b.replace(/\.js$/, '.ts')}`);
  const r = spawnSync(process.execPath, [join(dir, b)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
