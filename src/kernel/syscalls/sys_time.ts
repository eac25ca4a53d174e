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

/** Nanoseconds on a clock, or undefined for an invalid clock id. */
export function clockNs(t: Task, clock: number): bigint | undefined {
  switch (clock) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: case CLOCK_TAI: {
      // performance.timeOrigin + now() keeps sub-millisecond resolution.
      return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
    }
    case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME:
      return process.hrtime.bigint();
    // The guest's own CPU time: the run time of its threads (scheduler accounting).
    case CLOCK_PROCESS_CPUTIME_ID: return BigInt(Math.round(t.kernel.sched.cpuNow(t.proc)));
    case CLOCK_THREAD_CPUTIME_ID: return BigInt(Math.round(t.kernel.sched.threadCpuNow(t)));
    default: return undefined;
  }
}

function writeTimespec(t: Task, addr: number, ns: bigint): void {
  const b = new DataView(new ArrayBuffer(16));
  b.setBigInt64(0, ns / 1_000_000_000n, true);
  b.setBigInt64(8, ns % 1_000_000_000n, true);
  t.mem.write(addr, new Uint8Array(b.buffer));
}

/** A struct timespec as ns, or -EINVAL for tv_nsec out of range / negative seconds. */
function readTimespec(t: Task, addr: number): bigint | number {
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
  /** clock_getres(2) */
  clock_getres(t: Task, [clock, res]: number[]): SyscallResult {
    if (clockNs(t, clock | 0) === undefined) return -Errno.EINVAL;
    const coarse = clock === CLOCK_REALTIME_COARSE || clock === CLOCK_MONOTONIC_COARSE;
    if (res) writeTimespec(t, res, coarse ? 4_000_000n : 1n);
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
  /** clock_nanosleep(2) */
  clock_nanosleep(t: Task, [clock, flags, req]: number[]): SyscallResult {
    if (t.callState.deadline === undefined) {
      if (clock === CLOCK_THREAD_CPUTIME_ID) return -Errno.EINVAL;
      const now = clockNs(t, clock | 0);
      if (now === undefined) return -Errno.EINVAL;
      if (clock === CLOCK_PROCESS_CPUTIME_ID) return -Errno.ENOTSUP;
      const d = readTimespec(t, req);
      if (typeof d === 'number') return d;
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
