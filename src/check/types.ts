/**
 * @module Health-check types: what a checker is asked to do (`CheckSpec`, resolved from
 * the config with keepalived 2.2.7's inheritance and defaults) and what it answers
 * (`CheckResult`). Pure: no `node:*` imports. A checker never throws; every failure is a
 * typed `CheckFailure` with one reason per cause.
 */
import type { CheckerType, HttpUrl, ScriptCommand } from '../config/model.js';

/** Why a check failed. One reason per cause, so each can be counted. */
export type CheckFailReason =
  | 'timeout'
  | 'refused'
  | 'reset'
  | 'connect-error'
  | 'tls-error'
  | 'bad-response'
  | 'status-code'
  | 'digest'
  | 'regex'
  | 'exit-code'
  | 'script-error'
  | 'no-reply'
  | 'bad-reply'
  | 'file'
  | 'unsupported';

/** The outcome of one check. `weight` is set only by dynamic checkers (misc_dynamic). */
export type CheckResult =
  | { readonly ok: true; readonly weight?: number; readonly detail?: string }
  | { readonly ok: false; readonly reason: CheckFailReason; readonly detail: string };

/** Where a network checker connects. Ports are host order; 0 means the RS port was 0. */
export interface Endpoint {
  readonly family: 4 | 6;
  readonly address: string;
  readonly port: number;
  readonly bindTo?: string;
  readonly bindPort?: number;
}

/** Timing of one checker after inheritance (checker > real_server > virtual_server > default). */
export interface ScheduleParams {
  readonly delayLoopMs: number;
  /** Additional attempts after a failure before a server that is up is taken down. */
  readonly retry: number;
  readonly delayBeforeRetryMs: number;
  /** Random delay before the first check: uniform in [0, warmupMs]. */
  readonly warmupMs: number;
  /** Start down: the first successful check brings the server up. */
  readonly alpha: boolean;
}

export interface HttpSpec {
  readonly kind: 'http';
  readonly tls: boolean;
  readonly urls: readonly HttpUrl[];
  /** Host header default from the real server or virtual server `virtualhost`. */
  readonly virtualhost?: string;
  /** `1.0`, `1.0C` or `1.1` (keepalived's default is 1.0). */
  readonly httpProtocol: '1.0' | '1.0C' | '1.1';
  readonly enableSni: boolean;
  /** keepalived-ts extension `verify_peer`: reject bad certificates (keepalived never verifies). */
  readonly verifyPeer?: boolean;
}

export interface MiscSpec {
  readonly kind: 'misc';
  readonly script?: ScriptCommand;
  readonly timeoutMs: number;
  readonly dynamic: boolean;
  /** The checker's `user USER [GROUP]`. */
  readonly user?: string;
  readonly group?: string;
}

export interface SmtpSpec {
  readonly kind: 'smtp';
  readonly heloName: string;
}

export interface DnsSpec {
  readonly kind: 'dns';
  readonly qtype: 'A' | 'NS' | 'CNAME' | 'SOA' | 'MX' | 'TXT' | 'AAAA';
  readonly name: string;
}

export interface UdpSpec {
  readonly kind: 'udp';
  readonly payload?: Uint8Array;
  /** Undefined: no reply needed. Otherwise a reply is needed whose bytes match `pattern` under `mask`. */
  readonly requireReply?: { readonly pattern: readonly { readonly value: number; readonly mask: number }[] };
  readonly minReplyLength: number;
  readonly maxReplyLength: number;
}

export interface FileSpec {
  readonly kind: 'file';
  /** Name of the `track_file` block. */
  readonly trackFile: string;
  /** The tracked file (from the track_file block); undefined if the block is missing. */
  readonly path?: string;
  /** Multiplier for the value read (FILE_CHECK weight, else the track_file's, else 1). */
  readonly weight: number;
  readonly reverse: boolean;
  readonly dynamic: boolean;
  /** The real server's configured weight (the base for dynamic weights). */
  readonly rsWeight: number;
}

export type CheckKindSpec =
  | { readonly kind: 'tcp' }
  | HttpSpec
  | MiscSpec
  | SmtpSpec
  | DnsSpec
  | UdpSpec
  | FileSpec
  | { readonly kind: 'ping' }
  | { readonly kind: 'unsupported'; readonly type: CheckerType };

/** Everything one checker needs to run. */
export interface CheckSpec {
  /** Stable id: `<service id>/<rs address>:<port>/<index>`. */
  readonly id: string;
  readonly type: CheckerType;
  readonly endpoint: Endpoint;
  readonly connectTimeoutMs: number;
  readonly schedule: ScheduleParams;
  readonly kind: CheckKindSpec;
}

/** A function that runs one check. Must resolve (never reject) within `timeoutMs` plus slack. */
export type CheckFn = (spec: CheckSpec, signal: AbortSignal) => Promise<CheckResult>;

export const fail = (reason: CheckFailReason, detail: string): CheckResult => ({ ok: false, reason, detail });
export const pass: CheckResult = { ok: true };

/** What the runner offers a lean check (below) while it runs. */
export interface ProbeHost {
  /** The check's verdict: once per `start()`, never after `cancel()`. */
  done(r: CheckResult): void;
  /** Sets the running check's deadline to `ms` from now (HTTP_GET: one per url). */
  deadline(ms: number): void;
}

/**
 * A check without promises, signals or timers of its own: made once per checker and
 * reused for every run, so the steady path allocates (almost) nothing. The runner arms
 * the deadline (connect_timeout unless the probe sets another) and calls `cancel()`
 * when it passes or the runner stops.
 */
export interface Probe {
  start(): void;
  cancel(): void;
  /** What reports this probe's socket events, when the runner drives it (see ProbeDriver). */
  readonly driver?: ProbeDriver;
}

/**
 * Something probes wait on (the stream poller) that is not watched on the event loop but
 * drained by the runner at its timer ticks while probes run: a check's steps then cost
 * no wake-up of their own (each wake-up of node costs more than a check's own work).
 */
export interface ProbeDriver {
  /** Reports every event ready now to its probes. */
  drain(): void;
}

/** Makes the lean form of a check for a spec, or undefined when it must run as a `CheckFn`. */
export type ProbeFactory = (spec: CheckSpec, host: ProbeHost) => Probe | undefined;

/** A `CheckFn` that may also offer a lean form (TCP_CHECK, HTTP_GET). */
export type LeanCheckFn = CheckFn & { readonly probe?: ProbeFactory };
