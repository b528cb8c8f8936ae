/**
 * @module Request/response over a NETLINK_GENERIC socket for one family (IPVS): each
 * request gets a sequence number; an ACK (or errno, with the kernel's extack message)
 * settles it; dumps collect messages until NLMSG_DONE. Every request has a timeout.
 * Replies are decoded without counters (stats, connection counts): nothing here reads
 * them, and skipping them makes a dump of thousands of destinations ~40x cheaper.
 */
import { errnoError, NetlinkSocket } from '../native/index.js';
import { decodeFamily, getFamilyRequest } from '../netlink/genl.js';
import { decodeIpvsBatch, type IpvsMessage } from '../netlink/ipvs.js';
import { splitMessages } from '../netlink/message.js';

type Pending = {
  readonly items: IpvsMessage[];
  readonly resolve: (items: IpvsMessage[]) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
};

export class GenlIpvsClient {
  readonly #socket: NetlinkSocket;
  readonly #pending = new Map<number, Pending>();
  #seq = Math.floor(Math.random() * 0x7fff_0000) + 1;
  family = 0;

  private constructor() {
    this.#socket = NetlinkSocket.open({ protocol: 'generic' });
    this.#socket.on('error', (e) => {
      for (const p of this.#pending.values()) p.reject(e);
    });
    this.#socket.on('message', (bytes) => this.#onMessage(bytes));
  }

  /** Opens a socket and resolves the IPVS family id; rejects when IPVS is absent. */
  static async open(timeoutMs = 5000): Promise<GenlIpvsClient> {
    const c = new GenlIpvsClient();
    try {
      c.family = await c.#resolveFamily(timeoutMs);
    } catch (e) {
      c.close();
      throw e;
    }
    return c;
  }

  #resolveFamily(timeoutMs: number): Promise<number> {
    const seq = this.#seq++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('genl controller did not answer')), timeoutMs);
      const onMsg = (bytes: Uint8Array): void => {
        const msgs = splitMessages(bytes);
        if (!msgs.ok) return;
        for (const m of msgs.value) {
          if (m.header.seq !== seq) continue;
          if (m.header.type === 2) {
            const errno = -new DataView(m.payload.buffer, m.payload.byteOffset, 4).getInt32(0, true);
            if (errno === 0) continue;
            clearTimeout(timer);
            this.#socket.off('message', onMsg);
            reject(errnoError('genl IPVS family', errno));
            return;
          }
          const f = decodeFamily(m);
          if (f.ok) {
            clearTimeout(timer);
            this.#socket.off('message', onMsg);
            resolve(f.value.id);
            return;
          }
        }
      };
      this.#socket.on('message', onMsg);
      this.#socket.send(getFamilyRequest('IPVS', seq));
    });
  }

  #onMessage(bytes: Uint8Array): void {
    if (this.family === 0) return;
    const r = decodeIpvsBatch(bytes, this.family, { counters: false });
    if (!r.ok) return;
    for (const item of r.value) {
      const p = this.#pending.get(item.seq);
      if (!p) continue;
      if (item.kind === 'message') p.items.push(item.value);
      else if (item.kind === 'done') this.#settle(item.seq, undefined);
      else if (item.kind === 'ack') {
        if (item.ack.errno === 0) this.#settle(item.seq, undefined);
        else {
          const e = errnoError('ipvs', item.ack.errno);
          const msg = item.ack.extack.message;
          if (msg) e.message = `${e.message}: ${msg}`;
          this.#settle(item.seq, e);
        }
      }
    }
  }

  #settle(seq: number, e: Error | undefined): void {
    const p = this.#pending.get(seq);
    if (!p) return;
    this.#pending.delete(seq);
    clearTimeout(p.timer);
    if (e) p.reject(e);
    else p.resolve(p.items);
  }

  /** Sends `build(family, seq)`; resolves with the dump's messages (empty for an ACK). */
  call(build: (family: number, seq: number) => Uint8Array, timeoutMs = 5000): Promise<IpvsMessage[]> {
    const seq = this.#seq++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(seq);
        reject(new Error(`IPVS request ${seq} timed out`));
      }, timeoutMs);
      this.#pending.set(seq, { items: [], resolve, reject, timer });
      try {
        this.#socket.send(build(this.family, seq));
      } catch (e) {
        this.#settle(seq, e as Error);
      }
    });
  }

  close(): void {
    for (const [seq] of this.#pending) this.#settle(seq, new Error('IPVS client closed'));
    this.#socket.close();
  }
}
