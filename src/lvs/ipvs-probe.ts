/**
 * @module Does this kernel have IPVS? Resolves the generic netlink family "IPVS"
 * (CTRL_CMD_GETFAMILY) on a NETLINK_GENERIC socket; the answer (with the reason) feeds
 * data-plane selection. Never throws: a missing native addon or a timeout is a "no".
 */
import { NetlinkSocket } from '../native/index.js';
import { decodeFamily, getFamilyRequest } from '../netlink/genl.js';
import { splitMessages } from '../netlink/message.js';

const NLMSG_ERROR = 2;

export function probeIpvs(timeoutMs = 2000): Promise<{ ok: boolean; why: string }> {
  return new Promise((resolve) => {
    let sock: NetlinkSocket;
    try {
      sock = NetlinkSocket.open({ protocol: 'generic' });
    } catch (e) {
      resolve({ ok: false, why: `no generic netlink socket: ${String(e)}` });
      return;
    }
    const seq = 1 + Math.floor(Math.random() * 1e9);
    const done = (r: { ok: boolean; why: string }): void => {
      clearTimeout(timer);
      sock.close();
      resolve(r);
    };
    const timer = setTimeout(() => done({ ok: false, why: 'no answer from the genl controller' }), timeoutMs);
    sock.on('error', (e) => done({ ok: false, why: e.message }));
    sock.on('message', (bytes) => {
      const msgs = splitMessages(bytes);
      if (!msgs.ok) return done({ ok: false, why: 'undecodable controller reply' });
      for (const m of msgs.value) {
        if (m.header.seq !== seq) continue;
        if (m.header.type === NLMSG_ERROR) {
          const errno = new DataView(m.payload.buffer, m.payload.byteOffset, 4).getInt32(0, true);
          if (errno !== 0) return done({ ok: false, why: `genl family "IPVS" not found (errno ${-errno})` });
          continue;
        }
        const f = decodeFamily(m);
        if (f.ok) return done({ ok: true, why: `genl family "IPVS" resolves to id ${f.value.id}` });
      }
    });
    try {
      sock.send(getFamilyRequest('IPVS', seq));
    } catch (e) {
      done({ ok: false, why: String(e) });
    }
  });
}
