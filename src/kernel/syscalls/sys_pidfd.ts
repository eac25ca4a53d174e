// pidfd_open, pidfd_send_signal, pidfd_getfd (kernel/pid.c, kernel/signal.c) and the pidfd a
// waitid(P_PIDFD) takes: an fd naming one process, readable (POLLIN) once it has exited.
import type { Stat } from '../../arch/stat.js';
import { CAP } from '../creds.js';
import { Errno } from '../errno.js';
import { sendSignal } from '../signal_delivery.js';
import type { Process, Task } from '../task.js';
import type { SyscallResult } from '../wait.js';
import { OpenFile, O_RDWR, POLLHUP, POLLIN, S_IFREG } from '../vfs/file.js';
import { virtualStat } from '../vfs/procfs_files.js';
import { mayKill } from './sys_signal.js';

export class PidFile extends OpenFile {
  constructor(flags: number, readonly target: Process) { super(flags, 'anon_inode:[pidfd]'); }
  stat(): Stat { return virtualStat('anon_inode:[pidfd]', S_IFREG | 0o600); }
  override get waitq() { return this.target.exitWait; }
  override poll(): number { return this.target.alive ? 0 : POLLIN | POLLHUP; }
  override read(): SyscallResult { return -Errno.EINVAL; }
}

const pidfdOf = (t: Task, fd: number): PidFile | number => {
  const f = t.proc.fds.get(fd | 0);
  if (!f) return -Errno.EBADF;
  return f instanceof PidFile ? f : -Errno.EBADF;
};

/** The process a waitid(P_PIDFD, fd) names, or -errno. */
export function pidfdProcess(t: Task, fd: number): Process | number {
  const f = pidfdOf(t, fd);
  return typeof f === 'number' ? f : f.target;
}

export const pidfdCalls = {
  /** pidfd_open(2): a thread-group leader only (EINVAL for another thread); always close-on-exec */
  pidfd_open(t: Task, [pid, flags]: number[]): SyscallResult {
    const o = t.proc.arch.o;
    if ((flags >>> 0) & ~o.O_NONBLOCK) return -Errno.EINVAL;
    if ((pid | 0) <= 0) return -Errno.EINVAL;
    const p = t.kernel.processes.get(pid | 0);
    if (!p || !p.alive) return t.kernel.tasks.has(pid | 0) ? -Errno.EINVAL : -Errno.ESRCH;
    const f = new PidFile(O_RDWR | (flags & o.O_NONBLOCK), p);
    const fd = t.proc.fds.install(f, true);
    if (fd < 0) f.release();
    return fd;
  },
  /** pidfd_send_signal(2): kill(2) to the pidfd's process (info NULL: SI_USER) */
  pidfd_send_signal(t: Task, [fd, sig, info, flagsArg]: number[]): SyscallResult {
    // PIDFD_SIGNAL_THREAD / _THREAD_GROUP / _PROCESS_GROUP (Linux 6.9): at most one of them.
    const flags = flagsArg >>> 0;
    if ((flags & ~7) || (flags & (flags - 1))) return -Errno.EINVAL;
    if ((sig | 0) < 0 || (sig | 0) > 64) return -Errno.EINVAL;
    const f = pidfdOf(t, fd);
    if (typeof f === 'number') return f;
    const p = f.target;
    if (!p.alive) return -Errno.ESRCH;
    if (!mayKill(t, p, sig | 0)) return -Errno.EPERM;
    if (info) return -Errno.EINVAL; // a caller-made siginfo is not provided here
    if (sig) sendSignal(p, { sig: sig | 0, code: 0 /* SI_USER */, pid: t.proc.pid, uid: t.proc.creds.uid });
    return 0;
  },
  /** pidfd_getfd(2): a duplicate of another process's fd (ptrace access: same ids or CAP_SYS_PTRACE) */
  pidfd_getfd(t: Task, [pidfd, targetfd, flags]: number[]): SyscallResult {
    if (flags !== 0) return -Errno.EINVAL;
    const f = pidfdOf(t, pidfd);
    if (typeof f === 'number') return f;
    const p = f.target;
    if (!p.alive) return -Errno.ESRCH;
    const c = t.proc.creds, o = p.creds;
    if (!c.holdsIdsOf(o) && !c.capable(CAP.CAP_SYS_PTRACE)) return -Errno.EPERM;
    const file = p.fds.get(targetfd | 0);
    if (!file) return -Errno.EBADF;
    return t.proc.fds.install(file, true);
  },
};
