/**
 * The corpus again, in the harder setting of the corpus's own second run: each file is
 * checked inside a fresh network namespace that has a (bridge) interface for every name
 * keepalived reported missing, so the verdict rests on the configuration's semantics
 * rather than on this host's interfaces. keepalived 2.2.7 and keepalived-ts run side by
 * side in the same namespace; they must agree on ok/error for at least 95% of the files.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import {
  CORPUS_CONFIG_ID as CONFIG_ID,
  corpusDir,
  keepalivedCheckArgs,
  manifestRows,
  placeCorpusFile,
} from '../helpers/corpus.js';

const repoRoot = resolve(import.meta.dirname, '../../..');
const bin = join(repoRoot, 'bin/keepalived-ts');
const ns = `kts-${process.pid}-corpus`;
const work = mkdtempSync(join(tmpdir(), 'kts-corpus-ns-'));

function sh(args: string[], input?: string) {
  return spawnSync(args[0]!, args.slice(1), {
    encoding: 'utf8',
    timeout: 60_000,
    ...(input ? { input } : {}),
  });
}

function removeNamespace(): void {
  sh(['ip', 'netns', 'del', ns]);
}

after(() => {
  removeNamespace();
  rmSync(work, { recursive: true, force: true });
});

/** Interfaces the corpus's second run created for this file (from _check-output). */
function stubInterfaces(file: string): string[] {
  const out = readFileSync(join(corpusDir, '_check-output', file.replace(/\.conf$/, '.txt')), 'utf8');
  const m = /re-check in private netns with stub interfaces (.*) \(exit/.exec(out);
  return m ? m[1]!.split(' ').filter(Boolean) : ['eth0'];
}

function prepareNamespace(interfaces: readonly string[]): void {
  removeNamespace();
  const add = sh(['ip', 'netns', 'add', ns]);
  assert.equal(add.status, 0, add.stderr);
  const batch =
    interfaces.map((i) => `link add ${i} type bridge\nlink set ${i} up\n`).join('') + 'link set lo up\n';
  sh(['ip', '-n', ns, '-force', '-batch', '-'], batch);
}

function inNamespace(dir: string, command: string[]) {
  // A private mount namespace keeps /run/netns untouched by configs with net_namespace.
  const script = 'mount -t tmpfs none /run/netns 2>/dev/null; cd "$1"; shift; exec "$@"';
  return sh([
    'ip',
    'netns',
    'exec',
    ns,
    'unshare',
    '--mount',
    '--propagation',
    'private',
    'sh',
    '-c',
    script,
    'sh',
    dir,
    ...command,
  ]);
}

test('with stub interfaces, keepalived 2.2.7 and keepalived-ts -t agree on >= 95% of the corpus', (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('needs root for network namespaces');
    return;
  }
  let agree = 0;
  let sameExit = 0;
  const disagreements: string[] = [];
  const all = manifestRows();
  for (const row of all) {
    const { dir, path } = placeCorpusFile(row, work);
    prepareNamespace(stubInterfaces(row.file));
    const theirs = inNamespace(dir, ['keepalived', ...keepalivedCheckArgs(path, work)]);
    const ours = inNamespace(dir, [process.execPath, bin, '-t', '-i', CONFIG_ID, '-f', path]);
    const theirsOk = theirs.status === 0;
    const oursOk = ours.status === 0;
    if (theirs.status === ours.status) sameExit++;
    if (theirsOk === oursOk) agree++;
    else {
      const first = (s: string) => s.split('\n').find((l) => l.trim()) ?? '';
      disagreements.push(
        `${row.file}: keepalived ${theirsOk ? 'ok' : `error(${theirs.status})`} / keepalived-ts ${oursOk ? 'ok' : `error(${ours.status})`}\n` +
          `    keepalived:    ${first(theirs.stdout + theirs.stderr)}\n    keepalived-ts: ${first(ours.stderr)}`,
      );
    }
  }
  console.log(
    `corpus agreement with stub interfaces ${agree}/${all.length} (same exit code: ${sameExit})\n${disagreements.join('\n')}`,
  );
  t.diagnostic(`agreement with stub interfaces: ${agree}/${all.length}`);
  assert.ok(agree >= 95, `agreement ${agree}/${all.length}:\n${disagreements.join('\n')}`);
});
