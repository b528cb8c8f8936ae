/**
 * @module The parser's grammar, built once from keepalived 2.2.7's keyword data
 * (grammar-data.ts) as maps for fast lookup.
 */
import type { Grammar, GrammarNode } from '../ast.js';
import { ROOT_GRAMMAR as DATA, type KeywordDef } from './grammar-data.js';

/** Value blocks that take a name on their keyword line, so a word there is not "extra". */
const NAMED_LISTS = new Set(['virtual_server_group']);

function toGrammar(defs: Readonly<Record<string, KeywordDef>>): Grammar {
  const map = new Map<string, GrammarNode>();
  for (const [name, def] of Object.entries(defs))
    map.set(name, {
      shape: def.shape,
      ...(def.children ? { children: toGrammar(def.children) } : {}),
      ...(NAMED_LISTS.has(name) ? { named: true } : {}),
    });
  return map;
}

export const ROOT_GRAMMAR: Grammar = toGrammar(DATA);
