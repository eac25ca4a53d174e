// Descriptor-table syscalls: dup, dup2, dup3, fcntl, ioctl (fs/fcntl.c, fs/file.c, fs/ioctl.c).
import { fcntlLock } from './sys_lock.js';
import { sealFcntl } from './sys_memfd.js';
import { FCNTL, IOCTL } from '../abi.js';

const { F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_GETFL, F_GETLK, F_SETFD, F_SETFL, F_SETLK, F_SETLKW, FD_CLOEXEC, F_GETOWN, F_SETOWN } = FCNTL;
const { FIOCLEX, FIONBIO, FIONCLEX } = IOCTL;
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import type { SyscallResult } from '../wait.js';

/** F_SETFL may change only these (fs/fcntl.c SETFL_MASK; O_DIRECT/O_NOATIME are arch-valued). */
const setflMask = ({ proc: { arch: { o } } }: Task) => o.O_APPEND | o.O_NONBLOCK | o.FASYNC | o.O_DIRECT | o.O_NOATIME;

/** include/uapi/linux/close_range.h */
const CLOSE_RANGE_UNSHARE = 1 << 1, CLOSE_RANGE_CLOEXEC = 1 << 2;


export const fdCalls = {
  /** dup(2) */
  dup(t: Task, [fd]: number[]): SyscallResult {
    const f = t.proc.fds.get(fd | 0);
    return f ? t.proc.fds.install(f, false) : -Errno.EBADF;
  },
  /** dup2(2), x86_64 only: same fd is a no-op that still checks validity */
  dup2(t: Task, [oldfd, newfd]: number[]): SyscallResult {
    const f = t.proc.fds.get(oldfd | 0);
    if (!f) return -Errno.EBADF;
    if ((oldfd | 0) === (newfd | 0)) return newfd | 0;
    return t.proc.fds.installAt(newfd | 0, f, false);
  },
  /** dup3(2) */
  dup3(t: Task, [oldfd, newfd, flags]: number[]): SyscallResult {
    if ((flags & ~t.proc.arch.o.O_CLOEXEC) !== 0) return -Errno.EINVAL;
    if ((oldfd | 0) === (newfd | 0)) return -Errno.EINVAL;
    const f = t.proc.fds.get(oldfd | 0);
    if (!f) return -Errno.EBADF;
    return t.proc.fds.installAt(newfd | 0, f, (flags & t.proc.arch.o.O_CLOEXEC) !== 0);
  },
  /**
   * close_range(2): close (or with CLOSE_RANGE_CLOEXEC mark close-on-exec) every fd from first
   * to last; CLOSE_RANGE_UNSHARE changes nothing (fd tables are never shared between processes).
   */
  close_range(t: Task, [firstArg, lastArg, flags]: number[]): SyscallResult {
    const first = firstArg >>> 0, last = lastArg >>> 0;
    if ((flags >>> 0) & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) return -Errno.EINVAL;
    if (first > last) return -Errno.EINVAL;
    const fds = t.proc.fds;
    for (const fd of fds.fds()) {
      if (fd < first || fd > last) continue;
      if (flags & CLOSE_RANGE_CLOEXEC) fds.entry(fd)!.cloexec = true;
      else fds.close(fd);
    }
    return 0;
  },
  /** fcntl(2) */
  fcntl(t: Task, [fd, cmdArg, arg]: number[]): SyscallResult {
    const fds = t.proc.fds;
    const e = fds.entry(fd | 0);
    if (!e) return -Errno.EBADF;
    const cmd = cmdArg >>> 0; // unsigned int
    switch (cmd) {
      case F_DUPFD: case F_DUPFD_CLOEXEC: {
        const min = arg >>> 0; // f_dupfd takes an unsigned int
        if (min >= fds.limit) return -Errno.EINVAL;
        return fds.install(e.file, cmd === F_DUPFD_CLOEXEC, min);
      }
      case F_GETFD: return e.cloexec ? FD_CLOEXEC : 0;
      case F_SETFD: e.cloexec = (arg & FD_CLOEXEC) !== 0; return 0;
      case F_GETFL: return e.file.flags & ~t.proc.arch.o.O_CLOEXEC;
      case F_SETFL: {
        const mask = setflMask(t);
        e.file.flags = (e.file.flags & ~mask) | (arg & mask);
        return 0;
      }
      case F_GETLK: case F_SETLK: case F_SETLKW: case FCNTL.F_OFD_GETLK: case FCNTL.F_OFD_SETLK: case FCNTL.F_OFD_SETLKW:
        return fcntlLock(t, e.file, cmd, arg)!;
      case F_GETOWN: return 0;
      case F_SETOWN: return 0;
      default: {
        const seal = sealFcntl(e.file, cmd, arg);
        if (seal !== undefined) return seal;
        const r = e.file.fcntl?.(t, cmd, arg);
        if (r !== undefined) return r;
        // pipe_fcntl: the pipe-size commands on anything else are EBADF (get_pipe_info fails).
        return cmd === FCNTL.F_GETPIPE_SZ || cmd === FCNTL.F_SETPIPE_SZ ? -Errno.EBADF : -Errno.EINVAL;
      }
    }
  },
  /** ioctl(2): generic fd ioctls here, the rest by the file */
  ioctl(t: Task, [fd, req, arg]: number[]): SyscallResult {
    const e = t.proc.fds.entry(fd | 0);
    if (!e) return -Errno.EBADF;
    switch (req >>> 0) {
      case FIOCLEX: e.cloexec = true; return 0;
      case FIONCLEX: e.cloexec = false; return 0;
      case FIONBIO: {
        const on = t.mem.i32(arg) !== 0;
        const nb = t.proc.arch.o.O_NONBLOCK;
        e.file.flags = on ? e.file.flags | nb : e.file.flags & ~nb;
        return 0;
      }
      default: return e.file.ioctl(t, req >>> 0, arg);
    }
  },
};
