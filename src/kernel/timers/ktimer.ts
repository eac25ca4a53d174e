// Kernel timers the scheduler fires: the role of Linux's hrtimer bases and the CPU-timer lists
// of posix-cpu-timers.c, for timerfd, POSIX timers and CPU-clock sleeps.
//
// Invariants:
// - An armed KTimer is in Scheduler.timers; it leaves the set before `fire` runs (a timer
//   fires once per arming; `fire` may re-arm it).
// - A 'wall' timer fires at `at` on the performance.now() clock (ms): the scheduler counts it
//   as a deadline, so it wakes the host from an all-blocked sleep and arms the watchdog of a
//   CPU-bound run (the mechanism ITIMER_REAL uses).
// - A CPU-time timer (base = a Process or a Task) fires when that clock reaches `at` (ns of
//   the scheduler's accounting): checked when a run of the process/thread ends, and a run of
//   it is armed to end then (like ITIMER_VIRTUAL/PROF).
// - Firing may come a little late (the watchdog, a busy host) or, after a ms/ns conversion,
//   a few ns early: `fire` callbacks re-check their own clock and re-arm if early.
import type { Scheduler } from '../scheduler.js';
import type { Process, Task } from '../task.js';

export type TimerBase = 'wall' | Process | Task;

export class KTimer {
  /** When it fires: performance.now() ms for 'wall', CPU ns of the base otherwise. */
  at = 0;
  constructor(
    readonly sched: Scheduler,
    readonly base: TimerBase,
    readonly fire: () => void,
  ) {}

  get armed(): boolean { return this.sched.timers.has(this); }

  /** Arm (or move) the timer. */
  arm(at: number): void { this.sched.armTimer(this, at); }

  /** Disarm; a timer that is not armed is left alone. */
  cancel(): void { this.sched.timers.delete(this); }

  /**
   * Arm a wall timer for `ns` nanoseconds from now on a clock that runs at the rate of
   * performance.now() (every clock ucrun serves but the CPU-time ones). Beyond 2^53 ms it
   * never fires (KTIME_MAX is 292 years).
   */
  armIn(ns: bigint): void {
    const ms = Number(ns) / 1e6;
    if (ms >= Number.MAX_SAFE_INTEGER) { this.cancel(); return; }
    this.arm(performance.now() + ms);
  }
}
