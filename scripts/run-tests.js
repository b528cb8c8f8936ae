#!/usr/bin/env node
// Runs the whole suite with Node's built-in runner: every dist/test/**/*.test.js.
// Tests under test/netns/ share the kernel's namespaces and run one file at a time
// after the pure suites, so a slow namespace test never starves a timing-free one.
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
const isSerial = (f) => relative(testRoot, f).startsWith('netns/');
const parallel = all.filter((f) => !isSerial(f));
const serial = all.filter(isSerial);

// One runner invocation so the closing summary counts every test.
// --test-force-exit: a test file that leaves a handle open must not hang the whole run.
const args = ['--test', '--test-reporter=spec', '--test-force-exit', '--test-timeout=300000'];
if (serial.length > 0 && parallel.length === 0) args.push('--test-concurrency=1');
const result = spawnSync(process.execPath, [...args, ...parallel, ...serial], { stdio: 'inherit' });
process.exit(result.status ?? 1);
