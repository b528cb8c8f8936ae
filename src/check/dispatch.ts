/**
 * @module Picks the check function for a spec's kind. Each kind's module is loaded only
 * when a config uses it (`loadCheckFns`): a checker of TCP_CHECKs and HTTP_GETs does not
 * load the DNS, SMTP, UDP, ICMP, FILE and MISC checkers (module loading is most of the
 * checker process's start under emulation). BFD_CHECK has none: it is not polled but
 * follows its bfd_instance's session as events (src/io/bfd-check.ts, bound by startLvs),
 * taking the real server down or up at once as keepalived 2.2.7 does.
 */
import type { ScriptExecutor } from './misc.js';
import type { CheckFn, CheckKindSpec, CheckSpec } from './types.js';

type Ids = (user: string, group?: string) => { uid: number; gid: number } | undefined;
/** Makes a kind's check function (MISC_CHECK's closes over the script runner). */
type Maker = (scripts: ScriptExecutor, ids?: Ids) => CheckFn;

const LOADERS: { readonly [K in CheckKindSpec['kind']]?: () => Promise<Maker> } = {
  tcp: async () => {
    const { tcpCheck } = await import('./tcp.js');
    return () => tcpCheck;
  },
  http: async () => {
    const { httpCheck } = await import('./http.js');
    return () => httpCheck;
  },
  misc: async () => {
    const { miscCheck } = await import('./misc.js');
    return (scripts, ids) => miscCheck(scripts, ids);
  },
  smtp: async () => {
    const { smtpCheck } = await import('./smtp.js');
    return () => smtpCheck;
  },
  dns: async () => {
    const { dnsCheck } = await import('./dns.js');
    return () => dnsCheck;
  },
  udp: async () => {
    const { udpCheck } = await import('./udp.js');
    return () => udpCheck;
  },
  ping: async () => {
    const { pingCheck } = await import('./ping.js');
    return () => pingCheck;
  },
  file: async () => {
    const { fileCheck } = await import('./file.js');
    return () => fileCheck;
  },
};

/** The check function for a spec (undefined: its kind has none, or was not loaded). */
export type CheckFnFor = (spec: CheckSpec, scripts: ScriptExecutor, ids?: Ids) => CheckFn | undefined;

/** Loads the modules of the kinds `specs` use, in parallel; returns the synchronous picker. */
export async function loadCheckFns(specs: Iterable<CheckSpec>): Promise<CheckFnFor> {
  const kinds = new Set<CheckKindSpec['kind']>();
  for (const s of specs) kinds.add(s.kind.kind);
  const makers = new Map<string, Maker>();
  await Promise.all(
    [...kinds].map(async (k) => {
      const load = LOADERS[k];
      if (load) makers.set(k, await load());
    }),
  );
  return (spec, scripts, ids) => makers.get(spec.kind.kind)?.(scripts, ids);
}

/** The hard limit for one check: its own timeout plus slack for process/socket teardown. */
export function hardTimeoutMs(spec: CheckSpec): number {
  const own =
    spec.kind.kind === 'misc'
      ? spec.kind.timeoutMs
      : spec.kind.kind === 'http'
        ? spec.connectTimeoutMs * Math.max(1, spec.kind.urls.length)
        : spec.connectTimeoutMs;
  return own + 2000;
}
