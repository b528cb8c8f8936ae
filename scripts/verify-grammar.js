#!/usr/bin/env node
// Checks src/config/keywords/grammar-data.ts against a real keepalived binary.
//
// For every keyword of the table, one tiny configuration is written that opens the
// keyword's enclosing blocks and then probes it as
//
//     <keyword> <arg> {
//     zz_probe_inner 1
//     }
//
// and `keepalived -t` is run on it. keepalived's own diagnostics classify the keyword:
//   "Unknown keyword '<keyword>'"        -> not recognised in that block
//   "Unexpected '{' - ignoring"           -> 'value' (the brace is not consumed)
//   zz_probe_inner reported as unknown    -> 'block' (the line was parsed as a sub-keyword)
//   otherwise                             -> 'list'  (the handler read the lines as a value block)
// A few names known to be absent from 2.2.7 are probed as well and must be reported unknown.
//
// With --complete, every block of the table is additionally searched for keywords the binary
// accepts but the table lacks: candidate names are all identifier-like strings (and their
// suffixes, since the linker merges string tails) found in the binary.
//
// Usage: node scripts/verify-grammar.js [--complete] [--bin /usr/sbin/keepalived]
// Exit status: 0 when nothing disagreed, 1 otherwise, 2 when the binary cannot be run.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

const argv = process.argv.slice(2);
const complete = argv.includes('--complete');
const binIdx = argv.indexOf('--bin');
const BIN = binIdx >= 0 ? argv[binIdx + 1] : (process.env.KEEPALIVED ?? '/usr/sbin/keepalived');

const root = new URL('..', import.meta.url).pathname;
const grammarPath = join(root, 'src/config/keywords/grammar-data.ts');

// Load the TypeScript table without a build step.
const js = ts.transpileModule(readFileSync(grammarPath, 'utf8'), {
  compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
}).outputText;
const { ROOT_GRAMMAR } = await import(`data:text/javascript;base64,${Buffer.from(js).toString('base64')}`);

const version = spawnSync(BIN, ['--version'], { encoding: 'utf8' });
if (version.error) {
  console.error(`verify-grammar: cannot run ${BIN}: ${version.error.message}`);
  process.exit(2);
}
const versionLine = `${version.stdout}${version.stderr}`.split('\n')[0];

// Arguments that make a block's opening line acceptable to its handler.
const OPEN_ARGS = {
  virtual_server: '10.0.0.1 80',
  real_server: '10.0.0.2 80',
  virtual_server_group: 'VSG1',
};
const argFor = (kw) => OPEN_ARGS[kw] ?? 'name1';

// Names that keepalived 2.2.7 does not know in these blocks (removed, renamed or newer).
const ABSENT = [
  [['global_defs'], 'lvs_id'],
  [[], 'local_address_group'],
  [[], 'static_track_group'],
  [['vrrp_instance'], 'no_virtual_ipaddress'],
  [['vrrp_instance'], 'timer_expired_backup'],
  [['bfd_instance'], 'multihop'],
  [['virtual_server'], 'nat_mask'],
  [['virtual_server', 'real_server'], 'nb_get_retry'],
  [['virtual_server', 'real_server', 'TCP_CHECK'], 'nb_get_retry'],
];

const dir = mkdtempSync(join(tmpdir(), 'verify-grammar-'));
let seq = 0;
let running = 0;
const queue = [];
const limit = Math.max(1, availableParallelism());

function runOnce(lines) {
  const id = seq++;
  const conf = join(dir, `k${id}.conf`);
  writeFileSync(conf, `${lines.join('\n')}\n`);
  const pidArgs = ['-p', '-r', '-c', '-b'].flatMap((opt, i) => [opt, join(dir, `k${id}.pid${i}`)]);
  return new Promise((resolve) => {
    const child = spawn(BIN, ['-t', '-l', '-f', conf, ...pidArgs]);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('close', () => {
      rmSync(conf, { force: true });
      const byLine = new Map();
      for (const text of out.split('\n')) {
        const m = /Line (\d+)\) (.*)$/.exec(text);
        if (!m) continue;
        const n = Number(m[1]);
        if (!byLine.has(n)) byLine.set(n, new Set());
        byLine.get(n).add(m[2]);
      }
      resolve(byLine);
    });
  });
}

async function run(lines) {
  while (running >= limit) await new Promise((r) => queue.push(r));
  running++;
  try {
    return await runOnce(lines);
  } finally {
    running--;
    queue.shift()?.();
  }
}

const opening = (path) => path.map((kw) => `${kw} ${argFor(kw)} {`);
const closing = (path) => path.map(() => '}');
const unknownAt = (byLine, line, kw) => byLine.get(line)?.has(`Unknown keyword '${kw}'`) ?? false;

async function probe(path, kw) {
  const head = opening(path);
  const byLine = await run([...head, `${kw} ${argFor(kw)} {`, 'zz_probe_inner 1', '}', ...closing(path)]);
  const line = head.length + 1;
  if (unknownAt(byLine, line, kw)) return 'unknown';
  if ([...(byLine.get(line) ?? [])].some((m) => m.startsWith("Unexpected '{'"))) return 'value';
  return unknownAt(byLine, line + 1, 'zz_probe_inner') ? 'block' : 'list';
}

// All blocks of the table with their keyword tables, root first.
function blocks(table, path = []) {
  const found = [{ path, table }];
  for (const [kw, def] of Object.entries(table)) {
    if (def.shape === 'block') found.push(...blocks(def.children ?? {}, [...path, kw]));
  }
  return found;
}

const allBlocks = blocks(ROOT_GRAMMAR);
const checks = allBlocks.flatMap(({ path, table }) =>
  Object.entries(table).map(([kw, def]) => ({ path, kw, want: def.shape })),
);

const disagreements = [];
await Promise.all(
  checks.map(async (c) => {
    const got = await probe(c.path, c.kw);
    if (got !== c.want)
      disagreements.push(`${[...c.path, c.kw].join(' > ')}: table says ${c.want}, binary ${got}`);
  }),
);
await Promise.all(
  ABSENT.map(async ([path, kw]) => {
    const got = await probe(path, kw);
    if (got !== 'unknown')
      disagreements.push(`${[...path, kw].join(' > ')}: expected unknown, binary ${got}`);
  }),
);

let extras = [];
if (complete) extras = await findMissing();

rmSync(dir, { recursive: true, force: true });

console.log(`binary: ${BIN} (${versionLine})`);
console.log(`keywords checked against the binary: ${checks.length} (+${ABSENT.length} absent names)`);
console.log(`disagreements: ${disagreements.length}`);
for (const d of disagreements.sort()) console.log(`  ${d}`);
if (complete) {
  console.log(`blocks searched for keywords missing from the table: ${allBlocks.length}`);
  console.log(`accepted by the binary but missing from the table: ${extras.length}`);
  for (const e of extras.sort()) console.log(`  ${e}`);
}
process.exit(disagreements.length || extras.length ? 1 : 0);

// Candidate keyword names: trailing identifier runs of the binary's printable strings,
// and every suffix of those runs (a keyword may be stored as the tail of a longer string).
function candidates() {
  const bytes = readFileSync(BIN);
  const names = new Set();
  let start = -1;
  const flush = (end) => {
    if (start < 0 || end - start < 2) return;
    const text = bytes.subarray(start, end).toString('latin1');
    const run = /[A-Za-z0-9_-]+$/.exec(text)?.[0] ?? '';
    for (let i = 0; i < run.length - 1; i++) {
      const s = run.slice(i);
      if (/^[A-Za-z_]/.test(s)) names.add(s);
    }
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b >= 0x20 && b < 0x7f) {
      if (start < 0) start = i;
    } else {
      flush(i);
      start = -1;
    }
  }
  names.delete('include'); // handled by the configuration reader itself, in any block
  return [...names].sort();
}

// For each block: feed all candidates one per line; the first one not reported unknown is
// recognised (after it the parser's context may have changed), so restart after it.
async function findMissing() {
  const names = candidates();
  const missing = [];
  await Promise.all(
    allBlocks.map(async ({ path, table }) => {
      let rest = names;
      const head = opening(path);
      while (rest.length > 0) {
        const byLine = await run([...head, ...rest.map((k) => `${k} 1`), ...closing(path)]);
        const i = rest.findIndex((k, j) => !unknownAt(byLine, head.length + 1 + j, k));
        if (i < 0) break;
        if (!Object.hasOwn(table, rest[i])) missing.push([...path, rest[i]].join(' > '));
        rest = rest.slice(i + 1);
      }
    }),
  );
  return missing;
}
