/**
 * Readiness watchers on the libuv loop: no fd or watcher leaks across 10k
 * open/close cycles, close from inside a listener, pause/resume, unref, the
 * finalizer for sockets dropped without close(), and listener exceptions
 * reaching 'uncaughtException'.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { native } from '../../../src/native/binding.js';
import { NetlinkSocket } from '../../../src/native/netlink-socket.js';
import { nativeIndexUrl, nativeUnavailable, netlinkPair, openFds, runSnippet, waitUntil } from './helpers.js';

const unavailable = nativeUnavailable();
const tick = (ms = 20): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('poll lifecycle', { skip: unavailable ?? false }, () => {
  test('10k polled sockets opened and closed leave fd count and watcher count flat', async () => {
    await tick();
    const fdsBefore = openFds();
    const [watchersBefore, allocatedBefore] = native().pollStats();
    for (let i = 0; i < 10000; i++) {
      const s = NetlinkSocket.open({ protocol: 'route' });
      s.close();
    }
    assert.equal(openFds(), fdsBefore);
    assert.equal(native().pollStats()[0], watchersBefore, 'no watcher left in the fd table');
    await tick(); // uv_close callbacks free the records on a later loop turn
    assert.equal(native().pollStats()[1], allocatedBefore, 'every watcher record freed');
  });

  test('closing inside a message listener stops delivery at once', async () => {
    const { a, b } = netlinkPair();
    let messages = 0;
    let closes = 0;
    b.on('message', () => {
      messages++;
      b.close();
    });
    b.on('close', () => closes++);
    for (let i = 0; i < 3; i++) a.send(Uint8Array.of(i, 0, 0, 0), { pid: b.portId });
    b.resume();
    await waitUntil(() => closes > 0, 'close');
    await tick();
    a.close();
    assert.equal(messages, 1);
    assert.equal(closes, 1);
    assert.deepEqual(native().pollStats(), [0, 0], 'closed inside its own callback, then freed');
  });

  test('pause keeps datagrams queued until resume', async () => {
    const { a, b } = netlinkPair();
    try {
      const seen: number[] = [];
      b.on('message', (d) => seen.push(d[0]!));
      b.resume();
      b.pause();
      a.send(Uint8Array.of(1, 0, 0, 0), { pid: b.portId });
      a.send(Uint8Array.of(2, 0, 0, 0), { pid: b.portId });
      await tick(30);
      assert.deepEqual(seen, []);
      b.resume();
      await waitUntil(() => seen.length >= 2, 'both datagrams');
      assert.deepEqual(seen, [1, 2]);
    } finally {
      a.close();
      b.close();
    }
  });

  test('writable() resolves on an idle socket without disturbing reads, and rejects on close', async () => {
    const { a, b } = netlinkPair();
    try {
      const seen: number[] = [];
      b.on('message', (d) => seen.push(d[0]!));
      b.resume();
      await b.writable();
      await Promise.all([b.writable(), b.writable()]);
      a.send(Uint8Array.of(9, 0, 0, 0), { pid: b.portId });
      await waitUntil(() => seen.length > 0, 'a datagram after writable()');
      assert.deepEqual(seen, [9]);
      const pending = a.writable();
      a.close();
      await assert.rejects(pending, /closed/);
      await assert.rejects(a.writable(), /closed/);
    } finally {
      a.close();
      b.close();
    }
  });

  test('a worker that ends without close() leaves no fd and no watcher behind', async () => {
    await tick(); // let records closed by earlier tests be freed
    const fdsBefore = openFds();
    const allocatedBefore = native().pollStats()[1];
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       import(${JSON.stringify(nativeIndexUrl)}).then(({ NetlinkSocket }) => {
         for (let i = 0; i < 50; i++) NetlinkSocket.open({ protocol: 'route' });
         for (let i = 0; i < 50; i++) NetlinkSocket.open({ protocol: 'route', receive: false });
         parentPort.postMessage('opened');
       });`,
      { eval: true },
    );
    try {
      await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      assert.ok(openFds() >= fdsBefore + 100, 'the worker holds 100 sockets (plus its own loop fds)');
      assert.equal(native().pollStats()[1], allocatedBefore + 50);
    } finally {
      await worker.terminate(); // also on failure: its referenced watchers would keep this file alive
    }
    await waitUntil(() => openFds() === fdsBefore, 'the worker fds to close');
    await waitUntil(
      () => native().pollStats()[1] === allocatedBefore,
      'the worker watchers to be freed',
      2000,
    );
  });

  test('an unref()ed socket does not keep the process alive; a referenced one does', () => {
    const unref = runSnippet(
      `import { NetlinkSocket } from NATIVE;
       NetlinkSocket.open({ protocol: 'route' }).unref(); console.log('left');`,
      [],
      5000,
    );
    assert.equal(unref.status, 0, unref.stderr);
    assert.match(unref.stdout, /left/);
    const held = runSnippet(
      `import { NetlinkSocket } from NATIVE;
       NetlinkSocket.open({ protocol: 'route' });`,
      [],
      700,
    );
    assert.equal(held.status, null, 'killed by the timeout: the watcher held the loop');
  });

  test('sockets dropped without close() are closed by the finalizer', () => {
    const r = runSnippet(
      `import { readdirSync } from 'node:fs';
       import { NetlinkSocket } from NATIVE;
       const count = () => readdirSync('/proc/self/fd').length;
       const before = count();
       for (let i = 0; i < 500; i++) NetlinkSocket.open({ protocol: 'route', receive: false });
       const opened = count();
       for (let i = 0; i < 20 && count() > before; i++) {
         globalThis.gc();
         await new Promise((r) => setTimeout(r, 10));
       }
       console.log(JSON.stringify({ before, opened, after: count() }));`,
      ['--expose-gc'],
    );
    assert.equal(r.status, 0, r.stderr);
    const counts = JSON.parse(r.stdout) as { before: number; opened: number; after: number };
    assert.equal(counts.opened, counts.before + 500);
    assert.equal(counts.after, counts.before);
  });

  test('exit paths: closing in a listener then exiting, open watchers and signalfd at exit, worker torn down mid-close', () => {
    const pair = `const a = NetlinkSocket.open({ protocol: 'route', receive: false });
       const b = NetlinkSocket.open({ protocol: 'route' });
       a.send(Uint8Array.of(1, 2, 3, 4), { pid: b.portId });`;
    const snippets = [
      `import { NetlinkSocket } from NATIVE; ${pair}
       b.on('message', () => { b.close(); a.close(); process.exit(0); });`,
      `import { NetlinkSocket } from NATIVE; ${pair}
       b.on('message', () => { b.close(); a.close(); });`,
      `import { NetlinkSocket, onRealtimeSignal, realtimeSignals } from NATIVE; ${pair}
       onRealtimeSignal(realtimeSignals().SIGJSON, () => {});
       b.unref(); a.unref();`,
      `import { Worker } from 'node:worker_threads';
       const w = new Worker(\`Promise.all([import(\${JSON.stringify(NATIVE)}), import('node:worker_threads')])
         .then(([{ NetlinkSocket }, { parentPort }]) => {
           ${pair}
           b.on('message', () => { b.close(); parentPort.postMessage('closed'); });
         });\`, { eval: true });
       w.once('message', () => w.terminate());`,
    ];
    for (const code of snippets) {
      const r = runSnippet(code);
      assert.equal(r.status, 0, `${code}\n${r.stderr}`);
    }
  });

  test('an exception thrown by a listener reaches uncaughtException', () => {
    const r = runSnippet(
      `import { NetlinkSocket } from NATIVE;
       process.on('uncaughtException', (e) => { console.log('caught ' + e.message); process.exit(0); });
       const a = NetlinkSocket.open({ protocol: 'route', receive: false });
       const b = NetlinkSocket.open({ protocol: 'route' });
       b.on('message', () => { throw new Error('boom'); });
       a.send(Uint8Array.of(1, 2, 3, 4), { pid: b.portId });`,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /caught boom/);
  });

  test('promises resolved in a listener run before the next readiness callback', async () => {
    const { a, b } = netlinkPair();
    try {
      const order: string[] = [];
      b.on('message', (d) => {
        order.push(`message ${d[0]}`);
        void Promise.resolve().then(() => order.push(`micro ${d[0]}`));
      });
      a.send(Uint8Array.of(1, 0, 0, 0), { pid: b.portId });
      b.resume();
      await waitUntil(() => order.length >= 2, 'first message');
      a.send(Uint8Array.of(2, 0, 0, 0), { pid: b.portId });
      await waitUntil(() => order.length >= 4, 'second message');
      assert.deepEqual(order, ['message 1', 'micro 1', 'message 2', 'micro 2']);
    } finally {
      a.close();
      b.close();
    }
  });
});
