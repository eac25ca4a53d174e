// Clocks and sleeps: clock_gettime, clock_getres, gettimeofday, time, nanosleep,
// clock_nanosleep, times (kernel/time/*.c). There is no vDSO, so every clock read is a
// syscall. Sleeps never block the host inside a handler: they return Block with a deadline.
import { CLOCK } from '../abi.js';
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import { block, SyscallResult } from '../wait.js';
import { noQueues } from '../task.js';
import type { Process } from '../task.js';
import { RLIMIT, RUSAGE_LAYOUT } from '../abi.js';
import { type CpuClock, cpuClockNs, cpuClockOf, cpuClockRes, isClockFd, monotonicNs, realtimeNs } from '../timers/clocks.js';
import { KTimer } from '../timers/ktimer.js';

const { RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD } = RLIMIT;

/** The resident set now, in KiB; the largest so far is remembered (ru_maxrss). */
export function residentKb(p: Process): number {
  p.maxRssKb = Math.max(p.maxRssKb, p.mm.pt.size * 4);
  return p.maxRssKb;
}

/** struct rusage: guest CPU time as user time, the largest resident set; other fields 0. */
export function rusage(ns: number, maxRssKb: number): Uint8Array {
  const out = new Uint8Array(RUSAGE_LAYOUT.size);
  const dv = new DataView(out.buffer);
  const F = RUSAGE_LAYOUT.fields;
  const us = Math.floor(ns / 1000);
  dv.setBigInt64(F['ru_utime.tv_sec'].offset, BigInt(Math.floor(us / 1e6)), true);
  dv.setBigInt64(F['ru_utime.tv_usec'].offset, BigInt(us % 1e6), true);
  dv.setBigInt64(F.ru_maxrss.offset, BigInt(maxRssKb), true);
  return out;
}

const { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW,
  CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_TAI, TIMER_ABSTIME } = CLOCK;

/**
 * Nanoseconds on a clock, or undefined for an invalid clock id. Negative ids are the CPU-time
 * clocks of a process or thread (clock_getcpuclockid, pthread_getcpuclockid; timers/clocks.ts).
 */
export function clockNs(t: Task, clock: number): bigint | undefined {
  switch (clock) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: case CLOCK_TAI: return realtimeNs();
    case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME:
      return monotonicNs();
    // The guest's own CPU time: the run time of its threads (scheduler accounting).
    case CLOCK_PROCESS_CPUTIME_ID: return BigInt(Math.round(t.kernel.sched.cpuNow(t.proc)));
    case CLOCK_THREAD_CPUTIME_ID: return BigInt(Math.round(t.kernel.sched.threadCpuNow(t)));
    default: {
      const c = clock < 0 ? cpuClockOf(t, clock, true) : undefined;
      return c ? cpuClockNs(t.kernel.sched, c) : undefined;
    }
  }
}

/**
 * The clock clock_nanosleep sleeps on (clockid_to_kclock + kc->nsleep): 'real' or 'mono' for
 * the hrtimer clocks, a CPU clock, or -errno. Clocks without an nsleep method are EOPNOTSUPP
 * (the RAW and COARSE clocks, raw CLOCK_THREAD_CPUTIME_ID, CLOCKFD ids, and the alarm clocks,
 * which need an RTC device ucrun does not have); unknown ids EINVAL. A negative id is checked
 * after the timespec (posix_cpu_nsleep): the caller's own thread clock is EINVAL.
 */
function sleepClock(clock: number): 'real' | 'mono' | 'cpu' | number {
  switch (clock) {
    case CLOCK_REALTIME: case CLOCK_TAI: return 'real';
    case CLOCK_MONOTONIC: case CLOCK_BOOTTIME: return 'mono';
    case CLOCK_PROCESS_CPUTIME_ID: return 'cpu';
    case CLOCK_THREAD_CPUTIME_ID: case CLOCK_MONOTONIC_RAW: case CLOCK_REALTIME_COARSE: case CLOCK_MONOTONIC_COARSE:
    case CLOCK.CLOCK_REALTIME_ALARM: case CLOCK.CLOCK_BOOTTIME_ALARM:
      return -Errno.EOPNOTSUPP;
    default:
      if (clock >= 0) return -Errno.EINVAL;
      return isClockFd(clock) ? -Errno.EOPNOTSUPP : 'cpu';
  }
}

/** The CPU clock a sleep waits on, or undefined (EINVAL): not the sleeper's own thread clock. */
function sleepCpuClock(t: Task, clock: number): CpuClock | undefined {
  if (clock === CLOCK_PROCESS_CPUTIME_ID) return { proc: t.proc, which: 2 };
  const c = cpuClockOf(t, clock, false);
  return c && c.task === t ? undefined : c;
}

/** The CPU-clock timer each sleeping task waits for (posix_cpu_nsleep's timer). */
const cpuSleepers = new WeakMap<Task, KTimer>();

/**
 * Sleep until a CPU clock reaches `deadline` (ns): a KTimer on that process or thread wakes
 * the sleeper; it only moves while some other thread of it runs.
 */
function sleepOnCpu(t: Task, c: CpuClock, deadline: bigint): SyscallResult {
  const sched = t.kernel.sched;
  const k = cpuSleepers.get(t);
  if (cpuClockNs(sched, c) >= deadline) {
    k?.cancel();
    cpuSleepers.delete(t);
    return 0;
  }
  let timer = k;
  if (!timer || timer.base !== (c.task ?? c.proc)) {
    timer?.cancel();
    timer = new KTimer(sched, c.task ?? c.proc, () => t.wake());
    cpuSleepers.set(t, timer);
  }
  timer.arm(Number(deadline));
  const armed = timer;
  t.abandon = () => { armed.cancel(); cpuSleepers.delete(t); };
  return block(noQueues);
}

function writeTimespec(t: Task, addr: number, ns: bigint): void {
  const b = new DataView(new ArrayBuffer(16));
  b.setBigInt64(0, ns / 1_000_000_000n, true);
  b.setBigInt64(8, ns % 1_000_000_000n, true);
  t.mem.write(addr, new Uint8Array(b.buffer));
}

/** A struct timespec as ns, or -EINVAL for tv_nsec out of range / negative seconds. */
export function readTimespec(t: Task, addr: number): bigint | number {
  const sec = t.mem.i64(addr), nsec = t.mem.i64(addr + 8);
  if (nsec < 0 || nsec >= 1e9 || sec < 0) return -Errno.EINVAL;
  return BigInt(sec) * 1_000_000_000n + BigInt(nsec);
}

/** Sleep until the monotonic deadline kept in callState across restarts. */
function sleepUntil(t: Task, deadlineNs: bigint): SyscallResult {
  const now = process.hrtime.bigint();
  if (now >= deadlineNs) return 0;
  const waitMs = Number(deadlineNs - now) / 1e6;
  return block(noQueues, performance.now() + waitMs);
}

export const timeCalls = {
  /** clock_gettime(2) */
  clock_gettime(t: Task, [clock, tp]: number[]): SyscallResult {
    const ns = clockNs(t, clock | 0);
    if (ns === undefined) return -Errno.EINVAL;
    writeTimespec(t, tp, ns);
    return 0;
  },
  /** clock_getres(2): 1 ns, a tick (4 ms) for the COARSE clocks and the PROF/VIRT CPU clocks */
  clock_getres(t: Task, [clock, res]: number[]): SyscallResult {
    clock |= 0;
    if (clockNs(t, clock) === undefined) return -Errno.EINVAL;
    const coarse = clock === CLOCK_REALTIME_COARSE || clock === CLOCK_MONOTONIC_COARSE;
    const cpu = clock < 0 ? cpuClockOf(t, clock, true) : undefined;
    if (res) writeTimespec(t, res, cpu ? cpuClockRes(cpu) : coarse ? 4_000_000n : 1n);
    return 0;
  },
  /** gettimeofday(2) */
  gettimeofday(t: Task, [tv, tz]: number[]): SyscallResult {
    if (tv) {
      const ns = clockNs(t, CLOCK_REALTIME)!;
      const b = new DataView(new ArrayBuffer(16));
      b.setBigInt64(0, ns / 1_000_000_000n, true);
      b.setBigInt64(8, (ns % 1_000_000_000n) / 1000n, true);
      t.mem.write(tv, new Uint8Array(b.buffer));
    }
    if (tz) t.mem.write(tz, new Uint8Array(8));
    return 0;
  },
  /** time(2), x86_64 only */
  time(t: Task, [tloc]: number[]): SyscallResult {
    const s = Number(clockNs(t, CLOCK_REALTIME)! / 1_000_000_000n);
    if (tloc) t.mem.setU64(tloc, s);
    return s;
  },
  /** nanosleep(2) */
  nanosleep(t: Task, [req]: number[]): SyscallResult {
    if (t.callState.deadline === undefined) {
      const d = readTimespec(t, req);
      if (typeof d === 'number') return d;
      t.callState.deadline = Number(process.hrtime.bigint() + d);
    }
    return sleepUntil(t, BigInt(t.callState.deadline));
  },
  /**
   * clock_nanosleep(2): relative or TIMER_ABSTIME on REALTIME, TAI, MONOTONIC, BOOTTIME (a
   * monotonic deadline: the realtime clock never jumps here) and the CPU-time clocks (until
   * that clock reaches the time; the interrupted remainder is not reported for those).
   */
  clock_nanosleep(t: Task, [clock, flags, req]: number[]): SyscallResult {
    clock |= 0;
    if (t.callState.cpuDeadline !== undefined) {
      const c = sleepCpuClock(t, clock);
      return c ? sleepOnCpu(t, c, BigInt(t.callState.cpuDeadline)) : 0;
    }
    if (t.callState.deadline === undefined) {
      const kind = sleepClock(clock);
      if (typeof kind === 'number') return kind;
      const d = readTimespec(t, req);
      if (typeof d === 'number') return d;
      if (kind === 'cpu') {
        const c = sleepCpuClock(t, clock);
        if (!c) return -Errno.EINVAL;
        const dl = flags & TIMER_ABSTIME ? d : cpuClockNs(t.kernel.sched, c) + d;
        t.callState.cpuDeadline = Number(dl);
        return sleepOnCpu(t, c, dl);
      }
      const now = kind === 'real' ? realtimeNs() : monotonicNs();
      const rel = flags & TIMER_ABSTIME ? d - now : d;
      t.callState.deadline = Number(process.hrtime.bigint() + (rel > 0n ? rel : 0n));
    }
    return sleepUntil(t, BigInt(t.callState.deadline));
  },
  /** times(2): struct tms in clock ticks (100 Hz); guest CPU time counts as user time */
  times(t: Task, [buf]: number[]): SyscallResult {
    if (buf) {
      const b = new DataView(new ArrayBuffer(32));
      b.setBigInt64(0, BigInt(Math.floor(t.kernel.sched.cpuNow(t.proc) / 1e7)), true);
      b.setBigInt64(16, BigInt(Math.floor(t.proc.childCpuNs / 1e7)), true);
      t.mem.write(buf, new Uint8Array(b.buffer));
    }
    return Math.floor(performance.now() / 10);
  },
  /** getrusage(2): RUSAGE_SELF, RUSAGE_CHILDREN (waited-for), RUSAGE_THREAD */
  getrusage(t: Task, [who, buf]: number[]): SyscallResult {
    const p = t.proc;
    let ns: number, rss: number;
    switch (who | 0) {
      case RUSAGE_SELF: ns = t.kernel.sched.cpuNow(p); rss = residentKb(p); break;
      case RUSAGE_THREAD: ns = t.cpuNs; rss = residentKb(p); break;
      case RUSAGE_CHILDREN: ns = p.childCpuNs; rss = p.childMaxRssKb; break;
      default: return -Errno.EINVAL;
    }
    t.mem.write(buf, rusage(ns, rss));
    return 0;
  },
};
