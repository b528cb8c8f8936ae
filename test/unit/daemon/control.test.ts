/**
 * The control socket: root-only mode, one request line per connection, `status`,
 * `status json`, unknown commands; where the socket goes by default; the CLI's
 * `--control-socket` extraction.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseArgs } from '../../../src/cli/args.js';
import { controlRequest } from '../../../src/daemon/control-client.js';
import { startControlServer, stopControlServer } from '../../../src/daemon/control-server.js';
import { consoleTimestamp } from '../../../src/daemon/log.js';
import { controlSocketPath, DEFAULT_CONTROL_SOCKET } from '../../../src/daemon/pidfile.js';

describe('control socket', () => {
  test('serves one request per connection with mode 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kts-ctl-'));
    const path = join(dir, 'c.sock');
    const server = await startControlServer(path, (line) =>
      line === 'status json'
        ? '{"ok":true}\n'
        : line === 'status'
          ? 'text\n'
          : `error: unknown command ${line}\n`,
    );
    try {
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(await controlRequest(path, 'status json'), '{"ok":true}\n');
      assert.equal(await controlRequest(path, 'status'), 'text\n');
      assert.match(await controlRequest(path, 'nope'), /^error: unknown command nope/);
    } finally {
      stopControlServer(server, path);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('default path, next to the pid file, or explicit', () => {
    assert.equal(controlSocketPath(undefined, undefined), DEFAULT_CONTROL_SOCKET);
    assert.equal(controlSocketPath(undefined, '/run/k/keepalived.pid'), '/run/k/keepalived.sock');
    assert.equal(controlSocketPath('/x.sock', '/run/k/keepalived.pid'), '/x.sock');
  });

  test('--control-socket is a flag like the others, in both spellings', () => {
    assert.equal(parseArgs(['-n', '--control-socket', '/a', '-l']).controlSocket, '/a');
    assert.equal(parseArgs(['--control-socket=/b', '--json']).controlSocket, '/b');
    assert.equal(parseArgs(['-f', 'x']).controlSocket, undefined);
  });

  test("log timestamps are keepalived's console format", () => {
    assert.equal(consoleTimestamp(new Date(2026, 10, 4, 1, 9, 29)), 'Wed Nov  4 01:09:29 2026');
  });
});
