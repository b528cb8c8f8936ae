/**
 * @module The VRRP daemon: its only import surface (for src/cli), and the contract others
 * drive it by as a black box.
 *
 * Command line (keepalived's flags, see src/cli/args.ts, plus `--control-socket PATH`):
 * - `keepalived-ts [-n] [-l] [-D] -f FILE [-p PIDFILE] [-r VRRP_PIDFILE] [--control-socket PATH]`
 *   runs VRRP in the foreground (it never forks; `-n` is accepted). `-l` logs to stderr,
 *   `-D` adds keepalived's detail lines. `-p`/`-r` write the pid (one process: both hold
 *   the same pid) and are removed on exit.
 * - `keepalived-ts status [--json] [--control-socket PATH]` prints the status; exit 0, or
 *   1 when the daemon cannot be reached.
 * - Control socket: PATH, else next to `-p` (`X.pid` → `X.sock`), else
 *   `/run/keepalived-ts.sock`. Unix stream socket, mode 0600. One request per connection:
 *   the client writes `status\n` (text) or `status json\n` (one JSON line, see
 *   `StatusReport` in status.ts), the daemon answers and closes; anything else gets
 *   `error: unknown command ...`.
 *
 * Log lines (stderr with `-l`), keepalived's console format `<ctime>: <text>`:
 * - `Starting Keepalived-ts v0.1.0`, `Command line: ...`, `Configuration file F`,
 *   config diagnostics (`file:line:col: severity: message`),
 *   `Control socket PATH ready` (the daemon is up: instances started, socket answering).
 * - the engine's keepalived 2.2.7 lines: `(VI_1) Entering MASTER STATE`,
 *   `(VI_1) Entering BACKUP STATE`, `(VI_1) Entering BACKUP STATE (init)`,
 *   `(VI_1) Entering FAULT STATE`, `(VI_1) Master received advert from A with higher priority P, ours Q`,
 *   ...; with `-D` also `(VI_1) Receive advertisement timeout`, `(VI_1) setting VIPs.`,
 *   `(VI_1) removing VIPs.`, `(VI_1) sent 0 priority`, `(VI_1) dropping advert: <why>`.
 * - `Netlink reports IF down|up`,
 *   `(VI_1) virtual address A deleted by another process - restoring`.
 * - `Received SIGTERM, stopping` ... `Stopped Keepalived-ts v0.1.0` (exit 0).
 * - `Reloading`, then `Reload refused: ... - keeping the running configuration` or
 *   `Reload done: kept K, restarted R, added A, removed D`.
 *
 * Signals: SIGTERM/SIGINT graceful stop; SIGHUP reload; SIGUSR1/SIGUSR2 text dumps to
 * /tmp/keepalived-ts.data / .stats; SIGJSON (SIGRTMIN+2) JSON to /tmp/keepalived-ts.json;
 * SIGSTATS_CLEAR (SIGRTMAX-1) zeroes counters.
 */

export { statusCommand } from './control-client.js';
export { runDaemon } from './main.js';
export { namespaceControlSocket } from './net-namespace.js';
export { controlSocketPath, DEFAULT_CONTROL_SOCKET } from './pidfile.js';
export type { StatusReport } from './status.js';
