/**
 * @module Giving back the pages of the node executable that only start-up touched.
 *
 * Starting Node and the daemon touches ~40 MB of the node binary's code and read-only
 * data (the dynamic linker's relocation tables, the module loader, the parser and the
 * compilers' start-up work, ICU), and the kernel maps 64 KiB around each page touched.
 * All of it then counts in the daemon's resident set for good, though the VRRP loop
 * uses about a third of it: 255 instances at 0.1 s were ~62 MB resident, 42 MB of them
 * node's file pages. MADV_DONTNEED on those read-only, private file mappings unmaps
 * them; what the daemon still uses is mapped again from the page cache (the same
 * bytes, a minor fault) the next time it runs. Mappings with a private copy of a page
 * (relocated data) or locked ones (no_swap) are left alone. Pages stay in the page
 * cache, shared with every other node process: this is the daemon's own footprint.
 * Only done before the instances run (src/daemon/main.ts): a drop blocks the loop for
 * 10-40 ms (reading smaps, the madvise calls, and mapping again what runs next).
 */

import { readFileSync, realpathSync } from 'node:fs';
import { native } from '../native/binding.js';

export interface Mapping {
  readonly start: number;
  readonly end: number;
  readonly perms: string;
  readonly path: string;
  readonly rssKiB: number;
  /** Private copies (anonymous pages) inside a file mapping: relocated or written data. */
  readonly anonymousKiB: number;
  readonly lockedKiB: number;
}

const HEADER = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+\s*(.*)$/;
const FIELD = /^(Rss|Anonymous|Locked):\s+(\d+) kB/;

/** The mappings of a /proc/PID/smaps text. */
export function parseSmaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  let cur: { -readonly [K in keyof Mapping]: Mapping[K] } | null = null;
  for (const line of text.split('\n')) {
    const h = HEADER.exec(line);
    if (h) {
      cur = {
        start: Number.parseInt(h[1]!, 16),
        end: Number.parseInt(h[2]!, 16),
        perms: h[3]!,
        path: h[4]!,
        rssKiB: 0,
        anonymousKiB: 0,
        lockedKiB: 0,
      };
      out.push(cur);
      continue;
    }
    const f = FIELD.exec(line);
    if (f === null || cur === null) continue;
    const kib = Number(f[2]);
    if (f[1] === 'Rss') cur.rssKiB = kib;
    else if (f[1] === 'Anonymous') cur.anonymousKiB = kib;
    else cur.lockedKiB = kib;
  }
  return out;
}

/** `file`'s read-only private mappings holding pages and no private copy of any: safe to drop. */
export function droppable(maps: readonly Mapping[], file: string): Mapping[] {
  return maps.filter(
    (m) =>
      m.path === file &&
      (m.perms === 'r--p' || m.perms === 'r-xp') &&
      m.rssKiB > 0 &&
      m.anonymousKiB === 0 &&
      m.lockedKiB === 0,
  );
}

/** Drops the node executable's droppable pages; returns how many KiB were resident there. */
export function dropExecutablePages(): number {
  const file = realpathSync(process.execPath);
  const maps = droppable(parseSmaps(readFileSync('/proc/self/smaps', 'utf8')), file);
  const binding = native();
  let kib = 0;
  for (const m of maps) {
    binding.dropPages(m.start, m.end - m.start);
    kib += m.rssKiB;
  }
  return kib;
}

/** dropExecutablePages(), a failure only logged. */
export function tryDropExecutablePages(log: (text: string) => void): void {
  try {
    dropExecutablePages();
  } catch (e) {
    log(`could not return start-up pages: ${(e as Error).message}`);
  }
}
