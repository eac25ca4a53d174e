// File I/O syscalls: open, close, read, write and their vector/positional forms, lseek,
// getdents64. Semantics follow fs/read_write.c and fs/open.c.
import { stringToBytes } from '../../abi/bytes.js';
import { GuestFault } from '../../mm/address_space.js';
import type { PhysChunk, UserChunks } from '../../mm/guest_memory.js';
import { AT, SEEK } from '../abi.js';

const { AT_FDCWD } = AT;
const { SEEK_CUR, SEEK_DATA, SEEK_END, SEEK_HOLE, SEEK_SET } = SEEK;
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import type { SyscallResult } from '../wait.js';
import { OpenFile } from '../vfs/file.js';
import { openFile } from '../vfs/open.js';
import { HostFile } from '../vfs/hostfs.js';

/** MAX_RW_COUNT: a single read/write moves at most this much (include/linux/fs.h). */
export const MAX_RW_COUNT = 0x7ffff000;
/** UIO_MAXIOV. */
export const UIO_MAXIOV = 1024;

export function fileOf(t: Task, fd: number): OpenFile | number {
  return t.proc.fds.get(fd) ?? -Errno.EBADF;
}

/**
 * Physical chunks of a user buffer (either direction). Linux copies until the first bad page:
 * the accessible prefix is returned, marked `truncated` (UserChunks) so each file type can
 * decide what a short copy means; no accessible byte at all is EFAULT (GuestFault).
 */
export function userChunks(t: Task, addr: number, len: number, write: boolean): UserChunks {
  return t.mem.prefixChunks(addr, len, write);
}

const total = (c: PhysChunk[]) => c.reduce((n, x) => n + x.len, 0);

export function doRead(t: Task, f: OpenFile, buf: number, len: number, pos: number | undefined): SyscallResult {
  if (!f.readable) return -Errno.EBADF;
  if (f.isDirectory) return -Errno.EISDIR;
  // vfs_read: access_ok() on the whole (unsigned) count comes first; SIZE_MAX is EFAULT.
  if (!t.mem.rangeOk(buf, len)) return -Errno.EFAULT;
  len = Math.min(len, MAX_RW_COUNT);
  if (len === 0) return 0;
  const dst = userChunks(t, buf, len, true);
  return f.read(t, dst, total(dst), pos);
}

export function doWrite(t: Task, f: OpenFile, buf: number, len: number, pos: number | undefined): SyscallResult {
  if (!f.writable) return -Errno.EBADF;
  if (!t.mem.rangeOk(buf, len)) return -Errno.EFAULT;
  len = Math.min(len, MAX_RW_COUNT);
  if (len === 0) return 0;
  if (f.ignoresWriteData) return f.write(t, [], len, pos);
  const src = userChunks(t, buf, len, false);
  return f.write(t, src, total(src), pos);
}

/** rw_verify_area: the position (argument `i`, exact) is not negative and pos + count does not overflow loff_t. */
function posOk(t: Task, i: number, count: number): boolean {
  const pos = t.argBig(i);
  return pos >= 0n && pos + BigInt(Math.max(0, count)) <= 0x7fffffffffffffffn;
}

/** Gather an iovec array into chunks (readv/writev/preadv/pwritev; sendmsg/recvmsg reuse it). */
export function iovChunks(t: Task, iov: number, cnt: number, write: boolean): PhysChunk[] | number {
  if (cnt < 0 || cnt > UIO_MAXIOV) return -Errno.EINVAL;
  const vecs = t.mem.iovecs(iov, cnt);
  let sum = 0;
  for (const v of vecs) {
    if (v.len < 0 || v.len > Number.MAX_SAFE_INTEGER) return -Errno.EINVAL;
    sum += v.len;
    if (sum > 0x7fffffffffff) return -Errno.EINVAL;
  }
  // The vectors are copied in order until the first fault: what comes before it is the
  // buffer (truncated there), a fault in the very first byte is EFAULT.
  const out: UserChunks = [];
  let left = MAX_RW_COUNT, asked = 0;
  for (const v of vecs) {
    if (left === 0) break;
    const n = Math.min(v.len, left);
    if (n === 0) continue;
    asked += n;
    let part: UserChunks;
    try { part = t.mem.prefixChunks(v.base, n, write); } catch (e) {
      if (!(e instanceof GuestFault) || out.length === 0) throw e;
      part = [];
      part.truncated = true;
    }
    out.push(...part);
    left -= n;
    if (part.truncated) {
      out.truncated = true;
      out.requested = asked + vecs.slice(vecs.indexOf(v) + 1).reduce((a, w) => a + w.len, 0);
      break;
    }
  }
  return out;
}

/** writev to a file that never reads the data: every vector range-checked, nothing copied. */
function discardIov(t: Task, f: OpenFile, iov: number, cnt: number): SyscallResult {
  if (cnt < 0 || cnt > UIO_MAXIOV) return -Errno.EINVAL;
  let sum = 0;
  for (const v of t.mem.iovecs(iov, cnt)) {
    if (v.len < 0 || v.len > Number.MAX_SAFE_INTEGER) return -Errno.EINVAL;
    if (!t.mem.rangeOk(v.base, v.len)) return -Errno.EFAULT;
    sum += v.len;
  }
  return sum === 0 ? 0 : f.write(t, [], Math.min(sum, MAX_RW_COUNT), undefined);
}

function rw(t: Task, fd: number, chunks: PhysChunk[] | number, pos: number | undefined, dir: 'r' | 'w'): SyscallResult {
  const f = fileOf(t, fd);
  if (typeof f === 'number') return f;
  if (dir === 'r' ? !f.readable : !f.writable) return -Errno.EBADF;
  if (typeof chunks === 'number') return chunks;
  if (pos !== undefined && !f.seekable) return -Errno.ESPIPE;
  const n = total(chunks);
  if (n === 0) return 0;
  return dir === 'r' ? f.read(t, chunks, n, pos) : f.write(t, chunks, n, pos);
}

function checkFd(t: Task, fd: number): OpenFile | number { return fileOf(t, fd); }

export const fsCalls = {
  /** openat(2) */
  openat(t: Task, [dirfd, path, flags, mode]: number[]): SyscallResult {
    const f = openFile(t, { dirfd: dirfd | 0, path: t.mem.cstring(path), flags: flags | 0, mode }, t.proc.arch.o);
    if (!(f instanceof OpenFile)) return f;
    const fd = t.proc.fds.install(f, (flags & t.proc.arch.o.O_CLOEXEC) !== 0);
    if (fd < 0) f.release(); // never installed: nobody else holds it
    return fd;
  },
  /** open(2), x86_64 only */
  open(t: Task, [path, flags, mode]: number[]): SyscallResult { return fsCalls.openat(t, [AT_FDCWD, path, flags, mode]); },
  /** creat(2), x86_64 only */
  creat(t: Task, [path, mode]: number[]): SyscallResult {
    const o = t.proc.arch.o;
    return fsCalls.openat(t, [AT_FDCWD, path, o.O_WRONLY | o.O_CREAT | o.O_TRUNC, mode]);
  },
  /** close(2) */
  close(t: Task, [fd]: number[]): SyscallResult { return t.proc.fds.close(fd | 0); },
  /** read(2) */
  read(t: Task, [fd, buf, len]: number[]): SyscallResult {
    const f = fileOf(t, fd | 0);
    return typeof f === 'number' ? f : doRead(t, f, buf, len, undefined);
  },
  /** write(2) */
  write(t: Task, [fd, buf, len]: number[]): SyscallResult {
    const f = fileOf(t, fd | 0);
    return typeof f === 'number' ? f : doWrite(t, f, buf, len, undefined);
  },
  /** pread64(2) */
  pread64(t: Task, [fd, buf, len, pos]: number[]): SyscallResult {
    const f = fileOf(t, fd | 0);
    if (typeof f === 'number') return f;
    if (!f.seekable) return -Errno.ESPIPE;
    if (!posOk(t, 3, len)) return -Errno.EINVAL;
    return doRead(t, f, buf, len, pos);
  },
  /** pwrite64(2) */
  pwrite64(t: Task, [fd, buf, len, pos]: number[]): SyscallResult {
    const f = fileOf(t, fd | 0);
    if (typeof f === 'number') return f;
    if (!f.seekable) return -Errno.ESPIPE;
    if (!posOk(t, 3, len)) return -Errno.EINVAL;
    return doWrite(t, f, buf, len, pos);
  },
  /** readv(2) */
  readv(t: Task, [fd, iov, cnt]: number[]): SyscallResult {
    const f = checkFd(t, fd | 0);
    if (typeof f === 'number') return f;
    return rw(t, fd | 0, iovChunks(t, iov, cnt | 0, true), undefined, 'r');
  },
  /** writev(2) */
  writev(t: Task, [fd, iov, cnt]: number[]): SyscallResult {
    const f = checkFd(t, fd | 0);
    if (typeof f === 'number') return f;
    if (f.ignoresWriteData && f.writable) return discardIov(t, f, iov, cnt | 0);
    return rw(t, fd | 0, iovChunks(t, iov, cnt | 0, false), undefined, 'w');
  },
  /** preadv(2) */
  preadv(t: Task, [fd, iov, cnt, pos]: number[]): SyscallResult {
    if (pos < 0) return -Errno.EINVAL;
    return rw(t, fd | 0, iovChunks(t, iov, cnt | 0, true), pos, 'r');
  },
  /** pwritev(2) */
  pwritev(t: Task, [fd, iov, cnt, pos]: number[]): SyscallResult {
    if (pos < 0) return -Errno.EINVAL;
    return rw(t, fd | 0, iovChunks(t, iov, cnt | 0, false), pos, 'w');
  },
  /** lseek(2) */
  lseek(t: Task, [fd, off, whenceArg]: number[]): SyscallResult {
    const f = fileOf(t, fd | 0);
    if (typeof f === 'number') return f;
    if (f.noopSeek) return f.offset;
    if (!f.seekable) return -Errno.ESPIPE;
    const whence = whenceArg >>> 0; // unsigned int
    // A host file seeks as the host file system does (its s_maxbytes, SEEK_DATA/SEEK_HOLE).
    if (f instanceof HostFile) {
      const r = f.hostSeek(t.argBig(1), whence, f.offset);
      if (r >= 0) f.offset = r;
      return r;
    }
    let base: number;
    switch (whence) {
      case SEEK_SET: base = 0; break;
      case SEEK_CUR: base = f.offset; break;
      case SEEK_END: base = f.size(); break;
      case SEEK_DATA: case SEEK_HOLE: {
        const size = f.size();
        if (off < 0 || off >= size) return -Errno.ENXIO;
        base = whence === SEEK_DATA ? 0 : size - off;
        break;
      }
      default: return -Errno.EINVAL;
    }
    const pos = base + off;
    if (pos < 0) return -Errno.EINVAL;
    f.offset = pos;
    return pos;
  },
  /** getdents64(2): struct linux_dirent64 {u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]} */
  getdents64: (t: Task, [fd, dirp, count]: number[]): SyscallResult => getdents(t, fd, dirp, count, false),
};

/**
 * getdents64 (or with `legacy` x86_64's getdents: struct linux_dirent {long d_ino; long d_off;
 * u16 d_reclen; char d_name[]; ...; u8 d_type as the record's last byte}): as many whole records
 * as fit, from the directory position; EINVAL when not even one fits.
 */
export function getdents(t: Task, fd: number, dirp: number, count: number, legacy: boolean): SyscallResult {
  const f = fileOf(t, fd | 0);
  if (typeof f === 'number') return f;
  const ents = f.dirents();
  if (!ents) return -Errno.ENOTDIR;
  const out = new Uint8Array(Math.min(count >>> 0, 1 << 20));
  const dv = new DataView(out.buffer);
  let used = 0;
  let i = f.offset;
  for (; i < ents.length; i++) {
    const name = stringToBytes(ents[i].name);
    const reclen = legacy ? (18 + name.length + 2 + 7) & ~7 : (19 + name.length + 1 + 7) & ~7;
    if (used + reclen > out.length) {
      if (used === 0) return -Errno.EINVAL;
      break;
    }
    dv.setBigUint64(used, BigInt(ents[i].ino), true);
    dv.setBigInt64(used + 8, BigInt(i + 1), true);
    dv.setUint16(used + 16, reclen, true);
    if (legacy) { out.set(name, used + 18); out[used + reclen - 1] = ents[i].type; }
    else { out[used + 18] = ents[i].type; out.set(name, used + 19); }
    used += reclen;
  }
  if (used > 0) t.mem.write(dirp, out.subarray(0, used));
  f.offset = i;
  return used;
}
