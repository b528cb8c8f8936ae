/**
 * @module The BFD session state machine (RFC 5880 sections 6.2, 6.8), asynchronous
 * mode, no Demand, no Echo: `stepBfd(session, event, env) → {session, effects}`. Time
 * and randomness are injected (`env`), timers are deadlines in the session that the
 * shell arms with one timer at `nextBfdDeadline(session)`.
 *
 * Behaviour follows keepalived 2.2.7 (bfd_scheduler.c) where the RFC leaves room:
 * - intervals are recomputed on every packet while not Up, and while Up only on a
 *   packet with Poll or Final; the detection time is the remote multiplier times the
 *   agreed remote interval (max of our RequiredMinRx and its DesiredMinTx);
 * - a Down session clears the remote's values one detection time later (keepalived's
 *   reset thread) so a restarted neighbour with a new discriminator is met again;
 * - a packet with Poll is answered at once with Final.
 * And the RFC where keepalived deviates: while not Up the advertised DesiredMinTx is
 * at least `idle_tx` and packets go at that slow rate; entering Up starts a Poll
 * Sequence to the fast rate (6.8.3); transmission is jittered to 75-100% of the
 * interval, 75-90% with a multiplier of 1 (6.8.7); a state change is sent at once so
 * the three-way handshake does not wait for the slow timer; passive sessions stay
 * silent until they hear from the neighbour (6.1).
 */

import type { BfdControlFields } from './codec.js';
import {
  type BfdControlPacket,
  type BfdState,
  DIAG_ADMIN_DOWN,
  DIAG_EXPIRED,
  DIAG_NEIGHBOR_DOWN,
  DIAG_NONE,
  diagnosticText,
} from './types.js';

export interface BfdSessionConfig {
  readonly name: string;
  /** Configured min_tx: DesiredMinTxInterval while Up. */
  readonly desiredMinTxUs: number;
  /** Configured min_rx: RequiredMinRxInterval. */
  readonly requiredMinRxUs: number;
  /** Configured idle_tx: the interval while not Up. */
  readonly idleTxUs: number;
  readonly detectMult: number;
  readonly passive: boolean;
}

export interface BfdSession {
  readonly config: BfdSessionConfig;
  readonly state: BfdState;
  readonly localDiscriminator: number;
  readonly localDiag: number;
  readonly remoteState: BfdState;
  readonly remoteDiscriminator: number;
  readonly remoteDiag: number;
  readonly remoteMinTxUs: number;
  readonly remoteMinRxUs: number;
  readonly remoteDetectMult: number;
  /** A Poll Sequence of ours is running. */
  readonly poll: boolean;
  /** The next packet carries Final. */
  readonly final: boolean;
  /** Our transmit interval before jitter. */
  readonly txIntervalUs: number;
  /** The agreed interval of the remote's packets. */
  readonly remoteTxIntervalUs: number;
  readonly detectTimeUs: number;
  readonly lastRxUs: number | null;
  readonly nextTxUs: number | null;
  readonly expireUs: number | null;
  readonly resetUs: number | null;
}

export type BfdEvent =
  | { readonly type: 'start' }
  | { readonly type: 'packet'; readonly packet: BfdControlPacket }
  | { readonly type: 'tick' }
  | { readonly type: 'adminDown' };

export interface BfdEnv {
  /** Monotonic time in microseconds. */
  readonly nowUs: number;
  /** Uniform in [0, 1), for jitter. */
  readonly random: () => number;
}

export type BfdEffect =
  | { readonly type: 'send'; readonly packet: BfdControlFields }
  | {
      readonly type: 'stateChanged';
      readonly from: BfdState;
      readonly to: BfdState;
      readonly localDiag: number;
      readonly remoteDiag: number;
      /**
       * Whether the users of the session (track_bfd, BFD_CHECK) are told, as keepalived
       * 2.2.7 sends its BFD event: on entering Up, and on leaving Up for Down unless the
       * neighbour is AdminDown (RFC 5880 3.2: an administrative Down is no path failure).
       */
      readonly notify: boolean;
    }
  | { readonly type: 'log'; readonly level: 'info' | 'warning'; readonly text: string };

export interface BfdStep {
  readonly session: BfdSession;
  readonly effects: readonly BfdEffect[];
}

/** A new session in Down, not yet started (no deadline). */
export function createBfdSession(config: BfdSessionConfig, localDiscriminator: number): BfdSession {
  if (localDiscriminator < 1 || localDiscriminator > 0xffffffff)
    throw new RangeError('discriminator must be non-zero');
  return {
    config,
    state: 'Down',
    localDiscriminator,
    localDiag: DIAG_NONE,
    remoteState: 'Down',
    remoteDiscriminator: 0,
    remoteDiag: DIAG_NONE,
    remoteMinTxUs: 0,
    remoteMinRxUs: 0,
    remoteDetectMult: 0,
    poll: false,
    final: false,
    txIntervalUs: advertisedMinTx(config, 'Down'),
    remoteTxIntervalUs: 0,
    detectTimeUs: 0,
    lastRxUs: null,
    nextTxUs: null,
    expireUs: null,
    resetUs: null,
  };
}

/** DesiredMinTxInterval as sent: at least idle_tx while not Up (RFC 5880 6.8.3). */
export function advertisedMinTx(c: BfdSessionConfig, state: BfdState): number {
  return state === 'Up' ? c.desiredMinTxUs : Math.max(c.desiredMinTxUs, c.idleTxUs);
}

/** The earliest deadline the shell must wake up for, or null. */
export function nextBfdDeadline(s: BfdSession): number | null {
  const all = [s.nextTxUs, s.expireUs, s.resetUs].filter((t): t is number => t !== null);
  return all.length === 0 ? null : Math.min(...all);
}

/** The packet the session sends now. */
export function bfdPacketOf(s: BfdSession): BfdControlFields {
  return {
    diag: s.localDiag,
    state: s.state,
    poll: s.poll && !s.final,
    final: s.final,
    detectMult: s.config.detectMult,
    myDiscriminator: s.localDiscriminator,
    yourDiscriminator: s.remoteDiscriminator,
    desiredMinTxUs: advertisedMinTx(s.config, s.state),
    requiredMinRxUs: s.config.requiredMinRxUs,
  };
}

/** Interval to the next packet: 75-100% of the interval, 75-90% with multiplier 1 (6.8.7). */
export function jitteredInterval(intervalUs: number, detectMult: number, random: () => number): number {
  const min = detectMult === 1 ? 0.1 : 0;
  const cut = min + (0.25 - min) * random();
  return Math.max(1, Math.round(intervalUs * (1 - cut)));
}

function mayTransmit(s: BfdSession): boolean {
  return s.state !== 'AdminDown' && (!s.config.passive || s.remoteDiscriminator !== 0);
}

class Stepper {
  s: BfdSession;
  readonly effects: BfdEffect[] = [];
  readonly env: BfdEnv;
  constructor(s: BfdSession, env: BfdEnv) {
    this.s = s;
    this.env = env;
  }
  set(patch: Partial<BfdSession>): void {
    this.s = { ...this.s, ...patch };
  }
  log(level: 'info' | 'warning', text: string): void {
    this.effects.push({ type: 'log', level, text: `(${this.s.config.name}) ${text}` });
  }
  /** Sends a packet now and schedules the next one (Final is sent once). */
  send(): void {
    if (!mayTransmit(this.s)) {
      this.set({ nextTxUs: null });
      return;
    }
    this.effects.push({ type: 'send', packet: bfdPacketOf(this.s) });
    this.scheduleTx();
    this.set({ final: false });
  }
  scheduleTx(): void {
    const { s, env } = this;
    const next = mayTransmit(s)
      ? env.nowUs + jitteredInterval(s.txIntervalUs, s.config.detectMult, env.random)
      : null;
    this.set({ nextTxUs: next });
  }
  transition(to: BfdState, diag: number): void {
    const from = this.s.state;
    const rising = to === 'Init' || to === 'Up';
    const { nowUs } = this.env;
    this.set({ state: to, localDiag: rising ? DIAG_NONE : diag });
    // keepalived logs Up, and Down only when leaving Up (Init and Down→Down are quiet).
    if (rising) {
      if (to === 'Up') this.log('info', `Entering ${to} state`);
      this.set({ resetUs: null, expireUs: this.s.expireUs ?? nowUs + this.s.detectTimeUs });
    } else if (to === 'Down') {
      const r = diagnosticText(this.s.remoteDiag);
      if (from === 'Up')
        this.log(
          'warning',
          `Entering Down state (Local diagnostic - ${diagnosticText(diag)}, Remote diagnostic - ${r})`,
        );
      this.set({ expireUs: null, resetUs: nowUs + this.s.detectTimeUs, poll: false });
    } else {
      this.log('warning', `Entering ${to} state`);
      this.set({ expireUs: null, resetUs: null, poll: false });
    }
    if (to === 'Up') {
      // Leaving the slow rate: our DesiredMinTx drops, the peer learns it by a Poll (6.8.3).
      this.set({ poll: true, txIntervalUs: Math.max(this.s.config.desiredMinTxUs, this.s.remoteMinRxUs) });
    } else if (from === 'Up') {
      this.set({ txIntervalUs: Math.max(advertisedMinTx(this.s.config, to), this.s.remoteMinRxUs) });
    }
    this.effects.push({
      type: 'stateChanged',
      from,
      to,
      localDiag: this.s.localDiag,
      remoteDiag: this.s.remoteDiag,
      notify: to === 'Up' || (to === 'Down' && from === 'Up' && this.s.remoteState !== 'AdminDown'),
    });
  }
}

function receive(st: Stepper, p: BfdControlPacket): void {
  const before = st.s;
  if (p.final) st.set({ poll: false });
  st.set({
    remoteDiscriminator: p.myDiscriminator,
    remoteState: p.state,
    remoteDiag: p.diag,
    remoteMinTxUs: p.desiredMinTxUs,
    remoteMinRxUs: p.requiredMinRxUs,
    remoteDetectMult: p.detectMult,
  });
  const c = st.s.config;
  if (st.s.state !== 'Up' || p.poll || p.final) {
    st.set({
      txIntervalUs: Math.max(advertisedMinTx(c, st.s.state), p.requiredMinRxUs),
      remoteTxIntervalUs: Math.max(c.requiredMinRxUs, p.desiredMinTxUs),
    });
  }
  const detect = p.detectMult * st.s.remoteTxIntervalUs;
  if (detect !== before.detectTimeUs) {
    st.log(
      'info',
      `Detection time is ${Math.round(detect / 1000)} ms (was ${Math.round(before.detectTimeUs / 1000)} ms)`,
    );
  }
  st.set({ detectTimeUs: detect, lastRxUs: st.env.nowUs });
  runFsm(st, p.state);
  const changed = st.s.state !== before.state;
  if (p.poll) st.set({ final: true });
  if (changed || p.poll || before.nextTxUs === null) st.send();
  else if (st.s.txIntervalUs < before.txIntervalUs) st.scheduleTx();
  if (st.s.expireUs !== null) st.set({ expireUs: st.env.nowUs + st.s.detectTimeUs });
}

/** RFC 5880 6.8.6, the state table at its end. */
function runFsm(st: Stepper, remote: BfdState): void {
  const local = st.s.state;
  if (remote === 'AdminDown') {
    if (local !== 'Down') st.transition('Down', DIAG_NEIGHBOR_DOWN);
    return;
  }
  if (local === 'Down') {
    if (remote === 'Down') st.transition('Init', DIAG_NONE);
    else if (remote === 'Init') st.transition('Up', DIAG_NONE);
  } else if (local === 'Init') {
    if (remote === 'Init' || remote === 'Up') st.transition('Up', DIAG_NONE);
  } else if (local === 'Up' && remote === 'Down') {
    st.transition('Down', DIAG_NEIGHBOR_DOWN);
  }
}

function tick(st: Stepper): void {
  const { nowUs } = st.env;
  const s = st.s;
  if (s.expireUs !== null && s.expireUs <= nowUs) {
    const dead = s.lastRxUs === null ? s.detectTimeUs : nowUs - s.lastRxUs;
    st.log(
      'warning',
      `Expired after ${Math.round(dead / 1000)} ms (${Math.max(0, Math.round(dead - s.detectTimeUs))} usec overdue)`,
    );
    // 6.8.1: without a valid packet for a Detection Time, bfd.RemoteDiscr becomes zero.
    st.set({ remoteDiscriminator: 0, expireUs: null });
    st.transition('Down', DIAG_EXPIRED);
    st.send();
  }
  if (st.s.resetUs !== null && st.s.resetUs <= nowUs) {
    st.set({
      resetUs: null,
      remoteDiscriminator: 0,
      remoteState: 'Down',
      remoteMinTxUs: 0,
      remoteMinRxUs: 0,
      remoteDetectMult: 0,
      poll: false,
      final: false,
      txIntervalUs: advertisedMinTx(st.s.config, st.s.state),
    });
    if (st.s.nextTxUs === null) st.scheduleTx();
  }
  if (st.s.nextTxUs !== null && st.s.nextTxUs <= nowUs) st.send();
  else if (!mayTransmit(st.s)) st.set({ nextTxUs: null });
}

/** One step of the session. `packet` events must already have passed validate.ts. */
export function stepBfd(session: BfdSession, event: BfdEvent, env: BfdEnv): BfdStep {
  const st = new Stepper(session, env);
  switch (event.type) {
    case 'start':
      if (session.nextTxUs === null && mayTransmit(session)) st.set({ nextTxUs: env.nowUs });
      tick(st);
      break;
    case 'packet':
      if (session.state === 'AdminDown') break;
      receive(st, event.packet);
      break;
    case 'tick':
      tick(st);
      break;
    case 'adminDown':
      if (session.state === 'AdminDown') break;
      // As keepalived: the session falls silent (no packet), the neighbour detects it.
      st.transition('AdminDown', DIAG_ADMIN_DOWN);
      st.set({ nextTxUs: null, expireUs: null, resetUs: null });
      break;
  }
  return { session: st.s, effects: st.effects };
}
