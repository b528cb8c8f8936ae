/**
 * The log writer never blocks and never grows without bound: with a stalled output the
 * lines queue up to the limit, further lines are dropped and counted, and a note with
 * the count is written when there is room again; order is kept; EAGAIN is retried.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LogWriter, type PipeStream, type WriteFn } from '../../../src/io/log-writer.js';

type Call = { data: string; cb: (err: NodeJS.ErrnoException | null, n: number) => void; len: number };

function stalled() {
  const calls: Call[] = [];
  const write: WriteFn = (_fd, data, cb) => {
    calls.push({ data: Buffer.from(data).toString(), cb, len: data.length });
  };
  return { calls, write };
}

describe('LogWriter', () => {
  test('one write in flight; queued lines go out together in order', () => {
    const { calls, write } = stalled();
    const w = new LogWriter({ fd: 99, write });
    w.line('a');
    w.line('b');
    w.line('c');
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.data, 'a\n');
    calls[0]!.cb(null, calls[0]!.len);
    assert.equal(calls.length, 2);
    assert.equal(calls[1]!.data, 'b\nc\n');
  });

  test('a stalled output drops lines past the bound, counts them and says so later', () => {
    const { calls, write } = stalled();
    const w = new LogWriter({ fd: 99, write, maxQueuedBytes: 20 });
    assert.ok(w.line('0123456789'));
    assert.ok(w.line('abcdefgh'));
    assert.equal(w.line('dropped-1'), false);
    assert.equal(w.line('dropped-2'), false);
    assert.equal(w.dropped, 2);
    calls[0]!.cb(null, calls[0]!.len);
    calls[1]!.cb(null, calls[1]!.len);
    assert.ok(w.line('x'));
    const text = calls.map((c) => c.data).join('');
    assert.match(text, /\(log\) 2 lines dropped/);
    assert.ok(text.endsWith('x\n'));
  });

  test('a short write sends the rest; EAGAIN retries without losing the line', async () => {
    const out: string[] = [];
    let first = true;
    let again = true;
    const write: WriteFn = (_fd, data, cb) => {
      const s = Buffer.from(data).toString();
      if (again) {
        again = false;
        setImmediate(() => cb(Object.assign(new Error('EAGAIN'), { code: 'EAGAIN' }), 0));
        return;
      }
      if (first) {
        first = false;
        out.push(s.slice(0, 3));
        setImmediate(() => cb(null, 3));
        return;
      }
      out.push(s);
      setImmediate(() => cb(null, data.length));
    };
    const w = new LogWriter({ fd: 99, write });
    w.line('hello world');
    await w.flush(2000);
    assert.equal(out.join(''), 'hello world\n');
    assert.equal(w.errors, 0);
  });

  test('a pipe gets each line at once; past the bound lines are dropped and noted later', async () => {
    const chunks: string[] = [];
    let backlog = 0;
    const pipe: PipeStream = {
      write: (chunk) => {
        chunks.push(chunk);
        backlog += chunk.length;
        return true;
      },
      get writableLength() {
        return backlog;
      },
      on: () => pipe,
    };
    const w = new LogWriter({ fd: 2, pipe, maxQueuedBytes: 20 });
    assert.ok(w.line('first'));
    assert.ok(w.line('second'));
    assert.deepEqual(chunks, [], 'nothing written before the task ends (its packets go first)');
    await Promise.resolve();
    assert.deepEqual(chunks, ['first\nsecond\n'], 'one write for the task, no thread-pool round trip');
    backlog = 0;
    assert.ok(w.line('0123456789'));
    assert.equal(w.line('too much!!'), false, 'the unwritten batch counts against the bound');
    assert.equal(w.dropped, 1);
    await Promise.resolve();
    backlog = 0;
    assert.ok(w.line('x'));
    await Promise.resolve();
    assert.match(chunks.at(-1)!, /^\(log\) 1 lines dropped: log output too slow\nx\n$/);
    await w.flush(100);
  });

  test('flush on a pipe waits until the kernel has taken everything', async () => {
    let backlog = 5;
    const pipe: PipeStream = {
      write: () => true,
      get writableLength() {
        return backlog;
      },
      on: () => pipe,
    };
    const w = new LogWriter({ fd: 2, pipe });
    setTimeout(() => {
      backlog = 0;
    }, 20);
    const t0 = performance.now();
    await w.flush(1000);
    assert.equal(backlog, 0);
    assert.ok(performance.now() - t0 < 500);
  });
});
