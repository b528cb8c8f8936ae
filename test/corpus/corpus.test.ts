/**
 * The real-world corpus, side by side: keepalived 2.2.7 (`keepalived -t`) and
 * `keepalived-ts -t` on every file of ../shared/corpus/keepalived-conf, on this host,
 * with the same config id. They must agree on ok/error for at least 95% of the files;
 * every disagreement is printed with both verdicts and each side's first message.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { configTestExitCode, failsConfigTest, formatDiagnostic } from '../../src/config/diagnostic.js';
import { loadConfig } from '../../src/config/load.js';
import { nodeFileSystem } from '../../src/config/source.js';
import { realHostEnvironment } from '../../src/io/host-environment.js';
import {
  CORPUS_CONFIG_ID as CONFIG_ID,
  keepalivedCheckArgs,
  manifestRows,
  placeCorpusFile,
} from '../helpers/corpus.js';

const KNOWN_EXPLAINED = new Map<string, string>(
  // file → why keepalived-ts deliberately differs (mirrored in README's compatibility notes)
  [],
);

let work: string;

function keepalivedVerdict(dir: string, path: string): { ok: boolean; code: number; first: string } {
  // A private /run/netns: configs with net_namespace make keepalived create one even with -t.
  const script = `mount -t tmpfs none /run/netns 2>/dev/null; cd "$1"; shift; exec keepalived "$@"`;
  const r = spawnSync(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      script,
      'sh',
      dir,
      ...keepalivedCheckArgs(path, work),
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  const out = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() !== '');
  return { ok: r.status === 0, code: r.status ?? -1, first: out[0] ?? '' };
}

function oursVerdict(dir: string, path: string): { ok: boolean; code: number; first: string } {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const { diagnostics } = loadConfig(path, {
      fs: nodeFileSystem,
      env: realHostEnvironment(),
      configId: CONFIG_ID,
      cwd: dir,
    });
    const code = configTestExitCode(diagnostics);
    const first = diagnostics.find(failsConfigTest);
    return { ok: code === 0, code, first: first ? formatDiagnostic(first) : '' };
  } finally {
    process.chdir(cwd);
  }
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'kts-corpus-'));
  mkdirSync('/run/netns', { recursive: true });
});
after(() => rmSync(work, { recursive: true, force: true }));

test('keepalived 2.2.7 and keepalived-ts -t agree on ok/error for >= 95% of the corpus', (t) => {
  const which = spawnSync('keepalived', ['--version'], { encoding: 'utf8' });
  assert.equal(which.error, undefined, 'keepalived must be installed (make test installs it)');
  const rows = manifestRows();
  assert.equal(rows.length, 100, 'the corpus has 100 files');
  const disagreements: string[] = [];
  let agree = 0;
  let sameExit = 0;
  for (const row of rows) {
    const { dir, path } = placeCorpusFile(row, work);
    const theirs = keepalivedVerdict(dir, path);
    const ours = oursVerdict(dir, path);
    if (theirs.code === ours.code) sameExit++;
    if (theirs.ok === ours.ok) agree++;
    else
      disagreements.push(
        `${row.file}: keepalived ${theirs.ok ? 'ok' : `error(${theirs.code})`} / keepalived-ts ${ours.ok ? 'ok' : `error(${ours.code})`}` +
          `${KNOWN_EXPLAINED.has(row.file) ? ` [explained: ${KNOWN_EXPLAINED.get(row.file)}]` : ''}\n` +
          `    keepalived:    ${theirs.first}\n    keepalived-ts: ${ours.first}`,
      );
  }
  t.diagnostic(`agreement: ${agree}/${rows.length} (${((100 * agree) / rows.length).toFixed(1)}%)`);
  for (const d of disagreements) t.diagnostic(d);
  console.log(
    `corpus agreement ${agree}/${rows.length} (same exit code: ${sameExit})\n${disagreements.join('\n')}`,
  );
  assert.ok(agree >= 95, `agreement ${agree}/100 is below 95%:\n${disagreements.join('\n')}`);
});
