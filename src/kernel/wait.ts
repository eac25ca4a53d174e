// Wait queues and the would-block protocol (gVisor's pattern, xv6's sleep/wakeup):
// a handler that cannot finish returns `block(queue...)`; the dispatcher parks the task on
// those queues and re-runs the whole call when one of them is notified or the deadline passes.
// Invariants: a queue holds any number of waiters; notify() happens after the state change
// that makes progress possible; a woken task re-checks its condition (spurious wake-ups are fine).
import type { Task } from './task.js';

/**
 * A callback run by WaitQueue.notify (Linux's custom wake functions, e.g. epoll's
 * ep_poll_callback). `key` is the POLL* bits the change concerns when the notifier knows them
 * (wake_up_poll's key); undefined means "anything may have changed". Listeners must not block.
 */
export type WaitListener = (key?: number) => void;

export class WaitQueue {
  readonly #waiters = new Set<Task>();
  readonly #listeners = new Set<WaitListener>();

  add(t: Task): void { this.#waiters.add(t); }
  remove(t: Task): void { this.#waiters.delete(t); }
  get size(): number { return this.#waiters.size; }

  /** Register a callback for every notify() until removed (epoll watching a file). */
  addListener(fn: WaitListener): void { this.#listeners.add(fn); }
  removeListener(fn: WaitListener): void { this.#listeners.delete(fn); }
  get listeners(): number { return this.#listeners.size; }

  /**
   * Run every listener with `key`, then make every waiter runnable; each re-runs its call and
   * re-checks. Waiters ignore the key (a spurious re-run is harmless).
   */
  notify(key?: number): void {
    if (this.#listeners.size > 0) for (const fn of [...this.#listeners]) fn(key);
    if (this.#waiters.size === 0) return;
    for (const t of [...this.#waiters]) t.wake();
  }
}

/** Returned by a handler that must wait; never seen by the guest. */
export class Block {
  constructor(
    readonly queues: readonly WaitQueue[],
    /** Absolute deadline in ms on the monotonic clock (performance.now()), or undefined. */
    readonly deadline?: number,
  ) {}
}

export const block = (queues: readonly WaitQueue[], deadline?: number) => new Block(queues, deadline);

export type SyscallResult = number | Block;
