/**
 * @module A LAN of network namespaces: a "lan" namespace holding bridge br0, and one
 * namespace per host joined to it by a veth pair whose host end is called eth0.
 * Addresses live only inside these namespaces (10.100.1.0/24, fd00:100::/64, as in
 * the article and ../shared/vectors). Links can be cut and restored on either side.
 *
 * Names are unique to the run: `kts-<pid>-<role>`. Everything is registered with
 * ./cleanup.ts, so it is removed on `destroy()`, on exit and on Ctrl-C.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgetNamespace, registerNamespace, registerTempDir, removeNamespace } from './cleanup.js';
import { ip, ipIn, sysctl, wallMs } from './exec.js';

/** One host on the LAN. `v4`/`v6` are bare addresses (prefixes /24 and /64). */
export interface Host {
  readonly role: string;
  readonly ns: string;
  readonly mac: string;
  readonly v4: string;
  readonly v6: string;
  /** The veth end in the lan namespace (bridge port). */
  readonly port: string;
}

export interface HostSpec {
  readonly role: string;
  /** Last octet: gives 10.100.1.N, fd00:100::N (hex of N) and MAC 02:00:0a:64:01:NN. */
  readonly n: number;
}

let instance = 0;

/** Per-run namespace name for a role. */
export const nsName = (role: string): string => `kts-${process.pid}-${role}`;

export class Lab {
  readonly lan: string;
  readonly dir: string;
  readonly hosts = new Map<string, Host>();
  readonly #created: string[] = [];
  #ports = 0;

  /** `tag` keeps two labs of one process apart (a short lowercase word). */
  constructor(tag = `l${instance++}`) {
    this.dir = mkdtempSync(join(tmpdir(), `kts-${process.pid}-`));
    registerTempDir(this.dir);
    this.lan = this.#namespace(`${tag}-lan`);
    ipIn(this.lan, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0', 'stp_state', '0');
    ipIn(this.lan, 'link', 'set', 'br0', 'up');
    this.tag = tag;
  }

  readonly tag: string;

  #namespace(role: string): string {
    const ns = nsName(role);
    registerNamespace(ns);
    ip('netns', 'add', ns);
    this.#created.push(ns);
    ipIn(ns, 'link', 'set', 'lo', 'up');
    for (const key of ['all', 'default']) {
      sysctl(ns, `net.ipv6.conf.${key}.accept_dad`, 0);
      sysctl(ns, `net.ipv6.conf.${key}.dad_transmits`, 0);
    }
    return ns;
  }

  /** Adds a host: namespace, eth0 with fixed MAC and addresses, bridged and up. */
  addHost(spec: HostSpec): Host {
    const ns = this.#namespace(`${this.tag}-${spec.role}`);
    const port = `p${this.#ports++}-${spec.role}`.slice(0, 15);
    const hex = spec.n.toString(16).padStart(2, '0');
    const host: Host = {
      role: spec.role,
      ns,
      mac: `02:00:0a:64:01:${hex}`,
      v4: `10.100.1.${spec.n}`,
      v6: `fd00:100::${spec.n.toString(16)}`,
      port,
    };
    ipIn(this.lan, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    ipIn(this.lan, 'link', 'set', port, 'master', 'br0', 'up');
    ipIn(ns, 'link', 'set', 'eth0', 'address', host.mac);
    ipIn(ns, 'addr', 'add', `${host.v4}/24`, 'dev', 'eth0');
    ipIn(ns, 'addr', 'add', `${host.v6}/64`, 'dev', 'eth0', 'nodad');
    ipIn(ns, 'link', 'set', 'eth0', 'up');
    this.hosts.set(spec.role, host);
    return host;
  }

  host(role: string): Host {
    const h = this.hosts.get(role);
    if (h === undefined) throw new Error(`no host ${role} in lab ${this.tag}`);
    return h;
  }

  /**
   * Cuts a host's link: `host` sets its eth0 down (the host sees its own link go), `bridge`
   * sets the bridge port down (the host sees carrier loss). Returns the wall time just
   * before the command ran and just after it returned.
   */
  cut(role: string, side: 'host' | 'bridge' = 'bridge'): { before: number; after: number } {
    return this.#setLink(role, side, 'down');
  }

  restore(role: string, side: 'host' | 'bridge' = 'bridge'): { before: number; after: number } {
    return this.#setLink(role, side, 'up');
  }

  #setLink(role: string, side: 'host' | 'bridge', state: 'up' | 'down'): { before: number; after: number } {
    const h = this.host(role);
    const before = wallMs();
    if (side === 'host') ipIn(h.ns, 'link', 'set', 'eth0', state);
    else ipIn(this.lan, 'link', 'set', h.port, state);
    return { before, after: wallMs() };
  }

  /** Deletes every namespace of this lab (killing whatever runs inside). Never throws. */
  destroy(): void {
    for (const ns of this.#created.splice(0).reverse()) {
      removeNamespace(ns);
      forgetNamespace(ns);
    }
  }
}

/** The article's LAN: server1 10.100.1.21, server2 10.100.1.22, a client 10.100.1.10. */
export function articleLab(tag?: string): Lab {
  const lab = new Lab(tag);
  lab.addHost({ role: 'server1', n: 21 });
  lab.addHost({ role: 'server2', n: 22 });
  lab.addHost({ role: 'client', n: 10 });
  return lab;
}

/** The VIPs used with {@link articleLab}. */
export const VIP4 = '10.100.1.20';
export const VIP6 = 'fd00:100::20';
