/**
 * @module V8 heap sizing for the daemon, applied as a side effect of loading this module,
 * which src/daemon/main.ts imports first so that it runs before the rest of the daemon
 * is evaluated (evaluating its modules and reading a config of 255 instances is what
 * first grows the heap).
 *
 * By default V8 lets the young generation grow from 1 MiB to 16 MiB per semi-space once
 * enough has survived scavenges, and lets the old generation grow well past what is live
 * before a full collection: about 100 MiB resident with 255 instances for a heap that
 * keeps about 10 MiB alive. Both heuristics read these flags each time they decide, so
 * they take effect in a running process (`--max-semi-space-size` would only count on
 * the command line, which belongs to bin/keepalived-ts). Scavenges get more frequent but
 * stay small. `--optimize-for-size` is what brings the old generation's limit close to
 * the live size (2 MiB growing step instead of 8): 255 instances at 0.1 s go from about
 * 71 to 62 MiB resident. (It was suspected of stopping VRRP timers; re-checked: lone
 * instances at v2 1 s and v3 0.01 s become MASTER on time, the corpus start test reaches
 * a steady state for every config that does not depend on SMTP.)
 *
 * Where the rest goes (255 instances at 0.1 s): before start-up is over, ~62 MB
 * resident, ~42 MB of it pages of the node binary itself (an idle `node -e` with these
 * flags maps 34 MB; loading the daemon's modules and TurboFan's compiler touch the rest,
 * the same with 1 instance). The daemon then gives back the ones it no longer uses
 * before its instances start (src/daemon/startup-pages.ts): ~47 MB resident in the
 * steady state, ~26 MB of node's pages,
 * the V8 heap ~12-15 MB committed for ~11 MB live (a backup promotes what lives from
 * one advert to the next and saws between full collections), malloc ~5 MB (one arena:
 * bin/keepalived-ts).
 *
 * V8's memory reducer follows the start-up collection with up to three more ~8 s later,
 * 0.5 s apart, the second one compacting; `--memory-reducer-single-gc` keeps the first only
 * (`--no-memory-reducer` would only count on the command line). 255 instances at 0.1 s,
 * CPU from 7.5 to 14 s after start, two runs each, load ~2-4: master 0.36-0.44 ->
 * 0.29-0.30 s, backup 0.26-0.32 -> 0.22-0.25 s (steady state: ~0.2 and ~0.13 s).
 * `--no-flush-bytecode` keeps the bytecode of functions that have not run for a few
 * full collections, which V8 otherwise drops: the paths a daemon takes once in a while
 * (a MASTER yielding to a resumed master, its log line, the VIP removal) were compiled
 * again when taken, 0.2 ms to over 1 ms before "Entering BACKUP STATE" was written.
 * `--always-sparkplug` gives every function baseline machine code when it is first
 * compiled: a path taken once in a while (that same yield) otherwise runs in the
 * interpreter, as it never gets hot enough to be compiled. Frozen master resumed at
 * v3 0.01 s, 20 trials per run: server2's advert-to-line median 0.70-0.83 ms in 3 runs
 * against 0.83-1.19 ms in 4 without it; 255 instances at 0.1 s, RSS unchanged (46-47 MiB).
 * Flags tried and left out: --compact-on-every-full-gc (a backup's heap back to ~12 MB,
 * but 30 ms pauses), --max-opt=1 (-4 MB of binary pages, twice the CPU),
 * --heap-growing-percent (no change at this size).
 */

import { setFlagsFromString } from 'node:v8';

export const DAEMON_V8_FLAGS: readonly string[] = [
  '--semi-space-growth-factor=1',
  '--optimize-for-size',
  '--memory-reducer-single-gc',
  '--no-flush-bytecode',
  '--always-sparkplug',
];

for (const flag of DAEMON_V8_FLAGS) setFlagsFromString(flag);
