/**
 * @module The namespace harness for black-box VRRP scenarios: labs of namespaces on a
 * bridge, daemons run inside them with their logs, captures judged by tshark, and
 * cleanup that always runs. The only import surface for tests, the demo and benches.
 */
export * from './capture.js';
export * from './cleanup.js';
export * from './configs.js';
export * from './exec.js';
export * from './judge.js';
export * from './lab.js';
export * from './process.js';
export * from './query.js';
export * from './scenario.js';
export * from './vrrp-node.js';
