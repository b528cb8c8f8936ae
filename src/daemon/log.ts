/**
 * @module The daemon's log lines in keepalived's console format (`-l`):
 * `Tue Nov 24 01:09:29 2026: (VI_1) Entering MASTER STATE`, through the non-blocking
 * LogWriter on stderr. Lines marked detail are printed only with `-D`. Without `-l`
 * the lines go to syslog (io/syslog-writer.ts, ident Keepalived_vrrp, facility from `-S`),
 * as keepalived's do; neither transport ever blocks the event loop.
 */

import { LogWriter } from '../io/log-writer.js';
import type { SyslogWriter } from '../io/syslog-writer.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** keepalived's console timestamp: ctime() without the newline (local time). */
export function consoleTimestamp(d: Date): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ` +
    `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${d.getFullYear()}`
  );
}

export interface Logger {
  info(text: string): void;
  detail(text: string): void;
  /** Lines dropped by the writer (slow console) or discarded (no console). */
  readonly stats: { written: number; dropped: number; discarded: number };
  flush(timeoutMs?: number): Promise<void>;
  /** Hands the lines logged so far in this task to the console now (they go when it ends otherwise). */
  writePending?(): void;
}

export function createLogger(options: {
  readonly console: boolean;
  readonly detail: boolean;
  readonly writer?: LogWriter;
  /** Where lines go without `console`; none: they are counted and discarded. */
  readonly syslog?: SyslogWriter;
  readonly now?: () => Date;
}): Logger {
  const writer = options.console ? (options.writer ?? new LogWriter({ fd: 2 })) : null;
  const syslog = options.console ? undefined : options.syslog;
  const now = options.now ?? (() => new Date());
  let discarded = 0;
  const emit = (text: string): void => {
    if (writer !== null) writer.line(`${consoleTimestamp(now())}: ${text}`);
    else if (syslog !== undefined) syslog.line(text);
    else discarded++;
  };
  return {
    info: emit,
    detail: (text) => {
      if (options.detail) emit(text);
    },
    get stats() {
      return {
        written: writer?.written ?? syslog?.sent ?? 0,
        dropped: writer?.dropped ?? syslog?.dropped ?? 0,
        discarded,
      };
    },
    flush: (timeoutMs) => writer?.flush(timeoutMs) ?? Promise.resolve(),
    writePending: () => writer?.writePending(),
  };
}
