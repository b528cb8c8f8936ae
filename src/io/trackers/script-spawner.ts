/**
 * @module Where vrrp_script runs are started: a spawner process (src/io/spawner-process.ts
 * says why not the daemon), running each script in its own process group (group-spawn.ts).
 * The daemon learns each run's group id, so it can still kill them all on stop. This file
 * is both the client and, run with its role argument, the spawner.
 */

import { fileURLToPath } from 'node:url';
import { SpawnerClient, serveSpawner } from '../spawner-process.js';
import { type GroupRun, killGroup, runInGroup } from './group-spawn.js';
import type { ScriptOutcome } from './script-counter.js';

const ROLE = '--keepalived-ts-script-spawner';

export class SpawnerProcess extends SpawnerClient<GroupRun, ScriptOutcome> {
  constructor() {
    super(fileURLToPath(import.meta.url), ROLE, runInGroup);
  }

  /** SIGKILLs every running script's process group (stop). */
  killAll(): void {
    for (const pid of this.runningPids()) killGroup(pid, 'SIGKILL');
  }

  override close(): void {
    this.killAll();
    super.close();
  }
}

serveSpawner(ROLE, runInGroup);
