/**
 * @module `startLvs(config, {log, dataPlane?})`: the LVS half of the daemon. Builds the
 * model, starts every checker on a CheckRunner, turns checker transitions into real
 * server health, quorum transitions (plan.ts) and data-plane syncs, and runs notify_up /
 * notify_down / quorum_up / quorum_down scripts (argv as configured, no shell, no extra
 * arguments — as keepalived runs them) and writes keepalived's `RS ... UP|DOWN` /
 * `VS ... UP|DOWN` lines to notify_fifo / lvs_notify_fifo. Scripts pass keepalived's
 * script security first (insecure or missing ones are disabled). Syncs are serialized and coalesced; a periodic
 * sync reconciles external changes. `stop()` clears the data plane (omega: runs the down
 * notifiers first). Meant to run in the checker process, never on the VRRP loop.
 */
import { loadCheckFns } from '../check/dispatch.js';
import { CheckRunner } from '../check/runner.js';
import { type CheckerState, realServerUp, realServerWeight } from '../check/schedule.js';
import type { CheckFn, CheckSpec } from '../check/types.js';
import type { Config, ScriptCommand } from '../config/model.js';
import { ScriptRunner } from '../io/script-runner.js';
import { gateCheckerScripts } from '../io/script-security-gate.js';
import { probeScript } from '../io/script-security-probe.js';
import { SmtpAlerter } from '../io/smtp-alert.js';
import {
  checkerAlertBody,
  checkerAlertDue,
  quorumBody,
  REMOVED_BODY,
  realServerAlert,
  realServerAlertsOn,
  SHUTDOWN_BODY,
  virtualServerAlert,
  virtualServerAlertsOn,
} from '../io/smtp-alert-format.js';
import { defaultUserNotice, type ScriptUserPolicy, scriptIdentity, selfIds } from '../io/users.js';
import type { DataPlane } from './data-plane.js';
import { selectDataPlane } from './data-plane.js';
import { checkerLine, quorumLine, rsChangeLine, rsText, vsText } from './log-text.js';
import { lvsModel, type RealSpec, type ServiceState, type VirtualSpec } from './model.js';
import { aliveWeight, desiredServices, initialQuorum, type RealHealth, stepQuorum } from './plan.js';

export interface LvsLog {
  info(text: string): void;
  /** -D (log_detail) lines; dropped when absent. */
  detail?(text: string): void;
}

/** What a reload carries from the old checker to the new one (opaque to callers). */
export interface LvsCarry {
  readonly checks: ReadonlyMap<string, { readonly key: string; readonly state: CheckerState }>;
  readonly quorum: ReadonlyMap<string, boolean>;
  /** Real servers by `service id|rs id`: their texts, health and smtp_alert (a reload's "Removing" mail). */
  readonly reals?: ReadonlyMap<
    string,
    { readonly vs: string; readonly rs: string; readonly up: boolean; readonly mail: boolean }
  >;
}

export interface LvsOptions {
  readonly log: LvsLog;
  /** From the previous instance's `carry()`: unchanged checkers keep their state. */
  readonly carry?: LvsCarry;
  readonly dataPlane?: DataPlane;
  /** Force a plane when `dataPlane` is not given (CLI flag; overrides global_defs). */
  readonly forcePlane?: 'ipvs' | 'nftables';
  readonly reconcileIntervalMs?: number;
  readonly concurrency?: number;
  readonly scripts?: { run: ScriptRunner['run'] };
  /**
   * keepalived's script security against the file system before any script runs (default:
   * on, unless `scripts` is injected: then the injected runner decides what runs).
   */
  readonly scriptSecurity?: boolean;
}

export interface LvsStatus {
  readonly plane: string;
  readonly checksRun: number;
  readonly syncs: number;
  readonly syncErrors: number;
  readonly services: readonly {
    readonly id: string;
    readonly quorumUp: boolean;
    readonly reals: readonly { readonly id: string; readonly up: boolean; readonly weight: number }[];
  }[];
  readonly desired: readonly ServiceState[];
}

export interface LvsHandle {
  /**
   * Stops the checkers; with omega runs the down notifiers; clears the data plane unless
   * `keepPlane` (a reload hands the kernel state to the next startLvs, which reconciles it).
   */
  stop(options?: { readonly keepPlane?: boolean }): Promise<void>;
  status(): LvsStatus;
  /** Resolves after the pending sync (if any) is applied. For tests and reloads. */
  settled(): Promise<void>;
  /** Checker and quorum states to hand to the next startLvs on reload. */
  carry(): LvsCarry;
}

interface VsRuntime {
  readonly spec: VirtualSpec;
  quorumUp: boolean;
  readonly health: Map<string, RealHealth>;
  readonly checks: Map<string, CheckSpec[]>;
  /** smtp_alert resolved as keepalived does: the virtual server's, and each real server's by id. */
  readonly mailVs: boolean;
  readonly mailRs: ReadonlyMap<string, boolean>;
}

async function defaultPlane(config: Config, opts: LvsOptions): Promise<DataPlane> {
  const forced = opts.forcePlane ?? config.global.dataPlane;
  const nft = async (): Promise<DataPlane> => {
    const { NftPlane } = await import('./nft-plane.js');
    return new NftPlane(opts.log);
  };
  return selectDataPlane({
    ...(forced ? { forced } : {}),
    log: opts.log,
    ipvsProbe: async () => {
      const { probeIpvs } = await import('./ipvs-probe.js');
      return probeIpvs();
    },
    makeIpvs: async () => {
      const { IpvsPlane } = await import('./ipvs-plane.js');
      return IpvsPlane.open();
    },
    makeNft: nft,
  });
}

/** notify_fifo / lvs_notify_fifo writers; their modules load only when one is configured. */
async function openFifos(
  config: Config,
  o: Omit<Parameters<typeof import('../io/notify-fifo.js').NotifyFifos.openAsync>[2], 'ownLabel'>,
) {
  const { notifyFifo, lvsNotifyFifo } = config.global;
  if (!notifyFifo && !lvsNotifyFifo) return undefined;
  const [{ NotifyFifos }, format] = await Promise.all([
    import('../io/notify-fifo.js'),
    import('../io/notify-fifo-format.js'),
  ]);
  const fifos = await NotifyFifos.openAsync(notifyFifo, lvsNotifyFifo, { ...o, ownLabel: 'lvs_' });
  return {
    realServer: (rs: string, vs: string, up: boolean) => fifos.write(format.realServerFifoLine(rs, vs, up)),
    virtualServer: (vs: string, up: boolean) => fifos.write(format.virtualServerFifoLine(vs, up)),
    close: () => fifos.close(),
  };
}

export async function startLvs(configured: Config, opts: LvsOptions): Promise<LvsHandle> {
  const log = opts.log;
  const scripts = opts.scripts ?? new ScriptRunner(64);
  const g = configured.global;
  const policy: ScriptUserPolicy = {
    securityEnabled: g.enableScriptSecurity,
    ...(g.scriptUser ? { scriptUser: g.scriptUser } : {}),
  };
  // Scripts run as their own user, else script_user, else keepalived_script, else as this process.
  const ids = (user: string, group?: string): { uid: number; gid: number } | undefined => {
    const r = scriptIdentity({ ...(user ? { user } : {}), ...(group ? { group } : {}) }, policy, selfIds());
    return 'error' in r ? undefined : r;
  };
  const config =
    (opts.scriptSecurity ?? opts.scripts === undefined)
      ? gateCheckerScripts(configured, {
          identity: (s) => scriptIdentity(s, policy, selfIds()),
          probe: (command, runAs) => probeScript(command, runAs),
          log: (t) => log.info(t),
          defaultUserNotice: defaultUserNotice(policy),
        })
      : configured;
  const whoFor = (sc: ScriptCommand) => ids(sc.user ?? '', sc.group);
  const runScript = (sc: ScriptCommand | undefined): void => {
    if (sc) void scripts.run({ argv: sc.argv, timeoutMs: 30_000, ...(whoFor(sc) ?? {}) });
  };
  // The model first: which checker kinds and optional parts (BFD, FIFOs) to load, in parallel.
  const model = lvsModel(config);
  const checks = model.flatMap((vs) => vs.reals.flatMap((rs) => rs.checks));
  const checkFnsLoading = loadCheckFns(checks);
  const bfdLoading = checks.some((c) => c.type === 'BFD_CHECK') ? import('../io/bfd-check.js') : undefined;
  const fifos = await openFifos(config, {
    ...(ids('') ? { owner: ids('')! } : {}),
    scriptIds: whoFor,
    onScriptExit: () => log.info('lvs notify fifo script terminated'),
    log: (t) => log.info(t),
  });
  // keepalived do_rs_notifies / do_vs_notifies: the script, then the FIFO line.
  const rsNotify = (rt: VsRuntime, rs: RealSpec, up: boolean): void => {
    runScript(up ? rs.notifyUp : rs.notifyDown);
    fifos?.realServer(rsText(rt.spec, rs), vsText(rt.spec), up);
  };
  const vsNotify = (rt: VsRuntime, up: boolean): void => {
    runScript(up ? rt.spec.quorumUp : rt.spec.quorumDown);
    fifos?.virtualServer(vsText(rt.spec), up);
  };
  const smtp = SmtpAlerter.fromConfig(
    config.global,
    (t) => log.info(t),
    (t) => log.detail?.(t),
  );
  // keepalived do_vs_notifies ends with the virtual server's mail; RS mails come from the checkers.
  const vsMail = (rt: VsRuntime, up: boolean, body: string): void => {
    if (smtp && rt.mailVs) smtp.send(virtualServerAlert(smtp.settings.routerId, vsText(rt.spec), up, body));
  };
  const rsMail = (rt: VsRuntime, rs: RealSpec, up: boolean, body: string): void => {
    if (smtp && rt.mailRs.get(rs.id))
      smtp.send(realServerAlert(smtp.settings.routerId, rsText(rt.spec, rs), vsText(rt.spec), up, body));
  };
  const plane = opts.dataPlane ?? (await defaultPlane(config, opts));
  // lvs_timeouts and lvs_sync_daemon exist only in IPVS; keepalived's checker applies them.
  const ipvsGlobals =
    plane.name === 'ipvs'
      ? await (await import('./ipvs-sync-daemon.js')).startIpvsGlobals(config, log)
      : undefined;
  const runtimes: VsRuntime[] = model.map((spec, i) => ({
    spec,
    mailVs: virtualServerAlertsOn(config.virtualServers[i]?.smtpAlert, config.global),
    mailRs: new Map(
      spec.reals.map((rs, j) => [
        rs.id,
        realServerAlertsOn(config.virtualServers[i]?.realServers[j]?.smtpAlert, config.global),
      ]),
    ),
    quorumUp: true,
    health: new Map(
      spec.reals.map((rs) => [rs.id, { up: rs.checks.length === 0 || !spec.alpha, weight: rs.weight }]),
    ),
    checks: new Map(),
  }));

  let syncs = 0;
  let syncErrors = 0;
  let dirty = true;
  // The first sync and the periodic ones read the kernel (external changes); health changes
  // in between are applied against what the plane last applied.
  let reread = true;
  let syncing: Promise<void> | undefined;
  let stopped = false;
  const desiredAll = (): ServiceState[] =>
    runtimes.flatMap((rt) => desiredServices(rt.spec, rt.health, rt.quorumUp));
  const sync = (): Promise<void> => {
    if (syncing) return syncing;
    syncing = (async () => {
      while (dirty && !stopped) {
        dirty = false;
        const fromLastApplied = !reread;
        reread = false;
        const r = await plane.sync(desiredAll(), { fromLastApplied });
        syncs++;
        if (!r.ok) {
          syncErrors++;
          log.info(`LVS: data plane sync failed: ${r.error}`);
        }
      }
    })().finally(() => {
      syncing = undefined;
    });
    return syncing;
  };

  const rsStates = (runner: CheckRunner, rt: VsRuntime, rs: RealSpec): CheckerState[] =>
    (rt.checks.get(rs.id) ?? [])
      .map((c) => runner.state(c.id) ?? bfdChecks?.state(c.id))
      .filter((s): s is CheckerState => s !== undefined);

  const onChange = (rt: VsRuntime, rs: RealSpec): void => {
    const states = rsStates(runner, rt, rs);
    const next: RealHealth = { up: realServerUp(states), weight: realServerWeight(rs.weight, states) };
    const prev = rt.health.get(rs.id)!;
    rt.health.set(rs.id, next);
    if (prev.up !== next.up) {
      log.info(rsChangeLine(rt.spec, rs, next.up));
      rsNotify(rt, rs, next.up);
    }
    const q = stepQuorum(rt.spec, rt.quorumUp, rt.health);
    if (q.event) {
      rt.quorumUp = q.quorumUp;
      const up = q.event === 'up';
      log.info(quorumLine(rt.spec, up, rt.health));
      vsNotify(rt, up);
      const threshold = rt.spec.quorum + (up ? 1 : -1) * rt.spec.hysteresis;
      vsMail(
        rt,
        up,
        quorumBody(up, false, rt.spec.quorum, rt.spec.hysteresis, threshold, aliveWeight(rt.spec, rt.health)),
      );
    }
    dirty = true;
    void sync();
  };

  const byCheck = new Map<string, { rt: VsRuntime; rs: RealSpec }>();
  // keepalived update_svr_checker_state: an alpha checker's first verdict, a failure,
  // changes nothing yet is reported (notify_down and the RS ... DOWN line).
  const verdictSeen = new Set<string>();
  // Checks start once the initial state is in the data plane (resume() below), as keepalived
  // adds its real servers before its checkers run.
  const runner = new CheckRunner({
    paused: true,
    concurrency: opts.concurrency ?? 512,
    onResult: (spec, result, retrying) => {
      if (retrying || verdictSeen.has(spec.id)) return;
      verdictSeen.add(spec.id);
      const where = byCheck.get(spec.id);
      if (where && spec.schedule.alpha && !result.ok && !where.rt.health.get(where.rs.id)?.up)
        rsNotify(where.rt, where.rs, false);
    },
    onChange: (spec, _state, result, transition) => {
      const where = byCheck.get(spec.id);
      if (!where) return;
      if (transition)
        log.info(
          checkerLine(
            spec.type,
            where.rt.spec,
            where.rs,
            transition === 'up',
            result.ok ? '' : result.detail,
          ),
        );
      const wasUp = where.rt.health.get(where.rs.id)?.up;
      onChange(where.rt, where.rs);
      // keepalived's checkers mail after the real server and quorum updates (check_*.c).
      const isUp = where.rt.health.get(where.rs.id)?.up ?? false;
      const body =
        transition && checkerAlertBody(spec.type, transition === 'up', result.ok ? '' : result.detail);
      if (body && checkerAlertDue(true, true, wasUp !== isUp, smtp?.settings.noCheckerEmails ?? false))
        rsMail(where.rt, where.rs, isUp, body);
    },
  });
  // BFD_CHECK follows its bfd_instance's session as events, outside the polled runner.
  const bfd = await bfdLoading;
  const bfdChecks = bfd && new bfd.BfdChecks(config, (t) => log.info(t));
  const bfdNames = bfd?.bfdCheckNames(
    config,
    runtimes.map((rt) => rt.spec),
  );
  const checkFnFor = await checkFnsLoading;
  const polled: [CheckSpec, CheckFn][] = [];
  for (const rt of runtimes)
    for (const rs of rt.spec.reals) {
      const active: CheckSpec[] = [];
      for (const c of rs.checks) {
        if (c.type === 'BFD_CHECK') {
          const name = bfdNames?.get(c.id);
          const follow = (up: boolean): void => {
            log.info(`BFD check of [${name}] RS(${rsText(rt.spec, rs)}) is ${up ? 'UP' : 'DOWN'}`);
            onChange(rt, rs);
          };
          if (bfdChecks?.bind(c.id, rsText(rt.spec, rs), name, follow)) active.push(c);
          continue;
        }
        const fn = checkFnFor(c, scripts, ids);
        if (!fn) {
          log.info(`${c.type} for ${rs.id} in VS ${rt.spec.id} is not supported yet; ignoring it`);
          continue;
        }
        active.push(c);
        polled.push([c, fn]);
        byCheck.set(c.id, { rt, rs });
      }
      rt.checks.set(rs.id, active);
      for (const [c, fn] of polled.splice(0)) {
        const prior = opts.carry?.checks.get(c.id);
        if (prior?.state.hasRun) verdictSeen.add(c.id);
        runner.add(c, fn, prior?.key === JSON.stringify(c) ? prior.state : undefined);
      }
      const states = rsStates(runner, rt, rs);
      rt.health.set(rs.id, { up: realServerUp(states), weight: realServerWeight(rs.weight, states) });
    }
  // A reload adopts the BFD states the VRRP process already has (quietly), so the real
  // servers of sessions that stayed Up stay in.
  await bfdChecks?.start(opts.carry !== undefined);
  if (opts.carry !== undefined)
    for (const rt of runtimes)
      for (const rs of rt.spec.reals)
        if (rs.checks.some((c) => c.type === 'BFD_CHECK')) {
          const states = rsStates(runner, rt, rs);
          rt.health.set(rs.id, { up: realServerUp(states), weight: realServerWeight(rs.weight, states) });
        }
  // rs_init_notifies: keepalived reports the real servers it adds at start-up (not on reload).
  if (config.global.rsInitNotifies && opts.carry === undefined)
    for (const rt of runtimes)
      for (const rs of rt.spec.reals) if (rt.health.get(rs.id)?.up) rsNotify(rt, rs, true);
  for (const rt of runtimes)
    rt.quorumUp = opts.carry?.quorum.get(rt.spec.id) ?? initialQuorum(rt.spec, rt.health);
  // keepalived starts each virtual server with quorum down and re-checks it once its real
  // servers are added (init_service_vs): that mails "Starting with quorum up", or "... down"
  // when a sorry server takes over. Not on reload.
  // A reload that drops a live real server mails it as removed (ipwrapper.c clear_service_rs).
  const kept = new Set(runtimes.flatMap((rt) => rt.spec.reals.map((rs) => `${rt.spec.id}|${rs.id}`)));
  for (const [key, r] of opts.carry?.reals ?? [])
    if (smtp && r.up && r.mail && !kept.has(key))
      smtp.send(realServerAlert(smtp.settings.routerId, r.rs, r.vs, false, REMOVED_BODY));
  if (opts.carry === undefined)
    for (const rt of runtimes) {
      const w = aliveWeight(rt.spec, rt.health);
      const threshold = rt.spec.quorum + rt.spec.hysteresis;
      if (rt.quorumUp || rt.spec.sorry !== undefined)
        vsMail(
          rt,
          rt.quorumUp,
          quorumBody(rt.quorumUp, true, rt.spec.quorum, rt.spec.hysteresis, threshold, w),
        );
    }
  await sync();
  runner.resume();
  const periodic = setInterval(
    () => {
      reread = true;
      dirty = true;
      void sync();
    },
    opts.reconcileIntervalMs ?? plane.rereadIntervalMs ?? 5000,
  );
  periodic.unref();

  return {
    async stop(stopOptions) {
      runner.stop();
      bfdChecks?.stop();
      clearInterval(periodic);
      await syncing;
      stopped = true;
      // omega: keepalived reports every live real server down, then the service down.
      for (const rt of runtimes)
        if (rt.spec.omega) {
          for (const rs of rt.spec.reals)
            if (rt.health.get(rs.id)?.up) {
              rsNotify(rt, rs, false);
              if (!stopOptions?.keepPlane) rsMail(rt, rs, false, SHUTDOWN_BODY);
            }
          vsNotify(rt, false);
          // A reload (keepPlane) shuts nothing down: no "Shutting down" mail.
          if (!stopOptions?.keepPlane) vsMail(rt, false, SHUTDOWN_BODY);
        }
      fifos?.close();
      await smtp?.drain(2000);
      smtp?.close();
      if (!stopOptions?.keepPlane) await plane.clear();
      await ipvsGlobals?.stop();
      if (!opts.dataPlane) plane.close();
    },
    status: () => ({
      plane: plane.name,
      checksRun: runner.checksRun,
      syncs,
      syncErrors,
      services: runtimes.map((rt) => ({
        id: rt.spec.id,
        quorumUp: rt.quorumUp,
        reals: rt.spec.reals.map((rs) => ({ id: rs.id, ...rt.health.get(rs.id)! })),
      })),
      desired: desiredAll(),
    }),
    carry: () => ({
      checks: new Map(
        [...byCheck.entries()].flatMap(([id, w]) => {
          const c = (w.rt.checks.get(w.rs.id) ?? []).find((x) => x.id === id);
          const state = runner.state(id);
          // A copy: the runner updates its state objects in place.
          return c && state ? [[id, { key: JSON.stringify(c), state: { ...state } }] as const] : [];
        }),
      ),
      quorum: new Map(runtimes.map((rt) => [rt.spec.id, rt.quorumUp])),
      reals: new Map(
        runtimes.flatMap((rt) =>
          rt.spec.reals.map(
            (rs) =>
              [
                `${rt.spec.id}|${rs.id}`,
                {
                  vs: vsText(rt.spec),
                  rs: rsText(rt.spec, rs),
                  up: rt.health.get(rs.id)?.up ?? false,
                  mail: rt.mailRs.get(rs.id) ?? false,
                },
              ] as const,
          ),
        ),
      ),
    }),
    settled: async () => {
      while (syncing) await syncing;
    },
  };
}
