// Run queue, time slices, timers, CPU-time accounting, the run's wall-clock limit and the
// deadlock detector.
//
// - Round-robin over runnable tasks (threads). A task runs until it blocks, exits, yields or
//   its time slice ends. When another task is runnable, or a deadline (a sleeper's timeout,
//   an interval timer, the run's --timeout) falls inside the slice, the run is armed with the
//   watchdog (src/engine/watchdog.ts), which stops the CPU asynchronously at the deadline:
//   a CPU-bound loop with no syscalls is preempted like on Linux. With nothing else to do the
//   run has no limit and costs nothing extra.
// - A syscall that wakes another task ends the run right after it (the woken task usually
//   has work for the waker) unless the run is already sliced.
// - Deterministic: the order of runnable tasks depends only on the order of wake-ups and
//   syscalls, and on --seed for who runs first after fork/clone and whether a wake-up
//   preempts the waker. Not deterministic: where a time slice ends inside CPU-bound code
//   (wall-clock slices), and anything that depends on host time (sleeps, timeouts, alarms) —
//   the same as on Linux.
// - CPU time: every run's wall time is charged to its thread and process (clock_gettime's
//   CPUTIME clocks, ITIMER_VIRTUAL/ITIMER_PROF); user and system time are not told apart.
// - When nothing is runnable, the host sleeps until the next deadline; with no deadline at
//   all, every task waits forever: a deadlock, reported with the call each task waits in.
import type { Kernel } from './kernel.js';
import { DEADLOCK_STATUS, TIMEOUT_STATUS } from './kernel.js';
import { callTakesSignal, hasInterruptingSignal, interruptCall, sendSignal } from './signal_delivery.js';
import { Signal } from './signals.js';
import type { Process, Task } from './task.js';
import { sleepMs } from './vfs/hostfs.js';
import { describePending } from './strace/pending.js';
import type { KTimer } from './timers/ktimer.js';

export const SLICE_MS = 10;
/** Shortest run the watchdog is armed for (a deadline already due still lets one block run). */
const MIN_SLICE_US = 20;

export class Scheduler {
  readonly #runq: Task[] = [];
  readonly #blocked = new Set<Task>();
  /** The task whose engine is running, if any. */
  current: Task | undefined;
  /** Whether the current run has a time slice (others are runnable), not only timer deadlines. */
  #sliced = false;
  #runStart = 0;
  #runDeadline = Infinity;
  #wokeSomeone = false;
  /** admit() under --seed already chose whether the creator stops after this call. */
  #decided: 'stop' | 'continue' | undefined;
  /** performance.now() at which the whole run ends (--timeout), or Infinity. */
  wallDeadline = Infinity;
  /** Armed kernel timers: timerfd, POSIX timers, CPU-clock sleeps (src/kernel/timers/ktimer.ts). */
  readonly timers = new Set<KTimer>();

  constructor(readonly kernel: Kernel) {}

  enqueue(t: Task): void {
    if (this.current && t !== this.current) this.#wokeSomeone = true;
    this.#blocked.delete(t);
    if (t.proc.stopped && t.state === 'runnable') { t.state = 'stopped'; return; }
    if (!this.#runq.includes(t)) this.#runq.push(t);
  }

  /** Put `t` first (a forked child or new thread that runs before its parent). */
  enqueueFront(t: Task): void {
    this.#blocked.delete(t);
    if (!this.#runq.includes(t)) this.#runq.unshift(t);
  }

  /**
   * A new task (fork/clone). Under --seed the seed decides now whether it runs before the
   * creator (which then stops after this call) or after it (the creator keeps the CPU for a
   * slice); otherwise it is queued like any wake-up.
   */
  admit(t: Task): void {
    const k = this.kernel;
    if (k.opts.seed === undefined) { this.enqueue(t); return; }
    if (k.random() & 1) { this.enqueueFront(t); this.#decided = 'stop'; } else { this.enqueue(t); this.#decided = 'continue'; }
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
   * someone and this run had no time limit (the woken task would otherwise wait for a block),
   * or if the slice is over. Under --seed a wake-up preempts the waker or not by the seed.
   */
  maybePreempt(t: Task): void {
    let stop = this.sliceExpired();
    const decided = this.#decided;
    this.#decided = undefined;
    if (!stop && decided === 'stop') stop = true;
    else if (!stop && this.#wokeSomeone && this.#runq.length > 0) {
      const k = this.kernel;
      if (decided !== 'continue') stop = k.opts.seed !== undefined ? (k.random() & 1) === 1 : !this.#sliced;
      if (!stop && !this.#sliced) {
        // The waker keeps the CPU for one slice at most.
        const now = performance.now();
        t.engine.rearm(this.#arm(t, now, now + SLICE_MS));
      }
    }
    if (stop) t.engine.stop();
    this.#wokeSomeone = false;
  }

  /** Start of a run of `t`; returns the watchdog's limit in µs (0: none). */
  sliceUs(t: Task): number {
    const now = performance.now();
    this.current = t;
    this.#runStart = now;
    this.#wokeSomeone = false;
    this.#decided = undefined;
    const forced = this.kernel.opts.sliceMs;
    if (forced !== undefined) return this.#arm(t, now, now + forced);
    return this.#arm(t, now, this.#runq.length > 0 ? now + SLICE_MS : Infinity);
  }

  /** The run's deadline: the earliest of `slice`, every timer and --timeout; µs from now or 0. */
  #arm(t: Task, now: number, slice: number): number {
    let dl = Math.min(this.wallDeadline, slice);
    const next = this.#nextDeadline();
    if (next !== undefined) dl = Math.min(dl, next);
    const p = t.proc;
    for (const w of [1, 2]) {
      const c = p.cpuTimers[w];
      if (c?.deadline) dl = Math.min(dl, now + Math.max(0, c.deadline - this.cpuNow(p)) / 1e6);
    }
    // CPU-time kernel timers of this process or thread: their clock only moves during its runs.
    for (const k of this.timers) {
      if (k.base === p) dl = Math.min(dl, now + Math.max(0, k.at - this.cpuNow(p)) / 1e6);
      else if (k.base === t) dl = Math.min(dl, now + Math.max(0, k.at - this.threadCpuNow(t)) / 1e6);
    }
    this.#runDeadline = dl;
    this.#sliced = slice !== Infinity;
    // Without safe asynchronous stops the run ends only at syscalls (sliceExpired).
    if (!t.engine.asyncStopSafe) return 0;
    return dl !== Infinity ? Math.max(MIN_SLICE_US, (dl - now) * 1000) : 0;
  }

  /** End of a run of `t`: charge its CPU time and fire the CPU-time interval timers. */
  ranFor(t: Task): void {
    const ns = (performance.now() - this.#runStart) * 1e6;
    this.current = undefined;
    t.cpuNs += ns;
    const p = t.proc;
    p.cpuNs += ns;
    for (const [w, sig] of [[1, Signal.SIGVTALRM], [2, Signal.SIGPROF]] as const) {
      const c = p.cpuTimers[w];
      if (!c?.deadline || p.cpuNs < c.deadline) continue;
      c.deadline = c.interval ? Math.max(c.deadline + c.interval, p.cpuNs) : 0;
      sendSignal(p, { sig, code: 0x80 /* SI_KERNEL */, pid: 0, uid: 0 });
    }
    if (this.timers.size === 0) return;
    for (const k of [...this.timers]) {
      if (((k.base === p && p.cpuNs >= k.at) || (k.base === t && t.cpuNs >= k.at)) && this.timers.delete(k)) k.fire();
    }
  }

  /** Arm (or move) a kernel timer; a running task's watchdog deadline follows at once. */
  armTimer(k: KTimer, at: number): void {
    // A wall deadline already past fires at the next scheduling point (deadlines are > 0).
    k.at = k.base === 'wall' ? Math.max(at, performance.now()) : at;
    this.timers.add(k);
    if (this.current) this.timersChanged(this.current);
  }

  /** The process's CPU time so far, the running slice included (ns). */
  cpuNow(p: Process): number {
    const c = this.current;
    return p.cpuNs + (c && c.proc === p ? (performance.now() - this.#runStart) * 1e6 : 0);
  }

  /** A thread's CPU time so far (ns). */
  threadCpuNow(t: Task): number {
    return t.cpuNs + (this.current === t ? (performance.now() - this.#runStart) * 1e6 : 0);
  }

  /** A timer was set during `t`'s run: arm the watchdog for it (the slice end stays). */
  timersChanged(t: Task): void {
    if (this.current !== t || !t.engine.running) return;
    const now = performance.now();
    const slice = this.#sliced ? this.#runDeadline : Infinity;
    const us = this.#arm(t, now, slice);
    if (us > 0) t.engine.rearm(us);
  }

  /** At a syscall: is the running task's slice over? */
  sliceExpired(): boolean {
    return performance.now() >= this.#runDeadline;
  }

  loop(): void {
    const k = this.kernel;
    const d = k.dispatcher;
    for (;;) {
      const now = performance.now();
      if (now >= this.wallDeadline) { this.#timedOut(); return; }
      this.#fireTimers(now);
      this.#wakeExpired(now);
      const t = this.#runq.shift();
      if (t) {
        if (t.state === 'dead' || t.state === 'stopped') continue;
        if (t.proc.stopped) { t.state = 'stopped'; continue; }
        if (t.pending) {
          // rt_sigtimedwait and a signalfd read take their signals themselves; everything else is interrupted.
          if (t.interrupted && hasInterruptingSignal(t) && t.pending.name !== 'rt_sigtimedwait' && !callTakesSignal(t)) {
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
      let next = this.#nextDeadline();
      if (this.wallDeadline !== Infinity) next = Math.min(next ?? Infinity, this.wallDeadline);
      if (next === undefined) {
        if (this.#blocked.size === 0 && !this.#anyStopped()) return;
        this.#deadlock();
        return;
      }
      const wait = next - performance.now();
      if (wait > 0) sleepMs(Math.min(wait, 1000));
    }
  }

  /** Wake every blocked task whose deadline has passed. */
  #wakeExpired(now: number): void {
    if (this.#blocked.size === 0) return;
    for (const b of this.#blocked) {
      const dl = b.blockedOn?.deadline;
      if (dl !== undefined && dl <= now) b.wake();
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

  /** ITIMER_REAL expiries raise SIGALRM (kernel/time/itimer.c it_real_fn); due wall kernel timers fire. */
  #fireTimers(now: number): void {
    for (const p of this.kernel.processes.values()) {
      if (!p.alive || !p.itimer.deadline || p.itimer.deadline > now) continue;
      p.itimer.deadline = p.itimer.interval ? now + p.itimer.interval : 0;
      sendSignal(p, { sig: Signal.SIGALRM, code: 0x80 /* SI_KERNEL */, pid: 0, uid: 0 });
    }
    if (this.timers.size === 0) return;
    for (const k of [...this.timers]) {
      if (k.base === 'wall' && k.at <= now && this.timers.delete(k)) k.fire();
    }
  }

  #nextDeadline(): number | undefined {
    let min: number | undefined;
    const take = (dl: number | undefined) => { if (dl !== undefined && dl > 0 && (min === undefined || dl < min)) min = dl; };
    for (const t of this.#blocked) take(t.blockedOn?.deadline);
    for (const p of this.kernel.processes.values() as Iterable<Process>) if (p.alive && p.itimer.deadline) take(p.itimer.deadline);
    for (const k of this.timers) if (k.base === 'wall') take(k.at);
    return min;
  }

  /** One line per thread: what each live task is doing. */
  #taskLines(): string[] {
    const lines: string[] = [];
    for (const p of this.kernel.processes.values()) {
      if (!p.alive) continue;
      const threaded = p.tasks.length > 1 || p.tasks.some((t) => t.tid !== p.pid);
      for (const t of p.tasks) {
        const who = threaded ? `pid ${p.pid} tid ${t.tid}` : `pid ${p.pid}`;
        if (p.stopped) lines.push(`${who} stopped`);
        else if (t.state === 'blocked') lines.push(`${who} blocked in ${t.pending ? describePending(t, t.pending) : 'an unknown call'}`);
        else lines.push(`${who} ${t.state === 'runnable' ? 'running' : t.state}`);
      }
    }
    return lines;
  }

  #killAll(): void {
    for (const p of [...this.kernel.processes.values()]) if (p.alive) this.kernel.killProcess(p, Signal.SIGKILL, undefined, undefined, false, true);
  }

  #deadlock(): void {
    const lines = this.#taskLines();
    const msg = lines.map((l) => `ucrun: deadlock: ${l}`).join('\n');
    this.kernel.log(msg);
    this.#killAll();
    this.kernel.exit = { status: DEADLOCK_STATUS, deadlock: msg };
  }

  #timedOut(): void {
    const secs = this.kernel.opts.timeoutMs! / 1000;
    const msg = [`ucrun: timeout: ${secs} s elapsed`, ...this.#taskLines().map((l) => `ucrun: timeout: ${l}`)].join('\n');
    this.kernel.log(msg);
    this.#killAll();
    this.kernel.exit = { status: TIMEOUT_STATUS, deadlock: msg };
  }
}
