/** The pure parts of the lean checks: the status-line prefix rule and the runner's heap. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DueHeap, type HeapItem } from '../../../src/check/due-heap.js';
import { parseHttpResponse, STATUS_PREFIX, statusFromPrefix } from '../../../src/check/http-response.js';

describe('check/http-response statusFromPrefix', () => {
  test('gives the status parseHttpResponse finds in the whole response, from its first bytes', () => {
    const cases = [
      'HTTP/1.0 200 OK\r\n\r\nbody',
      'HTTP/1.1 404\r\n\r\n',
      'HTTP/1.0 200',
      'HTTP/1.0 200\r\n\r\n',
      'HTTP/1.0 2000 OK\r\n\r\n',
      'HTTP/1.0 20',
      'HTTP/10 200 OK\r\n\r\n',
      'http/1.0 200 OK\r\n\r\n',
      'HTTP/1.0 20x OK\r\n\r\n',
      'HTTP/1.0  200 OK\r\n\r\n',
      'HTTP/1.0 200\tOK\r\n\r\n',
      '\x00\x01garbage\r\n\r\nmore',
      '',
      'HTTP/2.0 503 Busy\r\nX: y\r\n\r\n',
    ];
    for (const text of cases) {
      const raw = new TextEncoder().encode(text);
      const whole = parseHttpResponse(raw)?.status ?? -1;
      const prefix = raw.subarray(0, STATUS_PREFIX);
      assert.equal(statusFromPrefix(prefix, prefix.length), whole, JSON.stringify(text));
    }
  });
});

describe('check/due-heap', () => {
  test('pops in time order; moving and removing items keeps the order', () => {
    const heap = new DueHeap<HeapItem & { id: number }>();
    const items = Array.from({ length: 200 }, (_, id) => ({ id, at: (id * 7919) % 1000, heapIndex: -1 }));
    for (const it of items) heap.set(it);
    for (const it of items.slice(0, 50)) {
      it.at = 2000 - it.at;
      heap.set(it);
    }
    for (const it of items.slice(50, 80)) heap.remove(it);
    assert.equal(heap.size, 170);
    const out: number[] = [];
    for (let it = heap.popDue(1500); it; it = heap.popDue(1500)) out.push(it.at);
    assert.deepEqual(
      out,
      [...out].sort((a, b) => a - b),
    );
    assert.ok(out.every((t) => t <= 1500));
    assert.ok((heap.peek()?.at ?? 0) > 1500);
    assert.ok(items.slice(50, 80).every((it) => it.heapIndex === -1));
  });
});
