/**
 * @module Tracking over the real-world corpus (../shared/corpus/keepalived-conf): every
 * instance of every config resolves its bindings (own, sync group, primary interface)
 * without throwing, weights stay within keepalived's -254..254, and the initial verdict — all links up,
 * every file 0, every script OK, every process at quorum — is a priority in 1..255.
 */

import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/load.js';
import { nodeFileSystem } from '../../../src/config/source.js';
import {
  evaluateTracking,
  resolveBindings,
  type TrackerKey,
  type TrackerState,
  trackerKey,
} from '../../../src/vrrp/tracking.js';

const corpusDir = resolve(import.meta.dirname, '../../../../../shared/corpus/keepalived-conf');
const files = existsSync(corpusDir) ? readdirSync(corpusDir).filter((f) => f.endsWith('.conf')) : [];

test('tracking resolves every instance of the corpus', {
  skip: files.length === 0 ? 'no corpus' : false,
}, () => {
  let instances = 0;
  let bindings = 0;
  let warnings = 0;
  for (const f of files) {
    const { config } = loadConfig(join(corpusDir, f), { fs: nodeFileSystem, configId: 'kc', cwd: corpusDir });
    if (config === undefined) continue;
    for (const inst of config.vrrpInstances) {
      const g = config.vrrpSyncGroups.find((s) => s.members.some((m) => m.name === inst.name));
      const r = resolveBindings(
        inst,
        config,
        g === undefined ? undefined : { config: g, hasOwnerMember: false },
      );
      instances++;
      bindings += r.bindings.length;
      warnings += r.warnings.length;
      const states = new Map<TrackerKey, TrackerState>();
      for (const b of r.bindings) {
        const key = trackerKey(b.kind, b.name);
        assert.ok(b.weight >= -254 && b.weight <= 254, `${f} ${inst.name} ${key} weight ${b.weight}`);
        if (b.kind === 'interface') states.set(key, { kind: 'interface', up: true });
        else if (b.kind === 'script') states.set(key, { kind: 'script', status: 'ok' });
        else if (b.kind === 'file') states.set(key, { kind: 'file', value: 0 });
        else states.set(key, { kind: 'process', quorum: true });
      }
      const v = evaluateTracking(inst.priority, r.bindings, states);
      assert.ok(v.priority >= 1 && v.priority <= 255, `${f} ${inst.name} priority ${v.priority}`);
    }
  }
  console.log(
    `# corpus: ${files.length} files, ${instances} instances, ${bindings} bindings, ${warnings} weight warnings`,
  );
  assert.ok(instances > 0);
});
