/**
 * @module The VRRP daemon: builds the instances from a config, shares one channel per
 * (interface, family, protocol) among them, turns kernel link/address events into engine
 * events, and stops gracefully (priority 0 advert from MASTER, VIPs removed, notify_stop)
 * leaving no address behind. Everything runs on the event loop without blocking it.
 */

import type { Config, VrrpInstance } from '../config/model.js';
import { firewallContents, firewallShape, type GuardedInstance } from '../firewall/vrrp-guard.js';
import { AddressManager } from '../io/addresses.js';
import type { Clock } from '../io/clock.js';
import { GarpSender } from '../io/garp.js';
import { type InterfaceInfo, readInterfaces, replaceInterfaces } from '../io/interfaces.js';
import { LinkMonitor } from '../io/link-monitor.js';
import { Notifier, type SmtpNotifySink } from '../io/notify.js';
import { type FifosOptions, NotifyFifos } from '../io/notify-fifo.js';
import { instanceFifoLine, reloadStateLines } from '../io/notify-fifo-format.js';
import { RouteManager } from '../io/routes.js';
import { RtnetlinkClient, subscribeRtnl } from '../io/rtnetlink-client.js';
import { ScriptRunner } from '../io/script-runner.js';
import { gateVrrpScripts } from '../io/script-security-gate.js';
import { probeScript } from '../io/script-security-probe.js';
import { SmtpAlerter, type SmtpCounters } from '../io/smtp-alert.js';
import { VrrpSmtpAlerts } from '../io/smtp-alert-vrrp.js';
import { TrackingCoordinator } from '../io/trackers/index.js';
import { defaultUserNotice, type ScriptUserPolicy, scriptIdentity, selfIds } from '../io/users.js';
import { vmacName } from '../io/vmac.js';
import { VrrpChannel } from '../io/vrrp-channel.js';
import { firewallSettings, VrrpFirewall } from '../io/vrrp-firewall.js';
import type { IpvsGlobalsHandle } from '../lvs/ipvs-sync-daemon.js';
import { TimerFd } from '../native/index.js';
import { stopSignalled } from '../native/stop-send.js';
import type { Address } from '../netlink/index.js';
import { formatIp } from '../wire/index.js';
import { EffectSequencer } from './dispatcher.js';
import {
  carriedState,
  missingInterfaces,
  planMoved,
  planUses,
  sourceAddressGone,
  withoutVips,
} from './dynamic-interfaces.js';
import { ipv6Forwarding, parseGroup } from './host-facts.js';
import type { InstancePlan } from './instance-config.js';
import { InstanceRuntime } from './instance-runtime.js';
import type { Logger } from './log.js';
import { diffConfigs, type ReloadPlan } from './reload.js';
import { nodeTimers, Scheduler } from './scheduler.js';
import { staticAddressSpecs } from './static-addresses.js';
import { SyncGroups } from './sync-groups.js';
import { DaemonVmacs } from './vmacs.js';

export interface VrrpDaemonOptions {
  readonly config: Config;
  readonly clock: Clock;
  readonly log: Logger;
  /** Notify script timeout, ms (keepalived's default script timeout is 15 s... per script). */
  readonly scriptTimeoutMs?: number;
}

export class VrrpDaemon {
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly #sequencer: EffectSequencer;
  readonly log: Logger;
  instances: InstanceRuntime[] = [];
  readonly channels = new Map<string, VrrpChannel>();
  readonly startedAtMs: number;
  config: Config;
  #nl: RtnetlinkClient | null = null;
  #events: { close(): void } | null = null;
  #addresses: AddressManager | null = null;
  #routes: RouteManager | null = null;
  #garp: GarpSender;
  #runner = new ScriptRunner();
  #interfaces = new Map<string, InterfaceInfo>();
  #monitor: LinkMonitor | null = null;
  vipRestores = 0;
  #tracking: TrackingCoordinator | null = null;
  #groups: SyncGroups | null = null;
  #vmacs: DaemonVmacs | null = null;
  /** lvs_sync_daemon bound to an instance: master while it is MASTER (keepalived's VRRP side). */
  #syncDaemon: IpvsGlobalsHandle | null = null;
  #fifos = new NotifyFifos([]);
  /** What notifiers write to: follows #fifos when a reload reopens them. */
  readonly #fifoSink = { write: (line: string) => this.#fifos.write(line) };
  /** smtp_alert mail, rebuilt from each config; notifiers reach it through #smtpSink. */
  #smtp: VrrpSmtpAlerts | undefined;
  readonly #smtpSink: SmtpNotifySink = {
    instance: (name, state) => this.#smtp?.instance(name, state),
    group: (name, state) => this.#smtp?.group(name, state),
  };
  #firewall: VrrpFirewall | null = null;
  /** Guarded instances that held their VIPs at the last firewall refresh. */
  #dropping = new Set<string>();
  /** The instances as the firewall sees them; rebuilt when the instances change (start, reload). */
  #guardedInstances: GuardedInstance[] = [];
  #refreshQueued = false;

  constructor(o: VrrpDaemonOptions) {
    this.config = o.config;
    this.clock = o.clock;
    this.log = o.log;
    // Master_Down_Timer waits its last stretch on a timerfd: Node's timers count whole ms.
    this.scheduler = new Scheduler(o.clock, { ...nodeTimers, fine: (expired) => new TimerFd(expired) });
    this.#sequencer = new EffectSequencer(this.scheduler);
    // A wake-up's adverts leave in one sendmmsg per channel (src/native/send-batch.ts).
    this.scheduler.slackedRun = {
      begin: () => {
        for (const ch of this.channels.values()) ch.cork();
      },
      end: () => {
        this.#dropQueuedAfterStopSignal();
        for (const ch of this.channels.values()) ch.uncork();
      },
    };
    this.startedAtMs = o.clock.nowMs();
    this.#garp = new GarpSender({
      garpIntervalUs: o.config.global.vrrpGarpIntervalUs,
      gnaIntervalUs: o.config.global.vrrpGnaIntervalUs,
    });
  }

  readonly #sendQueuedAdverts = (): void => {
    this.#dropQueuedAfterStopSignal();
    for (const ch of this.channels.values()) ch.sendQueued();
  };

  /**
   * Adverts queued in a wake-up that a stop signal interrupted: its handler has sent the
   * priority-0 adverts (src/native/stop-send.ts), which these would follow and undo.
   */
  #dropQueuedAfterStopSignal(): void {
    if (!stopSignalled()) return;
    for (const ch of this.channels.values()) ch.discardQueued();
  }

  get garpStats() {
    return { arp: this.#garp.sentArp, na: this.#garp.sentNa, errors: this.#garp.errors };
  }

  /**
   * How late the scheduler's timer wake-ups ran (src/daemon/scheduler.ts): the loop's
   * delay as the VRRP timers meet it. (A perf_hooks sampling timer, every 20 ms, woke an
   * idle daemon 50 times a second, about half of a backup's wake-ups with 255 instances.)
   */
  loopDelay(): { p50: number; p99: number; max: number } {
    const h = this.scheduler.wakeLateness;
    const ms = (ns: number) => Math.round(ns / 1e3) / 1e3;
    return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
  }

  get scriptsStarted(): number {
    return this.#runner.started;
  }

  /** Script security (keepalived's start-up check): insecure or missing scripts are disabled. */
  #secure(config: Config): Config {
    const policy = scriptPolicy(config);
    return gateVrrpScripts(config, {
      identity: (s) => scriptIdentity(s, policy, selfIds()),
      probe: (command, runAs) => probeScript(command, runAs),
      log: (t) => this.log.info(t),
      defaultUserNotice: defaultUserNotice(policy),
    });
  }

  /** notify_fifo / vrrp_notify_fifo (keepalived opens them before the instances start). */
  #openFifos(): void {
    const g = this.config.global;
    this.#fifos = NotifyFifos.open(g.notifyFifo, g.vrrpNotifyFifo, this.#fifoOptions());
  }

  /** A reload's reopen: mkfifo must not stop the event loop while instances run. */
  async #reopenFifos(): Promise<void> {
    this.#fifos.close();
    const g = this.config.global;
    this.#fifos = await NotifyFifos.openAsync(g.notifyFifo, g.vrrpNotifyFifo, this.#fifoOptions());
  }

  #fifoOptions(): FifosOptions {
    const policy = scriptPolicy(this.config);
    return {
      ownLabel: 'vrrp_',
      umask: daemonUmask(this.config),
      ...fifoOwner(policy),
      scriptIds: (s) => {
        const ids = scriptIdentity(s, policy, selfIds());
        return 'error' in ids ? undefined : ids;
      },
      onScriptExit: () => this.log.info('vrrp notify fifo script terminated'),
      log: (t) => this.log.info(t),
    };
  }

  #openSmtp(): void {
    const alerter = SmtpAlerter.fromConfig(
      this.config.global,
      (t) => this.log.info(t),
      (t) => this.log.detail(t),
    );
    this.#smtp = alerter && new VrrpSmtpAlerts(this.config, alerter);
  }

  /** SMTP alerts queued, sent, failed and dropped (undefined without smtp_server and addresses). */
  get smtpCounters(): SmtpCounters | undefined {
    return this.#smtp?.alerter.counters;
  }

  /** FIFO lines written and dropped (nobody reading and the pipe full). */
  get fifoCounters(): { readonly written: number; readonly dropped: number } {
    return this.#fifos.counters;
  }

  async start(): Promise<void> {
    this.config = this.#secure(this.config);
    this.#openFifos();
    this.#openSmtp();
    const nl = new RtnetlinkClient();
    this.#nl = nl;
    this.#addresses = new AddressManager(nl);
    this.#addresses.onError = (op, spec, e) =>
      this.log.info(
        `Failed to ${op} address ${formatIp({ family: spec.family === 2 ? 'ipv4' : 'ipv6', bytes: spec.local })}: ${e.message}`,
      );
    this.#events = subscribeRtnl((e) => this.#monitor?.handle(e));
    this.#interfaces = await readInterfaces(nl);
    this.#checkInterfacesExist();
    this.#routes = new RouteManager(nl, { ifindex: (n) => this.#interfaces.get(n)?.ifindex });
    this.#routes.onError = (owner, what, e) => this.log.info(`(${owner}) ${what} failed: ${e.message}`);
    if (this.config.staticRoutes.length + this.config.staticRules.length > 0) {
      await this.#routes.install('static', this.config.staticRoutes, this.config.staticRules);
    }
    this.#monitor = new LinkMonitor(
      {
        onLinkChange: (ifindex, name, up) => this.#onLink(ifindex, name, up),
        onAddressDeleted: (a) => {
          this.#onAddressDeleted(a);
          this.#onSourceAddressDeleted(a);
        },
        onAddressAdded: (a) => this.#onAddressAdded(a),
        onInterfaceAdded: (i) => this.#onInterfaceAdded(i),
        onInterfaceDeleted: (i) => this.#onInterfaceDeleted(i),
      },
      this.#interfaces.values(),
      this.#interfaces,
    );
    this.#vmacs = new DaemonVmacs(nl, (t) => this.log.info(t));
    if (await this.#vmacs.create(this.config.vrrpInstances, this.#interfaces))
      replaceInterfaces(this.#interfaces, await readInterfaces(nl));
    this.instances = this.config.vrrpInstances.map((i) => this.#createRuntime(i));
    // keepalived removes the VIPs at start-up: whatever a previous run left is cleaned up.
    await Promise.all(this.instances.flatMap((rt) => rt.plan.vips.map((s) => this.#addresses!.remove(s))));
    await this.#startFirewall();
    await this.#installStaticAddresses();
    this.#startGroups();
    this.#groups?.holdUntilAnnounced();
    await this.#startTracking();
    this.#tracking?.evaluateAll();
    // keepalived 2.2.7 reports the instances its trackers fault at start-up first (their
    // FAULT notifies come from tracking's set-up, a weight-0 script still pending or not),
    // then the groups, then the others' "Entering BACKUP STATE (init)".
    const faulted = this.instances.filter((rt) => rt.state.faulted || rt.plan.problem !== null);
    for (const rt of faulted) this.#startInstance(rt);
    this.#groups?.announceStart();
    await this.#startSyncDaemon();
    this.#startOrHoldAll(this.instances.filter((rt) => !faulted.includes(rt)));
  }

  /**
   * lvs_sync_daemon bound to an instance, in the role its instance's state calls for. A
   * reload stops it and starts it again from the new config, as keepalived does.
   */
  async #startSyncDaemon(): Promise<void> {
    await this.#syncDaemon?.stop();
    this.#syncDaemon = null;
    if (!this.config.global.lvsSyncDaemon || this.instances.length === 0) return;
    const { startIpvsGlobals } = await import('../lvs/ipvs-sync-daemon.js');
    const sd = await startIpvsGlobals(this.config, { info: (t) => this.log.info(t) }, 'vrrp');
    this.#syncDaemon = sd;
    const owner = this.instances.find((rt) => rt.plan.name === sd.syncDaemon?.instance);
    if (owner?.state.state === 'MASTER') await sd.follow(owner.plan.name, 'MASTER');
  }

  /** static_ipaddress: on the host for the daemon's lifetime, removed on stop (as keepalived). */
  async #installStaticAddresses(): Promise<void> {
    const specs = staticAddressSpecs(
      this.config.staticAddresses,
      this.#interfaces,
      this.config.global.defaultInterface,
    );
    for (const { spec, problem } of specs) {
      if (problem !== null) this.log.info(`static_ipaddress: ${problem}`);
      else await this.#addresses!.add(spec);
    }
  }

  /** The instances as the VRRP firewall sees them (src/firewall/vrrp-guard.ts). */
  #guarded(): GuardedInstance[] {
    const names = new Map([...this.#interfaces.values()].map((i) => [i.ifindex, i.name]));
    return this.instances.map((rt) => {
      const p = rt.plan;
      const vmac = this.#vmacs?.of(p.name);
      const base = this.config.vrrpInstances.find((i) => i.name === p.name)?.interface;
      return {
        name: p.name,
        noAccept: !p.engine.accept && p.engine.priority !== 255,
        family: p.family === 'ipv4' ? 4 : 6,
        addresses: p.vips.map((v) => ({
          family: v.family === 2 ? 4 : 6,
          address: formatIp({ family: v.family === 2 ? 'ipv4' : 'ipv6', bytes: v.local }),
          ifname: names.get(v.ifindex) ?? p.ifname,
        })),
        ...(vmac !== undefined && base !== undefined ? { vmac: { name: vmac, parent: base } } : {}),
      };
    });
  }

  /** no_accept and VMAC filtering in nftables, when the config needs it (as keepalived). */
  async #startFirewall(): Promise<void> {
    const explicit = this.config.global.nftables !== undefined;
    const guarded = this.#guarded();
    this.#guardedInstances = guarded;
    const shape = firewallShape(guarded, explicit);
    if (shape === null) return;
    if (!explicit)
      this.log.info('use_vmac or no_accept/strict specified, but no firewall configured - using nftables');
    const firewall = new VrrpFirewall(shape, {
      settings: firewallSettings(this.config.global),
      log: (t) => this.log.info(t),
    });
    this.#firewall = firewall;
    await firewall.start(firewallContents(guarded, new Set()));
    this.#addresses!.onChange = () => this.#queueFirewallRefresh();
  }

  /**
   * A takeover adds every VIP of every instance in one turn of the loop: the firewall is
   * refreshed once after it, not once per address.
   */
  #queueFirewallRefresh(): void {
    if (this.#refreshQueued) return;
    this.#refreshQueued = true;
    queueMicrotask(() => {
      this.#refreshQueued = false;
      this.#refreshFirewall();
    });
  }

  /** The VIPs held changed: guarded instances that hold theirs are dropped in the firewall. */
  #refreshFirewall(): void {
    if (this.#firewall === null || this.#addresses === null) return;
    const held = new Set(this.#addresses.held());
    const guarded = this.#guardedInstances;
    const holding = new Set(
      this.instances.filter((rt) => rt.plan.vips.some((v) => held.has(v))).map((rt) => rt.plan.name),
    );
    for (const g of guarded) {
      if (!g.noAccept || holding.has(g.name) === this.#dropping.has(g.name)) continue;
      this.log.info(`(${g.name}) ${holding.has(g.name) ? 'setting' : 'removing'} firewall drop rule`);
    }
    this.#dropping = new Set(guarded.filter((g) => g.noAccept && holding.has(g.name)).map((g) => g.name));
    this.#firewall.update(firewallContents(guarded, holding));
  }

  /**
   * vrrp_sync_group: members' events go through their group (src/vrrp/sync-group.ts). On a
   * reload the groups that stay keep their state (`previous`).
   */
  #startGroups(previous?: SyncGroups): void {
    const groups = new SyncGroups(
      this.config,
      {
        runtime: (n) => this.instances.find((rt) => rt.plan.name === n),
        nowMs: () => this.clock.nowMs(),
        notifier: this.#notifier(),
      },
      previous,
    );
    this.#groups = groups;
    for (const rt of this.instances) {
      const name = rt.plan.name;
      rt.router = groups.groupOf(name) === undefined ? null : (event) => groups.feed(name, event);
    }
  }

  /** Every tracker the config uses (src/io/trackers); verdicts become engine events. */
  async #startTracking(kept: readonly string[] = []): Promise<void> {
    const previous = this.#tracking;
    // BFD sessions survive a reload (keepalived keeps them): no new handshake, no FAULT.
    const bfdCarry = previous?.releaseBfd();
    previous?.stop();
    const links = [...this.#interfaces.values()].map((i) => ({ name: i.name, up: this.#usable(i.name) }));
    const find = (name: string) => this.instances.find((rt) => rt.plan.name === name);
    this.#tracking = new TrackingCoordinator(this.config, links, {
      enginePriority: (n) => find(n)?.state.effectivePriority ?? 0,
      onEvents: (n, events) => {
        const rt = find(n);
        for (const e of events) {
          const before = rt?.state.effectivePriority;
          rt?.feed(e);
          if (rt !== undefined && rt.state.effectivePriority !== before) this.#priorityNotify(rt);
        }
      },
      // A sync-group member's own fault goes to its group, which moves every member.
      onFault: (g, n, faulted, reason) => this.#groups?.setFault(g, n, faulted, reason),
      log: (t) => this.log.info(t),
      // On reload, a kept instance starts from the fault its old trackers had put it in.
      trackedFault: (n) => kept.includes(n) && (previous?.verdict(n)?.faultBy.length ?? 0) > 0,
      onInitDone: (n) => this.#releaseHeld(n),
      ...(bfdCarry ? { bfdCarry } : {}),
    });
    await this.#tracking.start();
  }

  /**
   * notify_priority_changes (or global vrrp_notify_priority_changes): keepalived writes
   * MASTER_PRIORITY from MASTER, BACKUP_PRIORITY from any other state (INIT included).
   */
  #priorityNotify(rt: InstanceRuntime): void {
    const own = this.config.vrrpInstances.find((i) => i.name === rt.plan.name)?.notifyPriorityChanges;
    if (!(own ?? this.config.global.vrrpNotifyPriorityChanges ?? false)) return;
    const event = rt.state.state === 'MASTER' ? 'MASTER_PRIORITY' : 'BACKUP_PRIORITY';
    this.#fifos.write(instanceFifoLine(rt.plan.name, event, rt.state.effectivePriority));
  }

  #notifier(): Notifier {
    return new Notifier({
      runner: this.#runner,
      timeoutMs: 15_000,
      log: (t) => this.log.info(t),
      policy: scriptPolicy(this.config),
      fifo: this.#fifoSink,
      smtp: this.#smtpSink,
      onTransition: (name, state) => void this.#syncDaemon?.follow(name, state),
    });
  }

  /** Each instance's notifier, by name (a reload marks removed instances on theirs). */
  readonly #notifiers = new Map<string, Notifier>();

  #createRuntime(i: VrrpInstance): InstanceRuntime {
    const notifier = this.#notifier();
    this.#notifiers.set(i.name, notifier);
    return this.#runtime(this.#vmacs!.plan(i, this.config, this.#interfaces), notifier);
  }

  #runtime(plan: InstancePlan, notifier: Notifier): InstanceRuntime {
    return new InstanceRuntime(plan, {
      clock: this.clock,
      scheduler: this.scheduler,
      log: this.log,
      addresses: this.#addresses!,
      routes: this.#routes!,
      garp: this.#garp,
      notifier,
      linkLayer: (ifindex) => this.#linkLayer(ifindex),
      sequencer: this.#sequencer,
      sendQueuedAdverts: this.#sendQueuedAdverts,
    });
  }

  /** SIGHUP with a valid config: keep unchanged instances, restart changed ones, add and remove. */
  async reload(nextConfig: Config): Promise<ReloadPlan> {
    const next = this.#secure(nextConfig);
    // The FIFOs stay open across a reload unless their paths or scripts changed.
    const fifoKey = (c: Config) =>
      JSON.stringify(
        [c.global.notifyFifo, c.global.vrrpNotifyFifo].map((f) => [
          f?.path,
          f?.script?.argv,
          f?.script?.user,
          f?.script?.group,
          f?.user,
          f?.group,
        ]),
      );
    const reopenFifos = fifoKey(next) !== fifoKey(this.config);
    const plan = diffConfigs(this.config, next);
    const going = this.instances.filter((rt) => !plan.keep.includes(rt.plan.name));
    for (const rt of going) {
      // keepalived reports a removed instance as FAULT (DELETED with notify_deleted), not STOP.
      if (plan.remove.includes(rt.plan.name)) this.#notifiers.get(rt.plan.name)?.markRemoved();
      rt.feed({ type: 'shutdown' });
      this.scheduler.cancelPrefix(`${rt.plan.name}/`);
      rt.detach();
    }
    await Promise.all(going.flatMap((rt) => [...rt.pending]));
    for (const rt of going) await this.#vmacs?.remove(rt.plan.name);
    this.config = next;
    this.#openSmtp();
    if (reopenFifos) await this.#reopenFifos();
    await this.#vmacs?.create(next.vrrpInstances, this.#interfaces);
    replaceInterfaces(this.#interfaces, await readInterfaces(this.#nl!));
    this.#linkLayerCache.clear();
    await this.#startTracking(plan.keep);
    const kept = new Map(this.instances.filter((rt) => !going.includes(rt)).map((rt) => [rt.plan.name, rt]));
    this.instances = next.vrrpInstances.map((i) => kept.get(i.name) ?? this.#createRuntime(i));
    this.#startGroups(this.#groups ?? undefined);
    this.#tracking?.evaluateAll();
    if (next.global.fifoWriteVrrpStatesOnReload) this.#writeStatesOnReload(kept);
    await this.#startSyncDaemon();
    this.#startOrHoldAll(this.instances.filter((rt) => !kept.has(rt.plan.name)));
    await this.#reshapeFirewall();
    for (const [key, ch] of this.channels) {
      if (ch.size > 0) continue;
      ch.close();
      this.channels.delete(key);
    }
    return plan;
  }

  /**
   * fifo_write_vrrp_states_on_reload: the states of the groups and instances that ran
   * before the reload go to the FIFOs again (reloadStateLines). Instances and groups the
   * reload adds are left out: their start-up notifies, which follow, report them once.
   */
  #writeStatesOnReload(kept: ReadonlyMap<string, InstanceRuntime>): void {
    const groups = (this.#groups?.states() ?? []).filter((g) => g.members.some((m) => kept.has(m)));
    const instances = this.instances
      .filter((rt) => kept.has(rt.plan.name))
      .map((rt) => ({ name: rt.plan.name, state: rt.state.state, priority: rt.state.effectivePriority }));
    for (const line of reloadStateLines(groups, instances)) this.#fifos.write(line);
  }

  /** After a reload: the firewall follows the new instances (made, rebuilt or removed). */
  async #reshapeFirewall(): Promise<void> {
    const guarded = this.#guarded();
    this.#guardedInstances = guarded;
    const shape = firewallShape(guarded, this.config.global.nftables !== undefined);
    if (shape === null) {
      await this.#firewall?.stop();
      this.#firewall = null;
    } else if (this.#firewall === null) {
      await this.#startFirewall();
    } else {
      await this.#firewall.reshape(shape, firewallContents(guarded, this.#dropping));
    }
    this.#refreshFirewall();
  }

  /** Instances held in INIT until their weight-0 scripts first report (keepalived). */
  readonly #held = new Set<string>();

  /**
   * Starts `list` (those not held in INIT) with one reading of the clock taken once all
   * of them listen, as keepalived starts its instances at one time_now: their
   * Master_Down_Timers then come due together, so do the takeovers and every advert
   * after them, and a master wakes once per interval to send them all instead of once
   * per instance (255 instances started one after another spread over ~100 ms, and
   * their adverts stayed spread over the interval).
   */
  #startOrHoldAll(list: readonly InstanceRuntime[]): void {
    const starting = list.filter((rt) => !this.#holdsInit(rt));
    for (const rt of starting) this.#openInstance(rt);
    const nowMs = this.clock.nowMs();
    for (const rt of starting) rt.feed({ type: 'start' }, nowMs);
  }

  #holdsInit(rt: InstanceRuntime): boolean {
    if (!this.#tracking?.holdsInit(rt.plan.name)) return false;
    this.#held.add(rt.plan.name);
    this.log.detail(`(${rt.plan.name}) waiting for its tracked scripts before leaving INIT`);
    return true;
  }

  #releaseHeld(name: string): void {
    if (!this.#held.delete(name)) return;
    const rt = this.instances.find((r) => r.plan.name === name);
    if (rt !== undefined) this.#startInstance(rt);
  }

  #startInstance(rt: InstanceRuntime): void {
    this.#openInstance(rt);
    rt.feed({ type: 'start' });
  }

  /** Joins the instance to its channel, or faults it (no interface, no socket). */
  #openInstance(rt: InstanceRuntime): void {
    this.#linkLayer(rt.plan.ifindex);
    const p = rt.plan;
    if (p.problem !== null) {
      this.log.info(`(${p.name}) ${p.problem}`);
      rt.feed({ type: 'fault', reason: p.problem });
    } else {
      try {
        rt.attach(this.#channel(rt));
      } catch (e) {
        this.log.info(`(${p.name}) cannot open VRRP socket on ${p.ifname}: ${(e as Error).message}`);
        rt.feed({ type: 'fault', reason: 'socket' });
      }
    }
  }

  #channel(rt: InstanceRuntime): VrrpChannel {
    const p = rt.plan;
    const key = `${p.ifname}/${p.family}/${p.protocol}`;
    let ch = this.channels.get(key);
    if (ch !== undefined && ch.options.ifindex !== p.ifindex) {
      // The interface was re-created: the old socket is bound to an ifindex that is gone.
      ch.close();
      this.channels.delete(key);
      ch = undefined;
    }
    if (ch === undefined) {
      const group =
        p.family === 'ipv4' ? this.config.global.vrrpMcastGroup4 : this.config.global.vrrpMcastGroup6;
      ch = VrrpChannel.open({
        ifname: p.ifname,
        ifindex: p.ifindex,
        family: p.family,
        protocol: p.protocol,
        group: { family: p.family, bytes: parseGroup(group, p) },
      });
      this.channels.set(key, ch);
    }
    return ch;
  }

  readonly #linkLayerCache = new Map<number, { mac: Uint8Array; router: boolean }>();

  /** MAC and IPv6 forwarding flag of an interface, read once (sysctl read is synchronous). */
  #linkLayer(ifindex: number): { mac: Uint8Array; router: boolean } {
    const cached = this.#linkLayerCache.get(ifindex);
    if (cached) return cached;
    let out: { mac: Uint8Array; router: boolean } = { mac: new Uint8Array(0), router: false };
    for (const i of this.#interfaces.values()) {
      if (i.ifindex === ifindex) out = { mac: i.mac, router: ipv6Forwarding(i.name) };
    }
    this.#linkLayerCache.set(ifindex, out);
    return out;
  }

  /** The tracker of the interface logs keepalived's "Netlink reports NAME up|down". */
  #onLink(ifindex: number, name: string, up: boolean): void {
    if (up) this.#rebind(name);
    const usable = up && this.#usable(name);
    this.#tracking?.handleLinkChange(
      ifindex,
      name,
      usable,
      up && !usable ? this.#unusableWhy(name) : undefined,
    );
  }

  /** The log line of an interface that is up but held down for its instances. */
  #unusableWhy(name: string): string {
    if (this.#vmacsPending.has(name)) return `Netlink reports ${name} up, waiting for its VMACs`;
    return `Netlink reports ${name} up, but without the address its instances send from`;
  }

  /** An address change made an interface usable for its instances, or not: trackers follow. */
  #addressUsability(info: InterfaceInfo): void {
    const usable = this.#usable(info.name);
    const why = usable
      ? `Interface ${info.name} has an address to send from again`
      : `Interface ${info.name} lost the address its instances send from`;
    this.#tracking?.handleLinkChange(info.ifindex, info.name, usable, info.up ? why : undefined);
  }

  /**
   * Without dynamic_interfaces keepalived stops when the config names an interface the
   * host lacks; with it the instances wait for the interface in FAULT.
   */
  #checkInterfacesExist(): void {
    const missing = missingInterfaces(this.config, this.#interfaces);
    if (missing.length === 0) return;
    if (!this.config.global.dynamicInterfaces) throw new NonExistentInterfaceError(missing);
    for (const name of missing)
      this.log.info(
        `Configuration specifies interface ${name} which doesn't currently exist - will use if created`,
      );
  }

  /**
   * What the trackers are told of an interface: up only when the link is up and every
   * instance on it has what it needs to run there (its source address): an instance
   * whose interface came back without its address stays in FAULT until the address comes.
   */
  #usable(name: string): boolean {
    const info = this.#interfaces.get(name);
    if (info === undefined || !info.up || this.#vmacsPending.has(name)) return false;
    return !this.instances.some((rt) => rt.plan.ifname === name && rt.plan.problem !== null);
  }

  /** Parents whose instances' VMACs are being made again (they went with the parent). */
  readonly #vmacsPending = new Set<string>();

  /**
   * An interface appeared. A parent back under its name gets its instances' VMACs made
   * again (the kernel deleted them with it), as keepalived does; its instances wait in
   * FAULT until they exist, then move onto them.
   */
  #onInterfaceAdded(info: InterfaceInfo): void {
    // keepalived does not announce the VMACs it makes itself.
    const vmacNames = this.config.vrrpInstances.flatMap((i) =>
      i.useVmac === undefined ? [] : [vmacName(i.virtualRouterId ?? 0, i.useVmac.name)],
    );
    if (!vmacNames.includes(info.name)) this.log.info(`Interface ${info.name} added`);
    const vmacs = this.#vmacs;
    if (vmacs === null) return;
    const running = new Set(this.instances.map((rt) => rt.plan.name));
    const lost = this.config.vrrpInstances
      .filter((i) => running.has(i.name) && i.useVmac !== undefined && i.interface === info.name)
      .filter((i) => {
        const v = vmacs.of(i.name);
        return v === undefined || !this.#interfaces.has(v);
      });
    if (lost.length === 0) return;
    for (const i of lost) vmacs.forget(i.name);
    this.#vmacsPending.add(info.name);
    void vmacs
      .create(lost, this.#interfaces)
      .then(async () => {
        // The new links normally reached the table through the monitor already.
        for (const [n, i] of await readInterfaces(this.#nl!))
          if (!this.#interfaces.has(n)) this.#interfaces.set(n, i);
      })
      .catch((e: unknown) =>
        this.log.info(`VMAC re-creation on ${info.name} failed: ${(e as Error).message}`),
      )
      .finally(() => {
        this.#vmacsPending.delete(info.name);
        const now = this.#interfaces.get(info.name);
        if (now === undefined) return;
        if (now.up) this.#rebind(now.name);
        this.#tracking?.handleLinkChange(
          now.ifindex,
          now.name,
          this.#usable(now.name),
          now.up ? `Netlink reports ${now.name} up` : undefined,
        );
      });
  }

  /**
   * Interface `name` appeared, came up or gained an address: every instance bound to it
   * whose plan no longer matches the kernel (new ifindex, new source address, a problem
   * gone) moves to a fresh plan, keeping its state (src/daemon/dynamic-interfaces.ts).
   */
  #rebind(name: string): void {
    if (this.#vmacsPending.has(name)) return;
    let moved = false;
    const view = withoutVips(
      this.#interfaces,
      this.instances.flatMap((rt) => rt.plan.vips),
    );
    this.instances = this.instances.map((rt) => {
      // A VMAC instance's plan names its VMAC; its parent is the configured interface.
      const configured = this.config.vrrpInstances.find((i) => i.name === rt.plan.name);
      if (configured === undefined || !(planUses(rt.plan, name) || configured.interface === name)) return rt;
      const fresh = this.#vmacs!.plan(configured, this.config, view);
      if (!planMoved(rt.plan, fresh)) return rt;
      moved = true;
      return this.#moveRuntime(rt, fresh);
    });
    if (!moved) return;
    this.#guardedInstances = this.#guarded();
    this.#refreshFirewall();
  }

  /** A new runtime on `plan` taking over `old`'s state, timers, notifier and sync group. */
  #moveRuntime(old: InstanceRuntime, plan: InstancePlan): InstanceRuntime {
    const name = old.plan.name;
    const notifier = this.#notifiers.get(name) ?? this.#notifier();
    const next = this.#runtime(plan, notifier);
    old.detach();
    next.router = old.router;
    next.apply(carriedState(old.state, next.state.config));
    this.log.detail(`(${name}) now on ${plan.ifname} (ifindex ${plan.ifindex})`);
    if (plan.problem !== null || this.#held.has(name)) return next;
    try {
      next.attach(this.#channel(next));
    } catch (e) {
      this.log.info(`(${name}) cannot open VRRP socket on ${plan.ifname}: ${(e as Error).message}`);
    }
    return next;
  }

  /** The kernel deleted an interface: its sockets are closed (their ifindex is gone). */
  #onInterfaceDeleted(info: InterfaceInfo): void {
    this.log.info(`Interface ${info.name} deleted`);
    this.#linkLayerCache.delete(info.ifindex);
    for (const [key, ch] of this.channels) {
      if (ch.options.ifindex !== info.ifindex) continue;
      for (const rt of this.instances) if (rt.channel === ch) rt.detach();
      ch.close();
      this.channels.delete(key);
    }
  }

  /** The interface with `ifindex` (address events name interfaces by index; a takeover makes one per VIP). */
  #interfaceAt(ifindex: number): InterfaceInfo | undefined {
    for (const info of this.#interfaces.values()) if (info.ifindex === ifindex) return info;
    return undefined;
  }

  /** An instance's source address went: it waits in FAULT for one (keepalived: no IPv4 address). */
  #onSourceAddressDeleted(a: Address): void {
    const info = this.#interfaceAt(a.ifindex);
    if (info === undefined || !this.instances.some((rt) => sourceAddressGone(rt.plan, info))) return;
    this.#rebind(info.name);
    this.#addressUsability(info);
  }

  /** An address came: an instance waiting for its source address on that interface can run. */
  #onAddressAdded(a: Address): void {
    const info = this.#interfaceAt(a.ifindex);
    if (info === undefined) return;
    if (!this.instances.some((rt) => planUses(rt.plan, info.name) && rt.plan.problem !== null)) return;
    this.#rebind(info.name);
    this.#addressUsability(info);
  }

  /**
   * A VIP someone else deleted while its instance is MASTER goes back at once. keepalived
   * 2.2.7 gets there through BACKUP (priority-0 advert, notify_backup) and straight back to
   * MASTER; keepalived-ts stays MASTER: no advert that starts the backups' Skew_Time, no
   * notify pair (README, compatibility notes). keepalived's log line is kept for greps.
   */
  #onAddressDeleted(a: Address): void {
    const local = a.local ?? a.address;
    if (local === undefined || this.#addresses === null) return;
    const spec = this.#addresses.wanted(a.ifindex, local, a.prefixLen);
    if (spec === undefined) return;
    const owner = this.instances.find((rt) => rt.state.state === 'MASTER' && rt.plan.vips.includes(spec));
    if (owner === undefined) return;
    this.vipRestores++;
    const ip = formatIp({ family: a.family === 2 ? 'ipv4' : 'ipv6', bytes: local });
    this.log.info(
      `Netlink reflector reports IP ${ip} removed from ${this.#interfaceAt(a.ifindex)?.name ?? a.ifindex}`,
    );
    this.log.info(`(${owner.plan.name}) virtual address ${ip} deleted by another process - restoring`);
    void this.#addresses.add(spec);
  }

  /** track_bfd sessions with their counters, and BFD drops by reason (status output). */
  bfdStatus(): ReturnType<TrackingCoordinator['bfdStatus']> | null {
    return this.#tracking?.bfdStatus() ?? null;
  }

  /** Tracking's latest verdict for an instance (status output), or null. */
  trackingVerdict(name: string): { total: number; priority: number; faultBy: readonly unknown[] } | null {
    return this.#tracking?.verdict(name) ?? null;
  }

  /** SIGSTATS_CLEAR: zero every instance's and channel's counters. */
  clearStats(): void {
    for (const rt of this.instances) rt.clearStats();
    for (const ch of this.channels.values()) ch.clearStats();
  }

  /**
   * SIGTERM's first act, before stop(): every MASTER's priority-0 advert
   * (InstanceRuntime.advertiseShutdown). `dryRun` keeps the path compiled.
   */
  advertiseShutdown(dryRun = false): void {
    for (const rt of this.instances) rt.advertiseShutdown(dryRun);
  }

  /** Graceful stop: shutdown every instance, wait for VIP removal, remove leftovers. */
  async stop(): Promise<void> {
    this.#groups?.beginStop();
    for (const rt of this.instances) rt.feed({ type: 'shutdown' });
    this.#groups?.endStop();
    this.scheduler.cancelAll();
    await Promise.all(this.instances.flatMap((rt) => [...rt.pending]));
    await this.#syncDaemon?.stop();
    await this.#addresses?.removeAll();
    await this.#firewall?.stop();
    await this.#routes?.removeAll();
    await this.#vmacs?.removeAll();
    await this.#runner.drain(2000);
    // The STOP mails are on their way: give them the time keepalived's shutdown gives its scripts.
    await this.#smtp?.alerter.drain(2000);
    this.close();
  }

  close(): void {
    this.scheduler.close();
    this.#tracking?.stop();
    for (const rt of this.instances) rt.detach();
    for (const ch of this.channels.values()) ch.close();
    this.channels.clear();
    this.#garp.close();
    this.#runner.close();
    this.#fifos.close();
    this.#smtp?.alerter.close();
    this.#events?.close();
    this.#nl?.close();
  }
}

/** keepalived 2.2.7 stops at start-up (exit status 2) on an interface it lacks, without dynamic_interfaces. */
export class NonExistentInterfaceError extends Error {
  readonly interfaces: readonly string[];
  constructor(interfaces: readonly string[]) {
    super('Non-existent interface specified in configuration');
    this.interfaces = interfaces;
  }
}

function scriptPolicy(config: Config): ScriptUserPolicy {
  const g = config.global;
  return { securityEnabled: g.enableScriptSecurity, ...(g.scriptUser ? { scriptUser: g.scriptUser } : {}) };
}

/** A created FIFO belongs to the default script user (script_user, else keepalived_script). */
function fifoOwner(policy: ScriptUserPolicy): { owner?: { uid: number; gid: number } } {
  const ids = scriptIdentity({}, policy, selfIds());
  return 'error' in ids ? {} : { owner: ids };
}

/** global_defs `umask` (a number, octal with a leading 0), else keepalived's default 0177. */
function daemonUmask(config: Config): number {
  const text = (config.global as { umask?: string }).umask;
  const v = text === undefined ? Number.NaN : Number.parseInt(text, text.startsWith('0') ? 8 : 10);
  return Number.isInteger(v) && v >= 0 && v <= 0o777 ? v : 0o177;
}
