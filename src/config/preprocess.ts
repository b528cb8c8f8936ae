/**
 * @module The line preprocessor: keepalived.conf's text layer, before any keyword.
 *
 * keepalived reads its configuration a line at a time and rewrites each line before
 * the keyword parser sees it. We follow the same order, because configs depend on it:
 *
 *  1. comments (`#`, `!` outside double quotes; `\#` and `\!` escape them) and
 *     surrounding blanks are removed; a trailing `\` continues a multi-line definition;
 *  2. `@id` / `@^id` conditional lines are kept or dropped against the config id;
 *  3. `$NAME=value` lines define parameters (a trailing `\` makes them multi-line);
 *  4. `~SEQ(var, start, step, end)`, `~SEQx(...)` and `~LST(var, v1, v2...)` replay the
 *     rest of the line once per value;
 *  5. `$NAME` / `${NAME}` are substituted (recursively; multi-line definitions only at
 *     the end of a line; `${_RANDOM min max}` takes parameters);
 *  6. `include` (and includer/includem/includew/includeb/includea) lines open files;
 *  7. `{` and `}` are split onto lines of their own, so braces may sit on the keyword's
 *     line or the next.
 *
 * Pure: files come through {@link ConfigFileSystem}; randomness through a seedable PRNG.
 */

import { decomment } from './decomment.js';
import type { DiagnosticSink, SourceLocation } from './diagnostic.js';
import { parseLst, parseSeq, type Replay } from './replay.js';
import type { ConfigFileSystem } from './source.js';

/** One line as the keyword parser sees it, with the physical line it came from. */
export interface LogicalLine {
  readonly text: string;
  readonly file: string;
  readonly line: number;
  /** The physical line's text, for column lookup in diagnostics. */
  readonly physical: string;
}

export interface PreprocessOptions {
  /** `-i/--config-id`; keepalived defaults it to the host name up to the first dot. */
  readonly configId: string;
  readonly randomSeed?: number;
  /** Upper bound on lines produced, so a runaway ~SEQ cannot exhaust memory. */
  readonly maxLines?: number;
  /**
   * False reads an all-plain configuration through the general path too (tests compare
   * the two); by default such a file is read by the shorter plain-file path.
   */
  readonly plainFilePath?: boolean;
}

interface Definition {
  value: string;
  multiline: boolean;
  compute?: (params: number[]) => string;
  maxParams: number;
}

interface FileFrame {
  readonly path: string;
  readonly display: string;
  /**
   * The file's text, cut into lines as they are read: lines split up front would all
   * outlive the young generation and be copied by every scavenge of a large file.
   */
  readonly text: string;
  /** Where the next line starts in `text`. */
  offset: number;
  readonly dir: string;
  /** Lines read so far (the last one's 1-based number). */
  index: number;
  /** ~SEQ/~LST replays are scoped to the file that started them. */
  readonly replays: Replay[];
  includeCheck: ReadonlySet<IncludeCheck>;
}

interface MultilineFrame {
  readonly lines: string[];
  readonly replayDepth: number;
}

type IncludeCheck = 'readable' | 'match' | 'wildcard_match' | 'brace_match';
const INCLUDE_VARIANTS: Readonly<Record<string, readonly IncludeCheck[]>> = {
  include: [],
  includer: ['readable'],
  includem: ['match'],
  includew: ['wildcard_match'],
  includeb: ['brace_match'],
  includea: ['readable', 'match', 'wildcard_match', 'brace_match'],
};

const NON_BLANK = /\S/;
/**
 * A file without any of these characters and without the word `include` has nothing
 * but plain lines (see SCAN): no comment, quote, escape, definition, conditional, replay
 * or include. One search of the whole text decides it, instead of one per line.
 */
const NOT_PLAIN = ['#', '!', '"', '\\', '$', '@', '~', 'include'];

/** True for a text of plain lines only (see NOT_PLAIN); a byte search for each, no regex. */
function isPlainText(text: string): boolean {
  for (let i = 0; i < NOT_PLAIN.length; i++) if (text.includes(NOT_PLAIN[i]!)) return false;
  return true;
}

function indexOrEnd(text: string, c: string, from: number): number {
  const i = text.indexOf(c, from);
  return i < 0 ? text.length : i;
}

/**
 * What makes a line more than words and braces (comments, quotes, escapes, definitions,
 * conditionals, replays), a brace, or the end of the line. Run with `test` from a line's
 * start, its lastIndex says where the first of these ends, without a copy of the line or
 * a match object. (An include line is told by its first word, see physicalNext.)
 */
const SCAN = /[#!"\\$@~{}\n]/g;

/** What String.prototype.trim removes: ECMAScript white space and line terminators. */
function isTrimmed(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

function stripLineEnd(line: string): string {
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 10 || line.charCodeAt(end - 1) === 13)) end--;
  return end === line.length ? line : line.slice(0, end);
}

/** keepalived loops forever on a self-referencing definition; we stop and report it. */
const MAX_SUBSTITUTIONS_PER_LINE = 256;
const MAX_INCLUDE_DEPTH = 32;

export class Preprocessor {
  private readonly files: FileFrame[] = [];
  private readonly defs = new Map<string, Definition>();
  private readonly multiline: MultilineFrame[] = [];
  private residue: string | undefined;
  private defining: { name: string; def: Definition } | undefined;
  private blockDepth = 0;
  private produced = 0;
  private substitutions = 0;
  private random: () => number;
  /** Where the last physical line came from (kept as fields: one object per line is GC load). */
  private lastFile = '';
  private lastLine = 0;
  /** The last physical line, cut from its file only when asked for (see physicalLine). */
  private lastPhysical: string | undefined = '';
  private lastSource = '';
  private lastStart = 0;
  private lastEnd = 0;
  /**
   * Set by physicalNext for a plain line (see SCAN): where its text starts in the
   * physical line, and its first brace (-1 if none). -1 otherwise.
   */
  private plainStart = -1;
  private plainBrace = -1;
  /** Where the residue of a plain line (from its first brace on) starts, or -1. */
  private plainResidue = -1;
  /** Where the logical line just returned starts in its physical line, or -1 if unknown. */
  private columnBase = -1;
  /** The main file is the whole configuration and all plain: read by {@link nextPlain}. */
  private allPlain = false;
  /** nextPlain's next `{` and `}` at or after its scan position (the text's length if none). */
  private nextOpen = -1;
  private nextClose = -1;
  /** Files opened, in order: for reload diffing and `--dump-conf`. */
  readonly filesRead: string[] = [];

  private readonly fs: ConfigFileSystem;
  private readonly diags: DiagnosticSink;
  private readonly options: PreprocessOptions;

  constructor(fs: ConfigFileSystem, diags: DiagnosticSink, options: PreprocessOptions) {
    this.fs = fs;
    this.diags = diags;
    this.options = options;
    this.random = mulberry32(options.randomSeed ?? Date.now() >>> 0);
    this.defs.set('_PWD', { value: '', multiline: false, maxParams: 0, compute: () => this.currentDir() });
    this.defs.set('_INSTANCE', { value: options.configId, multiline: false, maxParams: 0 });
    this.defs.set('_RANDOM', {
      value: '',
      multiline: false,
      maxParams: 2,
      compute: (p) => this.randomValue(p),
    });
    // keepalived 2.2.7 decomments again after substitution, so these do start a comment
    // there (corpus 099 relies on it); we match the implementation, not the man page.
    this.defs.set('_HASH', { value: '#', multiline: false, maxParams: 0 });
    this.defs.set('_BANG', { value: '!', multiline: false, maxParams: 0 });
  }

  /** Opens the main configuration file; false (with a diagnostic) if it cannot be read. */
  openMain(path: string, cwd: string): boolean {
    const matches = this.fs.glob(path, cwd);
    if (matches.length === 0) {
      this.diags.error(
        'environment',
        `Unable to find configuration file ${path}`,
        { file: path, line: 0, col: 0 },
        { text: path },
      );
      return false;
    }
    if (matches.length > 1)
      this.diags.warning(
        'semantic',
        `more than one file matches configuration file ${path}, using ${matches[0]}`,
        { file: path, line: 0, col: 0 },
      );
    if (!this.openFile(matches[0]!, path, new Set())) return false;
    const text = this.files[0]!.text;
    this.allPlain = this.options.plainFilePath !== false && isPlainText(text);
    return true;
  }

  /** The current location, for diagnostics raised while the parser handles a line. */
  location(): SourceLocation {
    return { file: this.lastFile, line: this.lastLine, col: 1 };
  }

  /** The next logical line, or undefined at the end of the configuration. */
  next(): LogicalLine | undefined {
    const text = this.nextText();
    if (text === undefined) return undefined;
    return { text, file: this.lastFile, line: this.lastLine, physical: this.physicalLine() };
  }

  /**
   * The next logical line's text, its place in {@link lineFile}, {@link lineNumber} and
   * {@link linePhysical} until the following call: the parser's path, without an object per line.
   */
  nextText(): string | undefined {
    if (this.allPlain) return this.nextPlain();
    if (this.plainResidue >= 0) {
      // The rest of a plain line from its first brace: that brace alone, at a known column.
      const raw = this.residue!;
      this.residue = undefined;
      this.columnBase = this.plainResidue;
      this.plainResidue = -1;
      return this.emit(this.splitAt(raw, 0));
    }
    for (;;) {
      const raw = this.rawNext();
      if (raw === undefined) return this.finish();
      if (this.plainStart >= 0) {
        // Nothing to rewrite, include or unquote: only a brace may need splitting.
        this.columnBase = this.plainStart;
        this.plainStart = -1;
        if (this.plainBrace < 0) return this.emit(raw);
        const text = this.splitAt(raw, this.plainBrace - this.columnBase);
        if (this.residue !== undefined && this.plainBrace > this.columnBase)
          this.plainResidue = this.plainBrace;
        return this.emit(text);
      }
      this.columnBase = -1;
      const text = this.rewrite(raw);
      if (text === '' || this.tryInclude(text)) continue;
      return this.emit(this.splitBraces(text));
    }
  }

  /**
   * {@link nextText} for a configuration that is one plain file (see NOT_PLAIN): what the
   * general path does with such a file (each line trimmed and split at its first brace,
   * the rest after the brace split again with columns looked up), in one loop over the
   * text without regular expressions, replays, definitions or include frames to consult.
   */
  private nextPlain(): string | undefined {
    const residue = this.residue;
    if (residue !== undefined) {
      this.residue = undefined;
      if (this.plainResidue >= 0) {
        // A line's first brace, cut at a known column.
        this.columnBase = this.plainResidue;
        this.plainResidue = -1;
        return this.emit(this.splitAt(residue, 0));
      }
      // What follows a line's first brace: rewrite and include have nothing to do.
      this.columnBase = -1;
      return this.emit(this.splitBraces(residue));
    }
    const frame = this.files[0];
    if (frame === undefined) return this.finish();
    const source = frame.text;
    const n = source.length;
    const maxLines = this.options.maxLines;
    for (;;) {
      const start = frame.offset;
      if (start >= n) {
        this.files.length = 0;
        return this.finish();
      }
      if (maxLines !== undefined && this.produced > maxLines) {
        this.diags.error(
          'semantic',
          `configuration expands to more than ${maxLines} lines; stopping`,
          this.location(),
        );
        this.files.length = 0;
        return this.finish();
      }
      // The newline and the braces by indexOf (a byte search, cheaper than any loop over
      // characters); a brace's position is kept until the scan passes it.
      let end = source.indexOf('\n', start);
      if (end < 0) end = n;
      if (this.nextOpen < start) this.nextOpen = indexOrEnd(source, '{', start);
      if (this.nextClose < start) this.nextClose = indexOrEnd(source, '}', start);
      const firstBrace = Math.min(this.nextOpen, this.nextClose);
      let from = start;
      while (from < end && isTrimmed(source.charCodeAt(from))) from++;
      let to = end;
      while (to > from && isTrimmed(source.charCodeAt(to - 1))) to--;
      this.consumeLine(frame, start, end);
      if (from === to) continue;
      const text = source.slice(from, to);
      this.columnBase = from - start;
      if (firstBrace >= end) return this.emit(text);
      const first = this.splitAt(text, firstBrace - from);
      if (this.residue !== undefined && firstBrace > from) this.plainResidue = firstBrace - start;
      return this.emit(first);
    }
  }

  /**
   * Where the line {@link nextText} returned starts in {@link linePhysical} when it is
   * the physical line's text as written (its words' columns follow from their offsets),
   * or -1 when words must be looked up (substitutions, a brace's residue).
   */
  get lineColumnBase(): number {
    return this.columnBase;
  }

  /** The file (as written in the configuration) of the line {@link nextText} returned. */
  get lineFile(): string {
    return this.lastFile;
  }

  /** Its 1-based line number. */
  get lineNumber(): number {
    return this.lastLine;
  }

  /** The physical line it came from, for column lookup. */
  get linePhysical(): string {
    return this.physicalLine();
  }

  /** Moves `frame` past the physical line [start, end) and makes it the one diagnostics point at. */
  private consumeLine(frame: FileFrame, start: number, end: number): void {
    frame.offset = end + 1;
    frame.index++;
    this.lastFile = frame.display;
    this.lastLine = frame.index;
    this.lastSource = frame.text;
    this.lastStart = start;
    this.lastEnd = end;
    this.lastPhysical = undefined;
  }

  private physicalLine(): string {
    this.lastPhysical ??= stripLineEnd(this.lastSource.slice(this.lastStart, this.lastEnd));
    return this.lastPhysical;
  }

  private finish(): undefined {
    if (this.blockDepth > 0) {
      this.diags.error('syntax', `There are ${this.blockDepth} missing '}'s or extra '{'s`, this.location(), {
        hint: 'close every block with }',
      });
      this.blockDepth = 0;
    }
    return undefined;
  }

  private emit(text: string): string {
    // Length first: most lines are longer than a brace, and that is cheaper to see.
    if (text.length !== 1) {
      this.produced++;
      return text;
    }
    if (text === '{') this.blockDepth++;
    else if (text === '}') {
      if (this.blockDepth-- < 1) {
        this.diags.error('syntax', "Extra '}' found", this.location(), { text: '}' });
        this.blockDepth = 0;
      }
    }
    this.produced++;
    return text;
  }

  // ---- where the next raw line comes from -------------------------------------------

  private rawNext(): string | undefined {
    if (this.residue !== undefined) {
      const r = this.residue;
      this.residue = undefined;
      return r;
    }
    const frame = this.files.at(-1);
    const replayFloor = this.multiline.at(-1)?.replayDepth ?? 0;
    if (frame && frame.replays.length > replayFloor) {
      const replay = frame.replays.at(-1)!;
      const values = replay.next();
      if (values !== undefined) {
        for (const [i, v] of replay.vars.entries()) this.define(v, values[i] ?? '', false);
        return replay.text;
      }
      frame.replays.pop();
      return this.rawNext();
    }
    const ml = this.multiline.at(-1);
    if (ml) {
      const line = ml.lines.shift();
      if (ml.lines.length === 0) this.multiline.pop();
      if (line !== undefined) return line;
    }
    return this.physicalNext();
  }

  private physicalNext(): string | undefined {
    for (;;) {
      const frame = this.files.at(-1);
      if (!frame) {
        if (this.defining) this.endDefinition();
        return undefined;
      }
      if (frame.offset >= frame.text.length) {
        if (this.defining) this.endDefinition();
        this.files.pop();
        continue;
      }
      if (this.options.maxLines !== undefined && this.produced > this.options.maxLines) {
        this.diags.error(
          'semantic',
          `configuration expands to more than ${this.options.maxLines} lines; stopping`,
          this.location(),
        );
        this.files.length = 0;
        return undefined;
      }
      const source = frame.text;
      const start = frame.offset;
      // Up to the end of the line, skipping braces: a plain line if nothing else is found.
      let brace = -1;
      let end = -1;
      SCAN.lastIndex = start;
      while (SCAN.test(source)) {
        const c = source.charCodeAt(SCAN.lastIndex - 1);
        if (c === 10) end = SCAN.lastIndex - 1;
        else if (c === 123 || c === 125) {
          if (brace < 0) brace = SCAN.lastIndex - 1;
          continue;
        }
        break;
      }
      let plain = end >= 0 || SCAN.lastIndex === 0;
      if (!plain) {
        const newline = source.indexOf('\n', start);
        end = newline < 0 ? source.length : newline;
      } else if (end < 0) end = source.length;
      this.consumeLine(frame, start, end);
      let from = start;
      let to = end;
      if (plain) {
        while (from < to && isTrimmed(source.charCodeAt(from))) from++;
        while (to > from && isTrimmed(source.charCodeAt(to - 1))) to--;
        // tryInclude acts only on a line whose first word is an include keyword.
        if (source.startsWith('include', from)) plain = false;
      }
      if (plain) {
        // What decomment would return is the trimmed line, and the rewrite, include
        // and quote handling have nothing to do.
        if (from === to) {
          if (this.defining) this.endDefinition();
          continue;
        }
        const text = source.slice(from, to);
        if (this.defining) {
          this.continueDefinition(text);
          continue;
        }
        this.plainStart = from - start;
        this.plainBrace = brace < 0 ? -1 : brace - start;
        return text;
      }
      const physical = this.physicalLine();
      if (!NON_BLANK.test(physical)) {
        if (this.defining) this.endDefinition();
        continue;
      }
      // Only a quote can make decomment report; the location is built for those lines alone.
      const text = decomment(physical, this.diags, physical.includes('"') ? this.location() : undefined);
      if (this.defining) {
        this.continueDefinition(text);
        continue;
      }
      if (text !== '') return text;
    }
  }

  // ---- rewriting one line --------------------------------------------------------------

  private rewrite(input: string): string {
    // Most lines have no conditional, definition, replay or reference: one look each.
    const first = input.charCodeAt(0);
    if (first !== 64 && first !== 36 && first !== 126 && !input.includes('$')) return input;
    let buf = input;
    this.substitutions = 0;
    for (;;) {
      if (buf.startsWith('@')) {
        buf = this.conditional(buf);
        if (buf === '') return '';
      }
      if (buf.startsWith('$') && this.tryDefinition(buf)) return '';
      if (buf.startsWith('~SEQ') || buf.startsWith('~LST')) {
        this.addReplay(buf);
        return '';
      }
      if (buf.startsWith('~') || !buf.includes('$')) return buf;
      const replaced = this.substitute(buf);
      if (replaced === undefined) return buf;
      if (this.substitutions >= MAX_SUBSTITUTIONS_PER_LINE) {
        this.diags.error(
          'semantic',
          'parameter substitution does not terminate (a definition refers to itself?)',
          this.location(),
          {
            text: input,
          },
        );
        return '';
      }
      buf = decomment(replaced, this.diags, this.location());
      if (!buf.startsWith('@') && !buf.includes('$')) return buf;
    }
  }

  private conditional(buf: string): string {
    const negate = buf[1] === '^';
    const start = negate ? 2 : 1;
    const m = /[ \t]/.exec(buf.slice(start));
    if (!m) return '';
    const id = buf.slice(start, start + m.index);
    if ((id === this.options.configId) === negate) return '';
    return buf.slice(start + m.index).trimStart();
  }

  // ---- $NAME=value definitions ------------------------------------------------------------

  private tryDefinition(buf: string): boolean {
    const m = /^\$([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(.*)$/.exec(buf);
    if (!m) return false;
    const name = m[1]!;
    let value = m[2]!;
    if (value.endsWith('\\')) {
      value = value.slice(0, -1).trimEnd();
      const def = this.define(name, value === '' ? '' : `${value}\n`, true);
      this.defining = { name, def };
    } else this.define(name, value, false);
    return true;
  }

  private define(name: string, value: string, multiline: boolean): Definition {
    const def: Definition = { value, multiline, maxParams: 0 };
    this.defs.set(name, def);
    return def;
  }

  private continueDefinition(text: string): void {
    const def = this.defining!.def;
    if (text.endsWith('\\')) {
      const line = text.slice(0, -1).trimEnd();
      if (line !== '') def.value += `${line}\n`;
      return;
    }
    if (text !== '') def.value += text;
    this.endDefinition();
  }

  private endDefinition(): void {
    const def = this.defining!.def;
    def.value = def.value.replace(/\n$/, '');
    if (def.value === '') def.multiline = false;
    this.defining = undefined;
  }

  // ---- $NAME substitution ---------------------------------------------------------------

  /** Replaces every defined reference; undefined when nothing was replaced. */
  private substitute(input: string): string | undefined {
    let buf = input;
    let pos = buf.indexOf('$');
    let changed = false;
    while (pos >= 0 && pos + 1 < buf.length && this.substitutions < MAX_SUBSTITUTIONS_PER_LINE) {
      const ref = this.findReference(buf, pos);
      if (!ref) {
        pos = buf.indexOf('$', pos + 1);
        continue;
      }
      this.substitutions++;
      changed = true;
      let value = ref.def.compute ? ref.def.compute(ref.params) : ref.def.value;
      if (ref.def.multiline) {
        const [first, ...rest] = value.split('\n');
        value = first ?? '';
        if (rest.length > 0) {
          const replayDepth = this.files.at(-1)?.replays.length ?? 0;
          this.multiline.push({ lines: rest, replayDepth });
        }
      }
      buf = buf.slice(0, pos) + value + buf.slice(ref.end);
      if (value.trimStart().startsWith('~')) break;
      pos = buf.indexOf('$', pos);
    }
    return changed ? buf : undefined;
  }

  private findReference(
    buf: string,
    pos: number,
  ): { def: Definition; end: number; params: number[] } | undefined {
    const braces = buf[pos + 1] === '{';
    const nameStart = pos + (braces ? 2 : 1);
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(buf.slice(nameStart));
    if (!m) return undefined;
    let end = nameStart + m[0].length;
    let params: number[] = [];
    if (braces) {
      const p = /^((?: +\d+)*)\}/.exec(buf.slice(end));
      if (!p) return undefined;
      params = p[1]!.trim() === '' ? [] : p[1]!.trim().split(/ +/).map(Number);
      end += p[0].length;
    } else if (end < buf.length && !' \t,)'.includes(buf[end]!)) return undefined;
    const def = this.defs.get(m[0]);
    if (!def) return undefined;
    if (def.multiline && end !== buf.length) return undefined;
    if (params.length > def.maxParams) return undefined;
    return { def, end, params };
  }

  private randomValue(params: number[]): string {
    const min = params[0] ?? 0;
    const max = params[1] ?? 32767;
    if (max < min) return String(min);
    return String(min + Math.floor(this.random() * (max - min + 1)));
  }

  private currentDir(): string {
    return this.files.at(-1)?.dir ?? '.';
  }

  // ---- ~SEQ and ~LST --------------------------------------------------------------------

  private addReplay(buf: string): void {
    const frame = this.files.at(-1);
    const replay = buf.startsWith('~SEQ') ? parseSeq(buf, (t) => this.substitute(t)) : parseLst(buf);
    if (!replay) {
      this.diags.error('syntax', `Invalid ${buf.slice(0, 4)} specification '${buf}'`, this.location(), {
        text: buf,
        hint: buf.startsWith('~SEQ')
          ? 'write ~SEQ(var, start, step, end)'
          : 'write ~LST(var, value1, value2, ...)',
      });
      return;
    }
    frame?.replays.push(replay);
  }

  // ---- include --------------------------------------------------------------------------

  private tryInclude(text: string): boolean {
    if (!text.includes('include')) return false;
    const words = text.split(/[ \t]+/);
    const checks = INCLUDE_VARIANTS[words[0]!];
    if (checks === undefined || words.length !== 2) return false;
    const frame = this.files.at(-1)!;
    const pattern = words[1]!.replace(/^"(.*)"$/, '$1');
    const wanted = new Set<IncludeCheck>([...frame.includeCheck, ...checks]);
    const matches = this.fs.glob(pattern, frame.dir);
    if (matches.length === 0) {
      const loc = this.location();
      const isWild = /[*?[]/.test(pattern);
      if (wanted.has('wildcard_match') || (wanted.has('match') && !isWild))
        this.diags.error('environment', `Config files missing '${pattern}'.`, loc, { text: pattern });
      else this.diags.notice('environment', `No config files matched '${pattern}'.`, loc, { text: pattern });
      return true;
    }
    if (this.files.length >= MAX_INCLUDE_DEPTH) {
      this.diags.error(
        'semantic',
        `include nesting deeper than ${MAX_INCLUDE_DEPTH} at '${pattern}'`,
        this.location(),
      );
      return true;
    }
    // Files are pushed in reverse so the first match is read first.
    for (const path of [...matches].reverse()) this.openFile(path, path, wanted, frame.dir);
    return true;
  }

  private openFile(
    path: string,
    display: string,
    includeCheck: ReadonlySet<IncludeCheck>,
    cwd = '.',
  ): boolean {
    const abs = this.fs.resolve(cwd, path);
    if (path.endsWith('/')) return false;
    const read = this.fs.read(abs);
    if (!read.ok) {
      const strict = includeCheck.has('readable');
      const message = `Configuration file '${path}' open problem (${read.reason}) - skipping`;
      const where = this.files.length ? this.location() : { file: path, line: 0, col: 0 };
      if (strict) this.diags.error('environment', message, where);
      else this.diags.notice('environment', message, where);
      return false;
    }
    this.filesRead.push(abs);
    this.files.push({
      path: abs,
      display,
      text: read.text,
      offset: 0,
      dir: this.fs.dirname(abs),
      index: 0,
      replays: [],
      includeCheck,
    });
    return true;
  }

  // ---- braces ---------------------------------------------------------------------------

  /** {@link splitBraces} when the first brace, outside quotes, is at `p`. */
  private splitAt(text: string, p: number): string {
    // `text` is trimmed at both ends (a plain line, or its residue), so trimming the
    // two parts only means skipping blanks around the cut.
    const cut = p === 0 ? 1 : p;
    let restStart = cut;
    while (restStart < text.length && isTrimmed(text.charCodeAt(restStart))) restStart++;
    if (restStart < text.length) this.residue = text.slice(restStart);
    let firstEnd = cut;
    while (firstEnd > 0 && isTrimmed(text.charCodeAt(firstEnd - 1))) firstEnd--;
    return firstEnd === text.length ? text : text.slice(0, firstEnd);
  }

  /** Puts a `{` or `}` outside quotes on a line of its own; the rest becomes residue. */
  private splitBraces(text: string): string {
    const open = text.indexOf('{');
    const close = text.indexOf('}');
    if (open < 0 && close < 0) return text;
    // Without quotes the first brace is the one to split at; with them, walk the line.
    let p = open < 0 ? close : close < 0 ? open : Math.min(open, close);
    if (text.includes('"') && text[0] !== '{' && text[0] !== '}') {
      let inQuote = false;
      for (p = 0; p < text.length; p++) {
        const c = text[p];
        if (c === '"') inQuote = !inQuote;
        else if (!inQuote && (c === '{' || c === '}')) break;
      }
      if (p >= text.length) return text.trimEnd();
    }
    const cut = p === 0 ? 1 : p;
    const rest = text.slice(cut).trim();
    if (rest !== '') this.residue = rest;
    return text.slice(0, cut).trimEnd();
  }
}

/** A small seedable PRNG for ${_RANDOM}: configs with random_seed must be repeatable. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
