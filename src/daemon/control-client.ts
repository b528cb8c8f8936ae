/**
 * @module `keepalived-ts status [--json] [--control-socket PATH]`: asks the daemon over its
 * control socket and prints the answer. Exit 0 on an answer, 1 when the daemon is not
 * reachable.
 */

import { connect } from 'node:net';

/** Sends one request line and resolves with the whole reply. */
export function controlRequest(path: string, request: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    let out = '';
    s.setEncoding('utf8');
    s.setTimeout(timeoutMs, () => s.destroy(new Error(`no answer from ${path} in ${timeoutMs} ms`)));
    s.on('connect', () => s.write(`${request}\n`));
    s.on('data', (c: string) => {
      out += c;
    });
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

export async function statusCommand(path: string, json: boolean): Promise<number> {
  try {
    const reply = await controlRequest(path, json ? 'status json' : 'status');
    process.stdout.write(reply);
    return reply.startsWith('error:') ? 1 : 0;
  } catch (e) {
    process.stderr.write(`keepalived-ts status: cannot reach ${path}: ${(e as Error).message}\n`);
    return 1;
  }
}
