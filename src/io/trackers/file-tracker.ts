/**
 * @module track_file watcher: the file's value, read as keepalived reads it (up to 127
 * bytes, `strtol(buf, NULL, 0)`: leading blanks, a sign, 0x hex or leading-0 octal,
 * anything unparsable is 0; a missing file is 0), clamped to -254..254. The directory is
 * watched (fs.watch, keepalived uses inotify on the directory for close-write, delete and
 * move). fs.watch also reports the truncation that starts a rewrite, so a watch event is
 * read only once events have settled for `settleMs`; the periodic re-read (for missed
 * events) reports a new value only when two consecutive polls agree. `init_file`
 * writes the value at start if the file is absent, or always with `overwrite`. Reads are
 * asynchronous; the loop never waits on the file system.
 */

import { type FSWatcher, watch } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { VrrpTrackFile } from '../../config/model.js';
import { type TrackerState, trackerKey } from '../../vrrp/tracking.js';
import type { Tracker, TrackerListener } from './types.js';

/** keepalived reads at most this many bytes (`char buf[128]`, one for the NUL). */
const READ_BYTES = 127;
/** Values are clamped to this magnitude (vrrp_track.c `process_track_file`). */
export const TRACK_FILE_LIMIT = 254;

/** The value of a track file's contents, as keepalived's `strtol(buf, NULL, 0)` then clamp. */
export function parseTrackFileValue(text: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(text);
  if (!m) return 0;
  const digits = m[2] ?? '0';
  const base = /^0[xX]/.test(digits) ? 16 : digits.length > 1 && digits.startsWith('0') ? 8 : 10;
  const body = base === 16 ? digits.slice(2) : digits;
  const v = Number.parseInt(body, base) * (m[1] === '-' ? -1 : 1);
  if (!Number.isFinite(v)) return m[1] === '-' ? -TRACK_FILE_LIMIT : TRACK_FILE_LIMIT;
  return Math.max(-TRACK_FILE_LIMIT, Math.min(TRACK_FILE_LIMIT, v));
}

export interface FileTrackerOptions {
  readonly file: VrrpTrackFile;
  readonly onUpdate: TrackerListener;
  /** Periodic re-read, ms (default 1000). */
  readonly pollMs?: number;
  /** Quiet time after the last watch event before reading, ms (default 50). */
  readonly settleMs?: number;
}

export class FileTracker implements Tracker {
  readonly #o: FileTrackerOptions;
  #value = 0;
  #watcher: FSWatcher | null = null;
  #timer: NodeJS.Timeout | null = null;
  #settle: NodeJS.Timeout | null = null;
  /** A value the last poll saw that differs from the reported one, awaiting confirmation. */
  #polled: number | null = null;
  #stopped = true;

  constructor(options: FileTrackerOptions) {
    this.#o = options;
  }

  get name(): string {
    return this.#o.file.name;
  }

  get state(): TrackerState {
    return { kind: 'file', value: this.#value };
  }

  /** Writes init_file if asked, reads the value once, then watches. Resolves after the first read. */
  async init(): Promise<void> {
    const path = this.#o.file.file;
    const init = this.#o.file.initFile;
    if (path !== undefined && init !== undefined) {
      await writeFile(path, `${init.value}\n`, { flag: init.overwrite ? 'w' : 'wx' }).catch(() => {});
    }
    this.#value = await this.#read();
  }

  start(): void {
    const path = this.#o.file.file;
    if (path === undefined) return;
    this.#stopped = false;
    try {
      this.#watcher = watch(dirname(path), (_event, name) => {
        if (name === null || name === basename(path)) this.#onEvent();
      });
      this.#watcher.on('error', () => {});
    } catch {
      // The directory is missing: the periodic read still notices the file appearing.
    }
    this.#timer = setInterval(() => this.#poll(), this.#o.pollMs ?? 1000);
  }

  stop(): void {
    this.#stopped = true;
    this.#watcher?.close();
    this.#watcher = null;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#settle) clearTimeout(this.#settle);
    this.#timer = null;
    this.#settle = null;
  }

  #onEvent(): void {
    if (this.#settle) clearTimeout(this.#settle);
    this.#settle = setTimeout(() => {
      this.#settle = null;
      void this.#read().then((v) => this.#report(v));
    }, this.#o.settleMs ?? 50);
  }

  #poll(): void {
    if (this.#settle !== null) return;
    void this.#read().then((v) => {
      if (v === this.#value) this.#polled = null;
      else if (this.#polled === v) this.#report(v);
      else this.#polled = v;
    });
  }

  #report(v: number): void {
    this.#polled = null;
    if (this.#stopped || v === this.#value) return;
    this.#value = v;
    this.#o.onUpdate({ key: trackerKey('file', this.#o.file.name), state: this.state, logs: [] });
  }

  async #read(): Promise<number> {
    const path = this.#o.file.file;
    if (path === undefined) return 0;
    try {
      const fh = await open(path, 'r');
      try {
        const buf = new Uint8Array(READ_BYTES);
        const { bytesRead } = await fh.read(buf, 0, READ_BYTES, 0);
        return parseTrackFileValue(new TextDecoder().decode(buf.subarray(0, bytesRead)));
      } finally {
        await fh.close();
      }
    } catch {
      return 0;
    }
  }
}
