/**
 * The real-world config corpus (../shared/corpus/keepalived-conf): its manifest and
 * files placed as keepalived checked them (files with includes in their original layout).
 */
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '../../..');
export const corpusDir = resolve(repoRoot, '../shared/corpus/keepalived-conf');

export interface CorpusRow {
  readonly file: string;
  readonly sourcePath: string;
  /** keepalived 2.2.7's verdict in a namespace with the interfaces it reported missing. */
  readonly stubInterfacesCheck: 'ok' | 'error';
}

export function manifestRows(): CorpusRow[] {
  const lines = readFileSync(join(corpusDir, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
  const header = lines[0]!.split('\t');
  return lines.slice(1).map((l) => {
    const f = l.split('\t');
    return {
      file: f[header.indexOf('file')]!,
      sourcePath: f[header.indexOf('source_path')]!,
      stubInterfacesCheck: f[header.indexOf('check_with_stub_interfaces')] === 'ok' ? 'ok' : 'error',
    };
  });
}

/** Files with includes are checked from a copy of their original layout (corpus README). */
export function placeCorpusFile(row: CorpusRow, work: string): { dir: string; path: string } {
  const inc = join(corpusDir, row.file.replace(/\.conf$/, '.inc'));
  if (!existsSync(inc)) return { dir: corpusDir, path: row.file };
  const dir = join(work, row.file);
  mkdirSync(dir, { recursive: true });
  cpSync(inc, dir, { recursive: true });
  cpSync(join(corpusDir, row.file), join(dir, basename(row.sourcePath)));
  return { dir, path: basename(row.sourcePath) };
}

/** The config id both checks use: the corpus was checked on a host named kc-check. */
export const CORPUS_CONFIG_ID = 'kc-check';

/** keepalived's own config-test command for one file, with pid files kept in `work`. */
export function keepalivedCheckArgs(path: string, work: string): string[] {
  const pid = (name: string) => join(work, `${name}.pid`);
  return [
    '-t',
    '-l',
    '-i',
    CORPUS_CONFIG_ID,
    '-f',
    path,
    '-p',
    pid('p'),
    '-r',
    pid('r'),
    '-c',
    pid('c'),
    '-b',
    pid('b'),
  ];
}

const checkOutput = (file: string) =>
  readFileSync(join(corpusDir, '_check-output', file.replace(/\.conf$/, '.txt')), 'utf8');

/** Interfaces the corpus's second check created for `file` (from _check-output; eth0 always). */
export function stubInterfaceNames(file: string): string[] {
  const m = /re-check in private netns with stub interfaces (.*) \(exit/.exec(checkOutput(file));
  return m ? m[1]!.split(' ').filter(Boolean) : ['eth0'];
}

/** keepalived's messages in the corpus's second check (with the interfaces created). */
export function stubCheckMessages(file: string): string[] {
  const out = checkOutput(file);
  const at = out.indexOf('re-check in private netns');
  if (at < 0) return [];
  return out
    .slice(at)
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '');
}
