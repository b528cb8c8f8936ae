/**
 * @module The keyword parser: logical lines → statements, driven by a grammar.
 *
 * It reproduces keepalived's block reader, including its recovery, because operators'
 * configs were debugged against it: an unknown keyword is reported and skipped (its own
 * `{ ... }` then reads as an unexpected `{` and further unknown keywords), a `}` closes
 * the innermost open keyword block, and value blocks read lines until their `}`.
 */
import type { Grammar, GrammarNode, ListItem, Statement, Word } from './ast.js';
import type { DiagnosticSink, SourceLocation } from './diagnostic.js';
import type { LogicalLine, Preprocessor } from './preprocess.js';

function isBlank(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Splits a logical line into words: blanks separate, `"..."` is one word without its quotes. */
export function splitWords(line: LogicalLine): Word[] {
  const scratch: Word[] = [];
  return scratch.slice(0, scanWords(line.text, -1, { linePhysical: line.physical }, scratch));
}

/**
 * {@link splitWords} into `out` (overwritten from index 0, never shrunk), returning the
 * count: the parser reuses one array and copies out exactly what a statement keeps.
 * `base` is where `text` starts in its physical line when it is known to be the physical
 * text as written (then a word's column is its offset), else -1: then words are looked
 * up in the physical line, which `source` gives only then (the preprocessor cuts it on demand).
 */
function scanWords(
  text: string,
  base: number,
  source: { readonly linePhysical: string },
  out: Word[],
  from = 0,
): number {
  let count = 0;
  const n = text.length;
  let searchFrom = 0;
  let i = from;
  while (i < n) {
    while (i < n && isBlank(text.charCodeAt(i))) i++;
    if (i >= n) break;
    let word: string;
    let quoted = false;
    if (text.charCodeAt(i) === 34) {
      const end = text.indexOf('"', i + 1);
      const stop = end < 0 ? n : end;
      word = text.slice(i + 1, stop);
      i = end < 0 ? n : end + 1;
      quoted = true;
    } else {
      const start = i;
      while (i < n && !isBlank(text.charCodeAt(i)) && text.charCodeAt(i) !== 34) i++;
      word = text.slice(start, i);
    }
    if (base >= 0 && !quoted) {
      out[count++] = { text: word, col: base + i - word.length + 1, quoted };
      continue;
    }
    // Columns refer to the physical line; substitutions may move words, so search.
    const physical = source.linePhysical;
    const found = physical.indexOf(word, searchFrom);
    const col = found >= 0 ? found + 1 : firstColumn(physical);
    if (found >= 0) searchFrom = found + word.length;
    out[count++] = { text: word, col, quoted };
  }
  return count;
}

function firstColumn(physical: string): number {
  return Math.max(1, physical.search(/\S/) + 1);
}

/** Words after the keyword when there are none: shared, nothing mutates a statement's args. */
const NO_WORDS: readonly Word[] = [];

/**
 * `words[from..to)` as a statement's own array. Most statements have one or two
 * arguments: an array literal of that size is made inline, where slice is a call.
 */
function wordsOf(words: readonly Word[], from: number, to: number): readonly Word[] {
  const n = to - from;
  if (n <= 0) return NO_WORDS;
  if (n === 1) return [words[from]!];
  if (n === 2) return [words[from]!, words[from + 1]!];
  return words.slice(from, to);
}

/** The closest keyword within edit distance 2, for "did you mean" hints. */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    if (Math.abs(c.length - word.length) >= bestDistance) continue;
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Damerau-Levenshtein distance (adjacent swaps count once: 'dealy' → 'delay'). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [
    i,
    ...new Array<number>(b.length).fill(0),
  ]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  return d[a.length]![b.length]!;
}

/**
 * A block's keywords by length, to find a line's keyword where it stands in the line:
 * no string cut out and hashed, no word object made for it (a third of what a plain
 * statement allocated).
 */
class KeywordIndex {
  readonly grammar: Grammar;
  private readonly byLength: (readonly GrammarNode[] | undefined)[] = [];

  constructor(grammar: Grammar) {
    this.grammar = grammar;
    for (const node of grammar.values()) {
      const length = node.keyword.length;
      this.byLength[length] = [...(this.byLength[length] ?? []), node];
    }
  }

  /** The keyword spelled by `text` from `start` to `end`, if this block has it. */
  find(text: string, start: number, end: number): GrammarNode | undefined {
    const nodes = this.byLength[end - start];
    if (nodes === undefined) return undefined;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (spells(text, start, node.keyword)) return node;
    }
    return undefined;
  }
}

/**
 * `text.startsWith(keyword, start)` for a keyword of the right length, compared by hand:
 * the built-in first checks whether its argument is a RegExp, which costs more than
 * the comparison itself.
 */
function spells(text: string, start: number, keyword: string): boolean {
  for (let i = 0; i < keyword.length; i++)
    if (text.charCodeAt(start + i) !== keyword.charCodeAt(i)) return false;
  return true;
}

const indexes = new WeakMap<Grammar, KeywordIndex>();

function indexOf(grammar: Grammar): KeywordIndex {
  let index = indexes.get(grammar);
  if (index === undefined) {
    index = new KeywordIndex(grammar);
    indexes.set(grammar, index);
  }
  return index;
}

const END = Symbol('end of input');
const CLOSE = Symbol('closing brace');
const EMPTY: Grammar = new Map();

export class Parser {
  private readonly lines: Preprocessor;
  private readonly diags: DiagnosticSink;
  /** The next line should be the `{` that opens the block just started. */
  private wantOpen = false;
  /** The current line's words, reused from line to line (see scanWords). */
  private readonly words: Word[] = [];
  /** Statements of the blocks being read, innermost last (see block). */
  private readonly pending: Statement[] = [];

  constructor(lines: Preprocessor, diags: DiagnosticSink) {
    this.lines = lines;
    this.diags = diags;
  }

  /** Parses the whole configuration against the root grammar. */
  parse(root: Grammar): Statement[] {
    return [...this.statements(root)];
  }

  /**
   * Root statements one at a time, so a caller can build each and let its syntax go:
   * peak memory then follows the largest block, not the whole file.
   */
  *statements(root: Grammar): Generator<Statement> {
    const index = indexOf(root);
    for (;;) {
      const stmt = this.statement(index, 0);
      if (stmt === END) return;
      if (stmt && stmt !== CLOSE) yield stmt;
    }
  }

  /**
   * The sub-statements of a keyword block, up to its closing `}`. They collect on one
   * stack shared by all levels (a nested block takes its part off before its parent goes
   * on), so each body is one array of its exact size.
   */
  private block(grammar: Grammar, level: number): Statement[] {
    const pending = this.pending;
    const start = pending.length;
    this.wantOpen = true;
    const index = indexOf(grammar);
    for (;;) {
      const stmt = this.statement(index, level);
      if (stmt === END || stmt === CLOSE) break;
      if (stmt) pending.push(stmt);
    }
    const body = pending.slice(start);
    pending.length = start;
    return body;
  }

  /** The next logical line's text with its words in {@link words}; undefined at the end. */
  private nextLine(): { text: string; count: number } | undefined {
    const text = this.lines.nextText();
    if (text === undefined) return undefined;
    return { text, count: scanWords(text, this.lines.lineColumnBase, this.lines, this.words) };
  }

  /** Where the current line's word (or, without one, its first non-blank) is. */
  private locOf(word: Word | undefined): SourceLocation {
    const lines = this.lines;
    return {
      file: lines.lineFile,
      line: lines.lineNumber,
      col: word?.col ?? firstColumn(lines.linePhysical),
    };
  }

  /** One statement: END at the end of input, CLOSE at a `}`, null for a skipped line. */
  private statement(index: KeywordIndex, level: number): Statement | null | typeof END | typeof CLOSE {
    const text = this.lines.nextText();
    if (text === undefined) return END;
    // A block's own braces (a third of the lines) need no words: what the general
    // path below decides for them, decided here.
    if (level > 0 && text.length === 1) {
      if (this.wantOpen && text === '{') {
        this.wantOpen = false;
        return null;
      }
      if (!this.wantOpen && text === '}') return CLOSE;
    }
    const base = this.lines.lineColumnBase;
    if (base >= 0 && !this.wantOpen) {
      const known = this.knownKeyword(text, base, index, level);
      if (known !== undefined) return known;
    }
    return this.anyStatement(text, index.grammar, level);
  }

  /**
   * The common case, a line as written starting with a keyword of this block (the
   * preprocessor trimmed it, so the keyword starts at 0): its statement, read without
   * a word for the keyword. Undefined for anything else (a brace, a quote, an unknown
   * keyword), which {@link anyStatement} reads and reports.
   */
  private knownKeyword(
    text: string,
    base: number,
    index: KeywordIndex,
    level: number,
  ): Statement | undefined {
    const n = text.length;
    let end = 0;
    while (end < n) {
      const c = text.charCodeAt(end);
      if (c === 34 || isBlank(c)) break;
      end++;
    }
    if (end === 0) return undefined;
    const node = index.find(text, 0, end);
    if (node === undefined) return undefined;
    const words = this.words;
    const count = scanWords(text, base, this.lines, words, end);
    const keyword = node.keyword;
    const lines = this.lines;
    const loc: SourceLocation = { file: lines.lineFile, line: lines.lineNumber, col: base + 1 };
    const args = wordsOf(words, 0, count);
    if (node.shape === 'block')
      return { keyword, args, loc, body: this.block(node.children ?? EMPTY, level + 1) };
    if (node.shape === 'list') {
      const extra = node.named ? 2 : 1;
      if (count >= extra) this.extraParameters(keyword, words[extra - 1]!);
      return { keyword, args, loc, items: this.valueBlock(keyword) };
    }
    return { keyword, args, loc };
  }

  /** Any line, as keepalived reads it: braces where a block opens or closes, unknown keywords reported. */
  private anyStatement(text: string, grammar: Grammar, level: number): Statement | null | typeof CLOSE {
    const words = this.words;
    const count = scanWords(text, this.lines.lineColumnBase, this.lines, words);
    if (count === 0) return null;
    const first = words[0]!;
    if (this.wantOpen) {
      this.wantOpen = false;
      if (level > 0 && first.text.length === 1 && first.text === '{') return null;
      this.diags.error('syntax', "Missing '{' at beginning of configuration block", this.locOf(first), {
        text: first.text,
      });
    } else if (first.text.length === 1 && first.text === '{') {
      this.diags.error('syntax', "Unexpected '{' - ignoring", this.locOf(first), { text: '{' });
      return null;
    }
    if (level > 0 && first.text.length === 1 && first.text === '}') return CLOSE;
    const node = grammar.get(first.text);
    if (!node) {
      const near = nearest(first.text, grammar.keys());
      this.diags.warning('syntax', `Unknown keyword '${first.text}'`, this.locOf(first), {
        text: first.text,
        ...(near ? { hint: `did you mean '${near}'?` } : {}),
      });
      return null;
    }
    const keyword = node.keyword;
    const loc = this.locOf(first);
    const args = wordsOf(words, 1, count);
    if (node.shape === 'block')
      return { keyword, args, loc, body: this.block(node.children ?? EMPTY, level + 1) };
    if (node.shape === 'list') {
      const extra = node.named ? 2 : 1;
      if (count > extra) this.extraParameters(keyword, words[extra]!);
      return { keyword, args, loc, items: this.valueBlock(keyword) };
    }
    return { keyword, args, loc };
  }

  /** keepalived reads a value block's values from the lines after its keyword only. */
  private extraParameters(keyword: string, extra: Word): void {
    this.diags.error('syntax', `Block ${keyword} has extra parameters ${extra.text} ...`, this.locOf(extra), {
      text: extra.text,
      hint: `put the values inside the block: ${keyword} { ${extra.text} }`,
    });
  }

  /** Reads `{ item... }` lines; keepalived tolerates a missing `{` with only a log line. */
  private valueBlock(keyword: string): ListItem[] {
    const items: ListItem[] = [];
    const words = this.words;
    let needOpen = true;
    for (let line = this.nextLine(); line; line = this.nextLine()) {
      let start = 0;
      let end = line.count;
      if (end === 0) continue;
      if (needOpen) {
        needOpen = false;
        if (words[0]!.text === '{') {
          if (end === 1) continue;
          start = 1;
        } else
          this.diags.notice('syntax', `'{' missing from beginning of block ${keyword}`, this.locOf(words[0]));
      }
      const closes = words[end - 1]!.text === '}';
      if (closes) end--;
      if (end > start)
        items.push({ words: words.slice(start, end), loc: this.locOf(words[start]), raw: line.text });
      if (closes) break;
    }
    return items;
  }
}
