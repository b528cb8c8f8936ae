/**
 * Load-balancer process for test/netns/lvs-nft.test.ts: runs inside the balancer's
 * namespace (`ip netns exec`), loads the keepalived.conf given as argv[2], starts
 * `startLvs` with the nftables plane and prints each log line as JSON
 * `{t, line}` on stdout. SIGTERM stops it (which removes its nft table).
 */
import { readFileSync } from 'node:fs';
import { NftPlane } from '../../src/lvs/nft-plane.js';
import { startLvs } from '../../src/lvs/start.js';
import { configOf } from '../unit/lvs/load-config.js';

const emit = (line: string): void => {
  process.stdout.write(`${JSON.stringify({ t: Date.now(), line })}\n`);
};
const log = { info: emit };
const config = configOf(readFileSync(process.argv[2]!, 'utf8'));
const lvs = await startLvs(config, { log, dataPlane: new NftPlane(log), reconcileIntervalMs: 1000 });
emit('READY');
process.stdin.setEncoding('utf8').on('data', (d: string) => {
  if (d.includes('status')) emit(`STATUS ${JSON.stringify(lvs.status())}`);
});
process.on('SIGTERM', () => {
  void lvs.stop().then(() => {
    emit('STOPPED');
    process.exit(0);
  });
});
