/**
 * @module The SMTP alert client: one TCP connection per message, as keepalived (smtp.c),
 * run on the event loop without ever waiting on it. The connect and each reply wait are
 * bounded by smtp_connect_timeout; a refused or failed step is logged with keepalived's
 * words and counted. Messages beyond `maxInFlight` wait in a bounded queue; beyond
 * `maxQueued` they are dropped and counted, so a dead mail server never grows the daemon.
 * Formatting is smtp-alert-format.ts.
 */

import { connect, type Socket } from 'node:net';
import { hostname, userInfo } from 'node:os';
import type { GlobalDefs } from '../config/model.js';
import {
  parseReply,
  type SmtpAlert,
  type SmtpSettings,
  type SmtpStep,
  smtpDialogue,
  smtpHostText,
  smtpSettings,
} from './smtp-alert-format.js';

export interface SmtpAlerterOptions {
  readonly settings: SmtpSettings;
  readonly log: (text: string) => void;
  /** keepalived logs connects and successes only with -D (log_detail). */
  readonly detail?: (text: string) => void;
  readonly maxInFlight?: number;
  readonly maxQueued?: number;
  /** Injected for tests: the time the Date header shows. */
  readonly now?: () => Date;
}

export interface SmtpCounters {
  readonly queued: number;
  readonly sent: number;
  readonly failed: number;
  readonly dropped: number;
}

export class SmtpAlerter {
  readonly settings: SmtpSettings;
  readonly #o: SmtpAlerterOptions;
  readonly #queue: SmtpAlert[] = [];
  readonly #open = new Set<Socket>();
  readonly #idle: (() => void)[] = [];
  #inFlight = 0;
  #sent = 0;
  #failed = 0;
  #dropped = 0;
  #queued = 0;

  constructor(o: SmtpAlerterOptions) {
    this.settings = o.settings;
    this.#o = o;
  }

  /** An alerter for this config, or undefined when keepalived would send nothing. */
  static fromConfig(
    g: GlobalDefs,
    log: (text: string) => void,
    detail?: (text: string) => void,
  ): SmtpAlerter | undefined {
    const settings = smtpSettings(g, { hostname: hostname(), userName: safeUserName() });
    return settings && new SmtpAlerter({ settings, log, ...(detail ? { detail } : {}) });
  }

  get counters(): SmtpCounters {
    return { queued: this.#queued, sent: this.#sent, failed: this.#failed, dropped: this.#dropped };
  }

  /** Queues one message; returns at once. */
  send(a: SmtpAlert): void {
    this.#queued++;
    if (this.#inFlight >= (this.#o.maxInFlight ?? 8)) {
      if (this.#queue.length >= (this.#o.maxQueued ?? 64)) {
        this.#dropped++;
        this.#o.log(`SMTP alert queue full - dropping alert "${a.subject}"`);
        return;
      }
      this.#queue.push(a);
      return;
    }
    this.#start(a);
  }

  /** Resolves when nothing is queued or in flight, or after `timeoutMs` (shutdown). */
  drain(timeoutMs: number): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.#idle.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Closes every connection (after drain at shutdown). */
  close(): void {
    this.#queue.length = 0;
    for (const s of this.#open) s.destroy();
  }

  #start(a: SmtpAlert): void {
    this.#inFlight++;
    this.#deliver(a).then((ok) => {
      if (ok) this.#sent++;
      else this.#failed++;
      this.#inFlight--;
      const next = this.#queue.shift();
      if (next) this.#start(next);
      else if (this.#inFlight === 0) for (const f of this.#idle.splice(0)) f();
    });
  }

  /** One connection, keepalived's dialogue; resolves true once the server accepted the message. */
  #deliver(a: SmtpAlert): Promise<boolean> {
    const s = this.settings;
    const where = smtpHostText(s);
    const steps: SmtpStep[] = smtpDialogue(s, a, (this.#o.now ?? (() => new Date()))());
    return new Promise((resolve) => {
      let step = 0;
      let buf = '';
      let connected = false;
      let accepted = false;
      let done = false;
      const sock = connect({ host: s.host, port: s.port });
      this.#open.add(sock);
      sock.setEncoding('latin1');
      sock.setNoDelay(true);
      const finish = (): void => {
        if (done) return;
        done = true;
        this.#open.delete(sock);
        sock.destroy();
        resolve(accepted);
      };
      sock.setTimeout(s.timeoutMs, () => {
        this.#o.log(
          connected
            ? `Timeout reading data to remote SMTP server ${where}.`
            : `Timeout opening connection to remote SMTP server ${where}.`,
        );
        finish();
      });
      sock.on('connect', () => {
        connected = true;
        this.#o.detail?.(`Remote SMTP server ${where} connected.`);
      });
      sock.on('error', () => {
        if (!connected) this.#o.log(`SMTP connection ERROR to ${where}.`);
        else this.#o.log(`Error reading data from remote SMTP server ${where}.`);
        finish();
      });
      sock.on('end', () => {
        if (steps[step]?.name !== 'QUIT' || !accepted)
          this.#o.log(`Remote SMTP server ${where} has closed the connection.`);
        finish();
      });
      sock.on('data', (chunk: string) => {
        buf += chunk;
        // keepalived reads into SMTP_BUFFER_MAX (1024) bytes: a longer reply ends the dialogue.
        if (buf.length >= 1024) {
          this.#o.log(
            `Received buffer from remote SMTP server ${where} overflow our get read buffer length.`,
          );
          sock.write('QUIT\r\n');
          return finish();
        }
        for (;;) {
          const { code, rest } = parseReply(buf);
          if (code === undefined) return;
          buf = rest;
          const cur = steps[step]!;
          if (cur.name === 'QUIT') return finish();
          if (code !== cur.expect) {
            this.#o.log(
              `Error processing ${cur.name} cmd on SMTP server ${where}. SMTP status code = ${code}`,
            );
            step = steps.length - 1;
            sock.write(steps[step]!.send!);
            continue;
          }
          if (cur.name === 'BODY') {
            accepted = true;
            this.#o.detail?.('SMTP alert successfully sent.');
          }
          step++;
          sock.write(steps[step]!.send!);
        }
      });
    });
  }
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'root');
  }
}
