// The small calls harnesses and libc touch (kernel/sys.c, fs/sync.c, mm/fadvise.c,
// mm/mincore.c, fs/readdir.c): sethostname, setdomainname, sync, syncfs, fdatasync-like hints
// (fadvise64, readahead, sync_file_range), mincore, the x86_64 getdents, preadv2/pwritev2.
import { PAGE_SIZE } from '../../mm/physmem.js';
import { CAP } from '../creds.js';
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import type { SyscallResult } from '../wait.js';
import { PipeEnd } from '../pipe/pipe.js';
import { HostFile } from '../vfs/hostfs.js';
import { fileOf, fsCalls, getdents } from './sys_fs.js';

/** __NEW_UTS_LEN */
const UTS_LEN = 64;
const POSIX_FADV_NORMAL = 0, POSIX_FADV_NOREUSE = 5;
const SYNC_FILE_RANGE_MASK = 1 | 2 | 4;
/** RWF_HIPRI, RWF_DSYNC, RWF_SYNC, RWF_NOWAIT, RWF_APPEND: accepted (nothing here waits on a disk). */
const RWF_SUPPORTED = 0x1f;

function setUts(t: Task, field: 'nodename' | 'domainname', addr: number, len: number): SyscallResult {
  if (!t.proc.creds.capable(CAP.CAP_SYS_ADMIN)) return -Errno.EPERM;
  if (len < 0 || len > UTS_LEN) return -Errno.EINVAL;
  const b = t.mem.read(addr, len);
  const z = b.indexOf(0);
  t.kernel.uts[field] = Buffer.from(z >= 0 ? b.subarray(0, z) : b).toString('latin1');
  return 0;
}

export const miscCalls = {
  /** sethostname(2): CAP_SYS_ADMIN; the kernel's own UTS name (never the host's) */
  sethostname: (t: Task, [addr, len]: number[]): SyscallResult => setUts(t, 'nodename', addr, len | 0),
  /** setdomainname(2) */
  setdomainname: (t: Task, [addr, len]: number[]): SyscallResult => setUts(t, 'domainname', addr, len | 0),
  /** sync(2): host files are written through; nothing is held back */
  sync: (): SyscallResult => 0,
  /** syncfs(2) */
  syncfs: (t: Task, [fd]: number[]): SyscallResult => { const f = fileOf(t, fd | 0); return typeof f === 'number' ? f : 0; },
  /** fadvise64(2): a hint, checked like generic_fadvise */
  fadvise64(t: Task, [fd, off, len, advice]: number[]): SyscallResult {
    const f = fileOf(t, fd | 0);
    if (typeof f === 'number') return f;
    if (f instanceof PipeEnd || !f.seekable) return -Errno.ESPIPE;
    if ((advice | 0) < POSIX_FADV_NORMAL || (advice | 0) > POSIX_FADV_NOREUSE) return -Errno.EINVAL;
    if (len < 0 || off < 0) return -Errno.EINVAL;
    return 0;
  },
  /** readahead(2): a hint on a regular file */
  readahead(t: Task, [fd]: number[]): SyscallResult {
    const f = fileOf(t, fd | 0);
    if (typeof f === 'number') return f;
    if (!f.readable) return -Errno.EBADF;
    return f instanceof HostFile && f.seekable ? 0 : -Errno.EINVAL;
  },
  /** sync_file_range(2) */
  sync_file_range(t: Task, [fd, off, len, flags]: number[]): SyscallResult {
    if (((flags >>> 0) & ~SYNC_FILE_RANGE_MASK) !== 0 || off < 0 || len < 0) return -Errno.EINVAL;
    const f = fileOf(t, fd | 0);
    if (typeof f === 'number') return f;
    return f instanceof PipeEnd ? -Errno.ESPIPE : 0;
  },
  /** mincore(2): one byte per page, 1 where a frame is present (resident), 0 otherwise */
  mincore(t: Task, [addr, len, vec]: number[]): SyscallResult {
    if (addr % PAGE_SIZE !== 0) return -Errno.EINVAL;
    if (len < 0 || !t.mem.rangeOk(addr, len)) return -Errno.ENOMEM;
    const pages = Math.ceil(len / PAGE_SIZE);
    const mm = t.proc.mm;
    if (!mm.isCovered(addr, addr + pages * PAGE_SIZE)) return -Errno.ENOMEM;
    const out = new Uint8Array(pages);
    for (let i = 0; i < pages; i++) out[i] = mm.pt.has(addr / PAGE_SIZE + i) ? 1 : 0;
    t.mem.write(vec, out);
    return 0;
  },
  /** getdents(2), x86_64: struct linux_dirent (d_type in the record's last byte) */
  getdents: (t: Task, [fd, dirp, count]: number[]): SyscallResult => getdents(t, fd, dirp, count, true),
  /** preadv2(2): offset -1 is the file position; the RWF_* hints are accepted */
  preadv2(t: Task, [fd, iov, cnt, pos, , flags]: number[]): SyscallResult {
    if ((flags >>> 0) & ~RWF_SUPPORTED) return -Errno.EOPNOTSUPP;
    return pos === -1 ? fsCalls.readv(t, [fd, iov, cnt]) : fsCalls.preadv(t, [fd, iov, cnt, pos]);
  },
  /** pwritev2(2) */
  pwritev2(t: Task, [fd, iov, cnt, pos, , flags]: number[]): SyscallResult {
    if ((flags >>> 0) & ~RWF_SUPPORTED) return -Errno.EOPNOTSUPP;
    return pos === -1 ? fsCalls.writev(t, [fd, iov, cnt]) : fsCalls.pwritev(t, [fd, iov, cnt, pos]);
  },
};
