/**
 * The log writer never blocks and never grows without bound: with a stalled output the
 * lines queue up to the limit, further lines are dropped and counted, and a note with
 * the count is written when there is room again; order is kept; EAGAIN is retried. On a
 * pipe, a task's lines go out by one direct non-blocking write while the stream is empty.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { describe, test } from 'node:test';
import { LogWriter, type PipeStream, type WriteFn } from '../../../src/io/log-writer.js';
import { native, nativeAvailable } from '../../../src/native/binding.js';

type Call = { data: string; cb: (err: NodeJS.ErrnoException | null, n: number) => void; len: number };

function stalled() {
  const calls: Call[] = [];
  const write: WriteFn = (_fd, data, cb) => {
    calls.push({ data: Buffer.from(data).toString(), cb, len: data.length });
  };
  return { calls, write };
}

/** A stream that records what it is given as text; `stream.backlog` is what it holds unsent. */
function recordingPipe() {
  const chunks: string[] = [];
  const stream = { backlog: 0 };
  const pipe: PipeStream = {
    write: (chunk) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      chunks.push(text);
      stream.backlog += text.length;
      return true;
    },
    get writableLength() {
      return stream.backlog;
    },
    on: () => pipe,
  };
  return { chunks, pipe, stream };
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
    const { chunks, pipe, stream } = recordingPipe();
    const w = new LogWriter({ fd: 2, pipe, maxQueuedBytes: 20 });
    assert.ok(w.line('first'));
    assert.ok(w.line('second'));
    assert.deepEqual(chunks, [], 'nothing written before the task ends (its packets go first)');
    await Promise.resolve();
    assert.deepEqual(chunks, ['first\nsecond\n'], 'one write for the task, no thread-pool round trip');
    stream.backlog = 0;
    assert.ok(w.line('0123456789'));
    assert.equal(w.line('too much!!'), false, 'the unwritten batch counts against the bound');
    assert.equal(w.dropped, 1);
    await Promise.resolve();
    stream.backlog = 0;
    assert.ok(w.line('x'));
    await Promise.resolve();
    assert.match(chunks.at(-1)!, /^\(log\) 1 lines dropped: log output too slow\nx\n$/);
    await w.flush(100);
  });

  test("a pipe's lines go by the direct write while the stream is empty, the rest by the stream, in order", async () => {
    const { chunks: streamed, pipe, stream } = recordingPipe();
    const direct: string[] = [];
    let room = Number.POSITIVE_INFINITY;
    const writeNow = (fd: number, data: Uint8Array): number => {
      assert.equal(fd, 2);
      if (room === 0) return -11; // EAGAIN
      const n = Math.min(room, data.length);
      direct.push(Buffer.from(data.subarray(0, n)).toString());
      room -= n;
      return n;
    };
    const w = new LogWriter({ fd: 2, pipe, writeNow });
    w.line('one');
    w.line('two');
    await Promise.resolve();
    assert.deepEqual(direct, ['one\ntwo\n'], "one write for the task's lines");
    assert.deepEqual(streamed, []);
    room = 4;
    w.line('three');
    await Promise.resolve();
    assert.deepEqual(direct.at(-1), 'thre');
    assert.deepEqual(streamed, ['e\n'], 'the rest of a short write goes to the stream');
    room = Number.POSITIVE_INFINITY;
    w.line('four');
    await Promise.resolve();
    assert.deepEqual(streamed, ['e\n', 'four\n'], 'behind what the stream holds, never around it');
    stream.backlog = 0;
    room = 0;
    w.line('five');
    await Promise.resolve();
    assert.deepEqual(streamed.at(-1), 'five\n', 'EAGAIN: all of it to the stream');
    assert.equal(direct.length, 2);
  });

  test('the direct write on real descriptors: a stderr pipe Node made non-blocking takes it; a blocking one is left alone', {
    skip: nativeAvailable() ? false : 'native addon not built (make native)',
  }, async () => {
    const url = (path: string) => new URL(path, import.meta.url).href;
    // A child whose stderr is a pipe to us, written as the daemon's console is.
    const code = `
      const { native } = await import('${url('../../../src/native/binding.js')}');
      const { LogWriter } = await import('${url('../../../src/io/log-writer.js')}');
      process.stderr; // Node's stream for the pipe sets O_NONBLOCK on it
      const n = native().writeNonBlocking(2, Buffer.from('direct\\n'));
      new LogWriter({ fd: 2 }).line('through the writer');
      process.stdout.write(String(n));`;
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      child.on('error', reject);
      child.on('close', () => resolve({ stdout: out, stderr: err }));
    });
    assert.equal(stdout, '7', stderr);
    assert.equal(stderr, 'direct\nthrough the writer\n');
    const fd = openSync('/dev/null', 'w');
    try {
      assert.equal(
        native().writeNonBlocking(fd, Buffer.from('x')),
        -11,
        'not O_NONBLOCK: EAGAIN, nothing written',
      );
    } finally {
      closeSync(fd);
    }
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
