/**
 * @module The lines keepalived 2.2.7 writes to its notify FIFOs, pure. Checked against
 * keepalived 2.2.7 itself (test/netns/ha-notify-fifo.test.ts) and its sources
 * (vrrp_notify.c notify_fifo, ipwrapper.c notify_fifo_vs / notify_fifo_rs):
 *
 * - VRRP (`notify_fifo`, `vrrp_notify_fifo`): `INSTANCE "VI_1" MASTER 100` — the name in
 *   double quotes, the instance's effective priority; `GROUP "G1" BACKUP 0` for a sync
 *   group (always 0). Besides the four states: STOP at shutdown, DELETED (instance removed
 *   by a reload with notify_deleted), MASTER_RX_LOWER_PRI (a master heard a lower
 *   priority), MASTER_PRIORITY / BACKUP_PRIORITY (priority changes, when enabled).
 * - LVS (`notify_fifo`, `lvs_notify_fifo`): `VS [10.0.0.1]:tcp:80 UP` on quorum changes,
 *   `RS [10.0.1.1]:tcp:8080 [10.0.0.1]:tcp:80 DOWN` on real server changes.
 *
 * Every line ends with a newline; nothing else (no start-up or shutdown banner) is written.
 */

/** What a VRRP FIFO line reports for an instance or group. */
export type VrrpFifoEvent =
  | 'MASTER'
  | 'BACKUP'
  | 'FAULT'
  | 'STOP'
  | 'DELETED'
  | 'MASTER_RX_LOWER_PRI'
  | 'MASTER_PRIORITY'
  | 'BACKUP_PRIORITY';

/** `INSTANCE "NAME" STATE PRIORITY\n`. */
export function instanceFifoLine(name: string, event: VrrpFifoEvent, priority: number): string {
  return `INSTANCE "${name}" ${event} ${priority}\n`;
}

/** `GROUP "NAME" STATE 0\n` (keepalived reports no priority for groups). */
export function groupFifoLine(name: string, event: VrrpFifoEvent): string {
  return `GROUP "${name}" ${event} 0\n`;
}

/** `VS <service> UP|DOWN\n`; `service` is keepalived's FMT_VS text (`[10.0.0.1]:tcp:80`). */
export function virtualServerFifoLine(service: string, quorumUp: boolean): string {
  return `VS ${service} ${quorumUp ? 'UP' : 'DOWN'}\n`;
}

/** `RS <real> <service> UP|DOWN\n` (FMT_RS then FMT_VS). */
export function realServerFifoLine(real: string, service: string, alive: boolean): string {
  return `RS ${real} ${service} ${alive ? 'UP' : 'DOWN'}\n`;
}

/**
 * The argv keepalived starts a FIFO script with: the configured words, then the FIFO's
 * path as the last argument.
 */
export function fifoScriptArgv(scriptArgv: readonly string[], fifoPath: string): string[] {
  return [...scriptArgv, fifoPath];
}

/** keepalived creates a missing FIFO with mode 0644 less the daemon's umask (default 0177). */
export function fifoCreateMode(umask = 0o177): number {
  return 0o644 & ~umask & 0o777;
}

/**
 * `fifo_write_vrrp_states_on_reload`: what keepalived 2.2.7 writes after a reload, as
 * observed (a reload of the same config, strace on its FIFO fd): every sync group's state
 * in config order, then the instances in config order, except those in MASTER, which are
 * not written again. Instances still in INIT or stopping have no state to report.
 */
export function reloadStateLines(
  groups: readonly { readonly name: string; readonly state: string }[],
  instances: readonly { readonly name: string; readonly state: string; readonly priority: number }[],
): string[] {
  const groupLines = groups
    .filter((g) => g.state === 'MASTER' || g.state === 'BACKUP' || g.state === 'FAULT')
    .map((g) => groupFifoLine(g.name, g.state as VrrpFifoEvent));
  const instanceLines = instances
    .filter((i) => i.state === 'BACKUP' || i.state === 'FAULT')
    .map((i) => instanceFifoLine(i.name, i.state as VrrpFifoEvent, i.priority));
  return [...groupLines, ...instanceLines];
}
