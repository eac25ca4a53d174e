// timerfd objects (fs/timerfd.c): a timer behind a file (anon_inode:[timerfd]) whose reads
// return the number of expirations.
//
// Model, as Linux's:
// - The timer (an hrtimer) fires once per arming: it sets `expired`, counts one tick and wakes
//   the file's waiters with POLLIN. A periodic timer is NOT re-armed by the expiry: the next
//   access (read, timerfd_gettime, timerfd_settime) moves it forward past now with
//   hrtimer_forward and counts the intervals it skipped (ticks += forwarded - 1). So a short
//   interval costs one wake-up per read, never a storm, and a read returns every expiry since
//   the last read.
// - read: a buffer of at least 8 bytes (else EINVAL), returns the u64 tick count and resets
//   it; with no tick it blocks (EAGAIN with O_NONBLOCK). poll: POLLIN while ticks > 0 (no
//   POLLRDNORM, no POLLOUT: timerfd_poll reports EPOLLIN only).
// - settime resets ticks and `expired`, takes the new interval, and arms the timer unless
//   it_value is zero; the old setting reports the time left (0 when disarmed or expired).
// - The clocks: CLOCK_REALTIME(_ALARM) timers set with TFD_TIMER_ABSTIME run on the realtime
//   clock, every other one on the monotonic clock (hrtimer_init turns relative realtime timers
//   into monotonic ones). The realtime clock never jumps here (clock_settime is ENOSYS), so
//   TFD_TIMER_CANCEL_ON_SET is accepted and never cancels (a read never fails ECANCELED).
//   The alarm clocks behave as their base clocks (nothing suspends).
// - The file is shared by fork and dup like any description; the timer stops at the last close.
import type { Stat } from '../../arch/stat.js';
import { copyToChunks, type PhysChunk } from '../../mm/guest_memory.js';
import { CLOCK, FD_FLAGS } from '../abi.js';
import { anonInodeStat } from '../epoll/anon_inode.js';
import { Errno } from '../errno.js';
import type { Kernel } from '../kernel.js';
import type { Task } from '../task.js';
import { chunkBytes, O_RDWR, OpenFile, POLLIN } from '../vfs/file.js';
import { block, SyscallResult } from '../wait.js';
import { forward, type ItimerSpec, monotonicNs, realtimeNs, saturate } from './clocks.js';
import { KTimer } from './ktimer.js';

const { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM } = CLOCK;
const { TFD_NONBLOCK, TFD_TIMER_ABSTIME, TFD_TIMER_CANCEL_ON_SET } = FD_FLAGS;
const TICKS_SIZE = 8;

/** The clocks timerfd_create accepts. */
export const TIMERFD_CLOCKS = new Set<number>([CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM]);
export const isAlarmClock = (id: number): boolean => id === CLOCK_REALTIME_ALARM || id === CLOCK_BOOTTIME_ALARM;

export class TimerFd extends OpenFile {
  override get noopSeek(): boolean { return true; }
  /** hrtimer expiry in ns on the timer's current clock (0 before the first arming). */
  #expires = 0n;
  /** it_interval in ns (0: one-shot). */
  #interval = 0n;
  /** Expirations not yet read (u64). */
  #ticks = 0n;
  /** The hrtimer fired and a periodic timer still waits to be forwarded. */
  #expired = false;
  /** Armed with TFD_TIMER_ABSTIME on a realtime clock: `#expires` is realtime, else monotonic. */
  #realtime = false;
  /** TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET of the last settime (fdinfo's "settime flags"). */
  settimeFlags = 0;
  readonly #timer: KTimer;

  constructor(kernel: Kernel, readonly clockid: number, flags: number) {
    super(O_RDWR | (flags & TFD_NONBLOCK), 'anon_inode:[timerfd]');
    this.#timer = new KTimer(kernel.sched, 'wall', () => this.#fired());
  }

  get nonblock(): boolean { return (this.flags & TFD_NONBLOCK) !== 0; }

  stat(): Stat { return anonInodeStat(); }

  #now(): bigint { return this.#realtime ? realtimeNs() : monotonicNs(); }

  /** hrtimer_start at `#expires` (a past expiry fires at the next scheduling point). */
  #start(): void { this.#timer.armIn(this.#expires - this.#now()); }

  /** timerfd_triggered (the ms/ns conversion may deliver the callback a few ns early). */
  #fired(): void {
    if (this.#now() < this.#expires) { this.#start(); return; }
    this.#expired = true;
    this.#ticks++;
    this.waitq.notify(POLLIN);
  }

  /** An expiry the scheduler has not run yet happens now (the hrtimer would have fired). */
  #sync(): void {
    if (this.#timer.armed && this.#now() >= this.#expires) {
      this.#timer.cancel();
      this.#fired();
    }
  }

  /** A fired periodic timer moves past now and starts again; returns the intervals skipped. */
  #forward(): bigint {
    if (!this.#expired || this.#interval === 0n) return 0n;
    const f = forward(this.#expires, this.#now(), this.#interval);
    this.#expires = f.expires;
    this.#start();
    return f.n;
  }

  /** timerfd_get_remaining: time to the expiry, 0 when it has passed. */
  #remaining(): bigint {
    const left = this.#expires - this.#now();
    return left > 0n ? left : 0n;
  }

  override read(t: Task, dst: PhysChunk[], len: number, pos: number | undefined): SyscallResult {
    if (pos !== undefined) return -Errno.ESPIPE;
    if (len < TICKS_SIZE) return -Errno.EINVAL;
    // put_user of the count: a buffer that cannot take 8 bytes faults before a tick is taken.
    if (chunkBytes(dst) < TICKS_SIZE) return -Errno.EFAULT;
    this.#sync();
    if (this.#ticks === 0n) return this.nonblock ? -Errno.EAGAIN : block([this.waitq]);
    let ticks = this.#ticks;
    if (this.#expired && this.#interval) ticks += this.#forward() - 1n;
    this.#expired = false;
    this.#ticks = 0n;
    const b = new Uint8Array(TICKS_SIZE);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, ticks), true);
    copyToChunks(t.mem.phys.u8, dst, b);
    return TICKS_SIZE;
  }

  override poll(): number {
    this.#sync();
    return this.#ticks ? POLLIN : 0;
  }

  /** do_timerfd_gettime: a fired periodic timer is forwarded (its skipped intervals count). */
  gettime(): ItimerSpec {
    this.#sync();
    if (this.#expired && this.#interval) {
      this.#ticks += this.#forward() - 1n;
      this.#expired = false;
    }
    return { interval: this.#interval, value: this.#remaining() };
  }

  /**
   * do_timerfd_settime after its checks: stop the timer, report the old setting (a fired
   * periodic timer forwarded first, its ticks untouched), then timerfd_setup.
   */
  settime(flags: number, spec: ItimerSpec): ItimerSpec {
    this.#sync();
    this.#timer.cancel();
    if (this.#expired && this.#interval) this.#expires = forward(this.#expires, this.#now(), this.#interval).expires;
    const old = { interval: this.#interval, value: this.#remaining() };
    this.#expired = false;
    this.#ticks = 0n;
    this.#interval = spec.interval;
    const abs = (flags & TFD_TIMER_ABSTIME) !== 0;
    this.#realtime = abs && (this.clockid === CLOCK_REALTIME || this.clockid === CLOCK_REALTIME_ALARM);
    if (spec.value === 0n) this.#expires = 0n;
    else {
      this.#expires = abs ? spec.value : saturate(this.#now() + spec.value);
      this.#start();
    }
    this.settimeFlags = flags & (TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET);
    return old;
  }

  override release(): void { this.#timer.cancel(); }
}
