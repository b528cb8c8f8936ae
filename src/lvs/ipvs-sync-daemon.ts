/**
 * @module The IPVS-wide settings applied to the kernel as keepalived 2.2.7 does: lvs_timeouts
 * through IPVS_CMD_SET_CONFIG at start, the kernel's values read first (GET_CONFIG) so that an
 * unset one keeps its value and all are put back when the checker stops or a reload drops
 * lvs_timeouts (checked against keepalived 2.2.7 in the qemu lab); and the connection-sync
 * daemon through IPVS_CMD_NEW_DAEMON / DEL_DAEMON. Without a vrrp_instance both the master
 * and the backup daemon run from start to exit; with one, the daemon follows the
 * instance: master while it is MASTER, backup otherwise (keepalived stops the old role
 * before starting the new one, and an instance starts as backup). Leftovers of a previous
 * run are stopped first, so a crash does not make NEW_DAEMON fail with EEXIST.
 */
import type { Config } from '../config/model.js';
import { IP_VS_STATE } from '../netlink/genl-constants.js';
import type { IpvsDaemon, IpvsTimeouts } from '../netlink/ipvs.js';
import {
  delDaemonRequest,
  getConfigRequest,
  getDaemonsRequest,
  newDaemonRequest,
  setConfigRequest,
} from '../netlink/ipvs-requests.js';
import { GenlIpvsClient } from './genl-client.js';
import { parseLvsSyncDaemon, parseLvsTimeouts, type SyncDaemonSpec } from './ipvs-global-defs.js';

export type SyncRole = 'master' | 'backup';
const STATE: Record<SyncRole, number> = { master: IP_VS_STATE.MASTER, backup: IP_VS_STATE.BACKUP };

/** The kernel's connection timeouts (IPVS_CMD_GET_CONFIG), seconds. */
export async function readIpvsTimeouts(client: GenlIpvsClient): Promise<IpvsTimeouts> {
  const [reply] = await client.call((f, seq) => getConfigRequest(f, seq));
  return reply?.timeouts ?? {};
}

export async function setIpvsTimeouts(client: GenlIpvsClient, t: IpvsTimeouts): Promise<void> {
  await client.call((f, seq) => setConfigRequest(f, t, seq));
}

/**
 * The kernel's timeouts before this process first changed them (libipvs keeps them for the
 * process's life too): what stop and a reload without lvs_timeouts restore.
 */
let originalTimeouts: IpvsTimeouts | undefined;

/** lvs_timeouts over the original values: an unset (0) field keeps the original. */
export function mergeTimeouts(wanted: IpvsTimeouts, original: IpvsTimeouts): IpvsTimeouts {
  return {
    tcp: wanted.tcp || original.tcp || 0,
    tcpFin: wanted.tcpFin || original.tcpFin || 0,
    udp: wanted.udp || original.udp || 0,
  };
}

async function applyTimeouts(client: GenlIpvsClient, wanted: IpvsTimeouts | undefined): Promise<void> {
  if (wanted === undefined) {
    // keepalived: a reload without lvs_timeouts puts back what it changed, if it changed anything.
    if (originalTimeouts) await setIpvsTimeouts(client, originalTimeouts);
    return;
  }
  originalTimeouts ??= await readIpvsTimeouts(client);
  await setIpvsTimeouts(client, mergeTimeouts(wanted, originalTimeouts));
}

async function restoreTimeouts(client: GenlIpvsClient): Promise<void> {
  if (originalTimeouts) await setIpvsTimeouts(client, originalTimeouts);
}

/** Every running sync daemon (IPVS_CMD_GET_DAEMON dump). */
export async function readSyncDaemons(client: GenlIpvsClient): Promise<IpvsDaemon[]> {
  const msgs = await client.call((f, seq) => getDaemonsRequest(f, seq));
  return msgs.flatMap((m) => (m.daemon ? [m.daemon] : []));
}

export function daemonRequestOf(spec: SyncDaemonSpec, role: SyncRole): IpvsDaemon {
  return {
    state: STATE[role],
    mcastIfn: spec.interface,
    syncId: spec.syncId,
    ...(spec.maxlen !== undefined ? { syncMaxlen: spec.maxlen } : {}),
    ...(spec.port !== undefined ? { mcastPort: spec.port } : {}),
    ...(spec.ttl !== undefined ? { mcastTtl: spec.ttl } : {}),
    ...(spec.group !== undefined ? { mcastGroup: spec.group } : {}),
  };
}

export interface IpvsGlobalsLog {
  info(text: string): void;
}

/**
 * The running settings. `follow(instance, state)` takes every VRRP transition (MASTER,
 * BACKUP, FAULT, STOP) and moves an instance-bound daemon when it is that instance's; `stop`
 * ends whatever runs.
 */
export interface IpvsGlobalsHandle {
  readonly syncDaemon: SyncDaemonSpec | undefined;
  follow(instance: string, state: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Who applies what, as keepalived splits it: the checker applies lvs_timeouts and runs a
 * sync daemon that names no instance (both roles); the VRRP side ('vrrp') runs one bound
 * to an instance and feeds it the transitions. Each logs the problems of what it owns.
 */
export type IpvsGlobalsScope = 'checker' | 'vrrp';

/** Applies lvs_timeouts and starts lvs_sync_daemon; every failure is logged, none thrown. */
export async function startIpvsGlobals(
  config: Config,
  log: IpvsGlobalsLog,
  scope: IpvsGlobalsScope = 'checker',
): Promise<IpvsGlobalsHandle> {
  const timeouts =
    scope === 'checker' ? parseLvsTimeouts(config.global.lvsTimeouts) : { value: undefined, problems: [] };
  const syncd = parseLvsSyncDaemon(config.global.lvsSyncDaemon, config.vrrpInstances);
  const bound = syncd.value ? syncd.value.instance !== undefined : config.global.lvsSyncDaemon !== undefined;
  const mine = bound === (scope === 'vrrp');
  for (const p of [...timeouts.problems, ...(mine ? syncd.problems : [])]) log.info(p);
  const spec = mine ? syncd.value : undefined;
  const idle: IpvsGlobalsHandle = { syncDaemon: undefined, follow: async () => {}, stop: async () => {} };
  const restoring = scope === 'checker' && timeouts.value === undefined && originalTimeouts !== undefined;
  if (timeouts.value === undefined && spec === undefined && !restoring) return idle;
  let client: GenlIpvsClient;
  try {
    client = await GenlIpvsClient.open();
  } catch (e) {
    log.info(`IPVS: cannot apply lvs_timeouts / lvs_sync_daemon: ${(e as Error).message}`);
    return idle;
  }
  const attempt = async (what: string, run: () => Promise<unknown>): Promise<boolean> => {
    try {
      await run();
      return true;
    } catch (e) {
      log.info(`IPVS: ${what} failed: ${(e as Error).message}`);
      return false;
    }
  };
  if (scope === 'checker' && (timeouts.value || restoring))
    await attempt(timeouts.value ? 'setting lvs_timeouts' : 'restoring the IPVS timeouts', () =>
      applyTimeouts(client, timeouts.value),
    );
  const running = new Set<SyncRole>();
  const start = async (s: SyncDaemonSpec, role: SyncRole): Promise<void> => {
    if (await attempt(`starting the ${role} sync daemon`, () => daemonCall(client, s, role, 'new')))
      running.add(role);
  };
  const halt = async (s: SyncDaemonSpec, role: SyncRole, quiet = false): Promise<void> => {
    running.delete(role);
    const run = () => daemonCall(client, s, role, 'del');
    if (quiet) await run().catch(() => {});
    else await attempt(`stopping the ${role} sync daemon`, run);
  };
  if (spec) {
    // Whatever a previous run left would make NEW_DAEMON fail with EEXIST.
    await halt(spec, 'master', true);
    await halt(spec, 'backup', true);
    if (spec.instance === undefined) {
      await start(spec, 'master');
      await start(spec, 'backup');
    } else await start(spec, 'backup');
  }
  let chain: Promise<void> = Promise.resolve();
  return {
    syncDaemon: spec,
    follow(instance, state) {
      // STOP is the daemon shutting down: stop() ends the sync daemon, no role change first.
      if (!spec || spec.instance !== instance || state === 'STOP') return chain;
      const want: SyncRole = state === 'MASTER' ? 'master' : 'backup';
      const other: SyncRole = want === 'master' ? 'backup' : 'master';
      chain = chain.then(async () => {
        if (running.has(want)) return;
        await halt(spec, other, !running.has(other));
        await start(spec, want);
      });
      return chain;
    },
    async stop() {
      await chain;
      if (spec) for (const role of [...running]) await halt(spec, role);
      // keepalived's checker puts the timeouts it changed back when it stops.
      if (scope === 'checker') await attempt('restoring the IPVS timeouts', () => restoreTimeouts(client));
      client.close();
    },
  };
}

function daemonCall(client: GenlIpvsClient, s: SyncDaemonSpec, role: SyncRole, op: 'new' | 'del') {
  const d = daemonRequestOf(s, role);
  return client.call((f, seq) =>
    op === 'new' ? newDaemonRequest(f, d, seq) : delDaemonRequest(f, { state: d.state }, seq),
  );
}
