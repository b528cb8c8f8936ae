/**
 * shutdownAdvertPriority tells the daemon which advert a shutdown step will send, so that
 * SIGTERM can put it on the wire before the step is taken: it must agree with the step in
 * every state, including a MASTER reached through the engine and one in a FAULT.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createInstance, type InstanceState, shutdownAdvertPriority, step } from '../../../src/vrrp/index.js';
import { config } from './fixtures.js';

function statesOf(c: ReturnType<typeof config>): InstanceState[] {
  const init = createInstance(c);
  const backup = step(init, { type: 'start' }, 0).instance;
  const master = step(backup, { type: 'timer', timer: 'masterDown' }, backup.timers.masterDown ?? 0).instance;
  const fault = step(master, { type: 'fault', reason: 'link' }, 10_000).instance;
  const stopped = step(master, { type: 'shutdown' }, 10_000).instance;
  return [init, backup, master, fault, stopped];
}

test("the advert sent ahead is the shutdown step's first advert, in every state", () => {
  const seen = new Set<string>();
  for (const c of [config(), config({ version: 3, adverIntCs: 1 }), config({ priority: 255 })]) {
    for (const inst of statesOf(c)) {
      seen.add(inst.state);
      const adverts = step(inst, { type: 'shutdown' }, 20_000).effects.filter((e) => e.type === 'sendAdvert');
      const ahead = shutdownAdvertPriority(inst);
      assert.equal(ahead, adverts[0]?.priority ?? null, `state ${inst.state}`);
      assert.ok(adverts.length <= 1, 'one advert: the one sent ahead is not owed twice');
    }
  }
  assert.deepEqual([...seen].sort(), ['BACKUP', 'FAULT', 'INIT', 'MASTER', 'STOP']);
});
