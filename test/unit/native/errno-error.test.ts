import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrnoError, errnoError, isErrno } from '../../../src/native/errno-error.js';

test('ErrnoError carries syscall, positive errno and code', () => {
  const err = new ErrnoError(
    'bind EADDRNOTAVAIL (Cannot assign requested address)',
    'bind',
    99,
    'EADDRNOTAVAIL',
  );
  assert.equal(err.name, 'ErrnoError');
  assert.equal(err.syscall, 'bind');
  assert.equal(err.errno, 99);
  assert.equal(err.code, 'EADDRNOTAVAIL');
  assert.ok(err instanceof Error);
  assert.match(err.stack ?? '', /ErrnoError: bind EADDRNOTAVAIL/);
});

test('isErrno matches by name and optional code', () => {
  const err = new ErrnoError('sendmsg EAGAIN', 'sendmsg', 11, 'EAGAIN');
  assert.equal(isErrno(err), true);
  assert.equal(isErrno(err, 'EAGAIN'), true);
  assert.equal(isErrno(err, 'EPERM'), false);
});

test('isErrno accepts a plain Error shaped like one (addon before class registration)', () => {
  const plain = Object.assign(new Error('socket EPERM'), { name: 'ErrnoError', code: 'EPERM', errno: 1 });
  assert.equal(isErrno(plain, 'EPERM'), true);
});

test('isErrno rejects other values', () => {
  for (const v of [null, undefined, 'EAGAIN', { name: 'ErrnoError', code: 'EAGAIN' }, new TypeError('x')]) {
    assert.equal(isErrno(v, 'EAGAIN'), false);
  }
  const sys = Object.assign(new Error('x'), { code: 'EAGAIN' });
  assert.equal(isErrno(sys, 'EAGAIN'), false, "Node's own system errors are not ErrnoError");
});

test('errnoError names the errno like the addon does', () => {
  const err = errnoError('recvmsg', 105);
  assert.ok(err instanceof ErrnoError);
  assert.equal(err.code, 'ENOBUFS');
  assert.equal(err.errno, 105);
  assert.equal(err.syscall, 'recvmsg');
  assert.match(err.message, /^recvmsg ENOBUFS \(.+\)$/);
  assert.equal(errnoError('x', 99999).code, 'E99999');
});
