/**
 * @module Comment stripping as keepalived does it, before and after substitution. Pure.
 */
import type { DiagnosticSink, SourceLocation } from './diagnostic.js';

const COMMENT_OR_QUOTE = /[#!"\\]/;

/**
 * Removes a comment (`#` or `!` outside double quotes) and surrounding blanks; `\#` and
 * `\!` outside quotes stand for the characters themselves. A final `\` is kept: it marks
 * a continued multi-line definition.
 */
export function decomment(input: string, diags?: DiagnosticSink, loc?: SourceLocation): string {
  // Most lines have nothing to strip but blanks: skip the character loop for them.
  if (!COMMENT_OR_QUOTE.test(input)) return input.trim();
  let out = '';
  let quote = false;
  let cont = false;
  const s = input.replace(/^[ \t]+/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') {
      quote = !quote;
      out += c;
    } else if (c === '\\') {
      if (i + 1 >= s.length) {
        cont = true;
        break;
      }
      const n = s[i + 1]!;
      out += !quote && (n === '#' || n === '!') ? n : c + n;
      i++;
    } else if (!quote && (c === '#' || c === '!')) break;
    else out += c;
  }
  if (quote && diags && loc)
    diags.error('syntax', `Unterminated quote '${input.trim()}'`, loc, { text: input.trim() });
  out = out.replace(/[ \t]+$/, '');
  return cont ? `${out}\\` : out;
}
