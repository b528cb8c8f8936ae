/**
 * @module The IPVS-wide settings of global_defs, read as keepalived 2.2.7 reads them:
 * `lvs_timeouts [tcp S] [tcpfin S] [udp S]` (each 0..31 days; an unset one stays as the
 * kernel has it) and `lvs_sync_daemon IF [[inst] INSTANCE] [id N] [maxlen N] [port N]
 * [ttl N] [group ADDR]` (a bare INSTANCE and a bare id after it are the old positional
 * form). The sync id defaults to the instance's virtual_router_id, or 0 without an
 * instance; an instance that does not exist clears the whole setting. Pure: problems come
 * back as keepalived's messages, nothing is logged here.
 */
import type { Config } from '../config/model.js';
import type { IpvsTimeouts } from '../netlink/ipvs.js';
import { parseIp } from '../wire/index.js';

/** keepalived's LVS_MAX_TIMEOUT: 31 days. */
export const LVS_MAX_TIMEOUT_S = 86400 * 31;
/** IP_VS_IFNAME_MAXLEN (16) less the terminating NUL. */
const IFNAME_MAX = 15;

export interface SyncDaemonSpec {
  readonly interface: string;
  /** The vrrp_instance whose state picks master or backup; none: both run at once. */
  readonly instance?: string;
  readonly syncId: number;
  readonly maxlen?: number;
  readonly port?: number;
  readonly ttl?: number;
  /** Multicast group, 4 or 16 bytes. */
  readonly group?: Uint8Array;
}

export interface Parsed<T> {
  readonly value: T;
  readonly problems: readonly string[];
}

const uintIn = (text: string | undefined, min: number, max: number): number | undefined => {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
};

/** `lvs_timeouts` words (after the keyword); undefined when nothing valid is set. */
export function parseLvsTimeouts(words: readonly string[] | undefined): Parsed<IpvsTimeouts | undefined> {
  if (words === undefined) return { value: undefined, problems: [] };
  const problems: string[] = [];
  if (words.length < 2) return { value: undefined, problems: ['lvs_timeouts requires at least one option'] };
  const out: { tcp?: number; tcpFin?: number; udp?: number } = {};
  const fields = { tcp: 'tcp', tcpfin: 'tcpFin', udp: 'udp' } as const;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!(w in fields)) {
      problems.push(`Unknown option ${w} specified for lvs_timeouts`);
      continue;
    }
    if (i === words.length - 1) {
      problems.push(`No value specified for lvs_timeout ${w} - ignoring`);
      continue;
    }
    const v = uintIn(words[i + 1], 0, LVS_MAX_TIMEOUT_S);
    if (v === undefined) problems.push(`Invalid lvs_timeout ${w} (${words[i + 1]}) - ignoring`);
    else out[fields[w as keyof typeof fields]] = v;
    i++;
  }
  // 0 means "leave it" to the kernel too, so only non-zero values are worth a request.
  const set = Object.values(out).some((v) => v > 0);
  return { value: set ? out : undefined, problems };
}

type Raw = NonNullable<Config['global']['lvsSyncDaemon']>;

/** `lvs_sync_daemon` as the config model keeps it (interface, second word, the rest). */
export function parseLvsSyncDaemon(
  raw: Raw | undefined,
  instances: readonly { readonly name: string; readonly virtualRouterId?: number }[],
): Parsed<SyncDaemonSpec | undefined> {
  if (raw === undefined) return { value: undefined, problems: [] };
  const problems: string[] = [];
  if (raw.interface.length > IFNAME_MAX)
    return {
      value: undefined,
      problems: [`lvs_sync_daemon interface name '${raw.interface}' too long - ignoring`],
    };
  const words = raw.instance === undefined ? [...raw.options] : [raw.instance, ...raw.options];
  let instance: string | undefined;
  let syncId: number | undefined;
  const opt: { maxlen?: number; port?: number; ttl?: number; group?: Uint8Array } = {};
  const ranged = { maxlen: [1, 65535 - 20 - 8], port: [1, 65535], ttl: [1, 255] } as const;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const next = words[i + 1];
    if (w === 'inst') {
      if (instance !== undefined)
        problems.push(`lvs_sync_daemon vrrp instance has already been specified as ${instance} - ignoring`);
      else instance = next;
      i++;
    } else if (w === 'id') {
      if (next === undefined) problems.push('No value specified for lvs_sync_daemon id, defaulting to vrid');
      else {
        const v = uintIn(next, 0, 255);
        if (v === undefined) problems.push(`Invalid syncid (${next}) - defaulting to vrid`);
        else syncId = v;
        i++;
      }
    } else if (w in ranged) {
      const k = w as keyof typeof ranged;
      if (next === undefined) problems.push(`No value specified for lvs_sync_daemon ${k} - ignoring`);
      else {
        const v = uintIn(next, ranged[k][0], ranged[k][1]);
        if (v === undefined) problems.push(`Invalid lvs_sync_daemon ${k} (${next}) - ignoring`);
        else opt[k] = v;
        i++;
      }
    } else if (w === 'group') {
      if (next === undefined) problems.push('No value specified for lvs_sync_daemon group - ignoring');
      else {
        const g = multicast(next);
        if (g === undefined)
          problems.push(`lvs_sync_daemon group address ${next} is not multicast - ignoring`);
        else opt.group = g;
        i++;
      }
    } else if (i === 0) {
      instance = w; // the old positional form: IF INSTANCE [SYNCID]
    } else if (i === 1 && uintIn(w, 0, 255) !== undefined) {
      problems.push('Please use keyword "id" before lvs_sync_daemon SYNCID');
      syncId = Number(w);
    } else problems.push(`Unknown option ${w} specified for lvs_sync_daemon`);
  }
  let vrid: number | undefined;
  if (instance !== undefined) {
    const found = instances.find((x) => x.name === instance);
    if (!found) {
      problems.push(`Unable to find vrrp instance ${instance} for lvs_syncd - clearing lvs_syncd config`);
      return { value: undefined, problems };
    }
    vrid = found.virtualRouterId;
  }
  return {
    value: {
      interface: raw.interface,
      ...(instance !== undefined ? { instance } : {}),
      syncId: syncId ?? vrid ?? 0,
      ...opt,
    },
    problems,
  };
}

function multicast(text: string): Uint8Array | undefined {
  const ip = parseIp(text);
  if (!ip.ok) return undefined;
  const b = ip.value.bytes;
  const isMulticast = ip.value.family === 'ipv4' ? (b[0]! & 0xf0) === 0xe0 : b[0] === 0xff;
  return isMulticast ? b : undefined;
}
