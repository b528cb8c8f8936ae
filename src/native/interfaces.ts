/**
 * @module Interface name <-> index lookups (if_nametoindex(3), if_indextoname(3)),
 * in the network namespace of this process.
 */

import { native } from './binding.js';

/** Index of interface `name`, or null when there is none. */
export function ifNameToIndex(name: string): number | null {
  const index = native().ifNameToIndex(name);
  return index === 0 ? null : index;
}

/** Name of interface `index`, or null when there is none. */
export function ifIndexToName(index: number): string | null {
  return native().ifIndexToName(index);
}
