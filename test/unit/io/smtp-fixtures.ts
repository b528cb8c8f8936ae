/** Shared global_defs and settings for the smtp_alert unit tests. */
import type { GlobalDefs } from '../../../src/config/model.js';
import { type SmtpSettings, smtpSettings } from '../../../src/io/smtp-alert-format.js';

export const host = { hostname: 'lb1', userName: 'root' };
export const g = (over: Partial<Record<string, unknown>> = {}): GlobalDefs =>
  ({
    notificationEmails: ['ops@example.com', 'noc@example.com'],
    smtpServer: { host: '127.0.0.1', port: 25, loc: { file: 'k.conf', line: 1, column: 1 } },
    ...over,
  }) as unknown as GlobalDefs;

export const settings = (over: Partial<SmtpSettings> = {}): SmtpSettings => ({
  ...smtpSettings(g(), host)!,
  ...over,
});
