/**
 * @module Loading the config off the VRRP event loop (DESIGN principle 5): `loadConfig`
 * reads files and checks the host synchronously, so on SIGHUP it runs in a worker thread
 * and the main loop keeps its timers. The same file is the worker's entry point: run as
 * a worker, it loads `workerData` and posts the result back.
 */

import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Diagnostic } from '../config/diagnostic.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/model.js';
import { nodeFileSystem } from '../config/source.js';
import { realHostEnvironment } from '../io/host-environment.js';

export interface LoadRequest {
  readonly configFile: string;
  readonly configId: string;
  readonly cwd: string;
}

export interface LoadReply {
  readonly config: Config | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/** Loads on this thread (start-up, before any timer runs, and the fallback). */
export function loadHere(r: LoadRequest): LoadReply {
  return loadConfig(r.configFile, {
    fs: nodeFileSystem,
    env: realHostEnvironment(),
    configId: r.configId,
    cwd: r.cwd,
  });
}

/** Loads in a worker thread; falls back to this thread if a worker cannot start. */
export function loadConfigOffThread(r: LoadRequest): Promise<LoadReply> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL(import.meta.url), { workerData: r });
    } catch {
      resolve(loadHere(r));
      return;
    }
    worker.once('message', (reply: LoadReply) => resolve(reply));
    worker.once('error', () => resolve(loadHere(r)));
  });
}

if (!isMainThread && parentPort !== null && (workerData as LoadRequest | undefined)?.configFile) {
  parentPort.postMessage(loadHere(workerData as LoadRequest));
}
