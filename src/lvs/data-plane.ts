/**
 * @module The data-plane interface both kernels sit behind, and the selection rule:
 * IPVS when the generic netlink family "IPVS" resolves, nftables otherwise, unless
 * `global_defs { lvs_data_plane ... }` (Config.global.dataPlane) or the caller forces one.
 * Every choice is logged with its reason.
 */
import type { ServiceState } from './model.js';

export type SyncResult =
  | { readonly ok: true; readonly changed: number }
  | { readonly ok: false; readonly error: string };

export interface SyncOptions {
  /**
   * Diff against the state this plane last applied in full instead of reading the kernel
   * first: a health change between periodic reconciles goes straight to the kernel, as
   * keepalived's does. A plane without such a view (or after a failed sync) reads anyway.
   */
  readonly fromLastApplied?: boolean;
}

export interface DataPlane {
  readonly name: 'ipvs' | 'nftables';
  /**
   * How often the daemon re-reads the kernel to find changes made outside it (ms; default
   * 5 s). A sync that fails makes the next one read the kernel anyway.
   */
  readonly rereadIntervalMs?: number;
  /** Makes the kernel match `desired` (reconciling against what the kernel reports). */
  sync(desired: readonly ServiceState[], options?: SyncOptions): Promise<SyncResult>;
  /** Reads back the services this plane manages (IPVS: all services; nftables: its table). */
  read(): Promise<readonly ServiceState[] | undefined>;
  /** Removes everything this plane made. */
  clear(): Promise<void>;
  close(): void;
}

export interface SelectLog {
  info(text: string): void;
}

export type PlaneChoice = 'ipvs' | 'nftables';

/**
 * Picks a data plane. `forced` (flag or global_defs) wins; otherwise `ipvsProbe` says
 * whether the IPVS genl family resolves.
 */
export async function selectDataPlane(opts: {
  readonly forced?: PlaneChoice;
  readonly ipvsProbe: () => Promise<{ readonly ok: boolean; readonly why: string }>;
  readonly makeIpvs: () => Promise<DataPlane>;
  readonly makeNft: () => Promise<DataPlane>;
  readonly log: SelectLog;
}): Promise<DataPlane> {
  if (opts.forced) {
    opts.log.info(`LVS data plane: ${opts.forced} (forced by configuration)`);
    return opts.forced === 'ipvs' ? opts.makeIpvs() : opts.makeNft();
  }
  const probe = await opts.ipvsProbe();
  if (probe.ok) {
    opts.log.info(`LVS data plane: IPVS (${probe.why})`);
    return opts.makeIpvs();
  }
  opts.log.info(`LVS data plane: nftables (IPVS unavailable: ${probe.why})`);
  return opts.makeNft();
}
