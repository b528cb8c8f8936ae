/**
 * @module SMTP_CHECK: connect, expect a 220 greeting, send `HELO <helo_name>`, expect
 * 250, send QUIT (RFC 5321 §4.1). Multi-line replies (`220-...`) are read to their last
 * line. The whole dialogue has a hard deadline of connect_timeout.
 */
import { errorReason, errorText, guarded, tcpConnect } from './net.js';
import type { CheckResult, CheckSpec, SmtpSpec } from './types.js';
import { fail, pass } from './types.js';

/** Complete reply codes found in `buf` (last line of each reply), and the rest. */
export function smtpReplies(buf: string): { codes: number[]; rest: string } {
  const codes: number[] = [];
  let rest = buf;
  for (let nl = rest.indexOf('\n'); nl >= 0; nl = rest.indexOf('\n')) {
    const line = rest.slice(0, nl).replace(/\r$/, '');
    rest = rest.slice(nl + 1);
    const m = /^(\d{3})([ -]|$)/.exec(line);
    if (!m) codes.push(-1);
    else if (m[2] !== '-') codes.push(Number(m[1]));
  }
  return { codes, rest };
}

export function smtpCheck(spec: CheckSpec, signal: AbortSignal): Promise<CheckResult> {
  const s = spec.kind as SmtpSpec;
  return guarded(spec.connectTimeoutMs, signal, (settle, onCleanup) => {
    const sock = tcpConnect(spec);
    onCleanup(() => sock.destroy());
    let buf = '';
    let stage: 'greeting' | 'helo' = 'greeting';
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      const { codes, rest } = smtpReplies(buf + d);
      buf = rest.length > 4096 ? '' : rest;
      for (const code of codes) {
        if (stage === 'greeting') {
          if (code !== 220) return settle(fail('bad-response', `SMTP greeting ${code}`));
          stage = 'helo';
          sock.write(`HELO ${s.heloName}\r\n`);
        } else {
          if (code !== 250) return settle(fail('bad-response', `SMTP HELO answered ${code}`));
          sock.end('QUIT\r\n');
          return settle(pass);
        }
      }
    });
    sock.once('end', () => settle(fail('bad-response', 'SMTP server closed the connection')));
    sock.once('error', (e) => settle(fail(errorReason(e), errorText(e))));
  });
}
