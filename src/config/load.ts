/**
 * @module The configuration pipeline: preprocess → parse → build → validate. A bad
 * configuration yields diagnostics, never an exception: the caller keeps the old one.
 */

import { buildConfig } from './build.js';
import { type Diagnostic, DiagnosticSink } from './diagnostic.js';
import { ROOT_GRAMMAR } from './keywords/grammar.js';
import type { Config, VirtualServer } from './model.js';
import { Parser } from './parser.js';
import { Preprocessor } from './preprocess.js';
import { ServerVerdicts } from './server-verdicts.js';
import type { ConfigFileSystem } from './source.js';
import { checkVirtualServer, type HostEnvironment, validateConfig } from './validate.js';

export interface LoadOptions {
  readonly fs: ConfigFileSystem;
  /** Host checks; omit to validate the file alone (no interface or script checks). */
  readonly env?: HostEnvironment;
  readonly configId: string;
  readonly cwd: string;
  readonly randomSeed?: number;
  readonly maxLines?: number;
  /**
   * Only the diagnostics are wanted (`-t`): virtual servers served by address or fwmark
   * are validated as they are built and their real servers are not kept, so the returned
   * config lacks them. The diagnostics are the same either way.
   */
  readonly verdictsOnly?: boolean;
}

export interface LoadResult {
  /** Undefined only when the main file could not be read at all. */
  readonly config: Config | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

export function loadConfig(path: string, options: LoadOptions): LoadResult {
  const diags = new DiagnosticSink();
  const pre = new Preprocessor(options.fs, diags, {
    configId: options.configId,
    ...(options.randomSeed !== undefined ? { randomSeed: options.randomSeed } : {}),
    maxLines: options.maxLines ?? 5_000_000,
  });
  if (!pre.openMain(path, options.cwd)) return { config: undefined, diagnostics: diags.items };
  const statements = new Parser(pre, diags).statements(ROOT_GRAMMAR);
  const verdicts = options.env && options.verdictsOnly ? new ServerVerdicts() : undefined;
  const letGo = verdicts && ((vs: VirtualServer, c: Config) => verdicts.record(vs, c, checkVirtualServer));
  const config = buildConfig(statements, diags, () => pre.filesRead, letGo);
  if (options.env) validateConfig(config, diags, options.env, verdicts);
  return { config, diagnostics: diags.items };
}
