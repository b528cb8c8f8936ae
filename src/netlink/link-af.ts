/**
 * @module IFLA_AF_SPEC: per-family link settings. keepalived turns off IPv6 link-local
 * generation on a VMAC (IFLA_INET6_ADDR_GEN_MODE = NONE) and sets IPv4 sysctls such as
 * arp_ignore / arp_filter on it. The kernel reports IPv4 devconf as a packed u32 array
 * (index i holds IPV4_DEVCONF id i + 1) but takes changes as nested {id: u32} attributes
 * (see setIpv4DevconfRequest in link-requests.ts).
 */

import { ok, type Result } from '../wire/result.js';
import type { AttrValues } from './attr.js';
import { assertInt, view } from './bytes.js';
import { AF, IFLA, IFLA_INET, IFLA_INET6 } from './constants.js';
import { fail, type NetlinkDecodeError } from './decode-error.js';

/** IFLA_AF_SPEC as found in dumps: AF_INET conf blob, AF_INET6 flags and address generation mode. */
export const afSpecSchema = {
  inet: { type: AF.INET, kind: 'nested', schema: { conf: { type: IFLA_INET.CONF, kind: 'binary' } } },
  inet6: {
    type: AF.INET6,
    kind: 'nested',
    schema: {
      flags: { type: IFLA_INET6.FLAGS, kind: 'u32' },
      addrGenMode: { type: IFLA_INET6.ADDR_GEN_MODE, kind: 'u8' },
    },
  },
} as const;

/** IPv6 link settings: IF_RA_* flags and IN6_ADDR_GEN_MODE_*. */
export type Inet6Link = { readonly flags?: number; readonly addrGenMode?: number };

/** The domain parts of IFLA_AF_SPEC. */
export type AfSpec = {
  /** IPv4 devconf values; index i holds IPV4_DEVCONF id i + 1. */
  readonly ipv4Devconf?: readonly number[];
  readonly inet6?: Inet6Link;
};

/** Decodes the AF_SPEC attributes into domain fields (the conf blob must be whole u32s). */
export function afSpecFrom(
  a: AttrValues<typeof afSpecSchema>,
  base: number,
): Result<AfSpec, NetlinkDecodeError> {
  const conf = a.inet?.conf;
  if (conf !== undefined && conf.length % 4 !== 0) return fail('attr-size', base, IFLA.AF_SPEC);
  const dv = conf === undefined ? undefined : view(conf);
  const ipv4Devconf =
    dv === undefined
      ? undefined
      : Array.from({ length: dv.byteLength / 4 }, (_, i) => dv.getUint32(4 * i, true));
  const out: { ipv4Devconf?: number[]; inet6?: Inet6Link } = {};
  if (ipv4Devconf !== undefined) out.ipv4Devconf = ipv4Devconf;
  if (a.inet6 !== undefined) out.inet6 = a.inet6;
  return ok(out);
}

/** Encodes the domain fields as the kernel reports them (undefined when there is nothing). */
export function afSpecTo(s: AfSpec): AttrValues<typeof afSpecSchema> | undefined {
  if (s.ipv4Devconf === undefined && s.inet6 === undefined) return undefined;
  let inet: { conf: Uint8Array } | undefined;
  if (s.ipv4Devconf !== undefined) {
    const conf = new Uint8Array(4 * s.ipv4Devconf.length);
    s.ipv4Devconf.forEach((v, i) => {
      assertInt(v, 0, 0xffffffff, 'ipv4Devconf');
      view(conf).setUint32(4 * i, v, true);
    });
    inet = { conf };
  }
  return { inet, inet6: s.inet6 };
}
