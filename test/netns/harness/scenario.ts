/**
 * @module The two-server failover scenario run by the interop tests, for one VRRP mode
 * and one pairing of implementations: election, link cut, link restore (preemption
 * back), graceful stop (SIGTERM: priority 0) and restart, with the client's neighbour
 * entry for the VIP checked after every takeover and the whole capture judged by
 * tshark. Throws with the daemons' logs on the first broken expectation.
 */
import { announceFrames, Capture, vrrpFrames } from './capture.js';
import { expectedFields, type InstanceSpec, type Mode, vipOf, vrrpConf } from './configs.js';
import { judgeAdverts, judgeAnnounces } from './judge.js';
import { articleLab, type Host, type Lab } from './lab.js';
import { hasAddress, neighbourBecomes, ping, until } from './query.js';
import { type Impl, VrrpNode } from './vrrp-node.js';

export interface ScenarioOptions {
  readonly mode: Mode;
  /** Implementation on server1 (priority 200, the preferred master). */
  readonly masterImpl: Impl;
  /** Implementation on server2 (priority 150). */
  readonly backupImpl: Impl;
  /** Which end of server1's veth the link cut sets down (default the bridge port). */
  readonly cutSide?: 'host' | 'bridge';
  /** Also judge keepalived's own packets (proves the judge and the harness). */
  readonly judgeKeepalived?: boolean;
  /** Called with a progress line per step. */
  readonly log?: (line: string) => void;
}

export interface StepTiming {
  readonly step: string;
  readonly ms: number;
}

export interface ScenarioResult {
  readonly steps: readonly StepTiming[];
  readonly adverts: number;
  readonly judged: readonly string[];
}

const START_MS = 8000;
const TAKEOVER_MS = 6000;

class Run {
  readonly lab: Lab;
  readonly opts: ScenarioOptions;
  readonly nodes: VrrpNode[] = [];
  readonly steps: StepTiming[] = [];
  readonly s1: Host;
  readonly s2: Host;
  readonly client: Host;
  readonly vip: string;
  /** Wall time of the SIGTERM to server1 (graceful stop). */
  termAt = 0;
  /** When server1 was started again after its graceful stop. */
  restartAt = 0;

  constructor(opts: ScenarioOptions) {
    this.opts = opts;
    this.lab = articleLab(opts.mode.replace(/[^a-z0-9]/g, ''));
    this.s1 = this.lab.host('server1');
    this.s2 = this.lab.host('server2');
    this.client = this.lab.host('client');
    this.vip = vipOf(opts.mode);
  }

  spec(self: Host, peer: Host, priority: number, state: 'MASTER' | 'BACKUP'): InstanceSpec {
    return { mode: this.opts.mode, self, peer, priority, state };
  }

  start(host: Host, impl: Impl, spec: InstanceSpec): VrrpNode {
    const node = new VrrpNode(this.lab, host, impl, vrrpConf(spec));
    this.nodes.push(node);
    return node;
  }

  async step<T>(name: string, body: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    const r = await body();
    const ms = performance.now() - t0;
    this.steps.push({ step: name, ms });
    this.opts.log?.(`${name}: ${ms.toFixed(0)} ms`);
    return r;
  }

  fail(message: string): never {
    const logs = this.nodes.map((n) => `--- ${n.label}\n${n.proc.tail(25)}`).join('\n');
    throw new Error(
      `${this.opts.mode} ${this.opts.masterImpl}->${this.opts.backupImpl}: ${message}\n${logs}`,
    );
  }

  async holds(master: VrrpNode, other: VrrpNode | undefined, when: string): Promise<void> {
    const ok = await until(() => (hasAddress(master.host.ns, this.vip) ? true : undefined), 2000);
    if (!ok) this.fail(`${when}: VIP ${this.vip} not on ${master.label}`);
    if (other?.proc.running && hasAddress(other.host.ns, this.vip)) {
      this.fail(`${when}: VIP ${this.vip} also on ${other.label}`);
    }
    const entry = await neighbourBecomes(this.client.ns, this.vip, master.host.mac, 3000);
    if (entry?.lladdr !== master.host.mac) {
      this.fail(
        `${when}: client's neighbour entry for ${this.vip} is ${JSON.stringify(entry)}, want ${master.host.mac}`,
      );
    }
  }

  async waitState(
    node: VrrpNode,
    state: 'MASTER' | 'BACKUP' | 'FAULT',
    ms: number,
    from: number,
  ): Promise<void> {
    try {
      await node.waitState(state, ms, from);
    } catch (e) {
      this.fail(
        `${node.label} did not enter ${state} within ${ms} ms: ${(e as Error).message.split('\n')[0]}`,
      );
    }
  }
}

async function electAndCut(r: Run, a: VrrpNode, b: VrrpNode): Promise<void> {
  await r.step('election', async () => {
    await r.waitState(a, 'MASTER', START_MS, 0);
    await r.waitState(b, 'BACKUP', START_MS, 0);
  });
  if (!ping(r.client.ns, r.vip, 2)) r.fail(`client cannot ping ${r.vip} after election`);
  await r.holds(a, b, 'after election');
  const [ma, mb] = [a.mark(), b.mark()];
  await r.step('failover on link cut', async () => {
    r.lab.cut('server1', r.opts.cutSide);
    await r.waitState(b, 'MASTER', TAKEOVER_MS, mb);
  });
  await r.holds(b, undefined, 'after link cut');
  await r.waitState(a, 'FAULT', 3000, ma);
  const [ma2, mb2] = [a.mark(), b.mark()];
  await r.step('preemption after link restore', async () => {
    r.lab.restore('server1', r.opts.cutSide);
    await r.waitState(a, 'MASTER', TAKEOVER_MS + 2000, ma2);
    await r.waitState(b, 'BACKUP', 3000, mb2);
  });
  await r.holds(a, b, 'after link restore');
}

async function stopAndRestart(r: Run, a: VrrpNode, b: VrrpNode, spec: InstanceSpec): Promise<VrrpNode> {
  const mb = b.mark();
  await r.step('failover on graceful stop', async () => {
    r.termAt = await a.terminate();
    await r.waitState(b, 'MASTER', 2500, mb);
  });
  if (hasAddress(r.s1.ns, r.vip)) r.fail(`${a.label} left ${r.vip} behind after SIGTERM`);
  await r.holds(b, undefined, 'after graceful stop');
  const mb2 = b.mark();
  r.restartAt = Date.now();
  const a2 = r.start(r.s1, r.opts.masterImpl, spec);
  await r.step('preemption after restart', async () => {
    await r.waitState(a2, 'MASTER', START_MS + 2000, 0);
    await r.waitState(b, 'BACKUP', 3000, mb2);
  });
  await r.holds(a2, b, 'after restart');
  return a2;
}

/** Runs the whole scenario; throws on the first failure; always removes the lab. */
export async function failoverScenario(opts: ScenarioOptions): Promise<ScenarioResult> {
  const r = new Run(opts);
  try {
    const capture = await Capture.start(r.lab, `${opts.mode}-${opts.masterImpl}-${opts.backupImpl}`);
    const specA = r.spec(r.s1, r.s2, 200, 'MASTER');
    const specB = r.spec(r.s2, r.s1, 150, 'BACKUP');
    const a = r.start(r.s1, opts.masterImpl, specA);
    const b = r.start(r.s2, opts.backupImpl, specB);
    const t0 = Date.now();
    await electAndCut(r, a, b);
    const a2 = await stopAndRestart(r, a, b, specA);
    await Promise.all([a2.stop(), b.stop()]);
    const file = await capture.stop();
    const frames = vrrpFrames(file);
    const announces = announceFrames(file);
    const judged: string[] = [];
    const problems: string[] = [];
    for (const [node, spec] of [
      [a, specA],
      [b, specB],
    ] as const) {
      if (!opts.judgeKeepalived && node.impl === 'keepalived') continue;
      judged.push(node.label);
      problems.push(...judgeAdverts(frames, node.host.mac, expectedFields(spec), 3));
      problems.push(...judgeAnnounces(announces, node.host.mac, r.vip, t0));
      // RFC 5798 §6.4.3: a master that shuts down sends an advert with priority 0, and
      // nothing after it (another advert would make the backup wait its whole interval).
      const after = frames.filter(
        (f) => f.ethSrc === node.host.mac && f.t >= r.termAt - 5 && f.t < r.restartAt,
      );
      const zeros = after.filter((f) => f.priority === 0).length;
      if (node === a && zeros === 0) problems.push(`${node.label} sent no priority 0 advert after SIGTERM`);
      if (node === a && node.impl === 'keepalived-ts') {
        if (zeros > 1) problems.push(`${node.label} sent ${zeros} priority 0 adverts after SIGTERM, not one`);
        const firstZero = after.findIndex((f) => f.priority === 0);
        if (firstZero >= 0 && after.slice(firstZero).some((f) => f.priority !== 0))
          problems.push(`${node.label} sent an advert after its priority 0 one`);
      }
    }
    if (problems.length > 0) r.fail(`tshark judged ${judged.join(', ')}:\n  ${problems.join('\n  ')}`);
    return { steps: r.steps, adverts: frames.length, judged };
  } finally {
    await Promise.all(r.nodes.map((n) => n.stop()));
    r.lab.destroy();
  }
}
