/**
 * @module The VRRP firewall in the kernel (src/firewall/vrrp-ruleset.ts is the layout):
 * created at start, its sets refreshed whenever the VIPs an instance holds change, deleted
 * on stop. Updates run one at a time off the event path (`nft` is a child process); changes
 * that arrive meanwhile coalesce into one more update. If the sets cannot be refreshed
 * (someone deleted the table) the whole table is rebuilt. Nothing here ever throws into the
 * VRRP timers: failures are logged and counted.
 */
import {
  createCommands,
  deleteCommands,
  EMPTY_CONTENTS,
  elementCommands,
  type FirewallContents,
  type FirewallSettings,
  type FirewallShape,
  nftDocument,
} from '../firewall/vrrp-ruleset.js';
import { applyNftJson } from './nft.js';

export interface VrrpFirewallOptions {
  readonly settings: FirewallSettings;
  readonly log: (text: string) => void;
  readonly nft?: string;
}

/** keepalived's defaults for `nftables [TABLENAME]`, `nftables_priority`, `nftables_counters`. */
export function firewallSettings(g: {
  readonly nftables?: readonly string[];
  readonly nftablesPriority?: readonly string[];
  readonly nftablesCounters?: boolean;
}): FirewallSettings {
  const priority = Number(g.nftablesPriority?.[0] ?? -1);
  return {
    table: g.nftables?.[0] ?? 'keepalived',
    priority: Number.isInteger(priority) ? priority : -1,
    counters: g.nftablesCounters === true,
  };
}

export class VrrpFirewall {
  readonly #o: VrrpFirewallOptions;
  #shape: FirewallShape;
  #contents: FirewallContents = EMPTY_CONTENTS;
  #running: Promise<void> | null = null;
  #dirty = false;
  #stopped = false;
  /** Successful and failed `nft` runs. */
  applied = 0;
  failures = 0;

  constructor(shape: FirewallShape, options: VrrpFirewallOptions) {
    this.#shape = shape;
    this.#o = options;
  }

  /** Creates the tables (replacing leftovers of a previous run) with `contents`. */
  async start(contents: FirewallContents): Promise<void> {
    this.#contents = contents;
    await this.#apply(createCommands(this.#o.settings, this.#shape, contents), 'create');
  }

  /** New layout after a reload: rebuilt at once with the current contents. */
  async reshape(shape: FirewallShape, contents: FirewallContents): Promise<void> {
    await this.#running;
    const old = this.#shape;
    this.#shape = shape;
    this.#contents = contents;
    await this.#apply(
      [...deleteCommands(this.#o.settings, old), ...createCommands(this.#o.settings, shape, contents)],
      'rebuild',
    );
  }

  /** The sets should hold `contents`; applied soon, coalesced with other changes. */
  update(contents: FirewallContents): void {
    this.#contents = contents;
    if (this.#stopped) return;
    if (this.#running !== null) {
      this.#dirty = true;
      return;
    }
    this.#running = this.#drain().finally(() => {
      this.#running = null;
    });
  }

  async #drain(): Promise<void> {
    do {
      this.#dirty = false;
      const s = this.#o.settings;
      const ok = await this.#apply(elementCommands(s, this.#shape, this.#contents), null);
      if (!ok && !this.#stopped) await this.#apply(createCommands(s, this.#shape, this.#contents), 'rebuild');
    } while (this.#dirty && !this.#stopped);
  }

  /** Waits for the update in flight, then deletes the tables. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
    await this.#apply(deleteCommands(this.#o.settings, this.#shape), 'delete');
  }

  async #apply(commands: readonly Record<string, unknown>[], what: string | null): Promise<boolean> {
    const r = await applyNftJson(nftDocument(commands), this.#o.nft);
    if (r.code === 0) {
      this.applied++;
      return true;
    }
    this.failures++;
    if (what !== null)
      this.#o.log(`nftables: cannot ${what} table ${this.#o.settings.table}: ${r.stderr.trim()}`);
    return false;
  }
}
