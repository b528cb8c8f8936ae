/**
 * @module A small classic-pcap reader (libpcap format, LINKTYPE_ETHERNET only) for tests.
 *
 * Handles both byte orders and the nanosecond-resolution magic. Yields one
 * `PcapFrame` per record with its 1-based frame number (as tshark numbers them).
 * Not a general pcap library: pcapng and other link types are rejected.
 */

/** One captured frame: `data` is the Ethernet frame as captured (caplen bytes). */
export type PcapFrame = {
  readonly number: number;
  readonly timestampS: number;
  readonly originalLength: number;
  readonly data: Uint8Array;
};

const LINKTYPE_ETHERNET = 1;

/** Parse a whole classic pcap file. Throws on anything it does not understand (test helper). */
export function readPcap(file: Uint8Array): PcapFrame[] {
  if (file.length < 24) throw new Error('pcap: file shorter than its global header');
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magicBE = view.getUint32(0, false);
  let little: boolean;
  let nanos: boolean;
  if (magicBE === 0xa1b2c3d4 || magicBE === 0xa1b23c4d) {
    little = false;
    nanos = magicBE === 0xa1b23c4d;
  } else {
    const magicLE = view.getUint32(0, true);
    if (magicLE !== 0xa1b2c3d4 && magicLE !== 0xa1b23c4d) throw new Error('pcap: bad magic (pcapng?)');
    little = true;
    nanos = magicLE === 0xa1b23c4d;
  }
  const linkType = view.getUint32(20, little) & 0x0fffffff;
  if (linkType !== LINKTYPE_ETHERNET) throw new Error(`pcap: link type ${linkType}, expected Ethernet`);
  const frames: PcapFrame[] = [];
  let at = 24;
  while (at < file.length) {
    if (at + 16 > file.length) throw new Error('pcap: truncated record header');
    const seconds = view.getUint32(at, little);
    const fraction = view.getUint32(at + 4, little);
    const capLength = view.getUint32(at + 8, little);
    const originalLength = view.getUint32(at + 12, little);
    at += 16;
    if (at + capLength > file.length) throw new Error('pcap: truncated record');
    frames.push({
      number: frames.length + 1,
      timestampS: seconds + fraction / (nanos ? 1e9 : 1e6),
      originalLength,
      data: Uint8Array.prototype.slice.call(file, at, at + capLength),
    });
    at += capLength;
  }
  return frames;
}
