/**
 * @module Test helper: the rtnetlink / genl fixtures recorded from the kernel by
 * test/fixtures/netlink/record.py (rtnl.json), and small lookups over them.
 */

import { readFileSync } from 'node:fs';
import { fromHex, type NlMessage, splitMessages } from '../../../src/netlink/index.js';

export type RecordedCommand = {
  readonly name: string;
  readonly argv: readonly string[];
  readonly rc: number;
  readonly sent: readonly string[];
  readonly events: readonly string[];
};
export type RecordedExchange = {
  readonly name: string;
  readonly request: string;
  readonly replies: readonly string[];
};
export type Recording = {
  readonly kernel: string;
  readonly commands: readonly RecordedCommand[];
  readonly dumps: readonly RecordedExchange[];
  readonly acks: readonly (RecordedExchange & { readonly capped: boolean })[];
  readonly genl: readonly RecordedExchange[];
};

const path = new URL('../../../../test/fixtures/netlink/rtnl.json', import.meta.url);
export const recording: Recording = JSON.parse(readFileSync(path, 'utf8')) as Recording;

function byName<T extends { readonly name: string }>(list: readonly T[], name: string): T {
  const hit = list.find((x) => x.name === name);
  if (hit === undefined) throw new Error(`fixture ${name} not recorded`);
  return hit;
}

export const command = (name: string): RecordedCommand => byName(recording.commands, name);
export const dump = (name: string): RecordedExchange => byName(recording.dumps, name);
export const ack = (name: string): RecordedExchange => byName(recording.acks, name);
export const genl = (name: string): RecordedExchange => byName(recording.genl, name);

/** Every message of a list of datagrams (hex), throwing if one is malformed. */
export function messages(datagrams: readonly string[]): NlMessage[] {
  return datagrams.flatMap((hex) => {
    const r = splitMessages(fromHex(hex));
    if (!r.ok) throw new Error(`bad fixture datagram: ${r.error.reason}`);
    return r.value;
  });
}

/** The last request `ip` sent for a command (earlier ones resolve names), and its seq. */
export function ipRequest(name: string): { readonly bytes: Uint8Array; readonly seq: number } {
  const sent = command(name).sent;
  const bytes = fromHex(sent[sent.length - 1] ?? '');
  return { bytes, seq: new DataView(bytes.buffer).getUint32(8, true) };
}

/** 4 bytes of a dotted IPv4 address (tests only; src/wire/ip.ts owns real parsing). */
export function v4(s: string): Uint8Array {
  return Uint8Array.from(s.split('.').map(Number));
}

/** 16 bytes of a hex-written IPv6 address. */
export function v6(hex: string): Uint8Array {
  const b = fromHex(hex);
  if (b.length !== 16) throw new Error(`not 16 bytes: ${hex}`);
  return b;
}
