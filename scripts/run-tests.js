#!/usr/bin/env node
// Runs the whole suite with Node's built-in runner: every dist/test/**/*.test.js.
// Two files run at a time: the namespace tests spend most of their time waiting on VRRP
// timers, and every one of them names its namespaces, links and tables uniquely per
// process, so they can overlap. Timing is never asserted (benches measure it), so the
// overlap costs nothing but wall time saved.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const testRoot = join(root, 'dist', 'test');

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.js')) found.push(path);
  }
  return found;
}

const filter = process.argv.slice(2);
const all = findTests(testRoot).filter(
  (f) => filter.length === 0 || filter.some((part) => relative(testRoot, f).includes(part)),
);
if (all.length === 0) {
  console.error(
    `run-tests: no test files found under ${testRoot}${filter.length ? ` matching ${filter}` : ''}`,
  );
  process.exit(1);
}
// Namespace tests after the others, so the quick suites report first.
const isNetns = (f) => relative(testRoot, f).startsWith('netns/');
const ordered = [...all.filter((f) => !isNetns(f)), ...all.filter(isNetns)];

// One runner invocation so the closing summary counts every test.
// --test-force-exit: a test file that leaves a handle open must not hang the whole run.
const args = [
  '--test',
  '--test-reporter=spec',
  '--test-force-exit',
  '--test-timeout=300000',
  '--test-concurrency=2',
];
const result = spawnSync(process.execPath, [...args, ...ordered], { stdio: 'inherit' });
process.exit(result.status ?? 1);
