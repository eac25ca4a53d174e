// Clock ids and time values shared by the timer families (kernel/time/posix-timers.c,
// posix-cpu-timers.c, hrtimer.c): the encoding of CPU-time clocks in negative clock ids,
// struct itimerspec in and out, and hrtimer_forward.
//
// Invariants:
// - Every time value here is a bigint of nanoseconds on its clock, saturated to KTIME_MAX
//   (ktime_t is a signed 64-bit nanosecond count; ktime_add_safe saturates instead of wrapping).
// - A CPU-time clock id is `~pid << 3 | perthread << 2 | which` (include/linux/posix-timers.h
//   MAKE_PROCESS_CPUCLOCK / MAKE_THREAD_CPUCLOCK): glibc's timer_create and clock_nanosleep
//   pass CLOCK_PROCESS_CPUTIME_ID as -6 and CLOCK_THREAD_CPUTIME_ID as -2 (pid 0 = the caller).
//   `which` 3 without the per-thread bit is CLOCKFD (a dynamic posix clock named by an fd),
//   which ucrun has none of.
// - PROF, VIRT and SCHED CPU clocks all count the same time here: the wall time of the
//   threads' runs (the scheduler does not tell user from system time).
import { ITIMERSPEC_LAYOUT } from '../abi.js';
import type { Scheduler } from '../scheduler.js';
import type { Process, Task } from '../task.js';

/** KTIME_MAX: the largest ktime_t (ns). */
export const KTIME_MAX = (1n << 63n) - 1n;
export const NS_PER_SEC = 1_000_000_000n;

/**
 * CLOCK_REALTIME (and TAI, which has no leap offset here) in ns: performance.timeOrigin +
 * now() keeps sub-millisecond resolution and never jumps, so it runs at the monotonic rate.
 */
export const realtimeNs = (): bigint => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));

/** CLOCK_MONOTONIC (and BOOTTIME, RAW, COARSE: the host never suspends under a guest) in ns. */
export const monotonicNs = (): bigint => process.hrtime.bigint();

/** CPUCLOCK_* (include/linux/posix-timers.h). */
const CPUCLOCK_PERTHREAD_MASK = 4;
const CPUCLOCK_CLOCK_MASK = 3;
const CPUCLOCK_SCHED = 2;
const CLOCKFD = 3;
const CLOCKFD_MASK = CPUCLOCK_PERTHREAD_MASK | CPUCLOCK_CLOCK_MASK;

/** A CPU-time clock: a process's (all its threads) or one thread's. */
export interface CpuClock {
  proc: Process;
  /** Set for a per-thread clock. */
  task?: Task;
  /** CPUCLOCK_PROF (0), CPUCLOCK_VIRT (1) or CPUCLOCK_SCHED (2): only getres tells them apart. */
  which: number;
}

/** Is `id` a CLOCKFD id (a dynamic posix clock, `~fd << 3 | 3`)? */
export const isClockFd = (id: number): boolean => id < 0 && (id & CLOCKFD_MASK) === CLOCKFD;

/**
 * pid_for_clock: the process or thread a negative (CPU-time) clock id names, or undefined
 * (EINVAL). pid 0 is the caller (its thread for per-thread clocks); a thread clock must name a
 * thread of the caller's group; a process clock names any process by its pid (clock_gettime
 * also accepts the caller's own tid).
 */
export function cpuClockOf(t: Task, id: number, gettime: boolean): CpuClock | undefined {
  if (id >= 0 || isClockFd(id)) return undefined;
  const which = id & CPUCLOCK_CLOCK_MASK;
  if (which > CPUCLOCK_SCHED) return undefined;
  const thread = (id & CPUCLOCK_PERTHREAD_MASK) !== 0;
  const pid = ~(id >> 3);
  const k = t.kernel;
  if (pid === 0) return thread ? { proc: t.proc, task: t, which } : { proc: t.proc, which };
  if (thread) {
    const task = k.liveTask(pid);
    return task && task.proc === t.proc ? { proc: t.proc, task, which } : undefined;
  }
  if (gettime && pid === t.tid) return { proc: t.proc, which };
  const p = k.processes.get(pid);
  return p && p.alive ? { proc: p, which } : undefined;
}

/** The clock's reading in ns (the scheduler's accounting, the running slice included). */
export function cpuClockNs(s: Scheduler, c: CpuClock): bigint {
  return BigInt(Math.round(c.task ? s.threadCpuNow(c.task) : s.cpuNow(c.proc)));
}

/** clock_getres of a CPU clock: 1 ns for SCHED, a tick (HZ 250) for PROF and VIRT. */
export const cpuClockRes = (c: CpuClock): bigint => (c.which === CPUCLOCK_SCHED ? 1n : 4_000_000n);

/** timespec64_to_ktime: saturated at KTIME_MAX. */
export const saturate = (ns: bigint): bigint => (ns > KTIME_MAX ? KTIME_MAX : ns);

/** A struct itimerspec as [interval, value] in ns, or undefined if either timespec is invalid. */
export interface ItimerSpec { interval: bigint; value: bigint }

/** get_itimerspec64 + itimerspec64_valid (a fault throws: EFAULT). */
export function readItimerspec(t: Task, addr: number): ItimerSpec | undefined {
  const b = new DataView(t.mem.read(addr, ITIMERSPEC_LAYOUT.size).buffer);
  const F = ITIMERSPEC_LAYOUT.fields;
  const ts = (s: number, n: number) => {
    const sec = b.getBigInt64(s, true), nsec = b.getBigInt64(n, true);
    return sec < 0n || nsec < 0n || nsec >= NS_PER_SEC ? undefined : saturate(sec * NS_PER_SEC + nsec);
  };
  const interval = ts(F['it_interval.tv_sec'].offset, F['it_interval.tv_nsec'].offset);
  const value = ts(F['it_value.tv_sec'].offset, F['it_value.tv_nsec'].offset);
  return interval === undefined || value === undefined ? undefined : { interval, value };
}

/** put_itimerspec64. */
export function writeItimerspec(t: Task, addr: number, s: ItimerSpec): void {
  const b = new DataView(new ArrayBuffer(ITIMERSPEC_LAYOUT.size));
  const F = ITIMERSPEC_LAYOUT.fields;
  b.setBigInt64(F['it_interval.tv_sec'].offset, s.interval / NS_PER_SEC, true);
  b.setBigInt64(F['it_interval.tv_nsec'].offset, s.interval % NS_PER_SEC, true);
  b.setBigInt64(F['it_value.tv_sec'].offset, s.value / NS_PER_SEC, true);
  b.setBigInt64(F['it_value.tv_nsec'].offset, s.value % NS_PER_SEC, true);
  t.mem.write(addr, new Uint8Array(b.buffer));
}

/**
 * hrtimer_forward (and bump_cpu_timer): move `expires` past `now` by whole intervals;
 * returns the new expiry and the number of intervals moved (0 if `now` is before `expires`).
 * Intervals below the hrtimer resolution count as 1 ns.
 */
export function forward(expires: bigint, now: bigint, interval: bigint): { expires: bigint; n: bigint } {
  const delta = now - expires;
  if (delta < 0n) return { expires, n: 0n };
  const iv = interval < 1n ? 1n : interval;
  let n = 1n;
  let e = expires;
  if (delta >= iv) {
    n = delta / iv;
    e = saturate(e + iv * n);
    if (e > now) return { expires: e, n };
    n++;
  }
  return { expires: saturate(e + iv), n };
}
