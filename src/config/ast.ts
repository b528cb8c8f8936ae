/**
 * @module The generic syntax tree: keywords with their words, blocks and value lists,
 * each with its place in the source. The keyword tables give it meaning (build.ts).
 */
import type { SourceLocation } from './diagnostic.js';

/** One word of a line; `col` is 1-based in the physical line it came from. */
export interface Word {
  readonly text: string;
  readonly col: number;
  readonly quoted: boolean;
}

/** A line inside a value block (`virtual_ipaddress { ... }`): its words and place. */
export interface ListItem {
  readonly words: readonly Word[];
  readonly loc: SourceLocation;
  /** The line's text after preprocessing, for handlers that re-read it (scripts). */
  readonly raw: string;
}

export interface Statement {
  readonly keyword: string;
  /** The words after the keyword. */
  readonly args: readonly Word[];
  readonly loc: SourceLocation;
  /** Sub-statements of a keyword block (`vrrp_instance X { ... }`). */
  readonly body?: readonly Statement[];
  /** Lines of a value block (`virtual_ipaddress { ... }`). */
  readonly items?: readonly ListItem[];
}

/** How the parser must read what follows a keyword. */
export type KeywordShape = 'value' | 'block' | 'list';

/** The grammar the parser needs: for each keyword, its shape and (for blocks) its sub-keywords. */
export interface GrammarNode {
  /**
   * The keyword as the grammar spells it. Statements carry this string rather than the
   * word read from the line: one shared (internalized) string, so keyword tables find
   * it without hashing a fresh copy for every statement.
   */
  readonly keyword: string;
  readonly shape: KeywordShape;
  /** A value block whose keyword line carries a name (`virtual_server_group NAME {`). */
  readonly named?: boolean;
  readonly children?: Grammar;
}
export type Grammar = ReadonlyMap<string, GrammarNode>;
