/**
 * @module Every tracker a config defines, started together, with one table of their states
 * for the pure tracking evaluation (src/vrrp/tracking.ts). Only trackers some instance or
 * sync group uses are run (keepalived: "the script will only be executed if at least one
 * VRRP instance monitors it"; unused track files are removed).
 */

import type { Config } from '../../config/model.js';
import type { TrackerKey, TrackerState } from '../../vrrp/tracking.js';
import { trackerKey } from '../../vrrp/tracking.js';
import { type BfdCarry, BfdService } from '../bfd-service.js';
import { FileTracker } from './file-tracker.js';
import { InterfaceTracker } from './interface-tracker.js';
import { ProcessTracker } from './process-tracker.js';
import { SpawnerProcess } from './script-spawner.js';
import { ScriptTracker } from './script-tracker.js';
import type { TrackerUpdate } from './types.js';

export interface TrackerSetOptions {
  readonly config: Config;
  /** Called after the state table changed. */
  readonly onChange: (update: TrackerUpdate) => void;
  /** Initial link states by name (from the interface table). */
  readonly links: Iterable<{ readonly name: string; readonly up: boolean }>;
  readonly log?: (text: string) => void;
  readonly defaultUser?: string;
  readonly defaultGroup?: string;
  /** A reload: the previous BFD sessions, kept running where unchanged. */
  readonly bfdCarry?: BfdCarry;
}

function usedNames(config: Config, pick: 'trackScripts' | 'trackFiles' | 'trackProcesses'): Set<string> {
  const refs = [...config.vrrpInstances, ...config.vrrpSyncGroups].flatMap((x) => x[pick]);
  return new Set(refs.map((r) => r.name));
}

/**
 * Whether instance `i` tracks bfd_instance `name`, itself or through its sync group's
 * track_bfd (keepalived logs "Tracked BFD instance" for each member then).
 */
function bfdTrackers(c: Config, i: Config['vrrpInstances'][number], name: string): boolean {
  const group = c.vrrpSyncGroups.find((g) => g.members.some((m) => m.name === i.name));
  return [...(i.trackBfds ?? []), ...(group?.trackBfds ?? [])].some((r) => r.name === name);
}

export class TrackerSet {
  readonly states = new Map<TrackerKey, TrackerState>();
  readonly scripts: ScriptTracker[] = [];
  readonly files: FileTracker[] = [];
  readonly processes: ProcessTracker[] = [];
  readonly interfaces: InterfaceTracker;
  /** The bfd_instances some track_bfd uses, run on this loop (keepalived's BFD child). */
  readonly bfd: BfdService;
  /** One spawner process starts every vrrp_script run, off the VRRP loop. */
  readonly #spawner = new SpawnerProcess();
  readonly #o: TrackerSetOptions;

  constructor(o: TrackerSetOptions) {
    this.#o = o;
    const onUpdate = (u: TrackerUpdate): void => this.#apply(u);
    const c = o.config;
    const scripts = usedNames(c, 'trackScripts');
    const files = usedNames(c, 'trackFiles');
    const procs = usedNames(c, 'trackProcesses');
    for (const script of c.vrrpScripts.filter((s) => scripts.has(s.name))) {
      const opts = { script, onUpdate, spawner: this.#spawner, ...(o.log ? { log: o.log } : {}) };
      this.scripts.push(new ScriptTracker({ ...opts, ...this.#users() }));
    }
    for (const file of c.vrrpTrackFiles.filter((f) => files.has(f.name))) {
      this.files.push(new FileTracker({ file, onUpdate }));
    }
    for (const spec of c.vrrpTrackProcesses.filter((p) => procs.has(p.name))) {
      this.processes.push(new ProcessTracker({ spec, onUpdate }));
    }
    this.bfd = new BfdService({
      // Like keepalived's BFD process, every bfd_instance runs here (a peer's session is
      // answered even if nothing here tracks it); the checker child's BFD_CHECKs follow
      // these sessions (src/io/bfd-bridge.ts) instead of running their own.
      instances: c.bfdInstances ?? [],
      ...(o.bfdCarry ? { carry: o.bfdCarry } : {}),
      log: (text) => o.log?.(text),
      onState: (name, state) => {
        const up = state === 'Up';
        const users = c.vrrpInstances.filter((i) => bfdTrackers(c, i, name));
        const logs = users.map(
          (i) => `VRRP_Instance(${i.name}) Tracked BFD instance ${name} is ${up ? 'UP' : 'DOWN'}`,
        );
        onUpdate({ key: trackerKey('bfd', name), state: { kind: 'bfd', up }, logs });
      },
    });
    for (const [name, state] of this.bfd.states())
      this.states.set(trackerKey('bfd', name), { kind: 'bfd', up: state === 'Up' });
    this.interfaces = new InterfaceTracker(onUpdate, o.links);
    for (const [k, s] of this.interfaces.states()) this.states.set(k, s);
    for (const t of this.scripts) this.states.set(trackerKey('script', t.name), t.state);
  }

  #users(): { defaultUser?: string; defaultGroup?: string } {
    const { defaultUser, defaultGroup } = this.#o;
    return {
      ...(defaultUser === undefined ? {} : { defaultUser }),
      ...(defaultGroup === undefined ? {} : { defaultGroup }),
    };
  }

  #apply(u: TrackerUpdate): void {
    for (const line of u.logs) this.#o.log?.(line);
    this.states.set(u.key, u.state);
    this.#o.onChange(u);
  }

  /** Initial reads (files, /proc), then every tracker running. */
  async start(): Promise<void> {
    await Promise.all([
      ...this.files.map((f) => f.init()),
      ...this.processes.map((p) => p.init()),
      ...(this.scripts.length > 0 ? [this.#spawner.warmUp()] : []),
    ]);
    for (const f of this.files) this.states.set(trackerKey('file', f.name), f.state);
    for (const p of this.processes) this.states.set(trackerKey('process', p.name), p.state);
    for (const t of [...this.scripts, ...this.files, ...this.processes]) t.start();
    await this.bfd.start();
  }

  stop(): void {
    for (const t of [...this.scripts, ...this.files, ...this.processes]) t.stop();
    this.bfd.stop();
    this.#spawner.close();
  }
}
