/**
 * @module keepalived.conf text for the scenarios: one `vrrp_instance` per node in each
 * interop mode (VRRPv2 PASS, VRRPv2 AH, VRRPv3 IPv4, VRRPv3 IPv6, unicast), many
 * instances for the resource benchmarks, and what tshark should see on the wire for a
 * given config ({@link expectedFields}).
 */
import type { Host } from './lab.js';
import { VIP4, VIP6 } from './lab.js';

export const MODES = ['v2-pass', 'v2-ah', 'v3-ipv4', 'v3-ipv6', 'unicast'] as const;
export type Mode = (typeof MODES)[number];

export interface InstanceSpec {
  readonly mode: Mode;
  readonly self: Host;
  readonly peer: Host;
  readonly priority: number;
  readonly state: 'MASTER' | 'BACKUP';
  readonly name?: string;
  readonly vrid?: number;
  /** Seconds; fractions only with v3. */
  readonly advertInt?: number;
  readonly authPass?: string;
  readonly extra?: readonly string[];
}

export const isV3 = (mode: Mode): boolean => mode === 'v3-ipv4' || mode === 'v3-ipv6';
export const vipOf = (mode: Mode): string => (mode === 'v3-ipv6' ? VIP6 : VIP4);

/** One node's keepalived.conf for a two-node scenario. */
export function vrrpConf(spec: InstanceSpec): string {
  const { mode } = spec;
  const lines = ['global_defs {', `    router_id kts_${spec.self.role}`];
  if (isV3(mode)) lines.push('    vrrp_version 3');
  lines.push('}', `vrrp_instance ${spec.name ?? 'VI_1'} {`);
  lines.push(`    state ${spec.state}`, '    interface eth0');
  lines.push(`    virtual_router_id ${spec.vrid ?? 51}`, `    priority ${spec.priority}`);
  lines.push(`    advert_int ${spec.advertInt ?? 1}`);
  if (mode === 'v3-ipv6') lines.push('    native_ipv6');
  if (mode === 'v2-pass' || mode === 'unicast' || mode === 'v2-ah') {
    lines.push('    authentication {', `        auth_type ${mode === 'v2-ah' ? 'AH' : 'PASS'}`);
    lines.push(`        auth_pass ${spec.authPass ?? 'kts-pass'}`, '    }');
  }
  if (mode === 'unicast') {
    lines.push(
      `    unicast_src_ip ${spec.self.v4}`,
      '    unicast_peer {',
      `        ${spec.peer.v4}`,
      '    }',
    );
  }
  for (const e of spec.extra ?? []) lines.push(`    ${e}`);
  lines.push(
    '    virtual_ipaddress {',
    `        ${mode === 'v3-ipv6' ? `${VIP6}/64` : `${VIP4}/24`}`,
    '    }',
  );
  lines.push('}', '');
  return lines.join('\n');
}

/** What every advert from a node running {@link vrrpConf}(spec) must look like in tshark. */
export interface ExpectedAdvert {
  readonly version: number;
  readonly vrid: number;
  /** The configured priority; 0 is also accepted (shutdown). */
  readonly priority: number;
  readonly authType: number | null;
  readonly authString: string | null;
  readonly adverInt: number;
  readonly src: string;
  readonly dst: string;
  readonly addresses: readonly string[];
  readonly ah: boolean;
}

export function expectedFields(spec: InstanceSpec): ExpectedAdvert {
  const { mode } = spec;
  const v3 = isV3(mode);
  const advertS = spec.advertInt ?? 1;
  const pass = mode === 'v2-pass' || mode === 'unicast';
  return {
    version: v3 ? 3 : 2,
    vrid: spec.vrid ?? 51,
    priority: spec.priority,
    authType: v3 ? null : mode === 'v2-ah' ? 2 : 1,
    // keepalived sends at most 8 bytes of auth_pass.
    authString: pass ? (spec.authPass ?? 'kts-pass').slice(0, 8) : null,
    adverInt: v3 ? Math.round(advertS * 100) : advertS,
    src: mode === 'v3-ipv6' ? linkLocal(spec.self.mac) : spec.self.v4,
    dst: mode === 'unicast' ? spec.peer.v4 : mode === 'v3-ipv6' ? 'ff02::12' : '224.0.0.18',
    addresses: [vipOf(mode)],
    ah: mode === 'v2-ah',
  };
}

/** The EUI-64 link-local address the kernel derives from a MAC. */
export function linkLocal(mac: string): string {
  const b = mac.split(':').map((h) => Number.parseInt(h, 16));
  b[0] = (b[0] ?? 0) ^ 2;
  const words = [(b[0] << 8) | b[1]!, (b[2]! << 8) | 0xff, (0xfe << 8) | b[3]!, (b[4]! << 8) | b[5]!];
  return `fe80::${words.map((w) => w.toString(16)).join(':')}`.replace(/^fe80::0:/, 'fe80::');
}

/** `count` VRRPv2/v3 instances on eth0 (VRIDs 1..count), VIPs 10.100.10.<vrid>/32. */
export function manyInstancesConf(opts: {
  readonly role: string;
  readonly count: number;
  readonly priority: number;
  readonly state: 'MASTER' | 'BACKUP';
  readonly advertInt: number;
}): string {
  const v3 = !Number.isInteger(opts.advertInt);
  const lines = ['global_defs {', `    router_id kts_${opts.role}`];
  if (v3) lines.push('    vrrp_version 3');
  lines.push('}');
  for (let vrid = 1; vrid <= opts.count; vrid++) {
    lines.push(`vrrp_instance VI_${vrid} {`, `    state ${opts.state}`, '    interface eth0');
    lines.push(`    virtual_router_id ${vrid}`, `    priority ${opts.priority}`);
    lines.push(`    advert_int ${opts.advertInt}`, '    virtual_ipaddress {');
    lines.push(`        10.100.10.${vrid}/32`, '    }', '}');
  }
  return `${lines.join('\n')}\n`;
}
