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

/** Splits a logical line into words: blanks separate, `"..."` is one word without its quotes. */
export function splitWords(line: LogicalLine): Word[] {
  const words: Word[] = [];
  const text = line.text;
  let searchFrom = 0;
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /[ \t\f\v\r\n]/.test(text[i]!)) i++;
    if (i >= text.length) break;
    let word: string;
    let quoted = false;
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      const stop = end < 0 ? text.length : end;
      word = text.slice(i + 1, stop);
      i = end < 0 ? text.length : end + 1;
      quoted = true;
    } else {
      const start = i;
      while (i < text.length && !/[ \t\f\v\r\n"]/.test(text[i]!)) i++;
      word = text.slice(start, i);
    }
    const found = line.physical.indexOf(word, searchFrom);
    const col = found >= 0 ? found + 1 : line.physical.search(/\S/) + 1 || 1;
    if (found >= 0) searchFrom = found + word.length;
    words.push({ text: word, col, quoted });
  }
  return words;
}

function locOf(line: LogicalLine, word?: Word): SourceLocation {
  return { file: line.file, line: line.line, col: word?.col ?? Math.max(1, line.physical.search(/\S/) + 1) };
}

export class Parser {
  private readonly lines: Preprocessor;
  private readonly diags: DiagnosticSink;

  constructor(lines: Preprocessor, diags: DiagnosticSink) {
    this.lines = lines;
    this.diags = diags;
  }

  /** Parses the whole configuration against the root grammar. */
  parse(root: Grammar): Statement[] {
    return this.block(root, false, 0);
  }

  private block(grammar: Grammar, needOpen: boolean, level: number): Statement[] {
    const out: Statement[] = [];
    let wantOpen = needOpen;
    for (let line = this.lines.next(); line; line = this.lines.next()) {
      const words = splitWords(line);
      const first = words[0];
      if (!first) continue;
      if (wantOpen) {
        wantOpen = false;
        if (first.text === '{' && level > 0) continue;
        this.diags.error('syntax', "Missing '{' at beginning of configuration block", locOf(line, first), {
          text: first.text,
        });
      } else if (first.text === '{') {
        this.diags.error('syntax', "Unexpected '{' - ignoring", locOf(line, first), { text: '{' });
        continue;
      }
      if (first.text === '}' && level > 0) return out;
      const node = grammar.get(first.text);
      if (!node) {
        this.diags.warning('syntax', `Unknown keyword '${first.text}'`, locOf(line, first), {
          text: first.text,
        });
        continue;
      }
      const base = { keyword: first.text, args: words.slice(1), loc: locOf(line, first), raw: line.text };
      if (node.shape === 'block')
        out.push({ ...base, body: this.block(node.children ?? new Map(), true, level + 1) });
      else if (node.shape === 'list')
        out.push({ ...base, items: this.valueBlock(line, first.text, words.slice(node.named ? 2 : 1)) });
      else out.push(base);
    }
    return out;
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
