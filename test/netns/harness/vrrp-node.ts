/**
 * @module A VRRP daemon on a lab host: keepalived 2.2.7 (the reference peer) or
 * keepalived-ts, started the same way (`-n -l -D -G -f conf -p pid -r vrrp_pid -c
 * check_pid`, logging to stdout) with its own temp dir for config and pid files. State
 * changes are read from the log lines keepalived prints, word for word:
 * `(VI_1) Entering MASTER STATE`. keepalived runs under `stdbuf -oL` so that each
 * line arrives when it is written (its console log is block-buffered on a pipe).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasCommand } from './exec.js';
import type { Host, Lab } from './lab.js';
import { LoggedProcess, type LogLine } from './process.js';

export type Impl = 'keepalived' | 'keepalived-ts';
export type VrrpState = 'MASTER' | 'BACKUP' | 'FAULT';

/** The repository root (holds package.json), found from this file's location. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin'))) return dir;
    dir = resolve(dir, '..');
  }
  throw new Error('repository root not found');
}

/** The keepalived-ts executable, `bin/keepalived-ts`. */
export const ktsBin = (): string => join(repoRoot(), 'bin', 'keepalived-ts');

/** Why `impl` cannot run here, or null. */
export function implUnavailable(impl: Impl): string | null {
  if (impl === 'keepalived') return hasCommand('keepalived') ? null : 'keepalived is not installed';
  const main = join(repoRoot(), 'dist', 'src', 'cli', 'keepalived-ts.js');
  return existsSync(main) ? null : `keepalived-ts is not built (${main})`;
}

/** Extra daemon flags from the environment (KTS_NETNS_KTS_ARGS), e.g. a control socket. */
const extraKtsArgs = (): string[] =>
  (process.env['KTS_NETNS_KTS_ARGS'] ?? '').split(' ').filter((s) => s !== '');

/** The part of `keepalived-ts status --json` the scenarios read. */
export interface StatusJson {
  readonly pid: number;
  readonly instances: readonly {
    readonly name: string;
    readonly state: string;
    readonly priority: number;
    readonly masterAddress: string | null;
    readonly virtualAddresses: readonly string[];
  }[];
}

export interface VrrpNodeOptions {
  readonly label?: string;
  readonly echo?: boolean;
  /** Extra command-line flags after the standard ones. */
  readonly args?: readonly string[];
}

export class VrrpNode {
  readonly impl: Impl;
  readonly host: Host;
  readonly dir: string;
  readonly confPath: string;
  readonly proc: LoggedProcess;

  constructor(lab: Lab, host: Host, impl: Impl, conf: string, opts: VrrpNodeOptions = {}) {
    this.impl = impl;
    this.host = host;
    this.dir = join(lab.dir, `${host.role}-${impl}-${Date.now()}`);
    mkdirSync(this.dir, { recursive: true });
    this.confPath = join(this.dir, 'keepalived.conf');
    writeFileSync(this.confPath, conf);
    const flags = ['-n', '-l', '-D', '-G', '-f', this.confPath];
    flags.push('-p', join(this.dir, 'keepalived.pid'), '-r', join(this.dir, 'vrrp.pid'));
    flags.push('-c', join(this.dir, 'checkers.pid'), ...(opts.args ?? []));
    const argv =
      impl === 'keepalived'
        ? ['stdbuf', '-oL', '-eL', 'keepalived', ...flags]
        : [ktsBin(), ...flags, ...extraKtsArgs()]; // as installed: its #! line sets node's options
    this.proc = new LoggedProcess(host.ns, argv, {
      label: opts.label ?? `${host.role}/${impl}`,
      cwd: this.dir,
      ...(opts.echo === undefined ? {} : { echo: opts.echo }),
    });
  }

  get label(): string {
    return this.proc.label;
  }

  /** Index to pass as `from` to only match transitions after now. */
  mark(): number {
    return this.proc.mark();
  }

  /** Waits for `(NAME) Entering STATE STATE` at or after line `from`. */
  waitState(state: VrrpState, timeoutMs: number, from = 0, instance = 'VI_1'): Promise<LogLine> {
    return this.proc.waitFor(new RegExp(`\\(${instance}\\) Entering ${state} STATE`), timeoutMs, from);
  }

  /** The last state this node logged for `instance`, or undefined. */
  state(instance = 'VI_1'): VrrpState | undefined {
    const re = new RegExp(`\\(${instance}\\) Entering (MASTER|BACKUP|FAULT) STATE`);
    for (let i = this.proc.lines.length - 1; i >= 0; i--) {
      const m = re.exec(this.proc.lines[i]!.text);
      if (m) return m[1] as VrrpState;
    }
    return undefined;
  }

  /** Transition lines for `state` since `from`. */
  transitions(state: VrrpState, from = 0, instance = 'VI_1'): LogLine[] {
    return this.proc.findAll(new RegExp(`\\(${instance}\\) Entering ${state} STATE`), from);
  }

  /** The control socket keepalived-ts derives from `-p DIR/keepalived.pid`. */
  get controlSocket(): string {
    return join(this.dir, 'keepalived.sock');
  }

  /** keepalived-ts only: `keepalived-ts status --json --control-socket PATH`, parsed. */
  status(): Promise<StatusJson> {
    const args = [ktsBin(), 'status', '--json', '--control-socket', this.controlSocket];
    return new Promise((resolvePromise, reject) => {
      execFile(process.execPath, args, { timeout: 5000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`${this.label} status: ${err.message} ${stderr}`));
        else resolvePromise(JSON.parse(stdout) as StatusJson);
      });
    });
  }

  /** Graceful stop: SIGTERM and wait for exit; returns the time SIGTERM was sent. */
  async terminate(timeoutMs = 5000): Promise<number> {
    const t = this.proc.signal('SIGTERM');
    if (!(await this.proc.waitExit(timeoutMs))) {
      this.proc.kill();
      throw new Error(`${this.label}: did not exit within ${timeoutMs} ms of SIGTERM\n${this.proc.tail(30)}`);
    }
    return t;
  }

  /** Always safe: stops the daemon (SIGTERM, then SIGKILL). */
  stop(): Promise<void> {
    return this.proc.stop();
  }
}
