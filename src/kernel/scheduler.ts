// Run queue, timers and the deadlock detector. Round-robin over runnable tasks; a blocked
// task costs nothing until a wait queue or its deadline wakes it.
import type { Kernel } from './kernel.js';
import { DEADLOCK_STATUS } from './kernel.js';
import type { Task } from './task.js';
import { sleepMs } from './vfs/hostfs.js';

export class Scheduler {
  readonly #runq: Task[] = [];
  readonly #blocked = new Set<Task>();

  constructor(readonly kernel: Kernel) {}

  enqueue(t: Task): void {
    this.#blocked.delete(t);
    if (!this.#runq.includes(t)) this.#runq.push(t);
  }

  parked(t: Task): void { this.#blocked.add(t); }

  /** sched_yield: stop the CPU after this call so other runnable tasks go first. */
  yieldSoon(t: Task): void {
    if (this.#runq.length > 0) t.engine.stop();
  }

  remove(t: Task): void {
    this.#blocked.delete(t);
    const i = this.#runq.indexOf(t);
    if (i >= 0) this.#runq.splice(i, 1);
    for (const q of t.blockedOn?.queues ?? []) q.remove(t);
  }

  loop(): void {
    const d = this.kernel.dispatcher;
    for (;;) {
      const t = this.#runq.shift();
      if (t) {
        if (t.state === 'dead') continue;
        if (t.pending && !d.retry(t)) continue; // still blocked (parked again)
        if ((t.state as string) === 'dead') continue;
        this.kernel.runTask(t);
        continue;
      }
      if (this.#blocked.size === 0) return;
      const next = this.#nextDeadline();
      if (next === undefined) { this.#deadlock(); return; }
      const wait = next - performance.now();
      if (wait > 0) sleepMs(Math.min(wait, 1000));
      const now = performance.now();
      for (const b of [...this.#blocked]) {
        const dl = b.blockedOn?.deadline;
        if (dl !== undefined && dl <= now) b.wake();
      }
    }
  }

  #nextDeadline(): number | undefined {
    let min: number | undefined;
    for (const t of this.#blocked) {
      const dl = t.blockedOn?.deadline;
      if (dl !== undefined && (min === undefined || dl < min)) min = dl;
    }
    return min;
  }

  #deadlock(): void {
    const lines = [...this.#blocked].map((t) => {
      const p = t.pending;
      const call = p ? `${p.name}(${p.args[0]})` : 'an unknown call';
      return `pid ${t.proc.pid} blocked in ${call}`;
    });
    const msg = `ucrun: deadlock: ${lines.join('; ')}`;
    this.kernel.log(msg);
    for (const t of [...this.#blocked]) this.kernel.exitProcess(t.proc, 0);
    this.kernel.exit = { status: DEADLOCK_STATUS, deadlock: msg };
  }
}
