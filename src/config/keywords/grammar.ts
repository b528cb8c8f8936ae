/**
 * @module The parser's grammar, built once from keepalived 2.2.7's keyword data
 * (grammar-data.ts) as maps for fast lookup.
 */
import type { Grammar, GrammarNode, KeywordShape } from '../ast.js';
import { ROOT_GRAMMAR as DATA, type KeywordDef } from './grammar-data.js';

/** Value blocks that take a name on their keyword line, so a word there is not "extra". */
const NAMED_LISTS = new Set(['virtual_server_group']);

/**
 * A keyword of the grammar whose sub-keyword map is built when a block of that kind is
 * first read: a configuration uses a few of keepalived's block kinds, and maps built up
 * front for all the others would be start-up work every `-t` throws away.
 */
class GrammarEntry implements GrammarNode {
  readonly keyword: string;
  readonly shape: KeywordShape;
  readonly named?: boolean;
  readonly #defs: Readonly<Record<string, KeywordDef>> | undefined;
  #children: Grammar | undefined;

  constructor(keyword: string, def: KeywordDef) {
    this.keyword = keyword;
    this.shape = def.shape;
    if (NAMED_LISTS.has(keyword)) this.named = true;
    this.#defs = def.children;
  }

  get children(): Grammar | undefined {
    if (this.#defs === undefined) return undefined;
    this.#children ??= toGrammar(this.#defs);
    return this.#children;
  }
}

function toGrammar(defs: Readonly<Record<string, KeywordDef>>): Grammar {
  const map = new Map<string, GrammarNode>();
  for (const name of Object.keys(defs)) map.set(name, new GrammarEntry(name, defs[name]!));
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
