// Run queue, time slices, timers and the deadlock detector.
//
// - Round-robin over runnable tasks. A task runs until it blocks, exits or yields; while
//   other tasks are runnable, or a timer is due, it gives up the CPU at its first syscall
//   after SLICE_MS. A blocked task costs nothing.
// - Preemption happens only at syscalls, never by emu_start's timeout: with Unicorn 2.1.1 a
//   run ended by the timeout resumes with corrupted guest state (measured: a checksum loop
//   preempted every 1 ms gave 10 wrong sums out of 10 on x86_64; see README "Engine facts").
//   So a task that never makes a syscall keeps the CPU until it does.
// - Deterministic: the order of runnable tasks depends only on the order of wake-ups and
//   syscalls, and on --seed for who runs first after fork. Not deterministic: where a
//   time slice ends inside CPU-bound code, and anything that depends on host time (sleeps,
//   timeouts, alarms) — the same as on Linux.
// - When nothing is runnable, the host sleeps until the next deadline (a blocked call's
//   timeout or an ITIMER_REAL); with no deadline at all, every task waits forever: a deadlock,
//   reported with the call each task waits in.
import type { Kernel } from './kernel.js';
import { DEADLOCK_STATUS } from './kernel.js';
import { hasInterruptingSignal, interruptCall, sendSignal } from './signal_delivery.js';
import { Signal } from './signals.js';
import type { Process, Task } from './task.js';
import { sleepMs } from './vfs/hostfs.js';

export const SLICE_MS = 10;

export class Scheduler {
  readonly #runq: Task[] = [];
  readonly #blocked = new Set<Task>();
  /** The task whose engine is running, if any. */
  current: Task | undefined;
  /** Whether the current run was started with a time limit (others were waiting). */
  #sliced = false;
  #runStart = 0;
  #wokeSomeone = false;

  constructor(readonly kernel: Kernel) {}

  enqueue(t: Task): void {
    if (this.current && t !== this.current) this.#wokeSomeone = true;
    this.#blocked.delete(t);
    if (t.proc.stopped && t.state === 'runnable') { t.state = 'stopped'; return; }
    if (!this.#runq.includes(t)) this.#runq.push(t);
  }

  /** Put `t` first (a forked child that runs before its parent). */
  enqueueFront(t: Task): void {
    this.#blocked.delete(t);
    if (!this.#runq.includes(t)) this.#runq.unshift(t);
  }

  parked(t: Task): void { this.#blocked.add(t); }

  remove(t: Task): void {
    this.#blocked.delete(t);
    const i = this.#runq.indexOf(t);
    if (i >= 0) this.#runq.splice(i, 1);
    for (const q of t.blockedOn?.queues ?? []) q.remove(t);
  }

  /** sched_yield: stop the CPU after this call so other runnable tasks go first. */
  yieldSoon(t: Task): void {
    if (this.#runq.length > 0) t.engine.stop();
  }

  /**
   * After a syscall completed on the running task: give the CPU away if the call woke
   * someone and this run had no time limit (the woken task would otherwise wait for a block).
   */
  maybePreempt(t: Task): void {
    if ((!this.#sliced && this.#runq.length > 0 && this.#wokeSomeone) || this.sliceExpired()) t.engine.stop();
    this.#wokeSomeone = false;
  }

  /** Start of a run of `t`; returns the emu_start timeout (always 0: see the header). */
  sliceUs(t: Task): number {
    this.current = t;
    this.#runStart = performance.now();
    this.#sliced = false;
    return 0;
  }

  /** At a syscall: is the running task's slice over while someone else could run? */
  sliceExpired(): boolean {
    const now = performance.now();
    if (now - this.#runStart < SLICE_MS) return false;
    if (this.#runq.length > 0) return true;
    const next = this.#nextDeadline();
    return next !== undefined && next <= now;
  }

  loop(): void {
    const k = this.kernel;
    const d = k.dispatcher;
    for (;;) {
      this.#fireTimers();
      const t = this.#runq.shift();
      if (t) {
        if (t.state === 'dead' || t.state === 'stopped') continue;
        if (t.proc.stopped) { t.state = 'stopped'; continue; }
        if (t.pending) {
          // rt_sigtimedwait takes its signals itself; everything else is interrupted.
          if (t.interrupted && hasInterruptingSignal(t.proc) && t.pending.name !== 'rt_sigtimedwait') {
            t.interrupted = false;
            interruptCall(t);
          } else {
            t.interrupted = false;
            if (!d.retry(t)) continue; // parked again
          }
        }
        if ((t.state as string) === 'dead') continue;
        k.runTask(t);
        this.current = undefined;
        continue;
      }
      if (!this.#anyAlive()) return;
      const next = this.#nextDeadline();
      if (next === undefined) {
        if (this.#blocked.size === 0 && !this.#anyStopped()) return;
        this.#deadlock();
        return;
      }
      const wait = next - performance.now();
      if (wait > 0) sleepMs(Math.min(wait, 1000));
      const now = performance.now();
      for (const b of [...this.#blocked]) {
        const dl = b.blockedOn?.deadline;
        if (dl !== undefined && dl <= now) b.wake();
      }
    }
  }

  #anyAlive(): boolean {
    for (const p of this.kernel.processes.values()) if (p.alive) return true;
    return false;
  }

  #anyStopped(): boolean {
    for (const p of this.kernel.processes.values()) if (p.alive && p.stopped) return true;
    return false;
  }

  /** ITIMER_REAL expiries raise SIGALRM (kernel/time/itimer.c it_real_fn). */
  #fireTimers(): void {
    const now = performance.now();
    for (const p of this.kernel.processes.values()) {
      if (!p.alive || !p.itimer.deadline || p.itimer.deadline > now) continue;
      p.itimer.deadline = p.itimer.interval ? now + p.itimer.interval : 0;
      sendSignal(p, { sig: Signal.SIGALRM, code: 0x80 /* SI_KERNEL */, pid: 0, uid: 0 });
    }
  }

  #nextDeadline(): number | undefined {
    let min: number | undefined;
    const take = (dl: number | undefined) => { if (dl !== undefined && dl > 0 && (min === undefined || dl < min)) min = dl; };
    for (const t of this.#blocked) take(t.blockedOn?.deadline);
    for (const p of this.kernel.processes.values() as Iterable<Process>) if (p.alive && p.itimer.deadline) take(p.itimer.deadline);
    return min;
  }

  #deadlock(): void {
    const lines = [...this.#blocked].map((t) => {
      const p = t.pending;
      const call = p ? `${p.name}(${p.args[0] | 0})` : 'an unknown call';
      return `pid ${t.proc.pid} blocked in ${call}`;
    });
    for (const p of this.kernel.processes.values()) if (p.alive && p.stopped) lines.push(`pid ${p.pid} stopped`);
    const msg = `ucrun: deadlock: ${lines.join('; ')}`;
    this.kernel.log(msg);
    for (const p of [...this.kernel.processes.values()]) if (p.alive) this.kernel.killProcess(p, Signal.SIGKILL, undefined, undefined, false, true);
    this.kernel.exit = { status: DEADLOCK_STATUS, deadlock: msg };
  }
}
