/**
 * A small SMTP server for tests: speaks enough SMTP for keepalived's client (220 greeting,
 * 250 to HELO/MAIL/RCPT, 354 to DATA, 250 after the dot, 221 to QUIT) and records every
 * line each connection sent. `reply` can override the code for a command (failure paths).
 * Also runnable as a script: `node smtp-sink.js PORT OUTFILE` appends one JSON line per
 * finished connection to OUTFILE (used inside network namespaces).
 */

import { appendFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

export interface SinkSession {
  /** Lines as received, CRLF removed, in order. */
  readonly lines: string[];
}

export interface SmtpSink {
  readonly server: Server;
  readonly port: number;
  readonly sessions: SinkSession[];
  close(): Promise<void>;
}

export function startSmtpSink(
  opts: {
    port?: number;
    host?: string;
    reply?: Partial<Record<string, number>>;
    onSession?: (s: SinkSession) => void;
  } = {},
): Promise<SmtpSink> {
  const sessions: SinkSession[] = [];
  const server = createServer((sock) => {
    const session: SinkSession = { lines: [] };
    sessions.push(session);
    let buf = '';
    let inData = false;
    sock.setEncoding('latin1');
    const answer = (cmd: string, code: number, text: string): void => {
      sock.write(`${opts.reply?.[cmd] ?? code} ${text}\r\n`);
    };
    sock.write('220-sink ready\r\n220 sink ESMTP\r\n');
    sock.on('data', (d: string) => {
      buf += d;
      for (let eol = buf.indexOf('\r\n'); eol >= 0; eol = buf.indexOf('\r\n')) {
        const line = buf.slice(0, eol);
        buf = buf.slice(eol + 2);
        session.lines.push(line);
        if (inData) {
          if (line === '.') {
            inData = false;
            answer('BODY', 250, 'queued');
          }
          continue;
        }
        const cmd = line.split(/[ :]/)[0]!.toUpperCase();
        if (cmd === 'DATA') {
          const code = opts.reply?.DATA ?? 354;
          inData = code === 354;
          sock.write(`${code} go ahead\r\n`);
        } else if (cmd === 'QUIT') {
          answer('QUIT', 221, 'bye');
          sock.end();
        } else answer(cmd, 250, 'ok');
      }
    });
    sock.on('close', () => opts.onSession?.(session));
    sock.on('error', () => {});
  });
  return new Promise((resolve) => {
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      const addr = server.address();
      resolve({
        server,
        port: typeof addr === 'object' && addr ? addr.port : 0,
        sessions,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}

if (process.argv[1]?.endsWith('smtp-sink.js') && process.argv.length >= 4) {
  const out = process.argv[3]!;
  void startSmtpSink({
    port: Number(process.argv[2]),
    host: process.argv[4] ?? '0.0.0.0',
    onSession: (s) => appendFileSync(out, `${JSON.stringify(s.lines)}\n`),
  });
}
