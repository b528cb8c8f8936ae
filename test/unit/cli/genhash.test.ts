/**
 * `keepalived-ts genhash` prints the same digest as keepalived 2.2.7's `keepalived -T`
 * (genhash mode) for the same page on a local server.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { test } from 'node:test';

const bin = resolve(import.meta.dirname, '../../../../bin/keepalived-ts');
/** Asynchronously, so this process's HTTP server can answer meanwhile. */
const run = (cmd: string, args: string[]) =>
  new Promise<string>((done) =>
    execFile(cmd, args, { timeout: 20_000 }, (_e, out, err) => done(`${out}${err}`)),
  );

test('genhash digest matches keepalived -T on the same page', async () => {
  const body = 'hello keepalived\n'.repeat(100);
  const server = createServer((_req, res) => res.end(body)).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = String((server.address() as AddressInfo).port);
  try {
    const ours = await run(process.execPath, [
      bin,
      'genhash',
      '-s',
      '127.0.0.1',
      '-p',
      port,
      '-u',
      '/index.html',
    ]);
    const theirs = await run('keepalived', ['-T', '-s', '127.0.0.1', '-p', port, '-u', '/index.html']);
    const digest = (s: string) => /([0-9a-f]{32})/.exec(s)?.[1];
    assert.ok(digest(ours), ours);
    assert.equal(digest(ours), digest(theirs));
    assert.match(ours, /HTTP status: 200/);
  } finally {
    server.close();
  }
  assert.equal(
    spawnSync(process.execPath, [bin, 'genhash']).status,
    1,
    'missing arguments print usage and fail',
  );
});
