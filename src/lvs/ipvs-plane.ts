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
import type { DataPlane, SyncResult } from './data-plane.js';
import { GenlIpvsClient } from './genl-client.js';
import { fromIpvs, ipvsServiceKey, toIpvsDest, toIpvsService } from './ipvs-map.js';
import { matchKey, type ServiceState } from './model.js';
import { type LvsOp, reconcile } from './reconcile.js';

export class IpvsPlane implements DataPlane {
  readonly name = 'ipvs' as const;
  readonly #client: GenlIpvsClient;
  readonly #managed = new Set<string>();

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

  async sync(desired: readonly ServiceState[]): Promise<SyncResult> {
    for (const s of desired) this.#managed.add(matchKey(s.match));
    let actual: ServiceState[];
    try {
      actual = (await this.readAll()).filter((s) => this.#managed.has(matchKey(s.match)));
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
    return errors.length > 0 ? { ok: false, error: errors.join('; ') } : { ok: true, changed: ops.length };
  }

  async clear(): Promise<void> {
    await this.sync([]);
  }

  close(): void {
    this.#client.close();
  }
}
