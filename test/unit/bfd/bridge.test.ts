/**
 * The BFD feed and its relay to a checker child over a real IPC channel (a forked
 * child: bridge-child.ts): the child gets the states the parent had before it asked,
 * then every change, and nothing else of the channel disturbs either side; a child
 * whose parent does not serve BFD learns so and runs its own sessions.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { describe, test } from 'node:test';
import { serveBfdToChild } from '../../../src/io/bfd-bridge.js';
import { BfdFeed } from '../../../src/io/bfd-feed.js';

const CHILD = new URL('./bridge-child.js', import.meta.url).pathname;

type FromChild =
  | { type: 'child-saw'; name: string; up: boolean }
  | { type: 'child-served'; served: boolean; before: [string, boolean][] };

function next(child: ChildProcess, want: (m: FromChild) => boolean, ms = 5000): Promise<FromChild> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no message from the child')), ms);
    const on = (m: FromChild): void => {
      if (!want(m)) return;
      clearTimeout(t);
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
  });
}

describe('bfd feed', () => {
  test('listeners hear changes only; snapshot and up() give the last state; unsubscribe stops', () => {
    const feed = new BfdFeed();
    const heard: string[] = [];
    const stop = feed.subscribe((n, up) => heard.push(`${n}=${up}`));
    feed.publish('A', true);
    feed.publish('A', true);
    feed.publish('B', false);
    feed.publish('A', false);
    stop();
    feed.publish('A', true);
    assert.deepEqual(heard, ['A=true', 'B=false', 'A=false']);
    assert.deepEqual(feed.snapshot(), [
      ['A', true],
      ['B', false],
    ]);
    assert.equal(feed.up('A'), true);
    assert.equal(feed.up('never'), false);
  });
});

describe('bfd bridge over the checker IPC channel', () => {
  test('the child gets the states from before it asked, then each change', async () => {
    const feed = new BfdFeed();
    feed.publish('EARLY', true);
    const child = fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    serveBfdToChild(child, feed);
    // A message of the checker-process protocol on the same channel is ignored by the relay.
    child.send({ type: 'status', id: 1 });
    const served = await next(child, (m) => m.type === 'child-served');
    assert.deepEqual(served, { type: 'child-served', served: true, before: [['EARLY', true]] });
    const saw = next(child, (m) => m.type === 'child-saw' && m.name === 'LATE');
    feed.publish('LATE', true);
    assert.deepEqual(await saw, { type: 'child-saw', name: 'LATE', up: true });
    const down = next(child, (m) => m.type === 'child-saw' && m.name === 'EARLY');
    feed.publish('EARLY', false);
    assert.deepEqual(await down, { type: 'child-saw', name: 'EARLY', up: false });
    const exited = new Promise((r) => child.once('exit', r));
    child.send({ type: 'child-exit' });
    await exited;
  });

  test('a parent that does not serve BFD: the child is told no (and runs its own sessions)', async () => {
    const child = fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const served = await next(child, (m) => m.type === 'child-served', 10_000);
    assert.deepEqual(served, { type: 'child-served', served: false, before: [] });
    const exited = new Promise((r) => child.once('exit', r));
    child.send({ type: 'child-exit' });
    await exited;
  });
});
