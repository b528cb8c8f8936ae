/**
 * @module One instance's advertisements as keepalived 2.2.7 puts them on the wire: the
 * engine's `sendAdvert` (priority, interval) plus the instance's VRID, VIPs and
 * authentication become a VRRP message; IPv4 gets keepalived's own IP header (TOS 0xc0,
 * TTL 255, an id counter incremented before each advert, skipping 0) and, for
 * auth_type AH, an AH header with its sequence counter. Multicast instances send to the
 * group, unicast ones to each `unicast_peer`.
 *
 * A master sends the same advert every interval, so the datagrams are encoded once per
 * (priority, interval) and kept; each send only writes the next IP id into the IPv4
 * header and recomputes its 20-byte checksum (the socket copies the bytes at once, so
 * the buffer is reused). AH adverts are encoded each time: the sequence is in the ICV.
 */

import {
  encodeIpv4Advert,
  encodeVrrp,
  finish,
  type IpAddress,
  nextAhSequence,
  nextIdentification,
  VRRP_AUTH,
  VRRP_IPV4_TOS,
  VRRP_TTL,
  type VrrpAuthType,
  type VrrpPacket,
} from '../wire/index.js';
import type { VrrpChannel } from './vrrp-channel.js';

/** What an AdvertSender sends through: a VRRP channel, or a fake that only sends. */
export type AdvertChannel = Pick<VrrpChannel, 'send'> &
  Partial<Pick<VrrpChannel, 'armStopSend' | 'disarmStopSend'>>;

export interface AdvertSenderConfig {
  readonly version: 2 | 3;
  readonly family: 'ipv4' | 'ipv6';
  readonly vrid: number;
  readonly addresses: readonly IpAddress[];
  readonly authType: VrrpAuthType;
  /** 8 bytes for PASS/AH; empty otherwise. */
  readonly authData: Uint8Array;
  /** The advert source (primary IPv4, IPv6 link-local, or unicast_src_ip). */
  readonly source: IpAddress;
  /** The multicast group, or the unicast peers. */
  readonly destinations: readonly IpAddress[];
  readonly unicast: boolean;
}

export class AdvertSender {
  readonly #cfg: AdvertSenderConfig;
  /** VRRPv2 auth_type AH: encoded per advert (the sequence is in the ICV), never cached. */
  readonly #ah: boolean;
  readonly #channel: AdvertChannel;
  #ipId = Math.floor(Math.random() * 0xfffe) + 1;
  #ahSequence = 0;
  /**
   * Datagrams (one per destination) of the last two (priority, interval) encoded, AH
   * excepted: the running advert and, prepared ahead, the priority-0 one of a shutdown.
   */
  #cache: { key: number; datagrams: Uint8Array[] }[] = [];

  /** `counters` presets keepalived's IP id / AH sequence (the next advert uses each + 1). */
  constructor(
    cfg: AdvertSenderConfig,
    channel: AdvertChannel,
    counters: { ipId?: number; ahSequence?: number } = {},
  ) {
    this.#cfg = cfg;
    this.#ah = cfg.authType === VRRP_AUTH.ah && cfg.version === 2 && cfg.family === 'ipv4';
    this.#channel = channel;
    if (counters.ipId !== undefined) this.#ipId = counters.ipId;
    if (counters.ahSequence !== undefined) this.#ahSequence = counters.ahSequence;
  }

  /**
   * Continues the AH sequence from what peers have sent: keepalived keeps one counter per
   * instance and rejects an advert whose sequence it has already seen, so a router that
   * takes over must go on from the highest sequence heard, not from 1.
   */
  seedAhSequence(received: number): void {
    if (received > this.#ahSequence) this.#ahSequence = received;
  }

  /** Builds and sends one advert to every destination; false if any send failed. */
  send(priority: number, adverIntCs: number): boolean {
    const c = this.#cfg;
    if (this.#ah) {
      const packet = this.#packet(priority, adverIntCs);
      let ok = true;
      for (const dst of c.destinations) ok = this.#sendTo(packet, dst) && ok;
      return ok;
    }
    const datagrams = this.#datagrams(priority, adverIntCs);
    let ok = true;
    for (let i = 0; i < datagrams.length; i++) {
      const bytes = datagrams[i]!;
      const dst = c.destinations[i]!;
      if (c.family === 'ipv6') ok = this.#channel.send(bytes, dst, c.source) && ok;
      else {
        this.#ipId = nextIdentification(this.#ipId);
        setIdentification(bytes, this.#ipId);
        ok = this.#channel.send(bytes, dst) && ok;
      }
    }
    return ok;
  }

  /**
   * Hands the channel the (priority, interval) advert to send when a stop signal arrives,
   * one datagram per destination (src/native/stop-send.ts): its slots, or null when it
   * cannot (AH, whose sequence is in the ICV, or no room), and the shutdown sends it. An
   * IPv4 copy carries the next IP id; adverts sent meanwhile may use that id too, which
   * only matters to fragment reassembly, and adverts are never fragmented.
   */
  armStop(priority: number, adverIntCs: number): number[] | null {
    const c = this.#cfg;
    const ch = this.#channel;
    if (ch.armStopSend === undefined || this.#ah) return null;
    const datagrams = this.#datagrams(priority, adverIntCs);
    const slots: number[] = [];
    for (let i = 0; i < datagrams.length; i++) {
      const bytes = datagrams[i]!;
      if (c.family === 'ipv4') setIdentification(bytes, nextIdentification(this.#ipId));
      const slot = ch.armStopSend(bytes, c.destinations[i]!, c.family === 'ipv6' ? c.source : undefined);
      if (slot < 0) {
        for (const s of slots) ch.disarmStopSend?.(s);
        return null;
      }
      slots.push(slot);
    }
    return slots;
  }

  /** Frees what armStop() kept. */
  disarmStop(slots: readonly number[]): void {
    for (const s of slots) this.#channel.disarmStopSend?.(s);
  }

  /** Encodes (priority, interval) ahead of need (the priority-0 advert a stop sends at once). */
  prepare(priority: number, adverIntCs: number): void {
    if (this.#ah) return;
    this.#datagrams(priority, adverIntCs);
  }

  /** The cached datagrams for (priority, interval), encoded on first use. */
  #datagrams(priority: number, adverIntCs: number): Uint8Array[] {
    const key = priority * 0x10000 + adverIntCs;
    for (const e of this.#cache) if (e.key === key) return e.datagrams;
    const c = this.#cfg;
    const packet = this.#packet(priority, adverIntCs);
    const datagrams = c.destinations.map((destination) =>
      c.family === 'ipv6'
        ? encodeVrrp(packet, { source: c.source, destination })
        : encodeIpv4Advert(packet, {
            identification: this.#ipId,
            source: c.source,
            destination,
            ttl: VRRP_TTL,
            tos: VRRP_IPV4_TOS,
          }),
    );
    this.#cache = [{ key, datagrams }, ...this.#cache.slice(0, 1)];
    return datagrams;
  }

  #packet(priority: number, adverIntCs: number): VrrpPacket {
    const c = this.#cfg;
    return {
      version: c.version,
      family: c.family,
      vrid: c.vrid,
      priority,
      maxAdverIntCs: adverIntCs,
      addresses: c.addresses,
      authType: c.version === 2 ? c.authType : VRRP_AUTH.none,
      // keepalived carries the password in the message for PASS only; AH keys the ICV with it.
      authData:
        c.version === 2 && c.family === 'ipv4'
          ? c.authType === VRRP_AUTH.pass
            ? padAuth(c.authData)
            : new Uint8Array(8)
          : new Uint8Array(0),
    };
  }

  #sendTo(packet: VrrpPacket, destination: IpAddress): boolean {
    const c = this.#cfg;
    if (c.family === 'ipv6') {
      const bytes = encodeVrrp(packet, { source: c.source, destination });
      return this.#channel.send(bytes, destination, c.source);
    }
    this.#ipId = nextIdentification(this.#ipId);
    let ah: { sequence: number; key: Uint8Array; zeroTtlInIcv: boolean } | undefined;
    if (c.authType === VRRP_AUTH.ah && c.version === 2) {
      const next = nextAhSequence(this.#ahSequence);
      if (next === null) return false;
      this.#ahSequence = next;
      ah = { sequence: next, key: c.authData, zeroTtlInIcv: c.unicast };
    }
    const bytes = encodeIpv4Advert(packet, {
      identification: this.#ipId,
      source: c.source,
      destination,
      ttl: VRRP_TTL,
      tos: VRRP_IPV4_TOS,
      ...(ah ? { ah } : {}),
    });
    return this.#channel.send(bytes, destination);
  }
}

/** Writes the IP id (bytes 4-5) of an IPv4 datagram and recomputes the header checksum (10-11). */
function setIdentification(datagram: Uint8Array, id: number): void {
  const headerLength = (datagram[0]! & 0x0f) * 4;
  datagram[4] = id >> 8;
  datagram[5] = id & 0xff;
  datagram[10] = 0;
  datagram[11] = 0;
  // Summed in place: a subarray per advert sent is garbage the young generation collects.
  let acc = 0;
  for (let i = 0; i < headerLength; i += 2) acc += (datagram[i]! << 8) | datagram[i + 1]!;
  const sum = finish(acc);
  datagram[10] = sum >> 8;
  datagram[11] = sum & 0xff;
}

function padAuth(data: Uint8Array): Uint8Array {
  if (data.length === 8) return data;
  const out = new Uint8Array(8);
  out.set(data.subarray(0, 8));
  return out;
}
