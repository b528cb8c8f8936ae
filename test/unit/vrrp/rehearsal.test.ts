/**
 * The rehearsal of the rare paths is a dry run: it goes through priority 0, takeover, a
 * yield to a better master, the GARP delays and shutdown (so V8 compiles them), returns their effects'
 * count, and changes nothing it was given.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createInstance, rehearseRarePaths, step } from '../../../src/vrrp/index.js';
import { config } from './fixtures.js';

test('rehearsal runs priority 0, takeover and shutdown without touching the config', () => {
  for (const c of [config(), config({ version: 3, adverIntCs: 1 }), config({ priority: 255 })]) {
    const before = JSON.stringify(c, (_k, v) => (v instanceof Uint8Array ? [...v] : v));
    const effects = rehearseRarePaths(c, 1000);
    assert.ok(effects >= 6, `effects ${effects}`);
    assert.equal(
      JSON.stringify(c, (_k, v) => (v instanceof Uint8Array ? [...v] : v)),
      before,
    );
  }
});

test('the steps it takes reach the paths it is for: Skew_Time, MASTER, priority 0 on stop', () => {
  const c = config({ version: 3, adverIntCs: 1 });
  const backup = { ...createInstance(c), state: 'BACKUP' as const };
  const advert = { priority: 0, maxAdverIntCs: c.adverIntCs, source: c.sourceAddress };
  const a = step(backup, { type: 'advert', advert }, 0);
  const due = a.instance.timers.masterDown;
  assert.ok(due !== null && due < 10, `Skew_Time (under one interval), not Master_Down_Interval: ${due}`);
  const b = step(a.instance, { type: 'timer', timer: 'masterDown' }, due);
  assert.equal(b.instance.state, 'MASTER');
  // What the rehearsal sends a MASTER, an owner included: the best advert there can be.
  const better = { priority: 255, maxAdverIntCs: c.adverIntCs, source: Uint8Array.of(255, 255, 255, 255) };
  for (const m of [b.instance, { ...b.instance, effectivePriority: 255, basePriority: 255 }]) {
    const y = step(m, { type: 'advert', advert: better }, due);
    assert.equal(y.instance.state, 'BACKUP', `a MASTER at ${m.effectivePriority} yields`);
  }
  // The GARP delay a takeover arms, which the rehearsal fires too.
  const garpAt = b.instance.timers.garpMasterDelay;
  assert.ok(garpAt !== null, 'garp_master_delay armed by the takeover');
  const g = step(b.instance, { type: 'timer', timer: 'garpMasterDelay' }, garpAt);
  assert.ok(g.effects.some((e) => e.type === 'sendGarp'));
  const c2 = step(b.instance, { type: 'shutdown' }, due);
  assert.equal(c2.instance.state, 'STOP');
  assert.ok(c2.effects.some((e) => e.type === 'sendAdvert' && e.priority === 0));
});
