/**
 * @module What a namespace looks like right now: addresses (`ip -j addr`), the
 * neighbour table (`ip -j neigh`), `ip -brief address show` as the article prints it,
 * and a probe (TCP to port 9) to populate a client's neighbour entry. Also {@link until}, a bounded
 * poll for assertions about state (never used to measure timings).
 */
import { spawnSync } from 'node:child_process';
import { ipJson, run, sleep, wallMs } from './exec.js';

interface AddrInfo {
  readonly family: 'inet' | 'inet6';
  readonly local: string;
  readonly prefixlen: number;
}
interface LinkAddrs {
  readonly ifname: string;
  readonly address?: string;
  readonly addr_info?: readonly AddrInfo[];
}
interface NeighEntry {
  readonly dst: string;
  readonly dev?: string;
  readonly lladdr?: string;
  readonly state?: readonly string[];
}

/** Addresses on `dev` in `ns`, as "addr/prefix". */
export function addresses(ns: string, dev = 'eth0'): string[] {
  const links = ipJson<LinkAddrs>(ns, 'addr', 'show', 'dev', dev);
  return links.flatMap((l) => (l.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`));
}

/** Whether `addr` (bare) is configured on `dev` in `ns`. */
export function hasAddress(ns: string, addr: string, dev = 'eth0'): boolean {
  return addresses(ns, dev).some((a) => a.split('/')[0] === addr);
}

/** The MAC of `dev` in `ns`. */
export function macOf(ns: string, dev = 'eth0'): string {
  return ipJson<LinkAddrs>(ns, 'link', 'show', 'dev', dev)[0]?.address ?? '';
}

/** The neighbour entry for `addr` in `ns`, if any. */
export function neighbour(ns: string, addr: string): NeighEntry | undefined {
  return ipJson<NeighEntry>(ns, 'neigh', 'show', 'to', addr).find((n) => n.dst === addr);
}

/** `ip -brief address show` in `ns`, like the article prints it. */
export function briefAddresses(ns: string): string {
  return run('ip', ['-n', ns, '-brief', 'address', 'show']).trimEnd();
}

/**
 * Whether `addr` answers from `ns`: a TCP connection to its discard port (9) that is
 * refused or accepted proves the address resolved (ARP / ND) and a host replied. Used
 * instead of ping, which a fresh machine may not have; it also leaves the client a
 * neighbour entry for `addr`.
 */
export function ping(ns: string, addr: string, timeoutS = 1): boolean {
  const script =
    `const s=require('net').connect({host:${JSON.stringify(addr)},port:9,timeout:${timeoutS * 1000}});` +
    "s.on('connect',()=>process.exit(0));s.on('timeout',()=>process.exit(1));" +
    "s.on('error',(e)=>process.exit(e.code==='ECONNREFUSED'?0:1));";
  const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script], {
    stdio: 'ignore',
    timeout: (timeoutS + 5) * 1000,
  });
  return r.status === 0;
}

/**
 * Polls `probe` every `stepMs` until it returns a non-undefined value or `timeoutMs`
 * passes. For assertions about eventual state only.
 */
export async function until<T>(
  probe: () => T | undefined,
  timeoutMs: number,
  stepMs = 50,
): Promise<T | undefined> {
  const deadline = wallMs() + timeoutMs;
  for (let i = 0; i < 100_000; i++) {
    const v = probe();
    if (v !== undefined) return v;
    if (wallMs() >= deadline) return undefined;
    await sleep(stepMs);
  }
  return undefined;
}

/** Waits until the neighbour entry for `addr` in `ns` has `mac`; returns the last entry seen. */
export async function neighbourBecomes(
  ns: string,
  addr: string,
  mac: string,
  timeoutMs: number,
): Promise<NeighEntry | undefined> {
  let last: NeighEntry | undefined;
  const hit = await until(() => {
    last = neighbour(ns, addr);
    return last?.lladdr === mac ? last : undefined;
  }, timeoutMs);
  return hit ?? last;
}
