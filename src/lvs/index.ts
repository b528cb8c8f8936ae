/**
 * @module The LVS surface: `startLvs` for the daemon, and the pure model/plan/reconcile
 * and nftables JSON functions for tests and tools.
 */
export type { DataPlane, SyncResult } from './data-plane.js';
export { selectDataPlane } from './data-plane.js';
export type { Destination, ServiceMatch, ServiceState, VirtualSpec } from './model.js';
export { lvsModel } from './model.js';
export { NFT_FAMILY, NFT_TABLE, nftDocument } from './nft-json.js';
export { NftPlane } from './nft-plane.js';
export { desiredServices, initialQuorum, stepQuorum } from './plan.js';
export { reconcile } from './reconcile.js';
export type { LvsHandle, LvsOptions, LvsStatus } from './start.js';
export { startLvs } from './start.js';
