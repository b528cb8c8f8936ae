/**
 * @module Virtual addresses through rtnetlink: add and remove, idempotently (EEXIST on add
 * and EADDRNOTAVAIL on delete are success, as keepalived removes VIPs at start-up as
 * cleanup), with label, scope, broadcast and IPv6 NODAD. The manager remembers what it
 * added, so `removeAll()` on stop never leaves an address behind, and `isWanted()` lets the
 * link monitor put back a VIP someone else deleted.
 */

import { isErrno } from '../native/index.js';
import { type AddressSpec, addAddressRequest, bytesEqual, deleteAddressRequest } from '../netlink/index.js';
import type { RtnetlinkClient } from './rtnetlink-client.js';

/** The key that identifies an address on an interface. */
function keyOf(spec: Pick<AddressSpec, 'ifindex' | 'local' | 'prefixLen'>): string {
  return `${spec.ifindex}/${Array.from(spec.local).join('.')}/${spec.prefixLen}`;
}

export class AddressManager {
  readonly #nl: RtnetlinkClient;
  /** Addresses we hold (added or being added), by key. */
  readonly #wanted = new Map<string, AddressSpec>();
  /** Called on a failure that is not idempotence (for logging). */
  onError: (op: 'add' | 'delete', spec: AddressSpec, e: Error) => void = () => {};
  /** Called when the set of held addresses changes, before the kernel is asked. */
  onChange: () => void = () => {};

  constructor(nl: RtnetlinkClient) {
    this.#nl = nl;
  }

  async add(spec: AddressSpec): Promise<void> {
    this.#wanted.set(keyOf(spec), spec);
    this.onChange();
    try {
      await this.#nl.request((seq) => addAddressRequest(spec, seq));
    } catch (e) {
      if (!isErrno(e, 'EEXIST')) this.onError('add', spec, e as Error);
    }
  }

  async remove(spec: AddressSpec): Promise<void> {
    if (this.#wanted.delete(keyOf(spec))) this.onChange();
    try {
      await this.#nl.request((seq) => deleteAddressRequest(spec, seq));
    } catch (e) {
      if (!isErrno(e, 'EADDRNOTAVAIL') && !isErrno(e, 'ENODEV')) this.onError('delete', spec, e as Error);
    }
  }

  /** The spec of a VIP we hold at this place, if any (for re-adding a deleted one). */
  wanted(ifindex: number, local: Uint8Array, prefixLen: number): AddressSpec | undefined {
    const s = this.#wanted.get(keyOf({ ifindex, local, prefixLen }));
    return s !== undefined && bytesEqual(s.local, local) ? s : undefined;
  }

  /** Every address we added and did not remove. */
  held(): AddressSpec[] {
    return [...this.#wanted.values()];
  }

  async removeAll(): Promise<void> {
    await Promise.all(this.held().map((s) => this.remove(s)));
  }
}
