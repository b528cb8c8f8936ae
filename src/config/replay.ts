/**
 * @module `~SEQ(var, start, step, end)`, `~SEQx(...)` and `~LST(var, v1, v2, ...)`:
 * keepalived's line replication, parsed into a value generator. Pure.
 */

/** A replicated line: the variables to set and the text to replay once per value tuple. */
export interface Replay {
  readonly vars: readonly string[];
  readonly text: string;
  next(): readonly string[] | undefined;
}

export function parseSeq(buf: string, substitute: (text: string) => string | undefined): Replay | undefined {
  const m = /^~SEQ(x?)[ \t]*\([ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*,([^)]*)\)[ \t]*(.*)$/.exec(buf);
  if (!m) return undefined;
  const hex = m[1] === 'x';
  const args = (substitute(m[3]!) ?? m[3]!).split(',').map((s) => parseCInteger(s.trim()));
  if (args.some((a) => a === undefined) || args.length < 1 || args.length > 3) return undefined;
  const nums = args as number[];
  let start: number;
  let step: number;
  let end: number;
  if (nums.length === 1) {
    end = nums[0]!;
    step = end < 1 ? -1 : 1;
    start = end < 0 ? -1 : 1;
  } else if (nums.length === 2) {
    [start, end] = nums as [number, number];
    step = start <= end ? 1 : -1;
  } else {
    [start, step, end] = nums as [number, number, number];
    if (step === 0 || (start < end && step < 0) || (start > end && step > 0)) return undefined;
  }
  if (hex && (start < 0 || end < 0)) return undefined;
  let value = start;
  return {
    vars: [m[2]!],
    text: m[4]!,
    next: () => {
      if ((step > 0 && value > end) || (step < 0 && value < end)) return undefined;
      const v = value;
      value += step;
      return [hex ? v.toString(16) : String(v)];
    },
  };
}

export function parseLst(buf: string): Replay | undefined {
  const open = buf.indexOf('(');
  if (!buf.startsWith('~LST') || open < 0 || buf.slice(4, open).trim() !== '') return undefined;
  const close = matchingParen(buf, open);
  if (close < 0) return undefined;
  const groups = splitTopLevel(buf.slice(open + 1, close)).map((g) => {
    const t = g.trim();
    return t.startsWith('{') && t.endsWith('}') ? splitTopLevel(t.slice(1, -1)).map((s) => s.trim()) : [t];
  });
  const [vars, ...values] = groups;
  if (!vars || values.length === 0) return undefined;
  if (!vars.every((v) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(v))) return undefined;
  if (values.some((v) => v.length !== vars.length)) return undefined;
  let i = 0;
  return { vars, text: buf.slice(close + 1).trim(), next: () => values[i++] };
}

/** strtol(s, 0): decimal, 0x hex or leading-0 octal, with sign; undefined on junk. */
export function parseCInteger(s: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const body = m[2]!;
  const v = /^0[xX]/.test(body)
    ? Number.parseInt(body, 16)
    : body.length > 1 && body.startsWith('0')
      ? Number.parseInt(body, 8)
      : Number(body);
  return m[1] === '-' ? -v : v;
}

function matchingParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '{') depth++;
    else if (c === '}') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}
