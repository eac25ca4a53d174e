// stat family: newfstatat, fstat, statx, and x86_64's stat/lstat (fs/stat.c). The VFS yields
// an arch-neutral Stat; only the copy-out uses the arch's struct stat layout.
import * as fs from 'node:fs';
import { encodeStatx, STATX_SIZE, type Stat } from '../../arch/stat.js';
import { AT, MODE } from '../abi.js';
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import type { SyscallResult } from '../wait.js';
import { procDirStat, procFileStat, virtualStat } from '../vfs/procfs_files.js';
import { deviceStat, isDevice } from '../vfs/devices.js';
import { hostErrno, statFromHost } from '../vfs/hostfs.js';
import { lookup } from '../vfs/open.js';

const { AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, AT_FDCWD, AT_NO_AUTOMOUNT, AT_STATX_SYNC_TYPE } = AT;

/** Stat of (dirfd, path) honouring AT_EMPTY_PATH and AT_SYMLINK_NOFOLLOW; -errno on failure. */
export function statAt(t: Task, dirfd: number, pathAddr: number, flags: number): Stat | number {
  // Since Linux 6.11 a NULL path with AT_EMPTY_PATH is the empty path.
  const path = pathAddr === 0 && (flags & AT_EMPTY_PATH) ? '' : t.mem.cstring(pathAddr);
  if (path === '' && (flags & AT_EMPTY_PATH)) {
    if (dirfd === AT_FDCWD) return statPath(t, AT_FDCWD, '.', true);
    const f = t.proc.fds.get(dirfd);
    return f ? f.stat() : -Errno.EBADF;
  }
  return statPath(t, dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) === 0);
}

function statPath(t: Task, dirfd: number, path: string, follow: boolean): Stat | number {
  const r = lookup(t, dirfd, path, follow);
  if (typeof r === 'number') return r;
  if (isDevice(r.guest)) return deviceStat(r.guest);
  if (r.vfile) return r.vfile.open ? virtualStat(r.guest, MODE.S_IFREG | 0o600) : procFileStat(r.guest);
  if (r.vdir) return procDirStat(r.guest);
  if (r.vlink !== undefined) return virtualStat(r.guest, MODE.S_IFLNK | 0o777, Buffer.byteLength(r.vlink));
  if (!r.st) return -Errno.ENOENT;
  try {
    return statFromHost(follow ? fs.statSync(r.host, { bigint: true }) : fs.lstatSync(r.host, { bigint: true }));
  } catch (e) { return hostErrno(e); }
}

function copyStat(t: Task, buf: number, st: Stat | number): SyscallResult {
  if (typeof st === 'number') return st;
  const data = t.proc.arch.data;
  const out = new Uint8Array(data.STAT_SIZE);
  data.encodeStat(new DataView(out.buffer), 0, st);
  t.mem.write(buf, out);
  return 0;
}

export const statCalls = {
  /** newfstatat(2) (fstatat64) */
  newfstatat(t: Task, [dirfd, path, buf, flags]: number[]): SyscallResult {
    if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT)) return -Errno.EINVAL;
    return copyStat(t, buf, statAt(t, dirfd | 0, path, flags));
  },
  /** fstat(2) */
  fstat(t: Task, [fd, buf]: number[]): SyscallResult {
    const f = t.proc.fds.get(fd | 0);
    return f ? copyStat(t, buf, f.stat()) : -Errno.EBADF;
  },
  /** stat(2), x86_64 only */
  stat(t: Task, [path, buf]: number[]): SyscallResult { return copyStat(t, buf, statAt(t, AT_FDCWD, path, 0)); },
  /** lstat(2), x86_64 only */
  lstat(t: Task, [path, buf]: number[]): SyscallResult { return copyStat(t, buf, statAt(t, AT_FDCWD, path, AT_SYMLINK_NOFOLLOW)); },
  /** statx(2) */
  statx(t: Task, [dirfd, path, flags, mask, buf]: number[]): SyscallResult {
    if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE)) return -Errno.EINVAL;
    if ((flags & AT_STATX_SYNC_TYPE) === AT_STATX_SYNC_TYPE) return -Errno.EINVAL;
    if (mask & 0x80000000) return -Errno.EINVAL; // STATX__RESERVED
    const st = statAt(t, dirfd | 0, path, flags);
    if (typeof st === 'number') return st;
    const out = new Uint8Array(STATX_SIZE);
    // Every basic field is always filled, as local filesystems do (STATX_BASIC_STATS | BTIME).
    encodeStatx(new DataView(out.buffer), 0, st, 0x7ff | 0x800);
    t.mem.write(buf, out);
    return 0;
  },
};
