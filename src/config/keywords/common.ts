/**
 * @module What every keyword table shares: the handler type, the build context, and
 * helpers for script commands and value lists.
 */
import type { Statement, Word } from '../ast.js';
import type { DiagnosticSink, SourceLocation } from '../diagnostic.js';
import type { ScriptCommand } from '../model.js';
import { missing } from '../values.js';

export interface BuildContext {
  readonly diags: DiagnosticSink;
}

/** A keyword's meaning inside one kind of block: it updates the block's target. */
export type Handler<T> = (target: T, stmt: Statement, ctx: BuildContext) => void;
export type KeywordTable<T> = Readonly<Record<string, Handler<T>>>;

/**
 * Applies a block's statements through its table; keywords the grammar accepts but the
 * table does not interpret are kept verbatim in `other` (when the target has one).
 */
export function applyBlock<T>(
  table: KeywordTable<T>,
  target: T,
  body: readonly Statement[] | undefined,
  ctx: BuildContext,
): void {
  if (!body) return;
  // Indexed, not for-of: this runs for every block before the JIT has warmed up, and
  // the iterator protocol costs most there.
  for (let i = 0; i < body.length; i++) {
    const stmt = body[i]!;
    const handler = table[stmt.keyword];
    if (handler) handler(target, stmt, ctx);
    else keepOther(target, stmt);
  }
}

function keepOther(target: unknown, stmt: Statement): void {
  const other = (target as { other?: Record<string, readonly string[]> }).other;
  if (other) other[stmt.keyword] = stmt.args.map((w) => w.text);
}

/** The first argument, or a "missing a parameter" error. */
export function arg(ctx: BuildContext, stmt: Statement, index = 0): Word | undefined {
  const w = stmt.args[index];
  if (!w) missing(ctx.diags, stmt, index + 2);
  return w;
}

export function locAt(stmt: Statement, word: Word | undefined): SourceLocation {
  return word ? { ...stmt.loc, col: word.col } : stmt.loc;
}

/**
 * Splits a command line like a shell would for keepalived scripts: blanks separate,
 * '...' and "..." group, backslash escapes (\n, \t, \xHH, \nnn, \cC, \\ ...).
 */
export function splitCommand(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      const [ch, used] = unescapeAt(text, i + 1);
      cur += ch;
      has = true;
      i += used;
      continue;
    }
    if (quote) {
      if (c === quote) quote = undefined;
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (/[ \t\f\v\r\n]/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

function unescapeAt(text: string, i: number): [string, number] {
  const c = text[i]!;
  if (c === 'x' && /[0-9a-fA-F]/.test(text[i + 1] ?? '')) {
    const m = /^[0-9a-fA-F]+/.exec(text.slice(i + 1))![0];
    return [String.fromCharCode(Number.parseInt(m, 16) & 0xff), 1 + m.length];
  }
  if (c === 'c' && i + 1 < text.length) return [String.fromCharCode(text.charCodeAt(i + 1) & 0x1f), 2];
  if (/[0-7]/.test(c)) {
    const m = /^[0-7]{1,3}/.exec(text.slice(i))![0];
    return [String.fromCharCode(Number.parseInt(m, 8) & 0xff), m.length];
  }
  return [SIMPLE_ESCAPES[c] ?? c, 1];
}

/**
 * A notify-style script: `keyword "cmd args" [user [group]]`. keepalived requires a
 * command with parameters to be quoted; an unquoted multi-word line is taken whole.
 */
export function notifyScript(ctx: BuildContext, stmt: Statement): ScriptCommand | undefined {
  const first = arg(ctx, stmt);
  if (!first) return undefined;
  const rest = stmt.args.slice(1);
  const userWords = first.quoted || rest.length <= 2 ? rest : [];
  const commandText = userWords === rest ? first.text : stmt.args.map((w) => w.text).join(' ');
  return makeScript(stmt, commandText, userWords[0]?.text, userWords[1]?.text);
}

/** A command that takes the whole rest of the line (`script`, `misc_path`, `quorum_up`). */
export function lineScript(ctx: BuildContext, stmt: Statement): ScriptCommand | undefined {
  if (!arg(ctx, stmt)) return undefined;
  return makeScript(stmt, stmt.args.map((w) => w.text).join(' '));
}

function makeScript(stmt: Statement, text: string, user?: string, group?: string): ScriptCommand {
  return {
    argv: splitCommand(text),
    text,
    loc: stmt.loc,
    ...(user !== undefined ? { user } : {}),
    ...(group !== undefined ? { group } : {}),
  };
}

/** The words of every line of a value block, flattened (e.g. `track_script { a b }`). */
export function listWords(stmt: Statement): { word: Word; loc: SourceLocation }[] {
  return (stmt.items ?? []).flatMap((item) =>
    item.words.map((word) => ({ word, loc: { ...item.loc, col: word.col } })),
  );
}
