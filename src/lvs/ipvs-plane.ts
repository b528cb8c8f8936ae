/**
 * @module The IPVS data plane: reads services and destinations with GET_SERVICE /
 * GET_DEST dumps, diffs them against the desired state (reconcile.ts) and applies the
 * ops with NEW/SET/DEL_SERVICE and NEW/SET/DEL_DEST, as keepalived does through libipvs.
 * Only services this plane was asked to manage (now or before) are ever changed or
 * deleted: services made by others (ipvsadm by hand) are left alone. `clear()` deletes
 * the managed services (keepalived removes its virtual servers at exit).
 */
import {
  delDestRequest,
  delServiceRequest,
  getDestsRequest,
  getServicesRequest,
  newDestRequest,
  newServiceRequest,
  setDestRequest,
  setServiceRequest,
} from '../netlink/ipvs-requests.js';
import type { DataPlane, SyncOptions, SyncResult } from './data-plane.js';
import { GenlIpvsClient } from './genl-client.js';
import { fromIpvs, ipvsServiceKey, toIpvsDest, toIpvsService } from './ipvs-map.js';
import { matchKey, type ServiceState } from './model.js';
import { type LvsOp, reconcile } from './reconcile.js';

export class IpvsPlane implements DataPlane {
  readonly name = 'ipvs' as const;
  /**
   * A reread is a GET_SERVICE dump and a GET_DEST dump per service, decoded and diffed:
   * at 5 s it was most of an idle checker's CPU and ~15 % of a busy one's (IPVS lab, 40
   * checks/s), for changes made by hand (keepalived itself never re-reads). One made
   * outside is repaired within 30 s, or by the next sync after one of our own requests
   * failed on it (a failed sync leaves nothing to diff against, so the next one reads).
   */
  readonly rereadIntervalMs = 30_000;
  readonly #client: GenlIpvsClient;
  readonly #managed = new Set<string>();
  /** The managed services as the last fully successful sync left them; undefined: read the kernel. */
  #applied: readonly ServiceState[] | undefined;

  private constructor(client: GenlIpvsClient) {
    this.#client = client;
  }

  static async open(): Promise<IpvsPlane> {
    return new IpvsPlane(await GenlIpvsClient.open());
  }

  /** Every IPVS service in the kernel, with its destinations. */
  async readAll(): Promise<ServiceState[]> {
    const svcs = await this.#client.call((f, seq) => getServicesRequest(f, seq));
    const out: ServiceState[] = [];
    for (const m of svcs) {
      if (!m.service) continue;
      const dests = await this.#client.call((f, seq) => getDestsRequest(f, m.service!, seq));
      const s = fromIpvs(
        m.service,
        dests.flatMap((d) => (d.dest ? [d.dest] : [])),
      );
      if (s) out.push(s);
    }
    return out;
  }

  async read(): Promise<readonly ServiceState[]> {
    return (await this.readAll()).filter((s) => this.#managed.has(matchKey(s.match)));
  }

  async #apply(op: LvsOp): Promise<void> {
    const svc = op.service;
    switch (op.op) {
      case 'add-service':
        await this.#client.call((f, seq) => newServiceRequest(f, toIpvsService(svc), seq));
        return;
      case 'update-service':
        await this.#client.call((f, seq) => setServiceRequest(f, toIpvsService(svc), seq));
        return;
      case 'del-service':
        await this.#client.call((f, seq) => delServiceRequest(f, ipvsServiceKey(svc.match), seq));
        return;
      case 'add-dest':
        await this.#client.call((f, seq) =>
          newDestRequest(f, ipvsServiceKey(svc.match), toIpvsDest(op.dest), seq),
        );
        return;
      case 'update-dest':
        await this.#client.call((f, seq) =>
          setDestRequest(f, ipvsServiceKey(svc.match), toIpvsDest(op.dest), seq),
        );
        return;
      case 'del-dest':
        await this.#client.call((f, seq) =>
          delDestRequest(f, ipvsServiceKey(svc.match), toIpvsDest(op.dest), seq),
        );
        return;
    }
  }

  async sync(desired: readonly ServiceState[], options?: SyncOptions): Promise<SyncResult> {
    for (const s of desired) this.#managed.add(matchKey(s.match));
    const last = options?.fromLastApplied ? this.#applied : undefined;
    this.#applied = undefined;
    let actual: readonly ServiceState[];
    try {
      // Under emulation a dump and its decoding took a second: a health change waited for it.
      actual = last ?? (await this.readAll()).filter((s) => this.#managed.has(matchKey(s.match)));
    } catch (e) {
      return { ok: false, error: `IPVS read failed: ${String(e)}` };
    }
    const ops = reconcile(desired, actual);
    const errors: string[] = [];
    for (const op of ops)
      try {
        await this.#apply(op);
      } catch (e) {
        errors.push(
          `${op.op} ${matchKey(op.service.match)}${'dest' in op ? ` ${op.dest.address}:${op.dest.port}` : ''}: ${(e as Error).message}`,
        );
      }
    const wanted = new Set(desired.map((s) => matchKey(s.match)));
    for (const k of [...this.#managed]) if (!wanted.has(k)) this.#managed.delete(k);
    if (errors.length > 0) return { ok: false, error: errors.join('; ') };
    this.#applied = desired;
    return { ok: true, changed: ops.length };
  }

  async clear(): Promise<void> {
    await this.sync([]);
  }

  close(): void {
    this.#client.close();
  }
}
