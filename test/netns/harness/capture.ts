/**
 * @module Packet capture on the lab's bridge (tcpdump in the lan namespace, classic
 * pcap with kernel timestamps) and its dissection by tshark, the independent judge:
 * VRRP adverts, gratuitous ARPs and unsolicited neighbour advertisements come back as
 * plain records with the frame's wall time in ms.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Lab } from './lab.js';
import { LoggedProcess } from './process.js';

/** One VRRP packet as tshark dissected it. Times are ms since the epoch. */
export interface VrrpFrame {
  readonly t: number;
  readonly ethSrc: string;
  readonly src: string;
  readonly dst: string;
  /** IPv4 TTL or IPv6 hop limit. */
  readonly ttl: number;
  readonly version: number;
  readonly type: number;
  readonly vrid: number;
  readonly priority: number;
  readonly addrCount: number;
  /** v2 only; NaN in v3. */
  readonly authType: number;
  /** Seconds in v2, centiseconds in v3. */
  readonly adverInt: number;
  /** tshark's checksum status: 1 good, 0 bad, 2 unverified. */
  readonly checksumStatus: number;
  readonly addresses: readonly string[];
  readonly authString: string;
  /** AH SPI when wrapped in AH, else ''. */
  readonly ahSpi: string;
  /** tshark flagged the frame malformed or raised an error-level expert item. */
  readonly malformed: boolean;
}

/** A gratuitous ARP or an unsolicited NA announcing `target` at `mac`. */
export interface AnnounceFrame {
  readonly t: number;
  readonly kind: 'garp' | 'una';
  readonly ethSrc: string;
  readonly target: string;
  readonly mac: string;
  readonly checksumOk: boolean;
}

const VRRP_FIELDS = [
  'frame.time_epoch',
  'eth.src',
  'ip.src',
  'ipv6.src',
  'ip.dst',
  'ipv6.dst',
  'ip.ttl',
  'ipv6.hlim',
  'vrrp.version',
  'vrrp.type',
  'vrrp.virt_rtr_id',
  'vrrp.prio',
  'vrrp.addr_count',
  'vrrp.auth_type',
  'vrrp.adver_int',
  'vrrp.short_adver_int',
  'vrrp.checksum.status',
  'vrrp.ip_addr',
  'vrrp.ipv6_addr',
  'vrrp.auth_string',
  'ah.spi',
  '_ws.malformed',
  '_ws.expert.severity',
] as const;

/** Runs tshark on `file` with a display filter, returning one array of field values per frame. */
export function tsharkFields(file: string, filter: string, fields: readonly string[]): string[][] {
  const args = ['-r', file, '-Y', filter, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const f of fields) args.push('-e', f);
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
}

const num = (s: string | undefined): number => (s === undefined || s === '' ? Number.NaN : Number(s));
const ERROR_SEVERITY = 8388608; // PI_ERROR in epan/proto.h

/** Every VRRP frame in a pcap, dissected. */
export function vrrpFrames(file: string, filter = 'vrrp'): VrrpFrame[] {
  return tsharkFields(file, filter, VRRP_FIELDS).map((f) => {
    const severities = (f[22] ?? '')
      .split(',')
      .filter((s) => s !== '')
      .map(Number);
    return {
      t: num(f[0]) * 1000,
      ethSrc: f[1] ?? '',
      src: f[2] || f[3] || '',
      dst: f[4] || f[5] || '',
      ttl: num(f[6] || f[7]),
      version: num(f[8]),
      type: num(f[9]),
      vrid: num(f[10]),
      priority: num(f[11]),
      addrCount: num(f[12]),
      authType: num(f[13]),
      adverInt: num(f[14] || f[15]),
      checksumStatus: num(f[16]),
      addresses: (f[17] || f[18] || '').split(',').filter((s) => s !== ''),
      authString: f[19] ?? '',
      ahSpi: f[20] ?? '',
      malformed: (f[21] ?? '') !== '' || severities.some((s) => s >= ERROR_SEVERITY),
    };
  });
}

/** Every gratuitous ARP and unsolicited NA in a pcap. */
export function announceFrames(file: string): AnnounceFrame[] {
  const garps = tsharkFields(file, 'arp.isgratuitous == 1', [
    'frame.time_epoch',
    'eth.src',
    'arp.src.proto_ipv4',
    'arp.src.hw_mac',
  ]).map(
    (f): AnnounceFrame => ({
      t: num(f[0]) * 1000,
      kind: 'garp',
      ethSrc: f[1] ?? '',
      target: f[2] ?? '',
      mac: f[3] ?? '',
      checksumOk: true,
    }),
  );
  const nas = tsharkFields(file, 'icmpv6.type == 136 && icmpv6.nd.na.flag.s == 0', [
    'frame.time_epoch',
    'eth.src',
    'icmpv6.nd.na.target_address',
    'icmpv6.opt.linkaddr',
    'icmpv6.checksum.status',
  ]).map(
    (f): AnnounceFrame => ({
      t: num(f[0]) * 1000,
      kind: 'una',
      ethSrc: f[1] ?? '',
      target: f[2] ?? '',
      mac: f[3] ?? '',
      checksumOk: f[4] === '1',
    }),
  );
  return [...garps, ...nas].sort((a, b) => a.t - b.t);
}

/** A running tcpdump on the lab's bridge. */
export class Capture {
  readonly file: string;
  readonly #proc: LoggedProcess;

  private constructor(file: string, proc: LoggedProcess) {
    this.file = file;
    this.#proc = proc;
  }

  /** Starts tcpdump on br0 in the lan namespace and waits until it is listening. */
  static async start(
    lab: Lab,
    name: string,
    filter = 'ip proto 112 or ip proto 51 or ip6 or arp',
  ): Promise<Capture> {
    const file = join(lab.dir, `${name}.pcap`);
    const proc = new LoggedProcess(
      lab.lan,
      ['tcpdump', '-i', 'br0', '-s', '0', '-U', '--immediate-mode', '-n', '-w', file, filter],
      { label: `tcpdump-${name}` },
    );
    await proc.waitFor(/listening on/, 5000);
    return new Capture(file, proc);
  }

  /** Stops tcpdump (SIGINT, so it flushes) and returns the file. */
  async stop(): Promise<string> {
    if (this.#proc.running) {
      this.#proc.signal('SIGINT');
      if (!(await this.#proc.waitExit(3000))) this.#proc.kill();
    }
    return this.file;
  }

  async vrrp(filter?: string): Promise<VrrpFrame[]> {
    await this.stop();
    return vrrpFrames(this.file, filter);
  }
}
