// memfd_create(2) and fallocate(2) (mm/memfd.c, fs/open.c vfs_fallocate). A memfd is the host's
// own memfd, served like any host regular file, so its size, holes and seals (F_ADD_SEALS,
// F_GET_SEALS through fcntl) behave exactly as Linux's; /proc/self/fd shows "/memfd:NAME
// (deleted)". Deviation: a MAP_SHARED mapping of it is a copy (as for every file mapping).
import { stringToBytes } from '../../abi/bytes.js';
import { StringTooLong } from '../../mm/guest_memory.js';
import { FCNTL } from '../abi.js';
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import type { SyscallResult } from '../wait.js';
import { O_RDWR, type OpenFile } from '../vfs/file.js';
import { HostFile } from '../vfs/hostfs.js';
import { cPath, lastErrno, libc } from '../vfs/libc.js';
import { fileOf } from './sys_fs.js';

const MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2, MFD_HUGETLB = 4, MFD_NOEXEC_SEAL = 8, MFD_EXEC = 0x10;
/** MFD_NAME_MAX_LEN: NAME_MAX minus the "memfd:" prefix. */
const MFD_NAME_MAX = 249;
/** FALLOC_FL_*: keep size, punch hole, no hide stale, collapse/zero/insert range, unshare. */
const FALLOC_MASK = 0x01 | 0x02 | 0x04 | 0x08 | 0x10 | 0x20 | 0x40;

/** The seal commands, passed to the host memfd (undefined: not a seal command). */
export function sealFcntl(f: OpenFile, cmd: number, arg: number): SyscallResult | undefined {
  if (cmd !== FCNTL.F_ADD_SEALS && cmd !== FCNTL.F_GET_SEALS) return undefined;
  if (!(f instanceof HostFile)) return -Errno.EINVAL;
  const r = libc().fcntl(f.hostFd, cmd, 'int', arg | 0);
  return r < 0 ? lastErrno() : r;
}

export const memfdCalls = {
  /** memfd_create(2) */
  memfd_create(t: Task, [namep, flagsArg]: number[]): SyscallResult {
    const flags = flagsArg >>> 0;
    if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC)) return -Errno.EINVAL;
    if ((flags & MFD_EXEC) && (flags & MFD_NOEXEC_SEAL)) return -Errno.EINVAL;
    if (flags & MFD_HUGETLB) return -Errno.EINVAL; // no huge pages here
    let name: string;
    try { name = t.mem.cstring(namep, MFD_NAME_MAX + 1); } catch (e) {
      if (e instanceof StringTooLong) return -Errno.EINVAL; // strnlen_user past MFD_NAME_MAX_LEN
      throw e;
    }
    const fd = libc().memfd_create(cPath(stringToBytes(name)), flags & ~MFD_CLOEXEC);
    if (fd < 0) return lastErrno();
    const f = new HostFile(fd, O_RDWR, `/memfd:${name} (deleted)`, true, () => false);
    const n = t.proc.fds.install(f, (flags & MFD_CLOEXEC) !== 0);
    if (n < 0) f.release();
    return n;
  },
  /** fallocate(2): on a host regular file, by the host file system */
  fallocate(t: Task, [fd, mode, off, len]: number[]): SyscallResult {
    const f = fileOf(t, fd | 0);
    if (typeof f === 'number') return f;
    if (((mode | 0) & ~FALLOC_MASK) !== 0) return -Errno.EOPNOTSUPP;
    if (off < 0 || len <= 0) return -Errno.EINVAL;
    if (!f.writable) return -Errno.EBADF;
    if (f.isDirectory) return -Errno.EISDIR;
    if (!(f instanceof HostFile) || !f.seekable) return f.seekable ? -Errno.ENODEV : -Errno.ESPIPE;
    if (off + len > Number.MAX_SAFE_INTEGER) return -Errno.EFBIG;
    const r = libc().fallocate(f.hostFd, mode | 0, BigInt(off), BigInt(len));
    return r === 0 ? 0 : lastErrno();
  },
};
