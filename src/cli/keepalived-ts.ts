/**
 * @module The `keepalived-ts` executable: keepalived's flags, `-t` config test with
 * keepalived 2.2.7's exit codes, `-d` dump of the typed model, the VRRP daemon (no flag;
 * always in the foreground), and `keepalived-ts status [--json]` asking a running daemon.
 * keepalived-ts adds `--control-socket PATH` (daemon and status) to keepalived's flags.
 */
import { hostname } from 'node:os';
import { configTestExitCode, type Diagnostic, formatDiagnostic } from '../config/diagnostic.js';
import { loadConfig } from '../config/load.js';
import { nodeFileSystem } from '../config/source.js';
import { controlSocketPath, runDaemon, statusCommand } from '../daemon/index.js';
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

/** Takes keepalived-ts's own `--control-socket PATH` / `--control-socket=PATH` out of argv. */
export function extractControlSocket(argv: readonly string[]): { rest: string[]; path?: string } {
  const rest: string[] = [];
  let path: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--control-socket') path = argv[++i];
    else if (a.startsWith('--control-socket=')) path = a.slice('--control-socket='.length);
    else rest.push(a);
  }
  return path === undefined ? { rest } : { rest, path };
}

function statusMain(argv: readonly string[], socket: string | undefined): number {
  const json = argv.includes('--json');
  const unknown = argv.filter((a) => a !== '--json');
  if (unknown.length > 0) {
    process.stderr.write(`keepalived-ts status: unexpected argument '${unknown[0]}'\n`);
    return 1;
  }
  void statusCommand(controlSocketPath(socket, undefined), json).then((code) => {
    process.exitCode = code;
  });
  return 0;
}

function daemonMain(options: CliOptions, socket: string | undefined, argv: readonly string[]): number {
  const pidFiles = [options.pidFile, options.vrrpPidFile].filter((p): p is string => p !== undefined);
  void runDaemon({
    configFile: options.configFile,
    configId: options.configId ?? defaultConfigId(),
    logConsole: options.logConsole,
    logDetail: options.logDetail,
    pidFiles,
    controlSocket: controlSocketPath(socket, options.pidFile),
    version: VERSION,
    argv: ['keepalived-ts', ...argv],
  }).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`keepalived-ts: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
  return 0;
}

export function main(fullArgv: readonly string[]): number {
  const { rest: argv, path: socket } = extractControlSocket(fullArgv);
  if (argv[0] === 'status') return statusMain(argv.slice(1), socket);
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
  return daemonMain(options, socket, fullArgv);
}
