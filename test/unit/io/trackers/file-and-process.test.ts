/**
 * @module track_file value parsing (keepalived `strtol(buf, NULL, 0)` then ±254) and the
 * file watcher against a real file; vrrp_track_process matching and quorum, and the
 * process tracker against a fake /proc.
 */

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { VrrpTrackProcess } from '../../../../src/config/model.js';
import { FileTracker, parseTrackFileValue } from '../../../../src/io/trackers/file-tracker.js';
import { hasQuorum, matchesProcess } from '../../../../src/io/trackers/process-match.js';
import { countProcesses, ProcessTracker } from '../../../../src/io/trackers/process-tracker.js';
import type { TrackerUpdate } from '../../../../src/io/trackers/types.js';

const loc = { file: 'k.conf', line: 1, col: 1 };

const VALUES: [string, number][] = [
  ['10\n', 10],
  ['  -20', -20],
  ['+7x', 7],
  ['0x10', 16],
  ['010', 8],
  ['08', 0],
  ['abc', 0],
  ['', 0],
  ['300', 254],
  ['-99999999999999999999', -254],
];
for (const [text, value] of VALUES) {
  test(`keepalived process_track_file: ${JSON.stringify(text)} reads as ${value}`, () => {
    assert.equal(parseTrackFileValue(text), value);
  });
}

test('track_file: init_file creates the file, a change is reported, a deleted file reads 0', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kts-tf-'));
  try {
    const path = join(dir, 'v');
    const updates: TrackerUpdate[] = [];
    const t = new FileTracker({
      file: {
        name: 'tf',
        loc,
        file: path,
        weight: 1,
        weightReverse: false,
        initFile: { value: 5, overwrite: false },
      },
      onUpdate: (u) => updates.push(u),
      pollMs: 50,
    });
    await t.init();
    assert.deepEqual(t.state, { kind: 'file', value: 5 });
    t.start();
    await writeFile(path, '-30\n');
    await waitFor(() => updates.length >= 1);
    assert.deepEqual(updates[0], { key: 'file:tf', state: { kind: 'file', value: -30 }, logs: [] });
    await rm(path);
    await waitFor(() => updates.length >= 2);
    assert.deepEqual(t.state, { kind: 'file', value: 0 });
    t.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const spec = (over: Partial<VrrpTrackProcess> = {}): VrrpTrackProcess => ({
  name: 'tp',
  loc,
  process: 'haproxy',
  paramMatch: 'full',
  weight: 1,
  weightReverse: false,
  quorum: 1,
  fullCommand: false,
  ...over,
});
const proc = (name: string, argv: string[], zombie = false) => ({ pid: 1, name, argv, zombie });

const MATCHES: [string, VrrpTrackProcess, ReturnType<typeof proc>, boolean][] = [
  ['exact name', spec(), proc('haproxy', []), true],
  ['no prefix match ("pgrep ^ssh$")', spec({ process: 'ssh' }), proc('sshd', []), false],
  ['zombies are not running', spec(), proc('haproxy', [], true), false],
  [
    'long names compare at 15 characters',
    spec({ process: 'averyveryverylongname' }),
    proc('averyveryverylo', []),
    true,
  ],
  ['full parameters', spec({ parameters: ['-f', 'a'] }), proc('haproxy', ['haproxy', '-f', 'a']), true],
  [
    'full parameters reject extra',
    spec({ parameters: ['-f'] }),
    proc('haproxy', ['haproxy', '-f', 'a']),
    false,
  ],
  [
    'partial parameters allow extra',
    spec({ parameters: ['-f'], paramMatch: 'partial' }),
    proc('h', ['haproxy', '-f', 'a']),
    true,
  ],
  [
    'initial: last parameter a prefix',
    spec({ parameters: ['-f', '/etc/hap'], paramMatch: 'initial' }),
    proc('h', ['haproxy', '-f', '/etc/haproxy.cfg']),
    true,
  ],
  [
    'full_command compares the whole line',
    spec({ process: 'sleep 100', fullCommand: true }),
    proc('sleep', ['sleep', '100']),
    true,
  ],
];
for (const [name, s, p, want] of MATCHES) {
  test(`keepalived track_process match: ${name}`, () => assert.equal(matchesProcess(s, p), want));
}

test('keepalived quorum: quorum ≤ count ≤ quorum_max; quorum_max 0 means "must not run"', () => {
  assert.equal(hasQuorum(spec({ quorum: 2 }), 1), false);
  assert.equal(hasQuorum(spec({ quorum: 2 }), 5), true);
  assert.equal(hasQuorum(spec({ quorum: 1, quorumMax: 1 }), 2), false);
  assert.equal(hasQuorum(spec({ quorum: 0, quorumMax: 0 }), 0), true);
});

test('track_process: a fake /proc scanned; losing quorum is reported after terminate_delay only', async () => {
  const root = await mkdtemp(join(tmpdir(), 'kts-proc-'));
  try {
    const add = async (pid: number, name: string) => {
      await mkdir(join(root, String(pid)));
      await writeFile(join(root, String(pid), 'status'), `Name:\t${name}\nState:\tS (sleeping)\n`);
    };
    await add(10, 'haproxy');
    await add(11, 'bash');
    assert.equal(await countProcesses(spec(), root), 1);
    const updates: TrackerUpdate[] = [];
    const t = new ProcessTracker({
      spec: spec({ terminateDelayS: 0.2 }),
      onUpdate: (u) => updates.push(u),
      scanMs: 20,
      procRoot: root,
    });
    await t.init();
    assert.deepEqual(t.state, { kind: 'process', quorum: true });
    t.start();
    await rm(join(root, '10'), { recursive: true });
    await sleep(100);
    assert.equal(updates.length, 0);
    await waitFor(() => updates.length === 1);
    assert.deepEqual(updates[0], {
      key: 'process:tp',
      state: { kind: 'process', quorum: false },
      logs: ['Quorum lost for tracked process tp'],
    });
    t.stop();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await sleep(10);
  }
}
