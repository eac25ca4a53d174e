// signalfd4, and signalfd on x86_64 (fs/signalfd.c). The file itself is src/kernel/vfs/signalfd.ts.
import { SFD, SIGSET_SIZE } from '../abi.js';
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import { SignalFd } from '../vfs/signalfd.js';
import type { SyscallResult } from '../wait.js';

const { SFD_CLOEXEC, SFD_NONBLOCK } = SFD;

/**
 * do_signalfd4 after the mask copy: fd -1 makes a new signalfd; an existing signalfd gets the
 * new mask (any other fd: EBADF if not open, EINVAL if not a signalfd). SIGKILL and SIGSTOP
 * are dropped from the mask.
 */
function signalfd4(t: Task, ufd: number, maskAddr: number, size: number, flags: number): SyscallResult {
  if (size !== SIGSET_SIZE) return -Errno.EINVAL;
  const mask = new DataView(t.mem.read(maskAddr, SIGSET_SIZE).buffer).getBigUint64(0, true);
  if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK)) return -Errno.EINVAL;
  if (ufd === -1) {
    const f = new SignalFd(t.kernel, t, mask, flags);
    const fd = t.proc.fds.install(f, (flags & SFD_CLOEXEC) !== 0);
    if (fd < 0) f.release();
    return fd;
  }
  const f = t.proc.fds.get(ufd);
  if (!f) return -Errno.EBADF;
  if (!(f instanceof SignalFd)) return -Errno.EINVAL;
  f.setMask(mask);
  return ufd;
}

export const signalfdCalls = {
  /** signalfd4(2): SFD_NONBLOCK, SFD_CLOEXEC; sizemask must be sizeof(sigset_t) */
  signalfd4(t: Task, [ufd, mask, size, flags]: number[]): SyscallResult {
    return signalfd4(t, ufd | 0, mask, size, flags | 0);
  },
  /** signalfd(2), x86_64 only: signalfd4 without flags */
  signalfd(t: Task, [ufd, mask, size]: number[]): SyscallResult {
    return signalfd4(t, ufd | 0, mask, size, 0);
  },
};
