/**
 * @module The nftables data plane: applies nft-json.ts documents with `nft -j -f FILE`
 * (a private temp file: nft cannot open /dev/stdin when it is a socket pair, as Node's
 * pipes are; one atomic transaction that replaces only table `inet keepalived_ts`) and reconciles
 * by reading the table back with `nft -j list table`: when the kernel's table differs
 * from what was last applied (external change, or first start) it is rewritten. No other
 * table is ever touched. `nft` runs asynchronously with a timeout.
 *
 * A destination that leaves a service also leaves conntrack: its flows' entries are
 * deleted with `conntrack -D` (conntrack.ts says which), so a UDP client keeping its
 * 5-tuple is scheduled again instead of reaching a dead server until the entry expires.
 * The conntrack command (Debian package conntrack) rather than ctnetlink from here:
 * this plane already drives the kernel through nft's command line, and the native
 * addon opens only route and generic netlink sockets.
 */
import { applyNftJson, runNft } from '../io/nft.js';
import {
  conntrackDeleteArgs,
  deletedCount,
  type RemovedDestination,
  removedDestinations,
} from './conntrack.js';
import type { DataPlane, SyncResult } from './data-plane.js';
import type { ServiceState } from './model.js';
import { emulatedKinds, NFT_FAMILY, NFT_LIST_ARGS, NFT_TABLE, nftDocument } from './nft-json.js';

/** The listing without handles and metainfo: what to compare across reads. */
export function normalizeListing(text: string): string | undefined {
  let doc: { nftables?: Record<string, unknown>[] };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch {
    return undefined;
  }
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .filter(([k]) => k !== 'handle')
          .map(([k, x]) => [k, strip(x)]),
      );
    return v;
  };
  return JSON.stringify((doc.nftables ?? []).filter((o) => !('metainfo' in o)).map(strip));
}

export class NftPlane implements DataPlane {
  readonly name = 'nftables' as const;
  readonly #log: { info(text: string): void };
  readonly #nft: string;
  #lastDoc = '';
  #lastListing: string | undefined;
  #lastServices: readonly ServiceState[] = [];
  #warned = new Set<string>();

  readonly #conntrack: string;
  #conntrackMissing = false;

  constructor(log: { info(text: string): void }, nft = 'nft', conntrack = 'conntrack') {
    this.#log = log;
    this.#nft = nft;
    this.#conntrack = conntrack;
  }

  /** Deletes the conntrack entries of removed destinations; logs what it did. */
  async #forget(removed: readonly RemovedDestination[]): Promise<void> {
    for (const r of removed)
      for (const args of conntrackDeleteArgs(r)) {
        if (this.#conntrackMissing) return;
        const run = await runNft(args, '', 10_000, this.#conntrack);
        const where = `${r.dest.family === 6 ? `[${r.dest.address}]` : r.dest.address}:${r.dest.port}`;
        if (run.code === 0)
          this.#log.info(
            `nftables data plane: ${deletedCount(run.stderr)} conntrack entries of ${where} deleted`,
          );
        else if (run.code === -1) {
          this.#conntrackMissing = true;
          this.#log.info(
            `nftables data plane: cannot run ${this.#conntrack} (${run.stderr.trim()}); flows of removed destinations keep them until their conntrack entries expire`,
          );
        }
        // Exit 1 with "0 flow entries": nothing to delete.
      }
  }

  async #listing(): Promise<string | undefined> {
    const r = await runNft(NFT_LIST_ARGS, '', 10_000, this.#nft);
    return r.code === 0 ? normalizeListing(r.stdout) : undefined;
  }

  async sync(desired: readonly ServiceState[]): Promise<SyncResult> {
    for (const k of emulatedKinds(desired))
      if (!this.#warned.has(k)) {
        this.#warned.add(k);
        this.#log.info(`nftables data plane: lb_kind ${k} is emulated with DNAT`);
      }
    // NAT needs conntrack, which binds a flow to one backend: per-datagram scheduling
    // cannot be expressed here.
    if (desired.some((s) => s.onePacket) && !this.#warned.has('ops')) {
      this.#warned.add('ops');
      this.#log.info(
        'nftables data plane: ops (one-packet scheduling) is not emulated: a flow keeps its backend',
      );
    }
    const doc = JSON.stringify(nftDocument(desired));
    const current = await this.#listing();
    if (doc === this.#lastDoc && current !== undefined && current === this.#lastListing)
      return { ok: true, changed: 0 };
    if (desired.length === 0 && current === undefined) {
      this.#lastDoc = doc;
      this.#lastListing = undefined;
      return { ok: true, changed: 0 };
    }
    if (doc === this.#lastDoc && current !== this.#lastListing)
      this.#log.info(`nftables table ${NFT_FAMILY} ${NFT_TABLE} changed outside keepalived-ts; rewriting it`);
    const r = await applyNftJson(doc, this.#nft);
    if (r.code !== 0) return { ok: false, error: `nft -j -f failed (${r.code}): ${r.stderr.trim()}` };
    const removed = removedDestinations(this.#lastServices, desired);
    this.#lastDoc = doc;
    this.#lastServices = desired;
    this.#lastListing = await this.#listing();
    await this.#forget(removed);
    return { ok: true, changed: 1 };
  }

  /** The services last applied, if the kernel's table still matches them. */
  async read(): Promise<readonly ServiceState[] | undefined> {
    const current = await this.#listing();
    return current !== undefined && current === this.#lastListing ? this.#lastServices : undefined;
  }

  async clear(): Promise<void> {
    await applyNftJson(JSON.stringify(nftDocument([])), this.#nft);
    this.#lastDoc = '';
    this.#lastListing = undefined;
    this.#lastServices = [];
  }

  close(): void {}
}
