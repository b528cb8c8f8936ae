/**
 * @module The keyword parser: logical lines → statements, driven by a grammar.
 *
 * It reproduces keepalived's block reader, including its recovery, because operators'
 * configs were debugged against it: an unknown keyword is reported and skipped (its own
 * `{ ... }` then reads as an unexpected `{` and further unknown keywords), a `}` closes
 * the innermost open keyword block, and value blocks read lines until their `}`.
 */
import type { Grammar, ListItem, Statement, Word } from './ast.js';
import type { DiagnosticSink, SourceLocation } from './diagnostic.js';
import type { LogicalLine, Preprocessor } from './preprocess.js';

function isBlank(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Splits a logical line into words: blanks separate, `"..."` is one word without its quotes. */
export function splitWords(line: LogicalLine): Word[] {
  const words: Word[] = [];
  const text = line.text;
  const n = text.length;
  let searchFrom = 0;
  let i = 0;
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
    // Columns refer to the physical line; substitutions may move words, so search.
    const found = line.physical.indexOf(word, searchFrom);
    const col = found >= 0 ? found + 1 : firstColumn(line);
    if (found >= 0) searchFrom = found + word.length;
    words.push({ text: word, col, quoted });
  }
  return words;
}

function firstColumn(line: LogicalLine): number {
  return Math.max(1, line.physical.search(/\S/) + 1);
}

function locOf(line: LogicalLine, word?: Word): SourceLocation {
  return { file: line.file, line: line.line, col: word?.col ?? firstColumn(line) };
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

const END = Symbol('end of input');
const CLOSE = Symbol('closing brace');
const EMPTY: Grammar = new Map();

export class Parser {
  private readonly lines: Preprocessor;
  private readonly diags: DiagnosticSink;
  /** The next line should be the `{` that opens the block just started. */
  private wantOpen = false;

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
    for (;;) {
      const stmt = this.statement(root, 0);
      if (stmt === END) return;
      if (stmt && stmt !== CLOSE) yield stmt;
    }
  }

  /** The sub-statements of a keyword block, up to its closing `}`. */
  private block(grammar: Grammar, level: number): Statement[] {
    const out: Statement[] = [];
    this.wantOpen = true;
    for (;;) {
      const stmt = this.statement(grammar, level);
      if (stmt === END || stmt === CLOSE) return out;
      if (stmt) out.push(stmt);
    }
  }

  /** One statement: END at the end of input, CLOSE at a `}`, null for a skipped line. */
  private statement(grammar: Grammar, level: number): Statement | null | typeof END | typeof CLOSE {
    const line = this.lines.next();
    if (!line) return END;
    const words = splitWords(line);
    const first = words[0];
    if (!first) return null;
    if (this.wantOpen) {
      this.wantOpen = false;
      if (first.text === '{' && level > 0) return null;
      this.diags.error('syntax', "Missing '{' at beginning of configuration block", locOf(line, first), {
        text: first.text,
      });
    } else if (first.text === '{') {
      this.diags.error('syntax', "Unexpected '{' - ignoring", locOf(line, first), { text: '{' });
      return null;
    }
    if (first.text === '}' && level > 0) return CLOSE;
    const node = grammar.get(first.text);
    if (!node) {
      const near = nearest(first.text, grammar.keys());
      this.diags.warning('syntax', `Unknown keyword '${first.text}'`, locOf(line, first), {
        text: first.text,
        ...(near ? { hint: `did you mean '${near}'?` } : {}),
      });
      return null;
    }
    const keyword = first.text;
    const loc = locOf(line, first);
    if (node.shape === 'block')
      return { keyword, args: words.slice(1), loc, body: this.block(node.children ?? EMPTY, level + 1) };
    if (node.shape === 'list')
      return {
        keyword,
        args: words.slice(1),
        loc,
        items: this.valueBlock(line, keyword, words.slice(node.named ? 2 : 1)),
      };
    return { keyword, args: words.slice(1), loc };
  }

  /** Reads `{ item... }` lines; keepalived tolerates a missing `{` with only a log line. */
  private valueBlock(keywordLine: LogicalLine, keyword: string, extra: readonly Word[]): ListItem[] {
    if (extra.length > 0)
      this.diags.error(
        'syntax',
        `Block ${keyword} has extra parameters ${extra[0]!.text} ...`,
        locOf(keywordLine, extra[0]),
        {
          text: extra[0]!.text,
          hint: `put the values inside the block: ${keyword} { ${extra[0]!.text} }`,
        },
      );
    const items: ListItem[] = [];
    let needOpen = true;
    for (let line = this.lines.next(); line; line = this.lines.next()) {
      let lineWords = splitWords(line);
      if (lineWords.length === 0) continue;
      if (needOpen) {
        needOpen = false;
        if (lineWords[0]!.text === '{') {
          if (lineWords.length === 1) continue;
          lineWords = lineWords.slice(1);
        } else
          this.diags.notice(
            'syntax',
            `'{' missing from beginning of block ${keyword}`,
            locOf(line, lineWords[0]),
          );
      }
      if (lineWords.at(-1)!.text === '}') {
        if (lineWords.length === 1) break;
        items.push({ words: lineWords.slice(0, -1), loc: locOf(line, lineWords[0]), raw: line.text });
        break;
      }
      items.push({ words: lineWords, loc: locOf(line, lineWords[0]), raw: line.text });
    }
    return items;
  }
}
