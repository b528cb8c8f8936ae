/**
 * @module IPVS service and destination messages decoded without their counters, by one
 * hand-written walk over the attributes: what a data plane compares (a service's key,
 * scheduler, flags and persistence; a destination's address, port, method, weight,
 * thresholds and tunnel) and nothing else. The STATS / STATS64 nests and connection
 * counts, most of a destination's bytes, are stepped over, and no attribute list,
 * DataView per value or intermediate record is made: the schema-driven decoder spent
 * ~20-40 us per destination here (host), which a periodic reconcile of thousands of real
 * servers pays every time. Same values and failures as `decodeIpvs` minus the counters
 * (test/unit/netlink/ipvs-lean.test.ts checks it on generated and corrupted messages);
 * messages carrying a daemon or timeouts are left to `decodeIpvs` (undefined).
 */

import { ok, type Result } from '../wire/result.js';
import { AF, NLA_F } from './constants.js';
import { fail, type NetlinkDecodeError } from './decode-error.js';
import { IPVS_CMD_ATTR, IPVS_DEST_ATTR, IPVS_SVC_ATTR } from './genl-constants.js';
import type { IpvsDest, IpvsMessage, IpvsService } from './ipvs.js';
import type { NlMessage } from './message.js';

const utf8 = new TextDecoder('utf-8');

/** An IPv4 netmask between network order (the wire) and host order. */
export function swap32(n: number): number {
  return (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)) >>> 0;
}

/** A 16-byte nf_inet_addr as 4 or 16 bytes by family (either size when the family is unknown). */
export function addrFromWire(af: number | undefined, raw: Uint8Array): Uint8Array | undefined {
  if (af === AF.INET) return raw.length >= 4 ? raw.slice(0, 4) : undefined;
  if (af === AF.INET6) return raw.length === 16 ? raw.slice() : undefined;
  return raw.length === 4 || raw.length === 16 ? raw.slice() : undefined;
}

/** Where the walk is: the message payload, a view of it and the payload's offset in the datagram. */
type Walk = { readonly p: Uint8Array; readonly dv: DataView; readonly base: number };

/** Checks every nlattr header in [from, to) as readAttrs does; the first failure, if any. */
function checkAttrs(w: Walk, from: number, to: number): NetlinkDecodeError | undefined {
  for (let at = from; at < to; ) {
    if (to - at < 4) return fail('attr-truncated', w.base + at).error;
    const len = w.dv.getUint16(at, true);
    if (len < 4 || len > to - at)
      return fail('attr-length', w.base + at, w.dv.getUint16(at + 2, true) & NLA_F.TYPE_MASK).error;
    at = Math.min(to, at + ((len + 3) & ~3));
  }
  return undefined;
}

/** An integer payload of exactly `size` bytes at `at` (NaN for the wrong size). */
function int(w: Walk, at: number, len: number, size: number, kind: 'u' | 's' | 'be'): number {
  if (len !== size) return Number.NaN;
  if (size === 1) return w.p[at]!;
  if (size === 2) return w.dv.getUint16(at, kind !== 'be');
  return kind === 's' ? w.dv.getInt32(at, true) : w.dv.getUint32(at, true);
}

function text(w: Walk, at: number, len: number): string {
  const b = w.p.subarray(at, at + len);
  const nul = b.indexOf(0);
  return utf8.decode(nul < 0 ? b : b.subarray(0, nul));
}

/** The service nest's fields a data plane needs (the wire's values, before serviceFrom's checks). */
type SvcFields = {
  af?: number;
  protocol?: number;
  addr?: Uint8Array;
  port?: number;
  fwmark?: number;
  schedName?: string;
  flags?: Uint8Array;
  timeout?: number;
  netmask?: number;
  peName?: string;
};

type DestFields = {
  addr?: Uint8Array;
  port?: number;
  fwdMethod?: number;
  weight?: number;
  uThreshold?: number;
  lThreshold?: number;
  addrFamily?: number;
  tunType?: number;
  tunPort?: number;
  tunFlags?: number;
};

/** One integer attribute of a nest: field name, size and byte order. */
type IntSpec = readonly [string, 1 | 2 | 4, 'u' | 's' | 'be'];

const SVC_INTS: (IntSpec | undefined)[] = [];
SVC_INTS[IPVS_SVC_ATTR.AF] = ['af', 2, 'u'];
SVC_INTS[IPVS_SVC_ATTR.PROTOCOL] = ['protocol', 2, 'u'];
SVC_INTS[IPVS_SVC_ATTR.PORT] = ['port', 2, 'be'];
SVC_INTS[IPVS_SVC_ATTR.FWMARK] = ['fwmark', 4, 'u'];
SVC_INTS[IPVS_SVC_ATTR.TIMEOUT] = ['timeout', 4, 'u'];
SVC_INTS[IPVS_SVC_ATTR.NETMASK] = ['netmask', 4, 'u'];

const DEST_INTS: (IntSpec | undefined)[] = [];
DEST_INTS[IPVS_DEST_ATTR.PORT] = ['port', 2, 'be'];
DEST_INTS[IPVS_DEST_ATTR.FWD_METHOD] = ['fwdMethod', 4, 'u'];
DEST_INTS[IPVS_DEST_ATTR.WEIGHT] = ['weight', 4, 's'];
DEST_INTS[IPVS_DEST_ATTR.U_THRESH] = ['uThreshold', 4, 'u'];
DEST_INTS[IPVS_DEST_ATTR.L_THRESH] = ['lThreshold', 4, 'u'];
DEST_INTS[IPVS_DEST_ATTR.ADDR_FAMILY] = ['addrFamily', 2, 'u'];
DEST_INTS[IPVS_DEST_ATTR.TUN_TYPE] = ['tunType', 1, 'u'];
DEST_INTS[IPVS_DEST_ATTR.TUN_PORT] = ['tunPort', 2, 'be'];
DEST_INTS[IPVS_DEST_ATTR.TUN_FLAGS] = ['tunFlags', 2, 'u'];

/**
 * Reads one nest's attributes in [from, to): integers by `ints`, byte and string
 * attributes by `other` (which returns false for types it skips). Last duplicate wins.
 */
function readNest(
  w: Walk,
  from: number,
  to: number,
  ints: readonly (IntSpec | undefined)[],
  out: Record<string, unknown>,
  other: (type: number, at: number, len: number) => void,
): NetlinkDecodeError | undefined {
  const bad = checkAttrs(w, from, to);
  if (bad) return bad;
  for (let at = from; at < to; ) {
    const len = w.dv.getUint16(at, true);
    const type = w.dv.getUint16(at + 2, true) & NLA_F.TYPE_MASK;
    const spec = ints[type];
    if (spec !== undefined) {
      const v = int(w, at + 4, len - 4, spec[1], spec[2]);
      if (Number.isNaN(v)) return fail('attr-size', w.base + at, type).error;
      out[spec[0]] = v;
    } else other(type, at + 4, len - 4);
    at = Math.min(to, at + ((len + 3) & ~3));
  }
  return undefined;
}

function serviceFields(w: Walk, from: number, to: number): SvcFields | NetlinkDecodeError {
  const f: SvcFields = {};
  const bad = readNest(w, from, to, SVC_INTS, f, (type, at, len) => {
    if (type === IPVS_SVC_ATTR.ADDR) f.addr = w.p.slice(at, at + len);
    else if (type === IPVS_SVC_ATTR.FLAGS) f.flags = w.p.subarray(at, at + len);
    else if (type === IPVS_SVC_ATTR.SCHED_NAME) f.schedName = text(w, at, len);
    else if (type === IPVS_SVC_ATTR.PE_NAME) f.peName = text(w, at, len);
  });
  return bad ?? f;
}

function destFields(w: Walk, from: number, to: number): DestFields | NetlinkDecodeError {
  const f: DestFields = {};
  const bad = readNest(w, from, to, DEST_INTS, f, (type, at, len) => {
    if (type === IPVS_DEST_ATTR.ADDR) f.addr = w.p.slice(at, at + len);
  });
  return bad ?? f;
}

const isError = (x: object): x is NetlinkDecodeError => 'reason' in x;

/** serviceFrom's checks and conversions (ipvs.ts), on the walked fields. */
function service(f: SvcFields, base: number): Result<IpvsService, NetlinkDecodeError> {
  if (f.af === undefined) return fail('attr-missing', base, IPVS_SVC_ATTR.AF);
  const s: { -readonly [K in keyof IpvsService]: IpvsService[K] } = { af: f.af };
  if (f.protocol !== undefined) s.protocol = f.protocol;
  if (f.addr !== undefined) {
    const addr = addrFromWire(f.af, f.addr);
    if (addr === undefined) return fail('attr-size', base, IPVS_SVC_ATTR.ADDR);
    s.addr = addr;
  }
  if (f.port !== undefined) s.port = f.port;
  if (f.fwmark !== undefined) s.fwmark = f.fwmark;
  if (f.schedName !== undefined) s.schedName = f.schedName;
  if (f.peName !== undefined) s.peName = f.peName;
  if (f.flags !== undefined) {
    if (f.flags.length !== 8) return fail('attr-size', base, IPVS_SVC_ATTR.FLAGS);
    const dv = new DataView(f.flags.buffer, f.flags.byteOffset, 8);
    s.flags = { flags: dv.getUint32(0, true), mask: dv.getUint32(4, true) };
  }
  if (f.timeout !== undefined) s.timeout = f.timeout;
  if (f.netmask !== undefined) s.netmask = f.af === AF.INET ? swap32(f.netmask) : f.netmask;
  return ok(s);
}

/** destFrom's checks and conversions (ipvs.ts), on the walked fields. */
function dest(f: DestFields, svcAf: number | undefined, base: number): Result<IpvsDest, NetlinkDecodeError> {
  if (f.addr === undefined) return fail('attr-missing', base, IPVS_DEST_ATTR.ADDR);
  if (f.port === undefined) return fail('attr-missing', base, IPVS_DEST_ATTR.PORT);
  const addr = addrFromWire(f.addrFamily ?? svcAf, f.addr);
  if (addr === undefined) return fail('attr-size', base, IPVS_DEST_ATTR.ADDR);
  const d: { -readonly [K in keyof IpvsDest]: IpvsDest[K] } = { addr, port: f.port };
  if (f.addrFamily !== undefined) d.af = f.addrFamily;
  if (f.fwdMethod !== undefined) d.fwdMethod = f.fwdMethod;
  if (f.weight !== undefined) d.weight = f.weight;
  if (f.uThreshold !== undefined) d.uThreshold = f.uThreshold;
  if (f.lThreshold !== undefined) d.lThreshold = f.lThreshold;
  if (f.tunType !== undefined) d.tunType = f.tunType;
  if (f.tunPort !== undefined) d.tunPort = f.tunPort;
  if (f.tunFlags !== undefined) d.tunFlags = f.tunFlags;
  return ok(d);
}

/**
 * Decodes an IPVS message of command `cmd` (not GET_INFO / SET_INFO) without counters;
 * undefined when it carries a daemon or timeouts (decodeIpvs reads those).
 */
export function decodeIpvsLean(
  msg: NlMessage,
  cmd: number,
  destAf?: number,
): Result<IpvsMessage, NetlinkDecodeError> | undefined {
  const p = msg.payload;
  const w: Walk = { p, dv: new DataView(p.buffer, p.byteOffset, p.byteLength), base: msg.offset + 16 };
  if (p.length < 4) return fail('family-header-truncated', w.base);
  const bad = checkAttrs(w, 4, p.length);
  if (bad) return { ok: false, error: bad };
  let svc: SvcFields | undefined;
  let dst: DestFields | undefined;
  for (let at = 4; at < p.length; ) {
    const len = w.dv.getUint16(at, true);
    const type = w.dv.getUint16(at + 2, true) & NLA_F.TYPE_MASK;
    if (type === IPVS_CMD_ATTR.SERVICE || type === IPVS_CMD_ATTR.DEST) {
      const r = (type === IPVS_CMD_ATTR.SERVICE ? serviceFields : destFields)(w, at + 4, at + len);
      if (isError(r)) return { ok: false, error: r };
      if (type === IPVS_CMD_ATTR.SERVICE) svc = r as SvcFields;
      else dst = r as DestFields;
    } else if (type >= IPVS_CMD_ATTR.DAEMON && type <= IPVS_CMD_ATTR.TIMEOUT_UDP) return undefined;
    at = Math.min(p.length, at + ((len + 3) & ~3));
  }
  const base = msg.offset;
  const s = svc === undefined ? undefined : service(svc, base);
  if (s !== undefined && !s.ok) return s;
  const d = dst === undefined ? undefined : dest(dst, s?.value.af ?? destAf, base);
  if (d !== undefined && !d.ok) return d;
  const m: { -readonly [K in keyof IpvsMessage]: IpvsMessage[K] } = { cmd };
  if (s) m.service = s.value;
  if (d) m.dest = d.value;
  return ok(m);
}
