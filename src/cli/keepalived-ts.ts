/**
 * @module The `keepalived-ts` executable: keepalived's flags, `-t` config test with
 * keepalived 2.2.7's exit codes, `-d` dump of the typed model, the VRRP daemon (no flag;
 * always in the foreground), and `keepalived-ts status [--json]` asking a running daemon.
 * keepalived-ts adds `--control-socket PATH` (daemon and status) to keepalived's flags.
 */
import { type CliOptions, parseArgs } from './args.js';
import { genhashMain } from './genhash.js';
import { defaultConfigId, runOneShot, VERSION } from './one-shot.js';

export { defaultConfigId, VERSION };

/**
 * The daemon (with its native addon, netlink and data planes: most of the code) loads
 * only when a command needs it, so `-t` and `-d` start in a fraction of the time.
 */
const daemon = () => import('../daemon/index.js');

/** `keepalived-ts status [--json] [--control-socket PATH] [-p PIDFILE]`. */
function statusMain(argv: readonly string[]): number {
  let options: CliOptions;
  try {
    options = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`keepalived-ts status: ${(e as Error).message}\n`);
    return 1;
  }
  void daemon()
    .then(({ controlSocketPath, namespaceControlSocket, statusCommand }) =>
      statusCommand(
        // `-s NAME`: the daemon of that namespace's default socket.
        options.namespace !== undefined &&
          options.controlSocket === undefined &&
          options.pidFile === undefined
          ? namespaceControlSocket(options.namespace)
          : controlSocketPath(options.controlSocket, options.pidFile),
        options.json,
      ),
    )
    .then((code) => {
      process.exitCode = code;
    });
  return 0;
}

function daemonMain(options: CliOptions, argv: readonly string[]): number {
  const pidFiles = [options.pidFile, options.vrrpPidFile].filter((p): p is string => p !== undefined);
  void daemon()
    .then(({ controlSocketPath, runDaemon }) =>
      runDaemon({
        configFile: options.configFile,
        configId: options.configId ?? defaultConfigId(),
        logConsole: options.logConsole,
        logDetail: options.logDetail,
        pidFiles,
        controlSocket: controlSocketPath(options.controlSocket, options.pidFile),
        version: VERSION,
        argv: ['keepalived-ts', ...argv],
        runVrrp: !options.checkOnly,
        runChecker: !options.vrrpOnly,
        realtime: options.realtime,
        ...(options.dataPlane ? { dataPlane: options.dataPlane } : {}),
        ...(options.logFacility ? { logFacility: options.logFacility } : {}),
        ...(options.namespace ? { namespace: options.namespace } : {}),
      }),
    )
    .then(
      (code) => process.exit(code),
      (e: unknown) => {
        process.stderr.write(`keepalived-ts: ${(e as Error).stack ?? String(e)}\n`);
        process.exit(1);
      },
    );
  return 0;
}

export function main(argv: readonly string[]): number {
  const oneShot = runOneShot(argv);
  if (oneShot !== undefined) return oneShot;
  if (argv[0] === 'status') return statusMain(argv.slice(1));
  if (argv[0] === 'genhash' || argv[0] === '-T' || argv[0] === '--genhash') return genhashMain(argv.slice(1));
  // runOneShot has read these options already and found no one-shot command in them.
  return daemonMain(parseArgs(argv), argv);
}
