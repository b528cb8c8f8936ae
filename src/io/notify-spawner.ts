/**
 * @module Where notify scripts are started: a spawner process (src/io/spawner-process.ts
 * says why not the daemon; a burst of notify scripts comes exactly when many instances
 * change state at once). This file is both the client and, run with its role argument,
 * the spawner; scripts still running when the daemon goes away run on, as keepalived's.
 */

import { fileURLToPath } from 'node:url';
import { type ScriptResult, type ScriptRun, spawnScript } from './spawn-script.js';
import { SpawnerClient, serveSpawner } from './spawner-process.js';

const ROLE = '--keepalived-ts-notify-spawner';
const start = (run: ScriptRun) => spawnScript(run);

export class ProcessSpawner extends SpawnerClient<ScriptRun, ScriptResult> {
  constructor() {
    super(fileURLToPath(import.meta.url), ROLE, start);
  }

  spawn(run: ScriptRun): Promise<ScriptResult> {
    return this.run(run);
  }
}

serveSpawner(ROLE, start);
