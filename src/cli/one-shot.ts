/**
 * @module The commands that run once and exit: `-t` (config test with keepalived 2.2.7's
 * exit codes), `-d` (dump of the typed model), `-v`, `-h` and a bad command line. They
 * need no daemon code, so this module and what it imports are all `-t` loads; bin/
 * keepalived-ts runs them from one pre-compiled script when it can (see bundle.ts).
 */
import { hostname } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { configTestExitCode, type Diagnostic, formatDiagnostic } from '../config/diagnostic.js';
import { loadConfig } from '../config/load.js';
import { type ConfigFileSystem, mappedFileSystem, nodeFileSystem } from '../config/source.js';
import { realHostEnvironment } from '../io/host-environment.js';
import { type CliOptions, helpText, parseArgs } from './args.js';

export const VERSION = '0.1.0';

/** What the caller of {@link runOneShot} lends it from outside the modules. */
export interface OneShotHost {
  /**
   * A file's bytes as a string without a copy (native/mapfile.c), read once when -t or -d
   * starts reading (bin/keepalived-ts loads the addon then); undefined without the addon.
   */
  readonly mapFileLatin1?: (path: string) => string;
}

/**
 * Whether the command wrote to stdout or stderr. bin/keepalived-ts waits for the streams
 * to drain only then: reading a stream's state creates it, which for a pipe loads net,
 * stream and their kin (~15 M instructions, a tenth of a quiet `-t`'s start-up).
 */
let wroteStdio = false;

export function wroteOutput(): boolean {
  return wroteStdio;
}

function out(text: string): void {
  wroteStdio = true;
  process.stdout.write(text);
}

function err(text: string): void {
  wroteStdio = true;
  process.stderr.write(text);
}

/** keepalived's default config id: the node name up to its first dot. */
export function defaultConfigId(): string {
  return hostname().split('.')[0] ?? '';
}

/**
 * `-t` and `-d` read the configuration once and exit: a burst of short-lived syntax
 * objects. Left alone, V8 doubles the young generation at each scavenge; kept at its
 * initial size, a few more (cheap) scavenges touch far less fresh memory. Measured on the
 * 10,000-real-server bench file: ~15% less wall and CPU time, 10 MB less peak RSS. The
 * daemon sets it too (src/daemon/v8-flags.ts). (V8 reads this flag when it grows the
 * space, so setting it now takes effect; the semi-space size flags are fixed at start-up.)
 */
function tuneHeapForOneShotRead(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

function configTest(options: CliOptions, fs: ConfigFileSystem): number {
  tuneHeapForOneShotRead();
  const { config, diagnostics } = loadConfig(options.configFile, {
    fs,
    env: realHostEnvironment(),
    configId: options.configId ?? defaultConfigId(),
    cwd: process.cwd(),
    // The model is printed only with -d; otherwise -t needs its diagnostics alone.
    verdictsOnly: !options.dumpConf,
  });
  const code = config ? configTestExitCode(diagnostics) : 1;
  if (options.json) {
    out(
      `${JSON.stringify({ file: options.configFile, ok: code === 0, exitCode: code, diagnostics }, null, 2)}\n`,
    );
  } else {
    for (const d of diagnostics) err(`${formatDiagnostic(d)}\n`);
  }
  if (options.dumpConf && config) out(`${JSON.stringify(config, null, 2)}\n`);
  return code;
}

function dumpConf(options: CliOptions, fs: ConfigFileSystem): number {
  tuneHeapForOneShotRead();
  const { config, diagnostics } = loadConfig(options.configFile, {
    fs,
    configId: options.configId ?? defaultConfigId(),
    cwd: process.cwd(),
  });
  for (const d of diagnostics as Diagnostic[]) err(`${formatDiagnostic(d)}\n`);
  if (!config) return 1;
  out(`${JSON.stringify(config, null, 2)}\n`);
  return 0;
}

/**
 * Runs `argv` when it is a one-shot command and returns its exit status; undefined when
 * it is not (`status`, `genhash`, the daemon): the full CLI handles those.
 */
export function runOneShot(argv: readonly string[], host: OneShotHost = {}): number | undefined {
  if (argv[0] === 'status') return undefined;
  // keepalived: "-T, --genhash  Enter into genhash utility mode (this should be the first option used)".
  if (argv[0] === 'genhash' || argv[0] === '-T' || argv[0] === '--genhash') return undefined;
  let options: CliOptions;
  try {
    options = parseArgs(argv);
  } catch (e) {
    err(`keepalived-ts: ${(e as Error).message}\n${helpText()}\n`);
    return 1;
  }
  if (options.help) {
    out(`${helpText()}\n`);
    return 0;
  }
  if (options.version) {
    out(`keepalived-ts v${VERSION} (keepalived 2.2.7 compatible configuration)\n`);
    return 0;
  }
  if (!options.configTest && !options.dumpConf) return undefined;
  const map = host.mapFileLatin1;
  const fs = map ? mappedFileSystem(map) : nodeFileSystem;
  return options.configTest ? configTest(options, fs) : dumpConf(options, fs);
}
