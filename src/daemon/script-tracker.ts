/**
 * @module `vrrp_script` checks: each script used by an instance runs every `interval`
 * seconds (never two at once), in the script worker thread, killed after `timeout`;
 * `rise` consecutive successes make it OK, `fall` consecutive failures make it FAIL; it
 * starts OK unless `init_fail`. A state change calls `onChange` (the daemon re-runs
 * tracking) and logs keepalived's `VRRP_Script(NAME) succeeded` / `failed`.
 */

import type { VrrpScript } from '../config/model.js';
import type { ScriptRunner } from '../io/script-runner.js';
import type { ScriptVerdict } from './tracking.js';

type Live = {
  readonly script: VrrpScript;
  ok: boolean;
  successes: number;
  failures: number;
  running: boolean;
  timer: NodeJS.Timeout | null;
};

export class ScriptTracker {
  readonly #live = new Map<string, Live>();
  readonly #runner: ScriptRunner;
  readonly #log: (text: string) => void;
  readonly #onChange: () => void;

  constructor(
    scripts: readonly VrrpScript[],
    used: ReadonlySet<string>,
    deps: { runner: ScriptRunner; log: (text: string) => void; onChange: () => void },
  ) {
    this.#runner = deps.runner;
    this.#log = deps.log;
    this.#onChange = deps.onChange;
    for (const s of scripts) {
      if (!used.has(s.name) || s.script === undefined) continue;
      this.#live.set(s.name, {
        script: s,
        ok: !s.initFail,
        successes: 0,
        failures: 0,
        running: false,
        timer: null,
      });
    }
  }

  verdict(name: string): ScriptVerdict {
    const l = this.#live.get(name);
    if (l === undefined) return { ok: undefined, weight: 0, reverse: false };
    return { ok: l.ok, weight: l.script.weight, reverse: l.script.weightReverse };
  }

  start(): void {
    for (const l of this.#live.values()) {
      const tick = (): void => this.#run(l);
      l.timer = setInterval(tick, Math.max(10, l.script.intervalS * 1000));
      tick();
    }
  }

  #run(l: Live): void {
    if (l.running) return;
    l.running = true;
    const s = l.script;
    const timeoutMs = (s.timeoutS ?? s.intervalS) * 1000;
    void this.#runner.run({ argv: s.script!.argv, timeoutMs }).then((r) => {
      l.running = false;
      this.#result(
        l,
        r.kind === 'exit' && r.code === 0,
        r.kind === 'exit' ? `exited with status ${r.code}` : r.kind,
      );
    });
  }

  #result(l: Live, success: boolean, how: string): void {
    if (success) {
      l.successes++;
      l.failures = 0;
    } else {
      l.failures++;
      l.successes = 0;
    }
    const name = l.script.name;
    if (!l.ok && success && l.successes >= l.script.rise) {
      l.ok = true;
      this.#log(`VRRP_Script(${name}) succeeded`);
      this.#onChange();
    } else if (l.ok && !success && l.failures >= l.script.fall) {
      l.ok = false;
      this.#log(`VRRP_Script(${name}) failed (${how})`);
      this.#onChange();
    }
  }

  stop(): void {
    for (const l of this.#live.values()) if (l.timer) clearInterval(l.timer);
  }
}
