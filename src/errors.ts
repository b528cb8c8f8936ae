/**
 * @module Errors with stable codes. Every error the daemon raises on purpose is a
 * `KtsError` whose `code` (`KTS_ERR_…`) is part of the contract: scripts may match it.
 */

export class KtsError extends Error {
  readonly code: string;

  constructor(code: `KTS_ERR_${string}`, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KtsError';
    this.code = code;
  }
}
