/**
 * Load-balancer process for test/netns/lvs-nft.test.ts: runs inside the balancer's
 * namespace (`ip netns exec`) and starts the LVS checker child exactly as the daemon
 * does (`spawnLvsChecker`, nftables plane forced), with the keepalived.conf in argv[2].
 * Prints each log line as JSON `{t, line}` on stdout; SIGHUP reloads; SIGTERM stops the checker
 * (which removes its nft table) and then exits.
 */
import { spawnLvsChecker } from '../../src/lvs/checker-process.js';

const emit = (line: string): void => {
  process.stdout.write(`${JSON.stringify({ t: Date.now(), line })}\n`);
};
const checker = spawnLvsChecker(
  { configFile: process.argv[2]!, configId: 'lvs-test', forcePlane: 'nftables' },
  { info: emit },
);
await checker.ready;
emit('READY');
process.on('SIGHUP', () => {
  void checker.reload().then(() => emit('RELOADED'));
});
process.on('SIGTERM', () => {
  void checker.stop().then(() => {
    emit('STOPPED');
    process.exit(0);
  });
});
