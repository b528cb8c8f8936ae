/**
 * @module The harness's last line of defence: every namespace and process it makes is
 * registered here, and removed by {@link cleanupAll} from `after()`, on process exit,
 * and on SIGINT / SIGTERM / SIGHUP, even when a test failed half-way. Namespaces are
 * named `kts-<pid>-<lab>-<role>` (role lan, serverN or client); ones of that shape left
 * by a dead run (its pid gone) are swept on start; other suites' names are not touched.
 *
 * Processes are killed by namespace (`ip netns pids`), which also catches children a
 * daemon forked (keepalived's VRRP and checker processes) that we never saw.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const namespaces = new Set<string>();
const pids = new Set<number>();
const tempDirs = new Set<string>();
let hooked = false;

function quiet(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  return r.status === 0 ? r.stdout : '';
}

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Kills every process in `ns`, then deletes it. Never throws. */
export function removeNamespace(ns: string): void {
  for (let round = 0; round < 3; round++) {
    const inside = quiet('ip', ['netns', 'pids', ns])
      .split('\n')
      .map(Number)
      .filter((p) => p > 0);
    if (inside.length === 0) break;
    for (const p of inside) killPid(p);
    spawnSync('sleep', ['0.05']);
  }
  quiet('ip', ['netns', 'del', ns]);
}

/** Removes everything registered so far. Synchronous, so it also works in an exit handler. */
export function cleanupAll(): void {
  for (const p of pids) killPid(p);
  pids.clear();
  for (const ns of [...namespaces].reverse()) removeNamespace(ns);
  namespaces.clear();
  for (const dir of tempDirs) quiet('rm', ['-rf', '--', dir]);
  tempDirs.clear();
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', cleanupAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      cleanupAll();
      process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
    });
  }
  sweepStale();
}

export function registerNamespace(ns: string): void {
  hook();
  namespaces.add(ns);
}

export function forgetNamespace(ns: string): void {
  namespaces.delete(ns);
}

export function registerPid(pid: number): void {
  hook();
  pids.add(pid);
}

export function forgetPid(pid: number): void {
  pids.delete(pid);
}

export function registerTempDir(dir: string): void {
  hook();
  tempDirs.add(dir);
}

/** Deletes `kts-<pid>-*` namespaces whose creating process no longer exists. */
export function sweepStale(): void {
  const names = quiet('ip', ['netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '');
  for (const name of names) {
    const m = /^kts-(\d+)-[a-z0-9]+-(lan|server\d+|client)$/.exec(name);
    if (m === null || Number(m[1]) === process.pid || existsSync(`/proc/${m[1]}`)) continue;
    removeNamespace(name);
  }
}
