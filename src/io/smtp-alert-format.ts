/**
 * @module keepalived 2.2.7's SMTP alerts, pure: who gets mail (global_defs
 * `notification_email`, `smtp_server`, the `smtp_alert*` defaults), which objects send
 * it (an object's own `smtp_alert`, else `smtp_alert_vrrp` / `smtp_alert_checker`, else
 * `smtp_alert`; real servers default to on, everything else to off), the subject and body
 * of each alert, and the exact bytes of the SMTP dialogue (HELO, MAIL FROM, one RCPT TO per
 * address, DATA, headers with keepalived's `X-Mailer: Keepalived`, body, dot, QUIT).
 * The client that sends them is smtp-alert.ts.
 */

import type { GlobalDefs } from '../config/model.js';

/** keepalived's DEFAULT_SMTP_CONNECTION_TIMEOUT: 30 s. */
export const DEFAULT_SMTP_TIMEOUT_MS = 30_000;
/** keepalived's snprintf bounds (smtp.h MAX_HEADERS_LENGTH / MAX_BODY_LENGTH, minus the NUL). */
const SUBJECT_MAX = 255;
const BODY_MAX = 511;

/** Everything a message needs from global_defs, with keepalived's defaults filled in. */
export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  readonly heloName: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly routerId: string;
  /** smtp_connect_timeout: the connect and every reply wait (keepalived smtp_connection_to). */
  readonly timeoutMs: number;
  /** no_email_faults: FAULT transitions send no mail. */
  readonly noEmailFaults: boolean;
  /** no_checker_emails: a checker mails only when its real server's state changes. */
  readonly noCheckerEmails: boolean;
}

/** The host facts keepalived takes defaults from (its local name and the daemon's user). */
export interface SmtpHost {
  readonly hostname: string;
  readonly userName: string;
}

/**
 * The settings, or undefined when keepalived sends nothing (no `notification_email`
 * addresses or no `smtp_server`). Defaults as keepalived 2.2.7 global_data.c: router_id
 * and smtp_helo_name the local name, notification_email_from USER@local-name.
 */
export function smtpSettings(g: GlobalDefs, host: SmtpHost): SmtpSettings | undefined {
  if (g.notificationEmails.length === 0 || g.smtpServer === undefined) return undefined;
  return {
    host: g.smtpServer.host,
    port: g.smtpServer.port,
    heloName: g.smtpHeloName ?? (host.hostname || 'localhost'),
    from: g.notificationEmailFrom ?? `${host.userName}@${host.hostname}`,
    to: g.notificationEmails,
    routerId: g.routerId ?? host.hostname,
    timeoutMs:
      g.smtpConnectTimeoutS !== undefined
        ? Math.max(1, g.smtpConnectTimeoutS) * 1000
        : DEFAULT_SMTP_TIMEOUT_MS,
    noEmailFaults: g.noEmailFaults === true,
    noCheckerEmails: g.noCheckerEmails === true,
  };
}

/** vrrp_instance / vrrp_sync_group: own smtp_alert, else smtp_alert_vrrp, else smtp_alert, else off. */
export function vrrpAlertsOn(own: boolean | undefined, g: GlobalDefs): boolean {
  return own ?? g.smtpAlertVrrp ?? g.smtpAlert ?? false;
}

/** virtual_server: own, else smtp_alert_checker, else smtp_alert, else off. */
export function virtualServerAlertsOn(own: boolean | undefined, g: GlobalDefs): boolean {
  return own ?? g.smtpAlertChecker ?? g.smtpAlert ?? false;
}

/** real_server: as a virtual server, but on when nothing is set (keepalived's backward compatibility). */
export function realServerAlertsOn(own: boolean | undefined, g: GlobalDefs): boolean {
  return own ?? g.smtpAlertChecker ?? g.smtpAlert ?? true;
}

/** One alert: the Subject header and the body line. */
export interface SmtpAlert {
  readonly subject: string;
  readonly body: string;
}

/** DELETED: an instance a reload removed while it has notify_deleted (else it reports FAULT). */
export type VrrpAlertState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED';

const INSTANCE_TEXT: Record<VrrpAlertState, readonly [string, string]> = {
  MASTER: ['Entering MASTER state', '=> VRRP Instance is now owning VRRP VIPs <='],
  BACKUP: ['Entering BACKUP state', '=> VRRP Instance is no longer owning VRRP VIPs <='],
  FAULT: ['Entering FAULT state', '=> VRRP Instance is no longer owning VRRP VIPs <='],
  STOP: ['Stopping', '=> VRRP Instance stopping <='],
  DELETED: ['Deleted', '=> VRRP Deleted at reload <='],
};

const GROUP_TEXT: Record<Exclude<VrrpAlertState, 'DELETED'>, readonly [string, string]> = {
  MASTER: ['Entering MASTER state', '=> All VRRP group instances are now in MASTER state <='],
  BACKUP: ['Entering BACKUP state', '=> All VRRP group instances are now in BACKUP state <='],
  FAULT: ['Entering FAULT state', '=> All VRRP group instances are now in FAULT state <='],
  STOP: ['Stopping', '=> All VRRP group instances are now stopping <='],
};

function alert(subject: string, body: string): SmtpAlert {
  return { subject: subject.slice(0, SUBJECT_MAX), body: body.slice(0, BODY_MAX) };
}

/** `[router] VRRP Instance NAME - Entering MASTER state`. */
export function instanceAlert(routerId: string, name: string, state: VrrpAlertState): SmtpAlert {
  const [what, body] = INSTANCE_TEXT[state];
  return alert(`[${routerId}] VRRP Instance ${name} - ${what}`, body);
}

/** `[router] VRRP Group NAME - Entering MASTER state`. */
export function groupAlert(
  routerId: string,
  name: string,
  state: Exclude<VrrpAlertState, 'DELETED'>,
): SmtpAlert {
  const [what, body] = GROUP_TEXT[state];
  return alert(`[${routerId}] VRRP Group ${name} - ${what}`, body);
}

/**
 * What keepalived's last-mailed-state check decides (vrrp_notify.c): mail when alerts are
 * on, the state differs from the last one mailed, and it is not a FAULT under
 * no_email_faults.
 */
export function vrrpAlertDue(
  on: boolean,
  state: VrrpAlertState,
  lastMailed: VrrpAlertState | undefined,
  noEmailFaults: boolean,
): boolean {
  return on && !(noEmailFaults && state === 'FAULT') && lastMailed !== state;
}

/** `[router] Realserver [10.0.0.2]:tcp:80 of virtual server [10.0.0.1]:tcp:80 - UP`. */
export function realServerAlert(
  routerId: string,
  rs: string,
  vs: string,
  up: boolean,
  body: string,
): SmtpAlert {
  return alert(`[${routerId}] Realserver ${rs} of virtual server ${vs} - ${up ? 'UP' : 'DOWN'}`, body);
}

/** `[router] Virtualserver [10.0.0.1]:tcp:80 - UP`. */
export function virtualServerAlert(routerId: string, vs: string, up: boolean, body: string): SmtpAlert {
  return alert(`[${routerId}] Virtualserver ${vs} - ${up ? 'UP' : 'DOWN'}`, body);
}

/**
 * The quorum body (ipwrapper.c do_vs_notifies): `=> Gained quorum 2+0=2 <= 3 <=`;
 * threshold is quorum+hysteresis when gaining, quorum-hysteresis when losing.
 */
export function quorumBody(
  up: boolean,
  init: boolean,
  quorum: number,
  hysteresis: number,
  threshold: number,
  weightSum: number,
): string {
  const what = up
    ? init
      ? 'Starting with quorum up'
      : 'Gained quorum'
    : init
      ? 'Starting with quorum down'
      : 'Lost quorum';
  return `=> ${what} ${quorum}+${hysteresis}=${threshold} <= ${weightSum} <=`;
}

/** A real server or virtual server taken down at shutdown (omega) or removed. */
export const SHUTDOWN_BODY = '=> Shutting down <=';
export const REMOVED_BODY = '=> Removing <=';

/**
 * The body a checker's transition mails, by checker type (check_tcp.c, check_http.c,
 * check_misc.c, check_udp.c, check_ping.c, check_dns.c, check_smtp.c); undefined when the
 * checker type sends none.
 */
export function checkerAlertBody(type: string, up: boolean, detail: string): string | undefined {
  const verdict = up ? 'succeed' : 'failed';
  switch (type) {
    case 'FILE_CHECK':
      // track_file weights move the real server without any checker mail (check_file.c).
      return undefined;
    case 'TCP_CHECK':
      return `=> TCP CHECK ${verdict} on service <=`;
    case 'UDP_CHECK':
      return `=> UDP CHECK ${verdict} on service <=`;
    case 'PING_CHECK':
      return `=> ICMP CHECK ${verdict} on service <=`;
    case 'MISC_CHECK':
      return `=> MISC CHECK ${verdict} on service <=`;
    case 'DNS_CHECK':
      return `=> DNS_CHECK: ${verdict} on service <=`;
    case 'HTTP_GET':
    case 'SSL_GET':
      return up ? '=> CHECK succeed on service <=' : '=> CHECK failed on service : HTTP request failed <=';
    case 'SMTP_CHECK':
      return up ? '=> CHECK succeed on service <=' : `=> CHECK failed on service : ${detail} <=`;
    default:
      return `=> CHECK ${verdict} on service <=`;
  }
}

/**
 * Whether a checker transition mails (check_*.c): the real server's alerts are on, the
 * checker itself changed, and either the real server changed too or no_checker_emails is off.
 */
export function checkerAlertDue(
  rsAlertsOn: boolean,
  checkerChanged: boolean,
  rsChanged: boolean,
  noCheckerEmails: boolean,
): boolean {
  return rsAlertsOn && checkerChanged && (rsChanged || !noCheckerEmails);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** strftime "%a, %d %b %Y %H:%M:%S %z" in local time (keepalived's Date header). */
export function rfc822Date(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return (
    `${DAYS[d.getDay()]}, ${two(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`
  );
}

/** What the client writes after DATA's 354: headers, blank line, body, and the ending dot. */
export function messageData(s: SmtpSettings, a: SmtpAlert, date: Date): string {
  return (
    `Date: ${rfc822Date(date)}\r\nFrom: ${s.from}\r\nSubject: ${a.subject}\r\n` +
    `X-Mailer: Keepalived\r\nTo: ${s.to.join(', ')}\r\n\r\n${a.body}\r\n\r\n.\r\n`
  );
}

/** One step of the dialogue: what to send (nothing for the greeting) and the reply code expected. */
export interface SmtpStep {
  /** keepalived's name for the step in its error line ("Error processing %s cmd ..."). */
  readonly name: string;
  readonly send?: string;
  readonly expect: number;
}

/** keepalived's dialogue for one message, in order. */
export function smtpDialogue(s: SmtpSettings, a: SmtpAlert, date: Date): SmtpStep[] {
  return [
    { name: '(E)SMTP', expect: 220 },
    { name: 'HELO', send: `HELO ${s.heloName}\r\n`, expect: 250 },
    { name: 'MAIL', send: `MAIL FROM:<${s.from}>\r\n`, expect: 250 },
    ...s.to.map((to) => ({ name: 'RCPT', send: `RCPT TO:<${to}>\r\n`, expect: 250 })),
    { name: 'DATA', send: 'DATA\r\n', expect: 354 },
    { name: 'BODY', send: messageData(s, a, date), expect: 250 },
    { name: 'QUIT', send: 'QUIT\r\n', expect: 221 },
  ];
}

/**
 * The code of the first complete reply in `buf` (continuation lines `250-...` skipped), and
 * the bytes after it; code undefined while the reply is incomplete.
 */
export function parseReply(buf: string): { code?: number; rest: string } {
  let at = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) return { rest: buf.slice(at) };
    const line = buf.slice(at, eol);
    at = eol + 2;
    if (line[3] === '-') continue;
    const code = Number.parseInt(line.slice(0, 3), 10);
    return { code: Number.isNaN(code) ? -1 : code, rest: buf.slice(at) };
  }
}

/** keepalived's FMT_SMTP_HOST: `[host]:port`. */
export function smtpHostText(s: Pick<SmtpSettings, 'host' | 'port'>): string {
  return `[${s.host}]:${s.port}`;
}
