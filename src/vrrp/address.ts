/**
 * @module Address helpers the engine needs without depending on src/wire: bytewise
 * comparison (RFC 5798 §6.4.3 tie-break: the higher primary IP address wins) and
 * text formatting for keepalived's log lines (inet_ntop style, RFC 5952 for IPv6).
 */

/** Compare two addresses as unsigned big-endian numbers: <0, 0 or >0. Shorter sorts first. */
export function compareAddress(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Format a 4- or 16-byte address as keepalived prints it. */
export function formatAddress(addr: Uint8Array): string {
  // Concatenated, not Array.from(...).join: a MASTER yielding formats its new master's
  // address on the way to its log line, cold after an idle second.
  if (addr.length === 4) return `${addr[0]}.${addr[1]}.${addr[2]}.${addr[3]}`;
  if (addr.length !== 16) return Array.from(addr, (b) => b.toString(16).padStart(2, '0')).join('');
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((addr[i] ?? 0) << 8) | (addr[i + 1] ?? 0));
  return formatIpv6Words(words);
}

function longestZeroRun(words: readonly number[]): { start: number; len: number } {
  let best = { start: -1, len: 0 };
  let start = -1;
  for (let i = 0; i <= words.length; i++) {
    if (i < words.length && words[i] === 0) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && i - start > best.len) best = { start, len: i - start };
    start = -1;
  }
  return best.len >= 2 ? best : { start: -1, len: 0 };
}

function formatIpv6Words(words: readonly number[]): string {
  const run = longestZeroRun(words);
  const hex = (w: number): string => w.toString(16);
  if (run.start < 0) return words.map(hex).join(':');
  const head = words.slice(0, run.start).map(hex).join(':');
  const tail = words
    .slice(run.start + run.len)
    .map(hex)
    .join(':');
  return `${head}::${tail}`;
}
