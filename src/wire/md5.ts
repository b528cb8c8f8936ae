/**
 * @module MD5 (RFC 1321) and HMAC-MD5 (RFC 2104), in plain TypeScript.
 *
 * Needed only for keepalived's VRRPv2 `auth_type AH` (HMAC-MD5-96, RFC 2403).
 * The functional core imports nothing from `node:*`, so `node:crypto` is not
 * an option here. MD5 is broken as a hash; it is used because the peer uses it.
 * Inputs are at most a few hundred bytes, so clarity wins over speed.
 */

// RFC 1321 §3.4: per-round shift amounts and T[i] = floor(abs(sin(i + 1)) * 2^32).
const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const T = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

/** Append the RFC 1321 §3.1-3.2 padding and 64-bit little-endian bit length. */
function pad(message: Uint8Array): Uint8Array {
  const padded = new Uint8Array((((message.length + 8) >> 6) + 1) << 6);
  padded.set(message);
  padded[message.length] = 0x80;
  const view = new DataView(padded.buffer);
  const bits = message.length * 8;
  view.setUint32(padded.length - 8, bits >>> 0, true);
  view.setUint32(padded.length - 4, Math.floor(bits / 2 ** 32), true);
  return padded;
}

function round(i: number, b: number, c: number, d: number): [number, number] {
  if (i < 16) return [(b & c) | (~b & d), i];
  if (i < 32) return [(d & b) | (~d & c), (5 * i + 1) % 16];
  if (i < 48) return [b ^ c ^ d, (3 * i + 5) % 16];
  return [c ^ (b | ~d), (7 * i) % 16];
}

/** MD5 digest (16 bytes) of `message`. */
export function md5(message: Uint8Array): Uint8Array {
  const padded = pad(message);
  const view = new DataView(padded.buffer);
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  const x = new Array<number>(16);
  for (let block = 0; block < padded.length; block += 64) {
    for (let j = 0; j < 16; j++) x[j] = view.getUint32(block + 4 * j, true);
    let [a, b, c, d] = h as [number, number, number, number];
    for (let i = 0; i < 64; i++) {
      const [f, g] = round(i, b, c, d);
      const sum = (a + f + T[i]! + x[g]!) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + rotl(sum, SHIFTS[(i >> 4) * 4 + (i % 4)]!)) | 0;
    }
    h[0] = (h[0]! + a) | 0;
    h[1] = (h[1]! + b) | 0;
    h[2] = (h[2]! + c) | 0;
    h[3] = (h[3]! + d) | 0;
  }
  const out = new Uint8Array(16);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) outView.setUint32(4 * i, h[i]! >>> 0, true);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** HMAC-MD5 (RFC 2104, B = 64): MD5(K ^ opad, MD5(K ^ ipad, text)). Keys over 64 bytes are hashed first. */
export function hmacMd5(key: Uint8Array, ...message: Uint8Array[]): Uint8Array {
  const k = new Uint8Array(64);
  k.set(key.length > 64 ? md5(key) : key);
  const ipad = k.map((b) => b ^ 0x36);
  const opad = k.map((b) => b ^ 0x5c);
  return md5(concat(opad, md5(concat(ipad, ...message))));
}
