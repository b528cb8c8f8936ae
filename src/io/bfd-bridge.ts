/**
 * @module BFD states across the daemon's IPC channel to its checker child (the one
 * checker-process.ts opens), so one bfd_instance used by both a VRRP `track_bfd` and a
 * `BFD_CHECK` runs as one session, in the VRRP process, as in keepalived. The child asks
 * (`bfd-subscribe`); the parent answers with every state it has (`bfd-state`), then
 * `bfd-served`, then every change. Both ends ignore the channel's other messages, and the
 * checker-process protocol ignores these. A child whose parent does not answer within
 * SERVE_TIMEOUT_MS runs its own sessions (a checker started by something else).
 */
import type { ChildProcess } from 'node:child_process';
import { type BfdFeed, processBfdFeed } from './bfd-feed.js';

type BfdMessage =
  | { readonly type: 'bfd-subscribe' }
  | { readonly type: 'bfd-served' }
  | { readonly type: 'bfd-state'; readonly name: string; readonly up: boolean };

const SERVE_TIMEOUT_MS = 2000;

function isBfdMessage(m: unknown): m is BfdMessage {
  const t = (m as { type?: unknown } | null)?.type;
  return t === 'bfd-subscribe' || t === 'bfd-served' || t === 'bfd-state';
}

/**
 * Parent side: relays `feed` to `child` once it subscribes, until it exits. Returns the
 * stop function.
 */
export function serveBfdToChild(child: ChildProcess, feed: BfdFeed = processBfdFeed): () => void {
  let unsubscribe: (() => void) | undefined;
  const send = (m: BfdMessage): void => {
    if (child.connected) child.send(m, (e) => e && undefined);
  };
  const onMessage = (m: unknown): void => {
    if (!isBfdMessage(m) || m.type !== 'bfd-subscribe') return;
    // A checker reload subscribes again: one relay, the current states again.
    unsubscribe?.();
    // The states first: the child knows them all once it reads `bfd-served`.
    for (const [name, up] of feed.snapshot()) send({ type: 'bfd-state', name, up });
    send({ type: 'bfd-served' });
    unsubscribe = feed.subscribe((name, up) => send({ type: 'bfd-state', name, up }));
  };
  const stop = (): void => {
    unsubscribe?.();
    unsubscribe = undefined;
    child.off('message', onMessage);
  };
  child.on('message', onMessage);
  child.once('exit', stop);
  return stop;
}

/**
 * Child side: asks the parent for its BFD states and mirrors them into `feed`. Resolves
 * with the stop function once the parent answered, or undefined when there is no parent
 * channel or no answer in time.
 */
export async function followParentBfd(feed: BfdFeed = processBfdFeed): Promise<(() => void) | undefined> {
  if (typeof process.send !== 'function' || !process.connected) return undefined;
  let served: () => void = () => {};
  const answered = new Promise<boolean>((resolve) => {
    served = () => resolve(true);
    setTimeout(() => resolve(false), SERVE_TIMEOUT_MS).unref();
  });
  const onMessage = (m: unknown): void => {
    if (!isBfdMessage(m)) return;
    if (m.type === 'bfd-served') served();
    else if (m.type === 'bfd-state') feed.publish(m.name, m.up);
  };
  process.on('message', onMessage);
  const stop = (): void => {
    process.off('message', onMessage);
  };
  process.send({ type: 'bfd-subscribe' } satisfies BfdMessage);
  if (await answered) return stop;
  stop();
  return undefined;
}
