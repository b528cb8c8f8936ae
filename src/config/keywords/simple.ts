/**
 * @module Simple keywords as data: one line per keyword gives its model field and value
 * kind, and the field's TypeScript type is derived from the same line. Blocks use this
 * for the many keywords that take one flag, number, timer, word or word list, so those
 * land typed in the model instead of in a string map (STYLE rule 8: schemas are data).
 */
import type { Statement } from '../ast.js';
import { readBool, readInt, readTimerS, readUnsigned } from '../values.js';
import { arg, type BuildContext, type Handler } from './common.js';

export type SimpleKind =
  | { readonly kind: 'flag' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'uint'; readonly min: number; readonly max: number }
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'timer' }
  | { readonly kind: 'string' }
  | { readonly kind: 'words' };

export const flag = { kind: 'flag' } as const;
export const bool = { kind: 'bool' } as const;
export const timer = { kind: 'timer' } as const;
export const string = { kind: 'string' } as const;
export const words = { kind: 'words' } as const;
export const uint = (min = 0, max = 4294967295) => ({ kind: 'uint', min, max }) as const;
export const int = (min: number, max: number) => ({ kind: 'int', min, max }) as const;

export type SimpleSpec = { readonly field: string; readonly value: SimpleKind };
export type SimpleTable = Readonly<Record<string, SimpleSpec>>;

type ValueOf<K extends SimpleKind> = K['kind'] extends 'flag' | 'bool'
  ? boolean
  : K['kind'] extends 'uint' | 'int' | 'timer'
    ? number
    : K['kind'] extends 'string'
      ? string
      : readonly string[];

/** The typed fields a table produces: `{ vrrpStartupDelayS?: number, ... }`. */
export type SimpleFields<T extends SimpleTable> = {
  readonly [K in keyof T as T[K]['field']]?: ValueOf<T[K]['value']>;
};

function read(ctx: BuildContext, stmt: Statement, value: SimpleKind): unknown {
  switch (value.kind) {
    case 'flag':
      return true;
    case 'bool':
      return readBool(ctx.diags, stmt, stmt.args[0]);
    case 'uint':
      return readUnsigned(ctx.diags, stmt, arg(ctx, stmt), value.min, value.max);
    case 'int':
      return readInt(ctx.diags, stmt, arg(ctx, stmt), value.min, value.max);
    case 'timer':
      return readTimerS(ctx.diags, stmt, arg(ctx, stmt), 0);
    case 'string':
      return arg(ctx, stmt)?.text;
    case 'words':
      return stmt.args.map((w) => w.text);
  }
}

/** Handlers for every keyword of a simple table, writing into `target[field]`. */
export function simpleHandlers<T extends object>(table: SimpleTable): Record<string, Handler<T>> {
  const out: Record<string, Handler<T>> = {};
  for (const [keyword, spec] of Object.entries(table))
    out[keyword] = (target, stmt, ctx) => {
      const v = read(ctx, stmt, spec.value);
      if (v !== undefined) (target as Record<string, unknown>)[spec.field] = v;
    };
  return out;
}
