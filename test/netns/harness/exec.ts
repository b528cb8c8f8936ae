/**
 * @module Running commands for the namespace harness: synchronous `ip` / `sysctl`
 * calls (short, at setup and teardown only), a wall clock with sub-millisecond
 * resolution that matches packet-capture timestamps, and the check that says whether
 * namespace scenarios can run here at all.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Runs a command and returns its stdout; throws with stderr in the message on failure. */
export function run(cmd: string, args: readonly string[], input?: string): string {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    timeout: 20_000,
  });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status ?? r.signal}: ${r.stderr.trim()}`);
  }
  return r.stdout;
}

/** Like {@link run} but returns false instead of throwing (teardown paths). */
export function tryRun(cmd: string, args: readonly string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore', timeout: 20_000 }).status === 0;
}

/** `ip ARGS` in the root namespace. */
export const ip = (...args: string[]): string => run('ip', args);

/** `ip -n NS ARGS`. */
export const ipIn = (ns: string, ...args: string[]): string => run('ip', ['-n', ns, ...args]);

/** `ip -j -n NS ARGS`, parsed. */
export function ipJson<T>(ns: string, ...args: string[]): T[] {
  const out = run('ip', ['-j', '-n', ns, ...args]).trim();
  return out === '' ? [] : (JSON.parse(out) as T[]);
}

/** Runs a command inside a namespace and returns stdout. */
export const nsRun = (ns: string, cmd: string, ...args: string[]): string =>
  run('ip', ['netns', 'exec', ns, cmd, ...args]);

/** Sets a sysctl inside a namespace. */
export function sysctl(ns: string, key: string, value: string | number): void {
  run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', `${key}=${value}`]);
}

/**
 * Wall-clock milliseconds since the epoch with sub-millisecond resolution. Packet
 * captures stamp frames with CLOCK_REALTIME, so the two can be subtracted.
 */
export const wallMs = (): number => performance.timeOrigin + performance.now();

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether `cmd` is on PATH. */
export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Why namespace scenarios cannot run here, or null when they can. */
export function labUnavailable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'needs root for network namespaces';
  if (!hasCommand('ip')) return 'iproute2 (ip) is not installed';
  if (!existsSync('/proc/self/ns/net')) return 'kernel without network namespaces';
  const probe = `kts-${process.pid}-probe`;
  if (!tryRun('ip', ['netns', 'add', probe])) return 'cannot create network namespaces here';
  tryRun('ip', ['netns', 'del', probe]);
  return null;
}

/** Why a keepalived peer cannot run here, or null. */
export function keepalivedUnavailable(): string | null {
  return hasCommand('keepalived') ? null : 'keepalived is not installed (make setup)';
}

/** Why packet captures cannot be judged here, or null. */
export function captureUnavailable(): string | null {
  if (!hasCommand('tcpdump')) return 'tcpdump is not installed (make setup)';
  if (!hasCommand('tshark')) return 'tshark is not installed (make setup)';
  return null;
}

/** A single line of `execFileSync` output, for quick one-shot queries. */
export function oneLine(cmd: string, args: readonly string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
}
