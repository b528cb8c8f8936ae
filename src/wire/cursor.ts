/**
 * @module Bounds-checked big-endian byte cursors for the wire codecs.
 *
 * `ByteReader` reads network-order integers and byte runs from a `Uint8Array`
 * (honouring its `byteOffset`, so sub-arrays of a larger receive buffer work).
 * Decoders check `remaining` before reading; a read past the end is a
 * programmer error and throws `RangeError`, which the fuzz tests would catch.
 * `ByteWriter` fills a fixed-size buffer and asserts every value it is given.
 */

/** Sequential big-endian reader over a byte array. */
export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #offset: number;

  constructor(bytes: Uint8Array, offset = 0) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#offset = offset;
  }

  /** Current position, in bytes from the start of the array. */
  get offset(): number {
    return this.#offset;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  #take(n: number): number {
    if (n < 0 || this.#offset + n > this.#bytes.length) {
      throw new RangeError(`read of ${n} bytes at ${this.#offset} past end (${this.#bytes.length})`);
    }
    const at = this.#offset;
    this.#offset += n;
    return at;
  }

  u8(): number {
    return this.#view.getUint8(this.#take(1));
  }

  u16(): number {
    return this.#view.getUint16(this.#take(2));
  }

  u32(): number {
    return this.#view.getUint32(this.#take(4));
  }

  /** A copy of the next `n` bytes (decoded values never alias the receive buffer). */
  bytes(n: number): Uint8Array {
    const at = this.#take(n);
    return copyBytes(this.#bytes.subarray(at, at + n));
  }

  skip(n: number): void {
    this.#take(n);
  }
}

/** Sequential big-endian writer into a buffer of known size. */
export class ByteWriter {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #offset = 0;

  constructor(size: number) {
    assertInt(size, 0, 0xffff, 'buffer size');
    this.#bytes = new Uint8Array(size);
    this.#view = new DataView(this.#bytes.buffer);
  }

  get offset(): number {
    return this.#offset;
  }

  #take(n: number): number {
    if (this.#offset + n > this.#bytes.length) {
      throw new RangeError(`write of ${n} bytes at ${this.#offset} past end (${this.#bytes.length})`);
    }
    const at = this.#offset;
    this.#offset += n;
    return at;
  }

  u8(value: number): this {
    assertInt(value, 0, 0xff, 'u8');
    this.#view.setUint8(this.#take(1), value);
    return this;
  }

  u16(value: number): this {
    assertInt(value, 0, 0xffff, 'u16');
    this.#view.setUint16(this.#take(2), value);
    return this;
  }

  u32(value: number): this {
    assertInt(value, 0, 0xffffffff, 'u32');
    this.#view.setUint32(this.#take(4), value);
    return this;
  }

  bytes(value: Uint8Array): this {
    this.#bytes.set(value, this.#take(value.length));
    return this;
  }

  zeros(n: number): this {
    this.#take(n);
    return this;
  }

  /** Overwrite a big-endian u16 at an absolute position (checksum fields). */
  patchU16(at: number, value: number): this {
    assertInt(value, 0, 0xffff, 'u16');
    assertInt(at, 0, this.#bytes.length - 2, 'patch offset');
    this.#view.setUint16(at, value);
    return this;
  }

  /** The buffer; asserts that it has been filled exactly. */
  finish(): Uint8Array {
    if (this.#offset !== this.#bytes.length) {
      throw new RangeError(`buffer of ${this.#bytes.length} bytes filled to ${this.#offset}`);
    }
    return this.#bytes;
  }
}

/** Encoder precondition: `value` is an integer in [min, max]. Throws `RangeError` otherwise. */
export function assertInt(value: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

/**
 * A plain `Uint8Array` copy. (`Buffer#slice` returns a view, and a `Buffer`
 * would also break `deepStrictEqual` against plain arrays; never rely on `.slice()`.)
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}
