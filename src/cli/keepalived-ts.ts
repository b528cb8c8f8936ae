/**
 * @module The `keepalived-ts` executable: keepalived's flags, `-t` config test with
 * keepalived 2.2.7's exit codes, `-d` dump of the typed model.
 */
import { hostname } from 'node:os';
import { configTestExitCode, type Diagnostic, formatDiagnostic } from '../config/diagnostic.js';
import { loadConfig } from '../config/load.js';
import { nodeFileSystem } from '../config/source.js';
import { realHostEnvironment } from '../io/host-environment.js';
import { type CliOptions, helpText, parseArgs } from './args.js';

export const VERSION = '0.1.0';

/** keepalived's default config id: the node name up to its first dot. */
export function defaultConfigId(): string {
  return hostname().split('.')[0] ?? '';
}

function configTest(options: CliOptions): number {
  const { config, diagnostics } = loadConfig(options.configFile, {
    fs: nodeFileSystem,
    env: realHostEnvironment(),
    configId: options.configId ?? defaultConfigId(),
    cwd: process.cwd(),
  });
  const code = config ? configTestExitCode(diagnostics) : 1;
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ file: options.configFile, ok: code === 0, exitCode: code, diagnostics }, null, 2)}\n`,
    );
  } else {
    for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  }
  if (options.dumpConf && config) process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
  return code;
}

function dumpConf(options: CliOptions): number {
  const { config, diagnostics } = loadConfig(options.configFile, {
    fs: nodeFileSystem,
    configId: options.configId ?? defaultConfigId(),
    cwd: process.cwd(),
  });
  for (const d of diagnostics as Diagnostic[]) process.stderr.write(`${formatDiagnostic(d)}\n`);
  if (!config) return 1;
  process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
  return 0;
}

export function main(argv: readonly string[]): number {
  let options: CliOptions;
  try {
    options = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`keepalived-ts: ${(e as Error).message}\n${helpText()}\n`);
    return 1;
  }
  if (options.help) {
    process.stdout.write(`${helpText()}\n`);
    return 0;
  }
  if (options.version) {
    process.stdout.write(`keepalived-ts v${VERSION} (keepalived 2.2.7 compatible configuration)\n`);
    return 0;
  }
  if (options.configTest) return configTest(options);
  if (options.dumpConf) return dumpConf(options);
  process.stderr.write(
    'keepalived-ts: the VRRP daemon is not part of this build yet; use -t to check a configuration or -d to dump it\n',
  );
  return 1;
}
