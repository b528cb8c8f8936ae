/**
 * @module A one-shot timer with microsecond resolution on a timerfd (native/timer.c),
 * polled on the libuv loop like a socket. Node's own timers count whole milliseconds,
 * so a sub-millisecond deadline would otherwise be waited out by spinning the loop; a
 * spinning process also loses its wake-up advantage on a busy machine. While disarmed
 * the fd does not keep the process alive.
 */

import { type NativeBinding, native, POLL_READABLE } from './binding.js';

export class TimerFd {
  readonly #binding: NativeBinding;
  readonly #fd: number;
  #armed = false;
  #closed = false;

  /** `onExpire` runs on the loop each time an armed timer expires. */
  constructor(onExpire: () => void, binding: NativeBinding = native()) {
    this.#binding = binding;
    this.#fd = binding.timerOpen();
    binding.pollStart(this.#fd, POLL_READABLE, () => {
      if (binding.timerRead(this.#fd) === 0 || !this.#armed) return;
      this.#setArmed(false);
      onExpire();
    });
    binding.pollRef(this.#fd, false);
  }

  /** (Re)arms the timer to expire `delayMs` from now (fractions count). */
  set(delayMs: number): void {
    if (this.#closed) return;
    this.#binding.timerSet(this.#fd, Math.max(0, delayMs) * 1000);
    this.#setArmed(true);
  }

  clear(): void {
    if (this.#closed || !this.#armed) return;
    this.#binding.timerSet(this.#fd, -1);
    this.#setArmed(false);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#binding.close(this.#fd);
  }

  #setArmed(armed: boolean): void {
    if (armed === this.#armed) return;
    this.#armed = armed;
    this.#binding.pollRef(this.#fd, armed);
  }
}
