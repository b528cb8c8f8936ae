/**
 * Child half of bridge.test.ts (forked with an IPC channel): follows the parent's BFD
 * states with followParentBfd and reports to the parent whether it was served and every
 * state its own feed then sees.
 */
import { followParentBfd } from '../../../src/io/bfd-bridge.js';
import { processBfdFeed } from '../../../src/io/bfd-feed.js';

const seen: [string, boolean][] = [];
processBfdFeed.subscribe((name, up) => {
  seen.push([name, up]);
  process.send?.({ type: 'child-saw', name, up });
});
const stop = await followParentBfd();
process.send?.({ type: 'child-served', served: stop !== undefined, before: seen });
process.on('message', (m: { type?: string }) => {
  if (m.type === 'child-exit') {
    stop?.();
    process.disconnect();
  }
});
