/**
 * @module The imperative shell's import surface: rtnetlink client and event subscription,
 * interface table, VIP manager, link monitor, VRRP channels and advert sender, GARP/NA,
 * notify scripts, the non-blocking log writer and the monotonic clock.
 */

export * from './addresses.js';
export * from './advert-sender.js';
export * from './clock.js';
export * from './garp.js';
export * from './interfaces.js';
export * from './link-monitor.js';
export * from './log-writer.js';
export * from './notify.js';
export * from './notify-spawner.js';
export * from './rtnetlink-client.js';
export * from './script-runner.js';
export { spawnScript } from './spawn-script.js';
export * from './users.js';
export * from './vrrp-channel.js';
