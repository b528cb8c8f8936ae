/**
 * Giving back the node executable's start-up pages: only its read-only private mappings
 * without a private copy or a lock are chosen; on the real kernel a process's resident
 * file pages drop and it runs on unchanged (its code mapped again from the page cache).
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { droppable, parseSmaps } from '../../../src/daemon/startup-pages.js';

const NODE = '/usr/bin/node';

const SMAPS = `00400000-00b6f000 r--p 00000000 fe:00 260689                             ${NODE}
Size:               7612 kB
Rss:                6780 kB
Anonymous:             0 kB
Locked:                0 kB
00b72000-025fe000 r-xp 00772000 fe:00 260689                             ${NODE}
Rss:               20920 kB
Anonymous:             0 kB
Locked:                0 kB
0563a000-0563e000 r--p 05239000 fe:00 260689                             ${NODE}
Rss:                  16 kB
Anonymous:             8 kB
Locked:                0 kB
0563e000-0565d000 rw-p 0523d000 fe:00 260689                             ${NODE}
Rss:                 124 kB
Anonymous:            96 kB
Locked:                0 kB
7f0000000000-7f0000100000 r-xp 00000000 fe:00 1234                       /usr/lib/x86_64-linux-gnu/libc.so.6
Rss:                1024 kB
Anonymous:             0 kB
Locked:                0 kB
7f0000200000-7f0000300000 r-xp 00100000 fe:00 260689                     ${NODE}
Rss:                1024 kB
Anonymous:             0 kB
Locked:             1024 kB
7f0000400000-7f0000500000 r--p 00000000 fe:00 260689                     ${NODE}
Rss:                   0 kB
Anonymous:             0 kB
Locked:                0 kB
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]
Rss:                  40 kB
Anonymous:            40 kB
Locked:                0 kB
`;

describe('startup pages', () => {
  test('parses smaps mappings with their resident, anonymous and locked sizes', () => {
    const maps = parseSmaps(SMAPS);
    assert.equal(maps.length, 8);
    assert.deepEqual(maps[0], {
      start: 0x400000,
      end: 0xb6f000,
      perms: 'r--p',
      path: NODE,
      rssKiB: 6780,
      anonymousKiB: 0,
      lockedKiB: 0,
    });
    assert.equal(maps[2]!.anonymousKiB, 8);
    assert.equal(maps[5]!.lockedKiB, 1024);
    assert.equal(maps[7]!.path, '[stack]');
  });

  test('only the executable read-only mappings with pages, no private copy and no lock are droppable', () => {
    const chosen = droppable(parseSmaps(SMAPS), NODE).map((m) => m.start);
    // Not: relocated data (a private copy), writable data, libc, a locked range, an empty one.
    assert.deepEqual(chosen, [0x400000, 0xb72000]);
  });

  test('on the real kernel, the resident file pages drop and the process runs on', {
    timeout: 30_000,
  }, () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const mod = join(here, '../../../src/daemon/startup-pages.js');
    const script = `
      import { readFileSync } from 'node:fs';
      const { dropExecutablePages } = await import(${JSON.stringify(mod)});
      const rssFile = () => Number(/RssFile:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
      const before = rssFile();
      const dropped = dropExecutablePages();
      const after = rssFile();
      // Code and read-only data used after the drop come back from the page cache.
      const check = JSON.stringify({ d: new Date(0).toISOString(), n: (1234.5).toFixed(1), r: /a(b)/.exec('xab')[1] });
      console.log(JSON.stringify({ before, dropped, after, check }));
    `;
    const out = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
    );
    assert.ok(out.dropped > 4096, `dropped ${out.dropped} KiB`);
    assert.ok(out.after < out.before - 4096, `RssFile ${out.before} -> ${out.after} KiB`);
    assert.equal(out.check, '{"d":"1970-01-01T00:00:00.000Z","n":"1234.5","r":"b"}');
  });
});
