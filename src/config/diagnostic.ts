/**
 * @module Diagnostics: every problem found in a configuration, with its place.
 *
 * keepalived's `-t` fails on anything it reports as a config error, which includes many
 * things it calls warnings; we keep a human severity and, separately, the class that
 * decides the exit status. `notice` is printed but never fails `-t` (keepalived logs
 * these with log_message rather than report_config_error).
 */

/** Where a diagnostic points: 1-based line and column in a file as the operator wrote it. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export type Severity = 'error' | 'warning' | 'notice';

/**
 * What kind of problem: `syntax` (keywords, braces, missing parameters), `semantic`
 * (invalid values, inconsistencies), `environment` (this host lacks an interface, script,
 * user...), `security` (script security: keepalived exits 6 for these in -t mode).
 */
export type DiagnosticKind = 'syntax' | 'semantic' | 'environment' | 'security';

export interface Diagnostic {
  readonly severity: Severity;
  readonly kind: DiagnosticKind;
  readonly message: string;
  /** Where to look; whole-file problems point at the file's last line. */
  readonly location: SourceLocation;
  /** The offending text, as written. */
  readonly text?: string;
  /** How to fix it, when that is obvious. */
  readonly hint?: string;
  /** keepalived stops reading at this one (exit 2); we go on and report the rest. */
  readonly aborts?: boolean;
}

/** Collects diagnostics in order; the parser and the builders share one sink. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];

  report(d: Diagnostic): void {
    this.items.push(d);
  }

  error(kind: DiagnosticKind, message: string, location: SourceLocation, extra?: DiagnosticExtra): void {
    this.report({ severity: 'error', kind, message, location, ...extra });
  }

  warning(kind: DiagnosticKind, message: string, location: SourceLocation, extra?: DiagnosticExtra): void {
    this.report({ severity: 'warning', kind, message, location, ...extra });
  }

  notice(kind: DiagnosticKind, message: string, location: SourceLocation, extra?: DiagnosticExtra): void {
    this.report({ severity: 'notice', kind, message, location, ...extra });
  }
}

type DiagnosticExtra = { readonly text?: string; readonly hint?: string; readonly aborts?: boolean };

/** True when keepalived 2.2.7's `-t` would exit non-zero for this diagnostic. */
export function failsConfigTest(d: Diagnostic): boolean {
  return d.severity !== 'notice';
}

/** keepalived 2.2.7's `-t` exit status for a list of diagnostics (see keepalived(8)). */
export function configTestExitCode(diagnostics: readonly Diagnostic[]): number {
  const failing = diagnostics.filter(failsConfigTest);
  if (failing.length === 0) return 0;
  // A missing parameter makes keepalived exit at once (2); script security is 6.
  if (failing.some((d) => d.aborts)) return 2;
  return failing.some((d) => d.kind === 'security') ? 6 : 5;
}

/** `file:line:col: severity: message [text]` plus an indented hint: the compiler convention. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.location.file}:${d.location.line}:${d.location.col}: `;
  const text = d.text !== undefined && !d.message.includes(d.text) ? ` ('${d.text}')` : '';
  const hint = d.hint ? `\n    hint: ${d.hint}` : '';
  return `${where}${d.severity}: ${d.message}${text}${hint}`;
}
