// Timer syscalls: timerfd_create/settime/gettime (fs/timerfd.c) and the POSIX timers
// timer_create/settime/gettime/getoverrun/delete (kernel/time/posix-timers.c). The objects
// live in src/kernel/timers/ (timerfd.ts, posix_timers.ts); clocks and itimerspec in clocks.ts.
// Checks come in Linux's order: struct copies first (EFAULT), then flags and values (EINVAL),
// then the fd or timer id, and the old value is written after the new one took effect.
import { CLOCK, FD_FLAGS, RLIMIT, SIGEV, SIGEVENT_LAYOUT } from '../abi.js';
import { CAP } from '../creds.js';
import { Errno } from '../errno.js';
import { Signal } from '../signals.js';
import type { Task } from '../task.js';
import { cpuClockOf, isClockFd, readItimerspec, writeItimerspec } from '../timers/clocks.js';
import {
  addTimer, allocTimerId, findTimer, type Notify, PosixTimer, removeTimer, timerCount, type TimerClock, wallClock,
} from '../timers/posix_timers.js';
import { isAlarmClock, TIMERFD_CLOCKS, TimerFd } from '../timers/timerfd.js';
import type { SyscallResult } from '../wait.js';
import { limitOf } from './sys_proc.js';

const { TFD_CLOEXEC, TFD_NONBLOCK, TFD_TIMER_ABSTIME, TFD_TIMER_CANCEL_ON_SET } = FD_FLAGS;
const { SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD, SIGEV_THREAD_ID } = SIGEV;
const {
  CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW,
  CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM, CLOCK_TAI,
} = CLOCK;
const NSIG = 64;

/** timerfd_fget: the timerfd behind `fd` (EBADF, or EINVAL for another kind of file). */
function timerfdOf(t: Task, fd: number): TimerFd | number {
  const f = t.proc.fds.get(fd | 0);
  if (!f) return -Errno.EBADF;
  return f instanceof TimerFd ? f : -Errno.EINVAL;
}

const wakeAlarmOk = (t: Task) => t.proc.creds.capable(CAP.CAP_WAKE_ALARM);

/**
 * clockid_to_kclock for timer_create: a timer clock, 'alarm' (the alarm clocks, which fail
 * later without an RTC), 'cpu' for an encoded CPU clock (checked later), or -errno before an
 * id is taken: unknown ids EINVAL, clocks without timer_create (RAW, COARSE, CLOCKFD) EOPNOTSUPP.
 */
function timerClockKind(t: Task, id: number): TimerClock | 'alarm' | 'cpu' | number {
  switch (id) {
    case CLOCK_REALTIME: case CLOCK_TAI: case CLOCK_MONOTONIC: case CLOCK_BOOTTIME: return wallClock(id);
    case CLOCK_PROCESS_CPUTIME_ID: return { kind: 'cpu', cpu: { proc: t.proc, which: 2 } };
    case CLOCK_THREAD_CPUTIME_ID: return { kind: 'cpu', cpu: { proc: t.proc, task: t, which: 2 } };
    case CLOCK_MONOTONIC_RAW: case CLOCK_REALTIME_COARSE: case CLOCK_MONOTONIC_COARSE: return -Errno.EOPNOTSUPP;
    case CLOCK_REALTIME_ALARM: case CLOCK_BOOTTIME_ALARM: return 'alarm';
    default:
      if (id >= 0) return -Errno.EINVAL;
      return isClockFd(id) ? -Errno.EOPNOTSUPP : 'cpu';
  }
}

/**
 * good_sigevent: the notification a struct sigevent asks for, or -EINVAL. SIGEV_THREAD is the
 * kernel's SIGEV_SIGNAL (glibc runs its threads on SIGEV_THREAD_ID itself); SIGEV_THREAD_ID
 * names a thread of the caller's process; signals are 1..SIGRTMAX. No sigevent: SIGALRM to
 * the process with the timer id as value.
 */
function readSigevent(t: Task, raw: Uint8Array | undefined, id: number): Notify | number {
  if (!raw) return { notify: SIGEV_SIGNAL, signo: Signal.SIGALRM, value: BigInt(id), target: undefined };
  const dv = new DataView(raw.buffer);
  const F = SIGEVENT_LAYOUT.fields;
  const notify = dv.getInt32(F.sigev_notify.offset, true);
  const signo = dv.getInt32(F.sigev_signo.offset, true);
  const value = dv.getBigUint64(F.sigev_value.offset, true);
  if (notify === SIGEV_NONE) return { notify, signo, value, target: undefined };
  if (notify !== SIGEV_SIGNAL && notify !== SIGEV_THREAD && notify !== (SIGEV_SIGNAL | SIGEV_THREAD_ID)) return -Errno.EINVAL;
  let target: Task | undefined;
  if (notify === (SIGEV_SIGNAL | SIGEV_THREAD_ID)) {
    target = t.kernel.liveTask(dv.getInt32(F['_sigev_un._tid'].offset, true));
    if (!target || target.proc !== t.proc) return -Errno.EINVAL;
  }
  if (signo <= 0 || signo > NSIG) return -Errno.EINVAL;
  return { notify, signo, value, target };
}

export const timerCalls = {
  /** timerfd_create(2): REALTIME, MONOTONIC, BOOTTIME and the alarm clocks (CAP_WAKE_ALARM) */
  timerfd_create(t: Task, [clockid, flags]: number[]): SyscallResult {
    clockid |= 0; flags |= 0;
    if ((flags & ~(TFD_CLOEXEC | TFD_NONBLOCK)) || !TIMERFD_CLOCKS.has(clockid)) return -Errno.EINVAL;
    if (isAlarmClock(clockid) && !wakeAlarmOk(t)) return -Errno.EPERM;
    const f = new TimerFd(t.kernel, clockid, flags);
    const fd = t.proc.fds.install(f, (flags & TFD_CLOEXEC) !== 0);
    if (fd < 0) f.release();
    return fd;
  },

  /**
   * timerfd_settime(2): TFD_TIMER_ABSTIME, intervals, the old setting; TFD_TIMER_CANCEL_ON_SET
   * is accepted and never cancels (the realtime clock cannot be set in ucrun).
   */
  timerfd_settime(t: Task, [fd, flags, newValue, oldValue]: number[]): SyscallResult {
    const spec = readItimerspec(t, newValue);
    flags |= 0;
    if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) || !spec) return -Errno.EINVAL;
    const f = timerfdOf(t, fd);
    if (typeof f === 'number') return f;
    if (isAlarmClock(f.clockid) && !wakeAlarmOk(t)) return -Errno.EPERM;
    const old = f.settime(flags, spec);
    if (oldValue) writeItimerspec(t, oldValue, old);
    return 0;
  },

  /** timerfd_gettime(2) */
  timerfd_gettime(t: Task, [fd, curValue]: number[]): SyscallResult {
    const f = timerfdOf(t, fd);
    if (typeof f === 'number') return f;
    writeItimerspec(t, curValue, f.gettime());
    return 0;
  },

  /**
   * timer_create(2): wall clocks (REALTIME, MONOTONIC, BOOTTIME, TAI) and CPU-time clocks;
   * SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID. The alarm clocks are EOPNOTSUPP (no RTC device).
   * At most RLIMIT_SIGPENDING timers per process (EAGAIN), as each holds a queued signal.
   */
  timer_create(t: Task, [clockid, sevp, timerid]: number[]): SyscallResult {
    clockid |= 0;
    const raw = sevp ? t.mem.read(sevp, SIGEVENT_LAYOUT.size) : undefined;
    const kind = timerClockKind(t, clockid);
    if (typeof kind === 'number') return kind;
    const [soft] = limitOf(t.proc, RLIMIT.RLIMIT_SIGPENDING);
    if (soft >= 0 && timerCount(t.proc) >= soft) return -Errno.EAGAIN;
    const id = allocTimerId(t.proc);
    if (id < 0) return id;
    const ev = readSigevent(t, raw, id);
    if (typeof ev === 'number') return ev;
    t.mem.setU32(timerid, id);
    if (kind === 'alarm') return -Errno.EOPNOTSUPP;
    let clock: TimerClock;
    if (kind === 'cpu') {
      const cpu = cpuClockOf(t, clockid, false);
      if (!cpu) return -Errno.EINVAL;
      clock = { kind: 'cpu', cpu };
    } else clock = kind;
    addTimer(new PosixTimer(id, t.proc, clockid, clock, ev));
    return 0;
  },

  /** timer_settime(2): TIMER_ABSTIME, intervals, the old setting; it_value 0 disarms */
  timer_settime(t: Task, [timerid, flags, newValue, oldValue]: number[]): SyscallResult {
    if (!newValue) return -Errno.EINVAL;
    const spec = readItimerspec(t, newValue);
    if (!spec) return -Errno.EINVAL;
    const tm = findTimer(t, timerid | 0);
    if (!tm) return -Errno.EINVAL;
    const old = tm.set(flags | 0, spec);
    if (oldValue) writeItimerspec(t, oldValue, old);
    return 0;
  },

  /** timer_gettime(2) */
  timer_gettime(t: Task, [timerid, curValue]: number[]): SyscallResult {
    const tm = findTimer(t, timerid | 0);
    if (!tm) return -Errno.EINVAL;
    writeItimerspec(t, curValue, tm.get());
    return 0;
  },

  /** timer_getoverrun(2): the overrun of the last delivered expiry signal */
  timer_getoverrun(t: Task, [timerid]: number[]): SyscallResult {
    const tm = findTimer(t, timerid | 0);
    return tm ? tm.getoverrun() : -Errno.EINVAL;
  },

  /** timer_delete(2): the timer stops and its pending signal is dropped */
  timer_delete(t: Task, [timerid]: number[]): SyscallResult {
    const tm = findTimer(t, timerid | 0);
    if (!tm) return -Errno.EINVAL;
    removeTimer(tm);
    return 0;
  },
};
