/**
 * @module Which conntrack entries to delete when the nftables plane removes a
 * destination, as `conntrack -D` arguments (pure). nftables NAT binds a flow to its
 * backend in the flow's conntrack entry, so without this a UDP client that keeps its
 * 5-tuple would go on reaching a dead server until the entry expires (30 s and more,
 * refreshed by every datagram). The filter names the service (original destination
 * address, port, protocol) and the server (reply source address and port) and keeps to
 * DNAT'ed entries, so the balancer's own health checks to the server are left alone.
 */
import type { Destination, ServiceMatch, ServiceState } from './model.js';
import { destKey, matchKey } from './model.js';

export interface RemovedDestination {
  readonly match: ServiceMatch;
  readonly dest: Destination;
}

/** Destinations present in `before` and gone from `after` (a whole service gone counts). */
export function removedDestinations(
  before: readonly ServiceState[],
  after: readonly ServiceState[],
): RemovedDestination[] {
  const now = new Map(after.map((s) => [matchKey(s.match), new Set(s.destinations.map(destKey))]));
  const out: RemovedDestination[] = [];
  for (const s of before) {
    const kept = now.get(matchKey(s.match));
    for (const d of s.destinations) if (!kept?.has(destKey(d))) out.push({ match: s.match, dest: d });
  }
  return out;
}

/** One `conntrack -D` argument list per transport protocol the service carries. */
export function conntrackDeleteArgs(r: RemovedDestination): string[][] {
  const family = r.dest.family === 6 ? 'ipv6' : 'ipv4';
  const server = ['--reply-src', r.dest.address];
  const m = r.match;
  if (m.kind === 'fwmark') {
    // Any protocol a mark can carry; a port filter needs one, so the server's address only.
    return [['-D', '-f', family, ...server, '--dst-nat']];
  }
  const proto = m.protocol.toLowerCase();
  return [
    [
      '-D',
      '-f',
      family,
      '-p',
      proto,
      '--orig-dst',
      m.address,
      ...(m.port === 0 ? [] : ['--orig-port-dst', String(m.port)]),
      ...server,
      ...(r.dest.port === 0 ? [] : ['--reply-port-src', String(r.dest.port)]),
      '--dst-nat',
    ],
  ];
}

/** The count in conntrack's "N flow entries have been deleted." (0 when absent). */
export function deletedCount(stderr: string): number {
  const m = /(\d+) flow entr(?:y|ies) ha(?:s|ve) been deleted/.exec(stderr);
  return m ? Number(m[1]) : 0;
}
