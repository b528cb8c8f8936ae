/**
 * @module The error every failed system call in the native layer throws.
 *
 * `ErrnoError` mirrors Node core's system errors: `syscall` names the call
 * (`'socket'`, `'sendmsg'`, `'setsockopt'`…), `code` is the errno name
 * (`'EPERM'`, `'EAGAIN'`…) and `errno` is the positive C value. The addon
 * constructs instances of this class directly once `binding.ts` registers it.
 */

import { getSystemErrorMap } from 'node:util';

export class ErrnoError extends Error {
  /** The system call that failed, as named in its man page. */
  readonly syscall: string;
  /** Positive errno value as in C (`EPERM` is 1). Node core uses negative values; we do not. */
  readonly errno: number;
  /** Symbolic errno name, for example `'EADDRNOTAVAIL'`. */
  readonly code: string;

  constructor(message: string, syscall: string, errno: number, code: string) {
    super(message);
    this.name = 'ErrnoError';
    this.syscall = syscall;
    this.errno = errno;
    this.code = code;
  }
}

/**
 * True when `err` is an ErrnoError (by class or by shape: `name === 'ErrnoError'`),
 * and, when `code` is given, carries that errno name.
 */
export function isErrno(err: unknown, code?: string): err is ErrnoError {
  if (!(err instanceof Error) || err.name !== 'ErrnoError') return false;
  return code === undefined || (err as { code?: unknown }).code === code;
}

/**
 * Builds the ErrnoError the addon would have thrown for `errno` (positive) in
 * `syscall`, for errors that reach JS as numbers (SO_ERROR).
 */
export function errnoError(syscall: string, errno: number): ErrnoError {
  const [code, text] = getSystemErrorMap().get(-errno) ?? [`E${errno}`, 'unknown error'];
  return new ErrnoError(`${syscall} ${code} (${text})`, syscall, errno, code);
}
