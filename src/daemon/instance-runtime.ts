/**
 * @module One running VRRP instance: its engine state, its channel membership (receive
 * path: accepted adverts become engine events, drops are counted per reason), and the
 * effect ports that reach the shared sockets, netlink, timers, GARP sender and notifier.
 */

import type { AddressManager } from '../io/addresses.js';
import { AdvertSender } from '../io/advert-sender.js';
import type { Clock } from '../io/clock.js';
import type { GarpSender } from '../io/garp.js';
import type { Notifier } from '../io/notify.js';
import type { RouteManager } from '../io/routes.js';
import type { ChannelMember, VrrpChannel } from '../io/vrrp-channel.js';
import { stopSendSent, stopSignalled } from '../native/stop-send.js';
import {
  createInstance,
  EMPTY_STATS,
  type InstanceState,
  normalizeConfig,
  rehearseRarePaths,
  type StepResult,
  shutdownAdvertPriority,
  step,
  type TimerName,
  VRRP_PRIO_OWNER,
  VRRP_PRIO_STOP,
  type VrrpEvent,
} from '../vrrp/index.js';
import {
  type AdvertView,
  type DropReason,
  type InstanceExpectations,
  type VrrpPacket,
  withAhLastSequence,
} from '../wire/index.js';
import { dispatchEffects, type EffectPorts, type EffectSequencer } from './dispatcher.js';
import type { InstancePlan } from './instance-config.js';
import type { Logger } from './log.js';
import type { ArmOptions, Scheduler, TimerCallback } from './scheduler.js';

/** An Adver_Timer may fire this much early (Node timers count whole milliseconds). */
const TIMER_SLACK_MS = 1;
/** The scheduler's options for exact and slacked timers, made once (see #armOptions). */
const EXACT: ArmOptions = { slackMs: 0 };
const SLACKED: ArmOptions = { slackMs: TIMER_SLACK_MS };

/** One engine timer's scheduler key and callback. */
interface TimerHandle {
  readonly key: string;
  readonly fire: TimerCallback;
}

export interface RuntimeDeps {
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly log: Logger;
  readonly addresses: AddressManager;
  /** virtual_routes / virtual_rules, installed with the VIPs under the instance's name. */
  readonly routes: RouteManager;
  readonly garp: GarpSender;
  readonly notifier: Notifier;
  /** MAC and IPv6 forwarding of an interface, for GARP/NA frames. */
  readonly linkLayer: (ifindex: number) => { mac: Uint8Array; router: boolean };
  /** Orders effects around overdue timers (src/daemon/dispatcher.ts); without it, each step's in turn. */
  readonly sequencer?: EffectSequencer;
  /** Sends the adverts the daemon's corked channels hold now (EffectPorts.sendQueuedAdverts). */
  readonly sendQueuedAdverts?: () => void;
}

export class InstanceRuntime implements ChannelMember {
  readonly plan: InstancePlan;
  state: InstanceState;
  readonly drops = new Map<DropReason, number>();
  readonly vrid: number;
  #ahLastSequence = 0;
  #sender: AdvertSender | null = null;
  #channel: VrrpChannel | null = null;
  readonly #deps: RuntimeDeps;
  readonly #ports: EffectPorts;
  /** VIP netlink operations in flight (awaited on stop). */
  readonly pending = new Set<Promise<void>>();
  advertSendErrors = 0;

  constructor(plan: InstancePlan, deps: RuntimeDeps) {
    this.plan = plan;
    this.vrid = plan.engine.vrid;
    this.#deps = deps;
    const { config, warnings } = normalizeConfig(plan.engine);
    for (const w of warnings) deps.log.info(w);
    this.state = createInstance(config);
    this.#ports = this.#makePorts();
  }

  attach(channel: VrrpChannel): void {
    this.#channel = channel;
    this.#sender = new AdvertSender(this.plan.advert, channel);
    // A stop's advert and a takeover's first one are encoded now, not when they are due.
    this.#sender.prepare(VRRP_PRIO_STOP, this.state.config.adverIntCs);
    this.#sender.prepare(this.state.effectivePriority, this.state.config.adverIntCs);
    channel.add(this);
  }

  /**
   * Keeps the takeover and shutdown paths compiled (src/vrrp/rehearsal.ts): a dry run of
   * the engine on a copy, nothing is sent or changed. The daemon repeats it now and then
   * (it once had to: V8 dropped the bytecode of functions that had not run for a while,
   * which --no-flush-bytecode now stops, src/daemon/v8-flags.ts). `times`:
   * V8 gives a function its type feedback only after several calls, and a path run once
   * still takes several times longer than one run ten times (a priority-0 step: ~85 vs
   * ~60 µs, the takeover step ~44 vs ~25 µs, medians of 5 runs on this machine).
   * The caller runs it after the due timers and queued datagrams of a loop turn
   * (src/daemon/main.ts keepRarePathsWarm).
   */
  rehearse(times = 1): void {
    const now = this.#deps.clock.nowMs();
    for (let i = 0; i < times; i++) rehearseRarePaths(this.state.config, now);
  }

  /** The priority of an advert already sent ahead of the step that produces it, or -1. */
  #sentAhead = -1;

  /**
   * SIGTERM's first act: the priority-0 advert the shutdown step will produce goes out
   * now, before the step is taken and anything else is done (the step's own copy is then
   * not sent again). `dryRun` only decides, keeping this path compiled.
   */
  advertiseShutdown(dryRun = false): void {
    const priority = shutdownAdvertPriority(this.state);
    if (priority === null || dryRun || this.#sender === null) return;
    const slots = this.#stopSlots;
    const sentAtSignal = slots !== null && slots.length > 0 && slots.every(stopSendSent);
    if (!sentAtSignal && !this.#sender.send(priority, this.state.config.adverIntCs)) this.advertSendErrors++;
    this.#sentAhead = priority;
  }

  /**
   * The slots of this instance's shutdown advert in the stop signal's handler: null
   * while none is armed, empty when it could not be (the shutdown sends it then).
   */
  #stopSlots: number[] | null = null;

  /**
   * Keeps the advert a shutdown would send armed in the stop signal's handler while
   * there is one (MASTER), so SIGTERM puts it on the wire before the loop hears of it
   * (src/native/stop-send.ts); withdrawn as soon as there is none.
   */
  #armStopSend(): void {
    const priority = this.#sender === null ? null : shutdownAdvertPriority(this.state);
    if ((priority !== null) === (this.#stopSlots !== null)) return;
    this.#disarmStopSend();
    if (priority !== null)
      this.#stopSlots = this.#sender?.armStop(priority, this.state.config.adverIntCs) ?? [];
  }

  #disarmStopSend(): void {
    if (this.#stopSlots !== null) this.#sender?.disarmStop(this.#stopSlots);
    this.#stopSlots = null;
  }

  detach(): void {
    this.#disarmStopSend();
    this.#channel?.remove(this);
    this.#channel = null;
    this.#sender = null;
  }

  get channel(): VrrpChannel | null {
    return this.#channel;
  }

  /**
   * Where events go instead of this instance's own engine step: its sync group
   * (src/vrrp/sync-group.ts), which steps it and the members that follow it.
   */
  router: ((event: VrrpEvent) => void) | null = null;

  /**
   * Steps the engine (through the sync group, if any) and performs its effects. `nowMs`
   * is the time of the event: now, or a timer's deadline when it fired within its slack.
   */
  feed(event: VrrpEvent, nowMs: number = this.#deps.clock.nowMs()): void {
    if (this.router !== null) {
      this.router(event);
      return;
    }
    this.apply(step(this.state, event, nowMs));
  }

  /** Takes a step's result: the new state, then its effects in order. */
  apply(r: StepResult): void {
    this.state = r.instance;
    const sequencer = this.#deps.sequencer;
    if (sequencer === undefined) dispatchEffects(r.effects, r.instance, this.#ports);
    else sequencer.perform(r.effects, r.instance, this.#ports);
    // What was sent ahead stands in for this step's advert only, never a later one's.
    this.#sentAhead = -1;
    this.#armStopSend();
  }

  clearStats(): void {
    this.state = { ...this.state, stats: EMPTY_STATS };
    this.drops.clear();
    this.advertSendErrors = 0;
  }

  /** Rebuilt only when the AH sequence moves: the channel asks once per received packet. */
  #expectations: InstanceExpectations | null = null;

  expectations(): InstanceExpectations {
    const e = this.#expectations;
    if (e !== null && e.ahLastSequence === this.#ahLastSequence) return e;
    this.#expectations = withAhLastSequence(this.plan.expectations, this.#ahLastSequence);
    return this.#expectations;
  }

  /** The view lives in the channel's reused buffer: the source is copied only for a new master. */
  onAdvert(advert: AdvertView): void {
    if (advert.hasAh) {
      this.#ahLastSequence = advert.ahSequence;
      this.#sender?.seedAhSequence(advert.ahSequence);
    }
    const master = this.state.masterAddress;
    const source = master !== null && advert.sourceIs(master) ? master : advert.copySource();
    this.feed({
      type: 'advert',
      advert: { priority: advert.priority, maxAdverIntCs: advert.maxAdverIntCs, source },
    });
  }

  onDrop(reason: DropReason, detail: string): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
    this.#deps.log.detail(`(${this.plan.name}) dropping advert: ${detail}`);
  }

  #track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Scheduler key and callback per timer, made once: an advert re-arms a timer every interval. */
  #timerHandles: Record<TimerName, TimerHandle> | null = null;

  /** Found by a switch, not a Map: the Master_Down_Timer is re-armed on every advert received. */
  #timerHandle(timer: TimerName): TimerHandle {
    let h = this.#timerHandles;
    if (h === null) {
      h = {
        adver: this.#makeTimerHandle('adver'),
        masterDown: this.#makeTimerHandle('masterDown'),
        garpMasterDelay: this.#makeTimerHandle('garpMasterDelay'),
        garpLowerPrio: this.#makeTimerHandle('garpLowerPrio'),
      };
      this.#timerHandles = h;
    }
    switch (timer) {
      case 'adver':
        return h.adver;
      case 'masterDown':
        return h.masterDown;
      case 'garpMasterDelay':
        return h.garpMasterDelay;
      case 'garpLowerPrio':
        return h.garpLowerPrio;
    }
  }

  #makeTimerHandle(timer: TimerName): TimerHandle {
    return { key: `${this.plan.name}/${timer}`, fire: (nowMs) => this.#timerDue(timer, nowMs) };
  }

  /**
   * How early a timer may fire (src/daemon/scheduler.ts): the Master_Down_Timer never
   * (a takeover is the protocol's deadline), adverts and GARP delays within a
   * millisecond. A sync group steps its members at its own clock, so they stay exact.
   */
  #armOptions(timer: TimerName): ArmOptions {
    return timer === 'masterDown' || this.router !== null ? EXACT : SLACKED;
  }

  /**
   * Node runs due timers before it reads sockets, so after the loop was held up (a busy
   * machine, a long GC) every Master_Down_Timer would fire while the master's adverts
   * wait unread in the socket: a spurious takeover. keepalived reads what is queued
   * before it declares the master down; so do we, at once: the channel's queued
   * datagrams are read before the timer is delivered. An advert read then re-arms the
   * timer, and the engine ignores the stale firing. (This used to wait for the loop's
   * next poll phase on setImmediate turns: a takeover after priority 0 paid a loop turn.)
   * The same for an Adver_Timer over an interval late (a master that was stopped, then
   * continued, while another took over): a better master's queued adverts make it yield
   * in this callback, instead of a stale advert first and a yield a loop turn later.
   * Every step is told the scheduler's time, not a reading taken now: instances whose
   * timers came due together take over together, and their Adver_Timers stay together,
   * however long the 255 takeovers before them took (each told its own reading, 255
   * takeovers at 0.1 s left their adverts in 2-4 bursts 8-20 ms apart, for good).
   */
  #timerDue(timer: TimerName, nowMs: number): void {
    if (timer === 'masterDown' || (timer === 'adver' && this.#lateByAnInterval(nowMs))) {
      this.#channel?.readPending();
    }
    this.feed({ type: 'timer', timer }, nowMs);
  }

  /** Not for an address owner: nothing but a second owner can make it yield (a config error). */
  #lateByAnInterval(nowMs: number): boolean {
    const due = this.state.timers.adver;
    if (due === null || this.state.effectivePriority === VRRP_PRIO_OWNER) return false;
    return nowMs - due > this.state.config.adverIntCs * 10;
  }

  #makePorts(): EffectPorts {
    const d = this.#deps;
    const name = this.plan.name;
    return {
      sendAdvert: (priority, adverIntCs) => {
        if (priority === this.#sentAhead) {
          this.#sentAhead = -1;
          return;
        }
        // A stop signal's handler has sent the priority-0 adverts: nothing else may follow.
        if (priority !== VRRP_PRIO_STOP && stopSignalled()) return;
        if (this.#sender && !this.#sender.send(priority, adverIntCs)) this.advertSendErrors++;
      },
      armTimer: (timer, atMs) => {
        const h = this.#timerHandle(timer);
        d.scheduler.arm(h.key, atMs, h.fire, this.#armOptions(timer));
      },
      cancelTimer: (timer) => d.scheduler.cancel(this.#timerHandle(timer).key),
      addVips: () => {
        for (const spec of this.plan.vips) this.#track(d.addresses.add(spec));
        const src = this.plan.source;
        if (src.virtualRoutes.length + src.virtualRules.length > 0) {
          this.#track(d.routes.install(name, src.virtualRoutes, src.virtualRules));
        }
      },
      removeVips: () => {
        for (const spec of this.plan.vips) this.#track(d.addresses.remove(spec));
        const src = this.plan.source;
        if (src.virtualRoutes.length + src.virtualRules.length > 0) this.#track(d.routes.remove(name));
      },
      sendGarp: (repeat) => this.#garp(repeat),
      notify: (state, priority) => d.notifier.notify(this.plan.source.notify, name, state, priority),
      notifyMasterRxLowerPri: () =>
        d.notifier.event(
          this.plan.source.notifyMasterRxLowerPri,
          name,
          'MASTER_RX_LOWER_PRI',
          this.state.effectivePriority,
        ),
      log: (text, detail) => (detail ? d.log.detail(text) : d.log.info(text)),
      nowMs: () => d.clock.nowMs(),
      flushLog: () => d.log.writePending?.(),
      ...(d.sendQueuedAdverts === undefined ? {} : { sendQueuedAdverts: d.sendQueuedAdverts }),
    };
  }

  #garp(repeat: number): void {
    const byIf = new Map<number, VrrpPacket['addresses'][number][]>();
    for (const spec of this.plan.vips) {
      const list = byIf.get(spec.ifindex) ?? [];
      list.push({ family: spec.family === 2 ? 'ipv4' : 'ipv6', bytes: spec.local });
      byIf.set(spec.ifindex, list);
    }
    for (const [ifindex, vips] of byIf) {
      const ll = this.#deps.linkLayer(ifindex);
      this.#deps.garp.burst({ ifindex, mac: ll.mac, router: ll.router, vips }, repeat);
    }
  }
}
