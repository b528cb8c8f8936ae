/**
 * @module The parser's grammar, built once from keepalived 2.2.7's keyword data
 * (grammar-data.ts) as maps for fast lookup.
 */
import type { Grammar, GrammarNode } from '../ast.js';
import type { Mutable } from '../model.js';
import { ROOT_GRAMMAR as DATA, type KeywordDef } from './grammar-data.js';

/** Value blocks that take a name on their keyword line, so a word there is not "extra". */
const NAMED_LISTS = new Set(['virtual_server_group']);

function toGrammar(defs: Readonly<Record<string, KeywordDef>>): Grammar {
  const map = new Map<string, GrammarNode>();
  for (const [name, def] of Object.entries(defs)) {
    const node: Mutable<GrammarNode> = { keyword: name, shape: def.shape };
    if (def.children) node.children = toGrammar(def.children);
    if (NAMED_LISTS.has(name)) node.named = true;
    map.set(name, node);
  }
  return map;
}

/** keepalived-ts's own keywords (documented in README's compatibility notes). */
const EXTENSIONS: Readonly<Record<string, Readonly<Record<string, KeywordDef>>>> = {
  global_defs: { lvs_data_plane: { shape: 'value' } },
};

function withExtensions(defs: Readonly<Record<string, KeywordDef>>): Record<string, KeywordDef> {
  const out: Record<string, KeywordDef> = { ...defs };
  for (const [block, extra] of Object.entries(EXTENSIONS)) {
    const def = out[block];
    if (def) out[block] = { ...def, children: { ...def.children, ...extra } };
  }
  return out;
}

export const ROOT_GRAMMAR: Grammar = toGrammar(withExtensions(DATA));
