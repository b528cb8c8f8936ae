/**
 * @module Glob patterns as keepalived's `include` uses them (glob(3) with GLOB_BRACE):
 * `*`, `?`, `[...]` within a path segment, and csh-style `{a,b}` brace expansion. Pure.
 */

export function hasGlobChars(s: string): boolean {
  return /[*?[]/.test(s);
}

/** `{a,b}c{d,e}` → `acd ace bcd bce`, nested braces included; unbalanced braces stay literal. */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  let close = -1;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) {
        close = i;
        break;
      }
    } else if (c === ',' && depth === 1) commas.push(i);
  }
  if (close < 0) return [pattern];
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const bounds = [open, ...commas, close];
  const out: string[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const alt = pattern.slice(bounds[i]! + 1, bounds[i + 1]);
    for (const rest of expandBraces(alt + tail)) out.push(head + rest);
  }
  return out;
}

/** One path segment's pattern as an anchored RegExp; a leading dot must be matched explicitly. */
export function globSegmentToRegExp(segment: string): RegExp {
  let re = '^';
  if (!segment.startsWith('.')) re += '(?!\\.)';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`);
}
