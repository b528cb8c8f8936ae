/**
 * @module BFD (RFC 5880/5881) functional core: Control packet codec, reception
 * checks with drop reasons, and the session state machine. No `node:*` imports.
 */

export * from './codec.js';
export * from './constants.js';
export * from './session.js';
export * from './types.js';
export * from './validate.js';
