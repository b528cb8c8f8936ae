/**
 * Every corpus config that keepalived 2.2.7 accepts (MANIFEST.tsv, check with the
 * interfaces it names created) must start under keepalived-ts and reach a steady state:
 * each in a fresh namespace with its interfaces and addresses (corpus-start-env.ts), its
 * scripts replaced by stubs that succeed and /run/netns private (corpus-start-lab.ts), the
 * daemon in the foreground (`-n -l -D`, nftables data plane, own control socket and pid
 * files), polled over the control socket until
 * - every VRRP instance is MASTER or BACKUP and has not changed state for a second, a
 *   MASTER's VIPs are on its interface; FAULT counts only when the instance's own trackers
 *   put it there (e.g. a tracked process that does not run here), and the line says so;
 * - the LVS part (if any) runs the nftables plane: synced without errors, its table in
 *   the namespace holding every virtual service;
 * - no error-level line was logged (see `errorLevel`).
 * Then SIGTERM: exit 0, and the namespace's addresses, links and nft tables are as before.
 * Prints one line per config and "N of M accepted configs reached steady state".
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Config } from '../../src/config/model.js';
import {
  CORPUS_CONFIG_ID,
  type CorpusRow,
  manifestRows,
  placeCorpusFile,
  stubInterfaceNames,
} from '../helpers/corpus.js';
import { corpusNeeds, expectedServiceKeys, loadCorpusModel } from './corpus-start-env.js';
import {
  addressSnapshot,
  buildNamespace,
  namespaceName,
  nftTable,
  removeCorpusNamespace,
  stubMounts,
  sweepStaleCorpusNamespaces,
  tableServiceKeys,
  wrappedCommand,
} from './corpus-start-lab.js';
import { BIN, Daemon, labUnavailable } from './daemon-lab.js';

/**
 * Accepted configs known not to reach a steady state, with the reason. Keep it empty
 * unless the cause is outside keepalived-ts (a daemon bug is fixed, not listed here).
 */
const EXPECTED_NOT_STEADY: Readonly<Record<string, string>> = {};

const CONCURRENCY = 6;
const work = mkdtempSync(join(tmpdir(), 'kts-cs-'));
const namespaces = new Set<string>();

function cleanup(): void {
  for (const ns of namespaces) removeCorpusNamespace(ns);
  namespaces.clear();
  rmSync(work, { recursive: true, force: true });
}
after(cleanup);
process.once('exit', cleanup);

/**
 * Error-level lines. Config diagnostics (`file:line:col: severity: ...`) are judged by
 * their severity alone. Other lines are error-level when they report a failure, or when
 * Node printed them (a crash, an uncaught error, a process warning). Health-check
 * verdicts ("HTTP_GET on service ... failed", "Removing service", "Lost quorum") are not:
 * with no real server in the namespace they are the expected steady state (keepalived
 * logs them at LOG_INFO).
 */
function errorLevel(text: string): boolean {
  const body = text.replace(/^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}: /, '');
  const diagnostic = /^\S+:\d+:\d+: (error|warning|notice): /.exec(body);
  if (diagnostic) return diagnostic[1] === 'error';
  if (/^\S+ on service \[[^\]]*\]:\S+ failed|^Removing service |^Disabling service |^Lost quorum /.test(body))
    return false;
  return (
    /\b(error|errors|fail|failed|failure|cannot|can't|unable|refused|denied|invalid|exception|not supported|timed out)\b/i.test(
      body,
    ) || /^\s+at |Warning:|Uncaught|Unhandled|^node:/.test(body)
  );
}

interface Outcome {
  readonly file: string;
  readonly steady: boolean;
  readonly detail: string;
}

type LvsStatusJson = {
  plane: string;
  syncs: number;
  syncErrors: number;
  services: { id: string }[];
} | null;
interface Status {
  instances: {
    name: string;
    state: string;
    interface: string;
    vipsSet: boolean;
    masterDownIntervalMs: number;
    virtualAddresses: string[];
    lastTransition: { agoMs: number; to: string; cause: string } | null;
    tracking: { faultBy: string[] } | null;
  }[];
  lvs?: LvsStatusJson;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Why the status is not steady yet, or null; FAULT notes go to `notes`. */
function notSteady(s: Status, config: Config, ns: string, notes: string[]): string | null {
  notes.length = 0;
  for (const i of s.instances) {
    if (i.state === 'FAULT' && (i.tracking?.faultBy.length ?? 0) > 0) {
      notes.push(`${i.name} FAULT (its trackers: ${i.tracking!.faultBy.join(', ')})`);
    } else if (i.state !== 'MASTER' && i.state !== 'BACKUP') return `${i.name} is ${i.state}`;
    // A BACKUP must outlast its master-down timer: with no peer here it would become MASTER.
    const settle = i.state === 'BACKUP' ? Math.max(1000, i.masterDownIntervalMs + 500) : 1000;
    if ((i.lastTransition?.agoMs ?? 0) < settle) return `${i.name} ${i.state} for less than ${settle} ms`;
    if (i.state === 'MASTER' && !i.vipsSet) return `${i.name} is MASTER without its VIPs set`;
  }
  if (config.virtualServers.length > 0) {
    const lvs = s.lvs;
    if (!lvs) return 'LVS part not running';
    if (lvs.plane !== 'nftables') return `LVS plane is ${lvs.plane}`;
    if (lvs.syncErrors > 0) return `LVS plane: ${lvs.syncErrors} sync errors`;
    if (lvs.syncs === 0) return 'LVS plane not synced yet';
    const table = nftTable(ns);
    if (table === null) return 'no nftables table inet keepalived_ts';
    const want = expectedServiceKeys(config);
    const have = tableServiceKeys(table);
    if (want.join() !== have.join())
      return `nftables table matches [${have.join(', ')}], config asks [${want.join(', ')}]`;
  }
  return null;
}

/** The VIPs of MASTER instances that are not on any interface of `ns`. */
function missingVips(s: Status, ns: string): string[] {
  const present = new Set(addressSnapshot(ns).map((l) => l.split(' ')[1]?.split('/')[0]));
  return s.instances
    .filter((i) => i.state === 'MASTER')
    .flatMap((i) => i.virtualAddresses.filter((a) => !present.has(a)).map((a) => `${i.name}:${a}`));
}

function maxAdvertS(config: Config): number {
  return Math.max(1, ...config.vrrpInstances.map((i) => i.advertIntCs / 100));
}

async function runOne(row: CorpusRow, n: number): Promise<Outcome> {
  const ns = namespaceName(n);
  const dir = join(work, `c${n}`);
  mkdirSync(dir, { recursive: true });
  const placed = placeCorpusFile(row, dir);
  const config = loadCorpusModel(placed.dir, placed.path, CORPUS_CONFIG_ID);
  const needs = corpusNeeds(config, placed.dir, stubInterfaceNames(row.file));
  namespaces.add(ns);
  let daemon: Daemon | undefined;
  try {
    buildNamespace(ns, needs);
    const before = addressSnapshot(ns);
    const mounts = stubMounts(needs.scripts, dir);
    const f = (x: string) => join(dir, x);
    const command = [process.execPath, BIN, '-n', '-l', '-D', '-i', CORPUS_CONFIG_ID, '-f', placed.path];
    command.push('-p', f('k.pid'), '-r', f('v.pid'), '-c', f('c.pid'), '--data-plane', 'nftables');
    command.push('--control-socket', f('ctl.sock'));
    daemon = new Daemon(row.file, ns, wrappedCommand(mounts, placed.dir, command), f('ctl.sock'));
    await daemon.waitFor(/Control socket .* ready/, 20_000);
    const deadline = performance.now() + 10_000 + 4_000 * maxAdvertS(config);
    const notes: string[] = [];
    let why: string | null = 'no status yet';
    let status: Status | undefined;
    while (performance.now() < deadline && daemon.running) {
      await sleep(300);
      try {
        status = (await daemon.status()) as unknown as Status;
      } catch (e) {
        why = `status: ${(e as Error).message}`;
        continue;
      }
      why = notSteady(status, config, ns, notes);
      if (why === null) break;
    }
    const problems: string[] = [];
    if (why !== null) problems.push(`not steady: ${why}`);
    if (status && why === null) {
      const missing = missingVips(status, ns);
      if (missing.length > 0) problems.push(`VIPs missing from the kernel: ${missing.join(' ')}`);
    }
    const errors = daemon.lines.filter((l) => errorLevel(l.text)).map((l) => l.text);
    if (errors.length > 0) problems.push(`error-level lines: ${errors.slice(0, 3).join(' | ')}`);
    daemon.signal('SIGTERM');
    const killer = setTimeout(() => daemon?.signal('SIGKILL'), 10_000);
    const code = await daemon.exited;
    clearTimeout(killer);
    if (code !== 0) problems.push(`exit ${code} after SIGTERM`);
    await sleep(200); // the checker child clears its table as it exits
    const after = addressSnapshot(ns);
    const left = after.filter((a) => !before.includes(a));
    const gone = before.filter((a) => !after.includes(a));
    if (left.length > 0) problems.push(`left behind: ${left.join(', ')}`);
    if (gone.length > 0) problems.push(`removed: ${gone.join(', ')}`);
    if (nftTable(ns) !== null) problems.push('nftables table left behind');
    if (problems.length > 0)
      return { file: row.file, steady: false, detail: `${problems.join('; ')}\n${daemon.log()}` };
    const what = [
      status?.instances.map((i) => `${i.name} ${i.state}`).join(', '),
      status?.lvs ? `LVS on nftables, ${expectedServiceKeys(config).length} services` : '',
    ].filter(Boolean);
    return {
      file: row.file,
      steady: true,
      detail: `${what.join('; ') || 'nothing to run'}${notes.length ? ` [${notes.join('; ')}]` : ''}`,
    };
  } catch (e) {
    daemon?.signal('SIGKILL');
    return { file: row.file, steady: false, detail: `${(e as Error).message}` };
  } finally {
    removeCorpusNamespace(ns);
    namespaces.delete(ns);
  }
}

/** Runs `jobs` with at most `limit` in flight. */
async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < jobs.length; i = next++) out[i] = await jobs[i]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return out;
}

test('every corpus config keepalived 2.2.7 accepts starts under keepalived-ts and reaches a steady state', async (t) => {
  const why = labUnavailable();
  if (why) {
    t.skip(why);
    return;
  }
  sweepStaleCorpusNamespaces();
  const only = process.env.KTS_CORPUS_ONLY?.split(',');
  const rows = manifestRows().filter(
    (r) => r.stubInterfacesCheck === 'ok' && (!only || only.some((o) => r.file.startsWith(o))),
  );
  const started = performance.now();
  const outcomes = await pool(
    rows.map((row, n) => () => runOne(row, n)),
    CONCURRENCY,
  );
  const steady = outcomes.filter((o) => o.steady).length;
  const unexpected: string[] = [];
  for (const o of outcomes) {
    const expected = EXPECTED_NOT_STEADY[o.file];
    if (o.steady) console.log(`${o.file}: steady - ${o.detail}`);
    else console.log(`${o.file}: NOT steady${expected ? ` (expected: ${expected})` : ''} - ${o.detail}`);
    if (!o.steady && !expected) unexpected.push(o.file);
    if (o.steady && expected) unexpected.push(`${o.file} (listed as expected not steady, but is: remove it)`);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${steady} of ${rows.length} accepted configs reached steady state (${seconds} s)`);
  t.diagnostic(`${steady} of ${rows.length} accepted configs reached steady state`);
  assert.deepEqual(unexpected, [], `not steady: ${unexpected.join(', ')}`);
});
