/**
 * @module Syslog without blocking: one non-blocking AF_UNIX datagram per line to /dev/log
 * (journald and rsyslog both listen there), in the format glibc's syslog(3) sends:
 * `<PRI>Mmm dd hh:mm:ss IDENT[PID]: text`. keepalived logs this way unless `-l`. A full
 * receiver (EAGAIN) or no syslog daemon at all (ENOENT, ECONNREFUSED) drops the line and
 * counts it; nothing waits, and a syslog daemon that appears later gets the next line
 * (each datagram is addressed, there is no connection to lose).
 */
import { native } from '../native/binding.js';

/** syslog facilities keepalived's `-S` accepts (default daemon). */
const FACILITIES: Record<string, number> = {
  user: 1,
  daemon: 3,
  ...Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`local${i}`, 16 + i])),
};

export const SEVERITY = { err: 3, warning: 4, notice: 5, info: 6, debug: 7 } as const;

/** The facility number for `-S` (`0`..`7` mean LOG_LOCAL0..7, as keepalived reads it). */
export function facilityNumber(name: string | undefined): number {
  if (name === undefined) return FACILITIES.daemon!;
  const n = name.toLowerCase().replace(/^log_/, '');
  if (/^[0-7]$/.test(n)) return 16 + Number(n);
  return FACILITIES[n] ?? FACILITIES.daemon!;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** One syslog datagram as glibc formats it (RFC 3164 style, local time). Pure. */
export function syslogLine(o: {
  facility: number;
  severity: number;
  ident: string;
  pid: number;
  at: Date;
  text: string;
}): string {
  const d = o.at;
  const p2 = (n: number) => String(n).padStart(2, '0');
  const stamp = `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
  return `<${o.facility * 8 + o.severity}>${stamp} ${o.ident}[${o.pid}]: ${o.text}`;
}

export class SyslogWriter {
  readonly #path: string;
  readonly #facility: number;
  readonly #ident: string;
  #fd = -1;
  #encoder = new TextEncoder();
  sent = 0;
  dropped = 0;
  lastError: string | null = null;

  constructor(o: { path?: string; facility: number; ident: string }) {
    this.#path = o.path ?? '/dev/log';
    this.#facility = o.facility;
    this.#ident = o.ident;
  }

  line(text: string, severity: number = SEVERITY.info, at = new Date()): void {
    const n = native();
    try {
      if (this.#fd < 0) this.#fd = n.socket(n.constants.AF_UNIX, n.constants.SOCK_DGRAM, 0);
      const datagram = syslogLine({
        facility: this.#facility,
        severity,
        ident: this.#ident,
        pid: process.pid,
        at,
        text,
      });
      n.sendmsg(
        this.#fd,
        this.#encoder.encode(datagram),
        { family: n.constants.AF_UNIX, path: this.#path },
        null,
      );
      this.sent++;
    } catch (e) {
      this.dropped++;
      this.lastError = (e as { code?: string }).code ?? (e as Error).message;
    }
  }

  close(): void {
    if (this.#fd >= 0) native().close(this.#fd);
    this.#fd = -1;
  }
}
