/**
 * @module The control socket: a unix stream socket only root can open (mode 0600, created
 * under umask 0177). Protocol, one request per connection: the client writes one line,
 * `status` (text) or `status json` (JSON), and the server answers and closes. Unknown
 * requests get `error: unknown command <line>`. Requests are answered on the event
 * loop from in-memory state (the LVS part's state comes over the checker child's IPC
 * channel): no other I/O.
 */

import { chmodSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';

/** Answers one request line; the result (or what it resolves to) is written back as is. */
export type ControlHandler = (request: string) => string | Promise<string>;

/** Longest request line accepted, bytes. */
const MAX_REQUEST = 1024;

function serve(socket: Socket, handler: ControlHandler): void {
  let buf = '';
  socket.setEncoding('utf8');
  socket.setTimeout(5000, () => socket.destroy());
  socket.on('error', () => {});
  socket.on('data', (chunk: string) => {
    buf += chunk;
    const nl = buf.indexOf('\n');
    if (nl < 0 && buf.length < MAX_REQUEST) return;
    socket.removeAllListeners('data');
    const line = (nl < 0 ? buf : buf.slice(0, nl)).trim();
    const fail = (e: unknown) => `error: ${(e as Error).message}\n`;
    let reply: string | Promise<string>;
    try {
      reply = handler(line);
    } catch (e) {
      reply = fail(e);
    }
    void Promise.resolve(reply)
      .catch(fail)
      .then((text) => socket.end(text));
  });
}

export async function startControlServer(path: string, handler: ControlHandler): Promise<Server> {
  try {
    unlinkSync(path);
  } catch {
    // no stale socket
  }
  const server = createServer((s) => serve(s, handler));
  const old = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(old);
  }
  chmodSync(path, 0o600);
  return server;
}

export function stopControlServer(server: Server, path: string): void {
  server.close();
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
