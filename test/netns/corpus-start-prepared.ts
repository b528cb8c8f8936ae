/**
 * @module One corpus config made ready to run (placed, modelled, its stubs written) and
 * what the start test does with it besides keepalived-ts: keepalived 2.2.7's live `-t`
 * verdict, keepalived 2.2.7 (`-P`) in a twin namespace as the reference, the comparison
 * of states, priorities, kernel state and notify calls, and the config's SMTP sink.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../src/config/model.js';
import {
  CORPUS_CONFIG_ID,
  type CorpusRow,
  keepalivedCheckArgs,
  placeCorpusFile,
  stubCheckMessages,
  stubInterfaceNames,
} from '../helpers/corpus.js';
import {
  type CorpusNeeds,
  corpusNeeds,
  loadCorpusModel,
  notifyScriptPaths,
  smtpSink,
} from './corpus-start-env.js';
import {
  instanceDifferences,
  keepalivedView,
  type Status,
  snapshotDifferences,
} from './corpus-start-judge.js';
import {
  kernelSnapshot,
  smtpSinkCommand,
  stubCalls,
  stubMounts,
  wrappedCommand,
} from './corpus-start-lab.js';
import { BIN, Daemon, keepalivedArgv } from './daemon-lab.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How much slower than an idle machine this one runs now (1-minute load per core, 1..4):
 * the waits below are scaled by it, so a machine busy with other suites slows the test
 * down instead of failing it. What is judged does not change.
 */
export const SLOWDOWN = Math.min(4, Math.max(1, loadavg()[0]! / cpus().length));
export const scaled = (ms: number) => Math.round(ms * SLOWDOWN);

export interface Prepared {
  readonly row: CorpusRow;
  readonly dir: string;
  readonly placed: { readonly dir: string; readonly path: string };
  readonly config: Config;
  readonly needs: CorpusNeeds;
  /** The overlay mounts of the stubs keepalived-ts and keepalived 2.2.7 use (each its own). */
  readonly mounts: { readonly ours: readonly string[]; readonly theirs: readonly string[] };
}

export function prepare(row: CorpusRow, n: number, work: string): Prepared {
  const dir = join(work, `c${n}`);
  mkdirSync(dir, { recursive: true });
  const placed = placeCorpusFile(row, dir);
  const config = loadCorpusModel(placed.dir, placed.path, CORPUS_CONFIG_ID);
  const needs = corpusNeeds(config, placed.dir, stubInterfaceNames(row.file));
  const mounts = {
    ours: stubMounts(needs.scripts, join(dir, 'stubs-ours')),
    theirs: stubMounts(needs.scripts, join(dir, 'stubs-theirs')),
  };
  return { row, dir, placed, config, needs, mounts };
}

/** `command` in `ns`, with the config's stubs and private /run/netns, from its directory. */
export function wrapped(
  p: Prepared,
  command: readonly string[],
  whose: 'ours' | 'theirs' = 'ours',
): string[] {
  return wrappedCommand(p.mounts[whose], p.placed.dir, command, p.config.global.netNamespace);
}

/** Notify calls that only one of the two daemons made (both stopped). */
export function notifyDifferences(p: Prepared): string[] {
  const notify = notifyScriptPaths(p.config, p.placed.dir);
  const calls = (whose: string) =>
    stubCalls(join(p.dir, `stubs-${whose}`)).filter((c) => notify.has(c.split(' ')[0]!));
  const ours = calls('ours');
  const theirs = calls('theirs');
  const only = (a: string[], b: string[]) => {
    const rest = [...b];
    return a.filter((c) => {
      const k = rest.indexOf(c);
      if (k < 0) return true;
      rest.splice(k, 1);
      return false;
    });
  };
  const diffs = [
    ...only(ours, theirs).map((c) => `notify only from keepalived-ts: ${c}`),
    ...only(theirs, ours).map((c) => `notify only from keepalived 2.2.7: ${c}`),
  ];
  if (diffs.length === 0) return [];
  const all = (whose: string) => stubCalls(join(p.dir, `stubs-${whose}`)).join(' | ');
  return [...diffs, `script calls: keepalived-ts [${all('ours')}], keepalived 2.2.7 [${all('theirs')}]`];
}

/** Exit status of `command` run in `ns` with the config's stubs. */
export function exitStatus(p: Prepared, ns: string, command: readonly string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', ns, ...wrapped(p, command)], {
      stdio: 'ignore',
      timeout: 30_000,
    });
    child.on('error', () => resolve(null));
    child.on('exit', (code) => resolve(code));
  });
}

/**
 * keepalived 2.2.7's live `-t` verdict in `ns` (which has every interface any config
 * names), with the config's stub scripts present; where keepalived accepts, keepalived-ts's
 * `-t` verdict too (it must accept what it is then asked to run).
 */
export async function liveVerdicts(
  p: Prepared,
  ns: string,
): Promise<{ theirs: number | null; ours: number | null }> {
  const theirs = await exitStatus(p, ns, ['keepalived', ...keepalivedCheckArgs(p.placed.path, p.dir)]);
  if (theirs !== 0) return { theirs, ours: null };
  const ours = await exitStatus(p, ns, [
    process.execPath,
    BIN,
    '-t',
    '-i',
    CORPUS_CONFIG_ID,
    '-f',
    p.placed.path,
  ]);
  return { theirs, ours };
}

export async function stopDaemon(d: Daemon): Promise<number | null> {
  d.signal('SIGTERM');
  const killer = setTimeout(() => d.signal('SIGKILL'), scaled(10_000));
  const code = await d.exited;
  clearTimeout(killer);
  return code;
}

/** The config's smtp_server, when it is an address, as an SMTP sink in `ns` (killed with the namespace). */
export async function startSmtpSink(p: Prepared, ns: string): Promise<void> {
  const smtp = smtpSink(p.config);
  if (!smtp) return;
  const sink = new Daemon(
    `${p.row.file} (smtp sink)`,
    ns,
    smtpSinkCommand(smtp.address.address, smtp.port),
    '',
  );
  await sink.waitFor(/^ready$/, scaled(20_000));
}

/** keepalived 2.2.7 (VRRP only) on the same config in a twin namespace. */
export function startReference(p: Prepared, ns: string): Daemon | undefined {
  if (p.config.vrrpInstances.length === 0) return undefined;
  // -b too: with -i the default BFD pid file is named after the config id, shared by concurrent runs.
  const argv = [
    ...keepalivedArgv(p.dir, 'ref', p.placed.path),
    '-b',
    join(p.dir, 'ref.bfd.pid'),
    '-P',
    '-i',
    CORPUS_CONFIG_ID,
  ];
  return new Daemon(`${p.row.file} (keepalived)`, ns, wrapped(p, argv, 'theirs'), '');
}

/**
 * Where keepalived-ts and keepalived 2.2.7 differ once ours is steady: instance states
 * and effective priorities, and what each put in its namespace (addresses, links,
 * routes, rules). keepalived gets up to 6 s more to settle (it started at the same time,
 * but under load it may run behind).
 */
export async function referenceDifferences(
  status: Status,
  reference: Daemon,
  ns: string,
  twin: string,
): Promise<string[]> {
  const ours = kernelSnapshot(ns);
  // Under load keepalived may start late: first wait (10 s at most) until it has a state for every instance.
  for (
    const until = performance.now() + scaled(10_000);
    performance.now() < until && reference.running;
    await sleep(250)
  ) {
    const view = keepalivedView(reference.lines.map((l) => l.text));
    if (status.instances.every((i) => view.get(i.name)?.state !== undefined)) break;
  }
  let diffs: string[] = [];
  for (const until = performance.now() + scaled(6000); ; await sleep(250)) {
    const lines = reference.lines.map((l) => l.text);
    diffs = [...instanceDifferences(status, lines), ...snapshotDifferences(ours, kernelSnapshot(twin))];
    if (diffs.length === 0 || performance.now() > until || !reference.running) return diffs;
  }
}

/**
 * Whether stub scripts could change keepalived's verdict: its check with the interfaces
 * created failed on script messages only (a track script not found, its user...). Only
 * those are checked live: stubs cannot cure any other message.
 */
export function rejectedForScriptsOnly(row: CorpusRow): boolean {
  const messages = stubCheckMessages(row.file);
  return row.stubInterfacesCheck !== 'ok' && messages.length > 0 && messages.every((m) => /script/i.test(m));
}
