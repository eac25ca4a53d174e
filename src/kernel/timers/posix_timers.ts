// POSIX interval timers (kernel/time/posix-timers.c, posix-cpu-timers.c): timer_create,
// timer_settime, timer_gettime, timer_getoverrun, timer_delete.
//
// Model, as Linux 6.13+:
// - Timers belong to a process (signal_struct): ids come from a per-process counter that
//   starts at 0 and only grows (an id is taken even when timer_create then fails on the
//   sigevent, the id copy-out or the clock), fork starts the child with none and a fresh
//   counter, execve deletes them (the counter goes on) and so does exit.
// - Clocks: REALTIME and TAI, MONOTONIC and BOOTTIME run a wall KTimer; the CPU-time clocks
//   (CLOCK_PROCESS/THREAD_CPUTIME_ID and the encoded ids of clocks.ts) run a KTimer on the
//   scheduler's CPU accounting of that process or thread.
// - Expiry (posix_timer_fn / cpu_timer_fire): status becomes REQUEUE_PENDING for a periodic
//   timer, DISARMED for a one-shot, and the timer's one signal (its sigqueue) is queued with
//   si_code SI_TIMER, si_timerid, si_value: to the process, or to one thread for
//   SIGEV_THREAD_ID (no signal if that thread has died). A periodic timer is NOT re-armed by
//   its expiry: the signal's dequeue (delivery, sigtimedwait, a signalfd read) re-arms it with
//   hrtimer_forward, and the intervals that passed since the expiry are the overrun:
//   si_overrun of that signal and what timer_getoverrun returns until the next delivery. While
//   the signal is pending, nothing more is queued.
// - timer_settime and timer_delete drop a pending signal of the timer (6.13+ drops it at
//   dequeue by sequence number; here it leaves the pending set at once, so sigpending()
//   stops showing it a little earlier than on Linux).
// - SIGEV_NONE timers are never armed: timer_gettime computes their state (and moves a
//   periodic one forward); they never signal.
// - An ignored signal (SIG_IGN, or the default action ignore) is not queued; a periodic timer
//   then goes on ticking (re-armed at once, at least 4 ms ahead, the jiffy Linux used) so a
//   handler installed later gets the next expiry. Linux 6.13+ instead parks it and re-queues
//   it when the signal stops being ignored.
import { CLOCK, SI_CODE, SIGEV } from '../abi.js';
import { Errno } from '../errno.js';
import { sendSignal } from '../signal_delivery.js';
import type { PendingSignals, Process, QueuedSignal, Task, TimerSignal } from '../task.js';
import { type CpuClock, cpuClockNs, forward, type ItimerSpec, monotonicNs, realtimeNs, saturate } from './clocks.js';
import { KTimer } from './ktimer.js';

const { CLOCK_REALTIME, CLOCK_TAI, TIMER_ABSTIME } = CLOCK;
const { SIGEV_NONE } = SIGEV;
const INT_MAX = 0x7fffffff;
/** The shortest re-arm of a periodic timer whose signal is ignored (one jiffy at HZ 250). */
const IGNORED_MIN_NS = 4_000_000n;

type Status = 'disarmed' | 'armed' | 'requeue';

/** What a timer counts: a wall clock (REALTIME/TAI can be absolute) or a CPU clock. */
export type TimerClock = { kind: 'wall'; realtime: boolean } | { kind: 'cpu'; cpu: CpuClock };

/** The notification a sigevent asked for (after good_sigevent's checks). */
export interface Notify { notify: number; signo: number; value: bigint; target: Task | undefined }

export class PosixTimer {
  /** hrtimer/CPU-timer expiry in ns on the timer's clock. */
  #expires = 0n;
  #interval = 0n;
  #status: Status = 'disarmed';
  /** it_overrun (accumulating, -1 after a delivery) and it_overrun_last (the last delivered). */
  #overrun = -1n;
  #overrunLast = 0n;
  /** An absolute REALTIME/TAI arming: `#expires` is on the realtime clock. */
  #realtime = false;
  /** The timer's signal while it is pending, and the set it is pending in. */
  #queued: QueuedSignal | undefined;
  #queuedIn: PendingSignals | undefined;
  readonly #timer: KTimer;
  /** timer_delete or exit_itimers ran: nothing arms it again. */
  #deleted = false;

  constructor(
    readonly id: number,
    readonly owner: Process,
    readonly clockid: number,
    readonly clock: TimerClock,
    readonly ev: Notify,
  ) {
    const k = owner.kernel;
    const base = clock.kind === 'wall' ? 'wall' : clock.cpu.task ?? clock.cpu.proc;
    this.#timer = new KTimer(k.sched, base, () => this.#fired());
  }

  get sigNone(): boolean { return this.ev.notify === SIGEV_NONE; }

  #now(): bigint {
    if (this.clock.kind === 'cpu') return cpuClockNs(this.owner.kernel.sched, this.clock.cpu);
    return this.#realtime ? realtimeNs() : monotonicNs();
  }

  /** hrtimer_start / arm_timer at `#expires`; an expiry already due fires now. */
  #start(): void {
    if (this.#deleted) return;
    const now = this.#now();
    if (now >= this.#expires) { this.#fired(now); return; }
    if (this.clock.kind === 'cpu') this.#timer.arm(Number(this.#expires));
    else this.#timer.armIn(this.#expires - now);
  }

  /** posix_timer_fn / cpu_timer_fire (a callback a few ns early re-arms). */
  #fired(now = this.#now()): void {
    if (now < this.#expires) { this.#start(); return; }
    this.#status = this.#interval ? 'requeue' : 'disarmed';
    this.#send(now);
  }

  /** An expiry the scheduler has not processed yet happens now (timer_gettime in a loop). */
  #sync(): void {
    if (this.#timer.armed && this.#now() >= this.#expires) {
      this.#timer.cancel();
      this.#fired();
    }
  }

  /** posixtimer_send_sigqueue. */
  #send(now: bigint): void {
    const p = this.owner;
    const target = this.ev.target;
    if (this.#deleted || !p.alive || (target && target.state === 'dead')) return;
    if (this.#queued) return; // already pending: this expiry is not signalled again
    const timer: TimerSignal = {
      id: this.id, overrun: 0, value: this.ev.value,
      taken: (q) => this.#taken(q),
      discarded: (q) => this.#discarded(q),
    };
    const info: QueuedSignal = { sig: this.ev.signo, code: SI_CODE.SI_TIMER, pid: 0, uid: 0, timer };
    if (sendSignal(p, info, target)) {
      this.#queued = info;
      this.#queuedIn = target ? target.private : p.shared;
      return;
    }
    // Ignored: a periodic timer keeps ticking (see the header).
    if (this.#interval) this.#rearmIgnored(now);
  }

  #rearmIgnored(now: bigint): void {
    const ahead = this.#interval < IGNORED_MIN_NS ? now + IGNORED_MIN_NS : now;
    const f = forward(this.#expires, ahead, this.#interval);
    this.#overrun += f.n;
    this.#expires = f.expires;
    this.#status = 'armed';
    this.#start();
  }

  /** posixtimer_deliver_signal: the pending signal is being taken. */
  #taken(q: QueuedSignal): void {
    if (this.#queued !== q) return;
    this.#queued = this.#queuedIn = undefined;
    if (!this.#interval || this.#status !== 'requeue') return;
    const f = forward(this.#expires, this.#now(), this.#interval);
    this.#overrun += f.n;
    this.#expires = f.expires;
    this.#status = 'armed';
    this.#overrunLast = this.#overrun;
    this.#overrun = -1n;
    q.timer!.overrun = this.#overrunInt();
    this.#start();
  }

  /** The pending signal was flushed (made ignored): as if it had been ignored at expiry. */
  #discarded(q: QueuedSignal): void {
    if (this.#queued !== q) return;
    this.#queued = this.#queuedIn = undefined;
    if (this.#interval && this.#status === 'requeue') this.#rearmIgnored(this.#now());
  }

  /** Stop: the kernel timer, and a pending signal leaves its set. */
  #stop(): void {
    this.#timer.cancel();
    if (this.#queued) this.#queuedIn?.remove(this.#queued);
    this.#queued = this.#queuedIn = undefined;
  }

  /** timer_overrun_to_int: it_overrun_last clamped to INT_MAX. */
  #overrunInt(): number {
    return this.#overrunLast > BigInt(INT_MAX) ? INT_MAX : Number(this.#overrunLast);
  }

  /** common_timer_get / posix_cpu_timer_get. */
  get(): ItimerSpec {
    this.#sync();
    const out = { interval: 0n, value: 0n };
    const iv = this.#interval;
    if (iv) out.interval = iv;
    else if (this.#status === 'disarmed' && !this.sigNone) return out;
    const now = this.#now();
    // A periodic timer waiting for its signal's delivery (or a SIGEV_NONE one) shows the next
    // expiry after now; the intervals passed count as overrun.
    if (iv && this.#status !== 'armed') {
      const f = forward(this.#expires, now, iv);
      this.#overrun += f.n;
      this.#expires = f.expires;
    }
    const left = this.#expires - now;
    // An expired timer whose signal is not yet delivered shows 1 ns; a SIGEV_NONE one-shot 0.
    if (left <= 0n) { if (!this.sigNone) out.value = 1n; } else out.value = left;
    return out;
  }

  /** common_timer_set + posix_timer_set_common: returns the old setting. */
  set(flags: number, spec: ItimerSpec): ItimerSpec {
    const old = this.get();
    this.#stop();
    this.#status = 'disarmed';
    this.#overrunLast = 0n;
    this.#overrun = -1n;
    this.#interval = 0n;
    if (spec.value === 0n) return old;
    this.#interval = spec.interval;
    const abs = (flags & TIMER_ABSTIME) !== 0;
    this.#realtime = abs && this.clock.kind === 'wall' && this.clock.realtime;
    this.#expires = abs ? spec.value : saturate(this.#now() + spec.value);
    if (!this.sigNone) {
      this.#status = 'armed';
      this.#start();
    }
    return old;
  }

  /** timer_getoverrun(2). */
  getoverrun(): number {
    this.#sync();
    return this.#overrunInt();
  }

  /** timer_delete, exit_itimers. */
  delete(): void {
    this.#deleted = true;
    this.#stop();
  }
}

/** A process's timers (signal_struct's posix_timers list and next_posix_timer_id). */
interface TimerTable { nextId: number; readonly timers: Map<number, PosixTimer> }
const tables = new WeakMap<Process, TimerTable>();

function tableOf(p: Process): TimerTable {
  let tb = tables.get(p);
  if (!tb) tables.set(p, (tb = { nextId: 0, timers: new Map() }));
  return tb;
}

/** posix_timer_add: the next free id (the counter wraps within INT_MAX); -EAGAIN if none. */
export function allocTimerId(p: Process): number {
  const tb = tableOf(p);
  for (let n = 0; n <= tb.timers.size; n++) {
    const id = tb.nextId;
    tb.nextId = (tb.nextId + 1) & INT_MAX;
    if (!tb.timers.has(id)) return id;
  }
  return -Errno.EAGAIN;
}

/** Number of timers the process has. */
export const timerCount = (p: Process): number => tables.get(p)?.timers.size ?? 0;

/** Install a created timer under its id. */
export function addTimer(tm: PosixTimer): void { tableOf(tm.owner).timers.set(tm.id, tm); }

/** The caller's process's timer `id` (lock_timer: a negative or unknown id is not found). */
export function findTimer(t: Task, id: number): PosixTimer | undefined {
  return id < 0 ? undefined : tables.get(t.proc)?.timers.get(id);
}

/** timer_delete(2)'s removal. */
export function removeTimer(tm: PosixTimer): void {
  tm.delete();
  tables.get(tm.owner)?.timers.delete(tm.id);
}

/** exit_itimers: at exit and at execve (the id counter survives an execve). */
export function exitTimers(p: Process): void {
  const tb = tables.get(p);
  if (!tb) return;
  for (const tm of tb.timers.values()) tm.delete();
  tb.timers.clear();
}

/** The clock a wall timer id names (REALTIME and TAI may be absolute on the realtime clock). */
export const wallClock = (id: number): TimerClock => ({ kind: 'wall', realtime: id === CLOCK_REALTIME || id === CLOCK_TAI });
