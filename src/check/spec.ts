/**
 * @module Resolves a configured checker into a `CheckSpec`: keepalived 2.2.7's
 * inheritance (checker > real_server > virtual_server) and defaults for delay_loop,
 * retry, delay_before_retry, warmup, connect_timeout and alpha, the connect address and
 * the checker-specific settings. Pure: no `node:*` imports.
 */
import type { CheckerCommon, Config, RealServer, VirtualServer } from '../config/model.js';
import type { CheckKindSpec, CheckSpec, DnsSpec, ScheduleParams, UdpSpec } from './types.js';

const S = 1000;

/** keepalived: retry 1 by default; 3 for DNS_CHECK, 0 for MISC_CHECK. */
function defaultRetry(type: CheckerCommon['type']): number {
  if (type === 'DNS_CHECK') return 3;
  if (type === 'MISC_CHECK' || type === 'FILE_CHECK') return 0;
  return 1;
}

/** keepalived: delay_loop for DNS_CHECK, 3 s for HTTP_GET/SSL_GET, 1 s otherwise. */
function defaultDelayBeforeRetryS(type: CheckerCommon['type'], delayLoopS: number): number {
  if (type === 'DNS_CHECK') return delayLoopS;
  if (type === 'HTTP_GET' || type === 'SSL_GET') return 3;
  return 1;
}

export function scheduleParams(vs: VirtualServer, rs: RealServer, c: CheckerCommon): ScheduleParams {
  const delayLoopS = c.delayLoopS ?? rs.delayLoopS ?? vs.delayLoopS;
  return {
    delayLoopMs: Math.round(delayLoopS * S),
    retry: c.retry ?? rs.retry ?? vs.retry ?? defaultRetry(c.type),
    delayBeforeRetryMs: Math.round(
      (c.delayBeforeRetryS ??
        rs.delayBeforeRetryS ??
        vs.delayBeforeRetryS ??
        defaultDelayBeforeRetryS(c.type, delayLoopS)) * S,
    ),
    warmupMs: Math.round((c.warmupS ?? rs.warmupS ?? vs.warmupS ?? delayLoopS) * S),
    alpha: c.alpha ?? rs.alpha ?? vs.alpha,
  };
}

function words(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function firstWord(settings: Readonly<Record<string, unknown>>, key: string): string | undefined {
  return words(settings[key])[0];
}

/**
 * keepalived's free-format hex: whitespace-separated runs of hex digits, two digits a
 * byte, an odd run's last digit a byte of its own (`Ab12f 3` = AB 12 0F 03). With
 * `allowX`, an `X` digit matches anything (its mask bits are 0).
 */
export function parseHex(text: string, allowX: boolean): { value: number; mask: number }[] {
  const out: { value: number; mask: number }[] = [];
  const nib = (ch: string): [number, number] =>
    allowX && /[xX]/.test(ch) ? [0, 0] : [Number.parseInt(ch, 16) & 15, 15];
  for (const run of text.split(/\s+/).filter((r) => /^[0-9a-fA-FxX]+$/.test(r))) {
    for (let i = 0; i < run.length; i += 2) {
      const [hv, hm] = nib(run[i]!);
      if (i + 1 >= run.length) out.push({ value: hv, mask: hm });
      else {
        const [lv, lm] = nib(run[i + 1]!);
        out.push({ value: (hv << 4) | lv, mask: (hm << 4) | lm });
      }
    }
  }
  return out;
}

function udpSpec(st: Readonly<Record<string, unknown>>): UdpSpec {
  const payload = st.payload === undefined ? undefined : words(st.payload).join(' ');
  const rr = st.require_reply === undefined ? undefined : words(st.require_reply).join(' ');
  const bytes = payload === undefined ? undefined : parseHex(payload, false).map((b) => b.value);
  return {
    kind: 'udp',
    ...(bytes ? { payload: Uint8Array.from(bytes) } : {}),
    ...(rr === undefined ? {} : { requireReply: { pattern: parseHex(rr, true) } }),
    minReplyLength: Number(firstWord(st, 'min_reply_length') ?? 0),
    maxReplyLength: Number(firstWord(st, 'max_reply_length') ?? 255),
  };
}

function fileSpec(
  config: Config | undefined,
  rs: RealServer,
  st: Readonly<Record<string, unknown>>,
): CheckKindSpec {
  const name = firstWord(st, 'track_file') ?? '';
  const tf = config?.vrrpTrackFiles.find((t) => t.name === name);
  const w = words(st.weight);
  return {
    kind: 'file',
    trackFile: name,
    ...(tf?.file ? { path: tf.file } : {}),
    weight: w[0] !== undefined ? Number(w[0]) : (tf?.weight ?? 1),
    reverse: w[0] !== undefined ? w[1] === 'reverse' : (tf?.weightReverse ?? false),
    dynamic: st.dynamic !== undefined,
    rsWeight: rs.weight,
  };
}

function kindSpec(vs: VirtualServer, rs: RealServer, c: CheckerCommon, config?: Config): CheckKindSpec {
  const st = c.settings;
  switch (c.type) {
    case 'TCP_CHECK':
      return { kind: 'tcp' };
    case 'HTTP_GET':
    case 'SSL_GET': {
      const proto = firstWord(st, 'http_protocol');
      const vh = firstWord(st, 'virtualhost') ?? rs.virtualhost ?? vs.virtualhost;
      return {
        kind: 'http',
        tls: c.type === 'SSL_GET',
        urls: Array.isArray(st.urls) ? st.urls : [],
        ...(vh === undefined ? {} : { virtualhost: vh }),
        httpProtocol: proto === '1.1' || proto === '1.0C' ? proto : '1.0',
        enableSni: st.enable_sni !== undefined,
        verifyPeer: st.verify_peer !== undefined,
      };
    }
    case 'MISC_CHECK':
      return {
        kind: 'misc',
        ...(st.script ? { script: st.script as never } : {}),
        timeoutMs:
          (typeof st.timeoutS === 'number'
            ? st.timeoutS
            : Math.round(scheduleParams(vs, rs, c).delayLoopMs / S)) * S,
        dynamic: st.dynamic === true,
        ...(words(st.user)[0] ? { user: words(st.user)[0] } : {}),
        ...(words(st.user)[1] ? { group: words(st.user)[1] } : {}),
      };
    case 'SMTP_CHECK':
      return { kind: 'smtp', heloName: firstWord(st, 'helo_name') ?? 'localhost' };
    case 'DNS_CHECK': {
      const t = (firstWord(st, 'type') ?? 'SOA').toUpperCase();
      const qtype = (
        ['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA'].includes(t) ? t : 'SOA'
      ) as DnsSpec['qtype'];
      return { kind: 'dns', qtype, name: firstWord(st, 'name') ?? '.' };
    }
    case 'UDP_CHECK':
      return udpSpec(st);
    case 'PING_CHECK':
      return { kind: 'ping' };
    case 'FILE_CHECK':
      return fileSpec(config, rs, st);
    default:
      return { kind: 'unsupported', type: c.type };
  }
}

/** The checker's spec; `serviceId` names the virtual server (see lvs/model). */
export function checkSpec(
  serviceId: string,
  vs: VirtualServer,
  rs: RealServer,
  c: CheckerCommon,
  index: number,
  config?: Config,
): CheckSpec {
  const ip = c.connectIp ?? rs.address;
  return {
    id: `${serviceId}/${rsKey(rs)}/${index}`,
    type: c.type,
    endpoint: {
      family: ip.family,
      address: ip.address,
      port: c.connectPort ?? rs.port,
      ...(c.bindTo ? { bindTo: c.bindTo.address } : {}),
      ...(c.bindPort ? { bindPort: c.bindPort } : {}),
    },
    connectTimeoutMs: Math.round((c.connectTimeoutS ?? rs.connectTimeoutS ?? vs.connectTimeoutS ?? 5) * S),
    schedule: scheduleParams(vs, rs, c),
    kind: kindSpec(vs, rs, c, config),
  };
}

/** `[addr]:port` for IPv6, `addr:port` for IPv4: keepalived's FMT_RS form. */
export function rsKey(rs: {
  readonly address: { readonly family: 4 | 6; readonly address: string };
  readonly port: number;
}): string {
  return rs.address.family === 6 ? `[${rs.address.address}]:${rs.port}` : `${rs.address.address}:${rs.port}`;
}
