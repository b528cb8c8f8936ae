/**
 * @module Readers for keyword values: numbers, timers, booleans, addresses. Each returns
 * the value or undefined after reporting a diagnostic worded like keepalived's, at the
 * word's own line and column, with the valid range as the hint.
 */

import { formatIp, parseIp } from '../wire/ip.js';
import type { Statement, Word } from './ast.js';
import type { DiagnosticSink, SourceLocation } from './diagnostic.js';
import type { IpPrefix } from './model.js';

export function wordLoc(stmt: Statement, word: Word | undefined): SourceLocation {
  return word ? { file: stmt.loc.file, line: stmt.loc.line, col: word.col } : stmt.loc;
}

/** Like keepalived's read_unsigned: base-10, no sign, within [min, max]. */
export function readUnsigned(
  diags: DiagnosticSink,
  stmt: Statement,
  word: Word | undefined,
  min: number,
  max: number,
): number | undefined {
  if (!word) return missing(diags, stmt);
  const text = word.text.trim();
  if (text.startsWith('-')) return bad(diags, stmt, word, `negative number '${word.text}'`, min, max);
  if (!/^\+?\d+$/.test(text)) return bad(diags, stmt, word, `invalid number '${word.text}'`, min, max);
  const v = Number(text);
  if (v > 4294967295)
    return bad(diags, stmt, word, `number '${word.text}' outside unsigned integer range`, min, max);
  if (v < min || v > max)
    return bad(diags, stmt, word, `number '${word.text}' outside range [${min}, ${max}]`, min, max);
  return v;
}

/** Like keepalived's read_int: base-10 signed, within [min, max]. */
export function readInt(
  diags: DiagnosticSink,
  stmt: Statement,
  word: Word | undefined,
  min: number,
  max: number,
): number | undefined {
  if (!word) return missing(diags, stmt);
  if (!/^[+-]?\d+$/.test(word.text.trim()))
    return bad(diags, stmt, word, `invalid number '${word.text}'`, min, max);
  const v = Number(word.text.trim());
  if (v < min || v > max)
    return bad(diags, stmt, word, `number '${word.text}' outside range [${min}, ${max}]`, min, max);
  return v;
}

/** Like keepalived's read_double: a decimal number within [min, max]. */
export function readDouble(
  diags: DiagnosticSink,
  stmt: Statement,
  word: Word | undefined,
  min: number,
  max: number,
): number | undefined {
  if (!word) return missing(diags, stmt);
  const text = word.text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text))
    return bad(diags, stmt, word, `invalid number '${word.text}'`, min, max);
  const v = Number(text);
  if (v < min || v > max)
    return bad(
      diags,
      stmt,
      word,
      `number '${word.text}' outside range [${fmtG(min)}, ${fmtG(max)}]`,
      min,
      max,
    );
  return v;
}

/** A <TIMER>: seconds with microsecond resolution, as keepalived's read_timer. */
export function readTimerS(
  diags: DiagnosticSink,
  stmt: Statement,
  word: Word | undefined,
  minUs = 1,
  maxUs = 4294967295,
): number | undefined {
  return readDouble(diags, stmt, word, minUs / 1e6, maxUs / 1e6);
}

/** <BOOL>: on|off|true|false|yes|no; a bare keyword means true. */
export function readBool(
  diags: DiagnosticSink,
  stmt: Statement,
  word: Word | undefined,
): boolean | undefined {
  if (!word) return true;
  const t = word.text.toLowerCase();
  if (t === 'on' || t === 'true' || t === 'yes') return true;
  if (t === 'off' || t === 'false' || t === 'no') return false;
  diags.error('semantic', `invalid ${stmt.keyword} value '${word.text}'`, wordLoc(stmt, word), {
    text: word.text,
    hint: 'use one of on|off|true|false|yes|no',
  });
  return undefined;
}

/** keepalived aborts the whole parse when a keyword lacks a required parameter. */
export function missing(diags: DiagnosticSink, stmt: Statement, position = stmt.args.length + 2): undefined {
  diags.error(
    'syntax',
    `Configuration line starting \`${stmt.keyword}\` is missing a parameter after keyword \`${stmt.args.at(-1)?.text ?? stmt.keyword}\` at word position ${position}`,
    stmt.loc,
    {
      text: [stmt.keyword, ...stmt.args.map((w) => w.text)].join(' '),
      hint: `give ${stmt.keyword} a value`,
      aborts: true,
    },
  );
  return undefined;
}

function bad(
  diags: DiagnosticSink,
  stmt: Statement,
  word: Word,
  message: string,
  min: number,
  max: number,
): undefined {
  diags.error('semantic', message, wordLoc(stmt, word), {
    text: word.text,
    hint: `${stmt.keyword} must be a number in ${fmtG(min)}..${fmtG(max)}`,
  });
  return undefined;
}

function fmtG(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(10)));
}

// ---- IP addresses as text ------------------------------------------------------------

/**
 * A dotted quad as parseIp accepts it (four octets 0..255, no leading zeros): its text is
 * already canonical, so the common case needs neither bytes nor formatting.
 */
const CANONICAL_IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Parses `addr` or `addr/len` (IPv4 or IPv6); undefined if it is not one. */
export function parseIpPrefix(text: string, allowPrefix = true): IpPrefix | undefined {
  if (CANONICAL_IPV4.test(text)) return { family: 4, address: text, prefixLen: 32 };
  const slash = text.indexOf('/');
  const addrText = slash >= 0 ? text.slice(0, slash) : text;
  const lenText = slash >= 0 ? text.slice(slash + 1) : undefined;
  if (lenText !== undefined && (!allowPrefix || !/^\d{1,3}$/.test(lenText))) return undefined;
  const parsed = parseIp(addrText);
  if (!parsed.ok) return undefined;
  const family = parsed.value.family === 'ipv4' ? 4 : 6;
  const maxLen = family === 4 ? 32 : 128;
  const prefixLen = lenText === undefined ? maxLen : Number(lenText);
  if (prefixLen > maxLen) return undefined;
  return { family, address: formatIp(parsed.value), prefixLen };
}

/** `addr` or `addr/len` as text: the inverse of {@link parseIpPrefix}. */
export function formatIpPrefix(p: IpPrefix): string {
  return p.prefixLen === (p.family === 4 ? 32 : 128) ? p.address : `${p.address}/${p.prefixLen}`;
}
