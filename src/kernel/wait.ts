// Wait queues and the would-block protocol (gVisor's pattern, xv6's sleep/wakeup):
// a handler that cannot finish returns `block(queue...)`; the dispatcher parks the task on
// those queues and re-runs the whole call when one of them is notified or the deadline passes.
// Invariants: a queue holds any number of waiters; notify() happens after the state change
// that makes progress possible; a woken task re-checks its condition (spurious wake-ups are fine).
import type { Task } from './task.js';

export class WaitQueue {
  readonly #waiters = new Set<Task>();

  add(t: Task): void { this.#waiters.add(t); }
  remove(t: Task): void { this.#waiters.delete(t); }
  get size(): number { return this.#waiters.size; }

  /** Make every waiter runnable; each re-runs its call and re-checks. */
  notify(): void {
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
