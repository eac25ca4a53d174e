// Path syscalls: getcwd, chdir, fchdir, mkdirat, unlinkat, renameat2, faccessat, readlinkat,
// symlinkat, linkat, fchmodat, umask, truncate (fs/namei.c, fs/open.c, fs/d_path.c),
// plus the x86_64-only legacy forms that glibc still uses (mkdir, unlink, readlink, ...).
import * as fs from 'node:fs';
import { AT, MODE, RENAME } from '../abi.js';

const { AT_EACCESS, AT_EMPTY_PATH, AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW } = AT;
const { RENAME_EXCHANGE, RENAME_NOREPLACE, RENAME_WHITEOUT } = RENAME;
import { Errno } from '../errno.js';
import { bytesToString, stringToBytes } from '../../abi/bytes.js';
import type { Task } from '../task.js';
import type { SyscallResult } from '../wait.js';
import { isDevice } from '../vfs/devices.js';
import { HostDir, HostFile, hostErrno } from '../vfs/hostfs.js';
import { lookup, mayChangeDir, ownNew } from '../vfs/open.js';
import { registerFifo } from '../vfs/fifo.js';
import { fsEvent, fsnotify, IN, inodeKey, moveCookie, watching } from '../vfs/inotify.js';
import { hostMknod } from '../vfs/mknod.js';
import { MAY_EXEC, MAY_WRITE, ownerOrCapable, permitted } from '../vfs/permission.js';
import type { Resolved } from '../vfs/path.js';


/** Resolve the parent of a path that names an entry to create or remove. */
function entry(t: Task, dirfd: number, pathAddr: number, follow = false): Resolved | number {
  const path = t.mem.cstring(pathAddr);
  return lookup(t, dirfd | 0, path, follow);
}

function hostOp(fn: () => void): number {
  try { fn(); return 0; } catch (e) { return hostErrno(e); }
}

export const pathCalls = {
  /** getcwd(2): returns the length including the NUL */
  getcwd(t: Task, [buf, size]: number[]): SyscallResult {
    const b = stringToBytes(t.proc.cwd + '\0');
    if (size < b.length) return -Errno.ERANGE;
    t.mem.write(buf, b);
    return b.length;
  },
  /** chdir(2) */
  chdir(t: Task, [path]: number[]): SyscallResult {
    const r = entry(t, AT_FDCWD, path, true);
    if (typeof r === 'number') return r;
    if (!r.st) return -Errno.ENOENT;
    if (!r.st.isDirectory()) return -Errno.ENOTDIR;
    if (!permitted(t.proc.creds, r.st, MAY_EXEC)) return -Errno.EACCES;
    t.proc.cwd = r.guest;
    return 0;
  },
  /** fchdir(2) */
  fchdir(t: Task, [fd]: number[]): SyscallResult {
    const f = t.proc.fds.get(fd | 0);
    if (!f) return -Errno.EBADF;
    if (!f.isDirectory) return -Errno.ENOTDIR;
    t.proc.cwd = f.path;
    return 0;
  },
  /** mkdirat(2) */
  mkdirat(t: Task, [dirfd, path, mode]: number[]): SyscallResult {
    const r = entry(t, dirfd, path);
    if (typeof r === 'number') return r;
    if (r.st || r.vlink !== undefined || isDevice(r.guest) || r.vdir || r.vfile) return -Errno.EEXIST;
    const e = mayChangeDir(t, r);
    if (e) return e;
    return hostOp(() => { fs.mkdirSync(r.host, { mode: mode & ~t.proc.umask & 0o7777 }); ownNew(t, r.host); fsEvent(t.kernel, IN.IN_CREATE, r.host, true); });
  },
  mkdir(t: Task, [path, mode]: number[]): SyscallResult { return pathCalls.mkdirat(t, [AT_FDCWD, path, mode]); },
  /**
   * mknodat(2): regular files, FIFOs (served by the kernel's own pipes, fifo.ts) and socket
   * nodes. Device nodes need CAP_MKNOD, and even then are refused (EPERM): a device node in the
   * host file system would reach the host's devices.
   */
  mknodat(t: Task, [dirfd, path, modeArg]: number[]): SyscallResult {
    const mode = modeArg >>> 0;
    const type = mode & MODE.S_IFMT;
    if (type === MODE.S_IFCHR || type === MODE.S_IFBLK) return -Errno.EPERM;
    if (type === MODE.S_IFDIR) return -Errno.EPERM;
    if (type !== 0 && type !== MODE.S_IFREG && type !== MODE.S_IFIFO && type !== MODE.S_IFSOCK) return -Errno.EINVAL;
    const r = entry(t, dirfd, path);
    if (typeof r === 'number') return r;
    if (r.st || r.vlink !== undefined || isDevice(r.guest) || r.vdir || r.vfile) return -Errno.EEXIST;
    const e = mayChangeDir(t, r);
    if (e) return e;
    const perm = mode & 0o7777 & ~t.proc.umask;
    if (type === 0 || type === MODE.S_IFREG) {
      return hostOp(() => { fs.closeSync(fs.openSync(r.host, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, perm)); ownNew(t, r.host); fsEvent(t.kernel, IN.IN_CREATE, r.host, false); });
    }
    const err = hostMknod(r.host, type | perm);
    if (err) return err;
    ownNew(t, r.host);
    if (type === MODE.S_IFIFO) registerFifo(t, fs.lstatSync(r.host));
    fsEvent(t.kernel, IN.IN_CREATE, r.host, false);
    return 0;
  },
  mknod(t: Task, [path, mode, dev]: number[]): SyscallResult { return pathCalls.mknodat(t, [AT_FDCWD, path, mode, dev]); },
  /** unlinkat(2) */
  unlinkat(t: Task, [dirfd, path, flags]: number[]): SyscallResult {
    if (flags & ~AT_REMOVEDIR) return -Errno.EINVAL;
    const r = entry(t, dirfd, path);
    if (typeof r === 'number') return r;
    if (!r.st) return r.vlink !== undefined || r.vdir || r.vfile ? -Errno.EACCES : -Errno.ENOENT;
    if (flags & AT_REMOVEDIR) {
      if (!r.st.isDirectory()) return -Errno.ENOTDIR;
      if (r.guest === '/') return -Errno.EBUSY;
    } else if (r.st.isDirectory()) return -Errno.EISDIR;
    const e = mayChangeDir(t, r, r.st);
    if (e) return e;
    const dir = r.st.isDirectory();
    const key = watching(t.kernel) ? inodeKey(r.host) : undefined;
    const last = dir || r.st.nlink <= 1;
    return hostOp(() => {
      if (flags & AT_REMOVEDIR) fs.rmdirSync(r.host); else fs.unlinkSync(r.host);
      // inotify: the directory sees IN_DELETE; the inode IN_ATTRIB (a link less), and
      // IN_DELETE_SELF when that was its last name.
      fsEvent(t.kernel, IN.IN_DELETE, r.host, dir, key);
      if (key) {
        if (!dir) fsnotify(t.kernel, IN.IN_ATTRIB, key, dir);
        if (last) fsnotify(t.kernel, IN.IN_DELETE_SELF, key, dir);
      }
    });
  },
  unlink(t: Task, [path]: number[]): SyscallResult { return pathCalls.unlinkat(t, [AT_FDCWD, path, 0]); },
  rmdir(t: Task, [path]: number[]): SyscallResult { return pathCalls.unlinkat(t, [AT_FDCWD, path, AT_REMOVEDIR]); },
  /** renameat2(2) */
  renameat2(t: Task, [olddir, oldpath, newdir, newpath, flags]: number[]): SyscallResult {
    if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) return -Errno.EINVAL;
    if ((flags & RENAME_EXCHANGE) && (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT))) return -Errno.EINVAL;
    if (flags & (RENAME_EXCHANGE | RENAME_WHITEOUT)) return -Errno.EINVAL; // not supported on the host path
    const a = entry(t, olddir, oldpath);
    if (typeof a === 'number') return a;
    const b = entry(t, newdir, newpath);
    if (typeof b === 'number') return b;
    if (!a.st) return -Errno.ENOENT;
    if ((flags & RENAME_NOREPLACE) && b.st) return -Errno.EEXIST;
    const e = mayChangeDir(t, a, a.st) || mayChangeDir(t, b, b.st);
    if (e) return e;
    return hostOp(() => {
      fs.renameSync(a.host, b.host);
      if (watching(t.kernel)) {
        const cookie = moveCookie(), dir = a.st!.isDirectory(), key = inodeKey(b.host);
        fsEvent(t.kernel, IN.IN_MOVED_FROM, a.host, dir, key, cookie);
        fsEvent(t.kernel, IN.IN_MOVED_TO, b.host, dir, key, cookie);
        fsnotify(t.kernel, IN.IN_MOVE_SELF, key, dir);
      }
    });
  },
  renameat(t: Task, [olddir, oldpath, newdir, newpath]: number[]): SyscallResult {
    return pathCalls.renameat2(t, [olddir, oldpath, newdir, newpath, 0]);
  },
  rename(t: Task, [oldpath, newpath]: number[]): SyscallResult {
    return pathCalls.renameat2(t, [AT_FDCWD, oldpath, AT_FDCWD, newpath, 0]);
  },
  /** faccessat2(2) */
  faccessat2(t: Task, [dirfd, path, mode, flags]: number[]): SyscallResult {
    mode |= 0; flags |= 0;
    if (mode & ~7) return -Errno.EINVAL;
    if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -Errno.EINVAL;
    const r = entry(t, dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) === 0);
    if (typeof r === 'number') return r;
    if (isDevice(r.guest) || r.vlink !== undefined) return 0;
    if (!r.st) return -Errno.ENOENT;
    // AT_SYMLINK_NOFOLLOW asks about the link itself (mode 0777): never about its host target,
    // which may lie outside the root.
    if (r.st.isSymbolicLink() || mode === 0) return 0;
    // do_faccessat: the real ids unless AT_EACCESS, the guest's view of ownership; then the host
    // (a file ucrun's user cannot write is not writable for the guest either).
    if (!permitted(t.proc.creds, r.st, mode /* R_OK 4 = MAY_READ, W_OK 2, X_OK 1 */, (flags & AT_EACCESS) === 0)) return -Errno.EACCES;
    return hostOp(() => fs.accessSync(r.host, mode));
  },
  faccessat(t: Task, [dirfd, path, mode]: number[]): SyscallResult { return pathCalls.faccessat2(t, [dirfd, path, mode, 0]); },
  access(t: Task, [path, mode]: number[]): SyscallResult { return pathCalls.faccessat2(t, [AT_FDCWD, path, mode, 0]); },
  /** readlinkat(2) */
  readlinkat(t: Task, [dirfd, path, buf, size]: number[]): SyscallResult {
    if ((size | 0) <= 0) return -Errno.EINVAL;
    const r = entry(t, dirfd, path, false);
    if (typeof r === 'number') return r;
    let target: string;
    if (r.vlink !== undefined) target = r.vlink;
    else {
      if (!r.st) return -Errno.ENOENT;
      if (!r.st.isSymbolicLink()) return -Errno.EINVAL;
      try { target = bytesToString(fs.readlinkSync(r.host, 'buffer')); } catch (e) { return hostErrno(e); }
    }
    const b = stringToBytes(target).subarray(0, size);
    t.mem.write(buf, b);
    return b.length;
  },
  readlink(t: Task, [path, buf, size]: number[]): SyscallResult { return pathCalls.readlinkat(t, [AT_FDCWD, path, buf, size]); },
  /** symlinkat(2) */
  symlinkat(t: Task, [target, dirfd, path]: number[]): SyscallResult {
    const tgt = t.mem.cstring(target);
    if (tgt.length === 0) return -Errno.ENOENT;
    const r = entry(t, dirfd, path);
    if (typeof r === 'number') return r;
    if (r.st || r.vlink !== undefined || r.vdir || r.vfile) return -Errno.EEXIST;
    const e = mayChangeDir(t, r);
    if (e) return e;
    return hostOp(() => { fs.symlinkSync(stringToBytes(tgt), r.host); ownNew(t, r.host); fsEvent(t.kernel, IN.IN_CREATE, r.host, false); });
  },
  symlink(t: Task, [target, path]: number[]): SyscallResult { return pathCalls.symlinkat(t, [target, AT_FDCWD, path]); },
  /** linkat(2) */
  linkat(t: Task, [olddir, oldpath, newdir, newpath, flags]: number[]): SyscallResult {
    if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return -Errno.EINVAL;
    const a = entry(t, olddir, oldpath, (flags & AT_SYMLINK_FOLLOW) !== 0);
    if (typeof a === 'number') return a;
    const b = entry(t, newdir, newpath);
    if (typeof b === 'number') return b;
    if (!a.st) return -Errno.ENOENT;
    if (b.st) return -Errno.EEXIST;
    if (a.st.isDirectory()) return -Errno.EPERM;
    const e = mayChangeDir(t, b);
    if (e) return e;
    return hostOp(() => { fs.linkSync(a.host, b.host); fsEvent(t.kernel, IN.IN_CREATE, b.host, false); fsEvent(t.kernel, IN.IN_ATTRIB, b.host, false); });
  },
  link(t: Task, [oldpath, newpath]: number[]): SyscallResult { return pathCalls.linkat(t, [AT_FDCWD, oldpath, AT_FDCWD, newpath, 0]); },
  /** fchmodat(2) */
  fchmodat(t: Task, [dirfd, path, mode]: number[]): SyscallResult {
    const r = entry(t, dirfd, path, true);
    if (typeof r === 'number') return r;
    if (!r.st) return -Errno.ENOENT;
    if (!ownerOrCapable(t.proc.creds, r.st)) return -Errno.EPERM;
    return hostOp(() => { fs.chmodSync(r.host, mode & 0o7777); fsEvent(t.kernel, IN.IN_ATTRIB, r.host, r.st!.isDirectory()); });
  },
  chmod(t: Task, [path, mode]: number[]): SyscallResult { return pathCalls.fchmodat(t, [AT_FDCWD, path, mode]); },
  /** fchmod(2) */
  fchmod(t: Task, [fd, mode]: number[]): SyscallResult {
    const f = t.proc.fds.get(fd | 0);
    if (!f) return -Errno.EBADF;
    // The std streams ucrun lends the guest (fds 0-2, not opened by the guest) are the host's
    // objects, often /dev/null or a terminal: their mode is not the guest's to change.
    if (f instanceof HostFile && !f.ownsFd) return -Errno.EPERM;
    if (f instanceof HostFile || f instanceof HostDir) {
      if (!ownerOrCapable(t.proc.creds, fs.fstatSync(f.hostFd))) return -Errno.EPERM;
      return hostOp(() => fs.fchmodSync(f.hostFd, mode & 0o7777));
    }
    return 0;
  },
  /** umask(2) */
  umask(t: Task, [mask]: number[]): SyscallResult {
    const old = t.proc.umask;
    t.proc.umask = mask & 0o777;
    return old;
  },
  /** ftruncate(2) */
  ftruncate(t: Task, [fd, len]: number[]): SyscallResult {
    const f = t.proc.fds.get(fd | 0);
    if (!f) return -Errno.EBADF;
    if (len < 0) return -Errno.EINVAL;
    if (!f.writable) return -Errno.EINVAL;
    return f.truncate(len);
  },
  /** truncate(2) */
  truncate(t: Task, [path, len]: number[]): SyscallResult {
    if (len < 0) return -Errno.EINVAL;
    const r = entry(t, AT_FDCWD, path, true);
    if (typeof r === 'number') return r;
    if (!r.st) return -Errno.ENOENT;
    if (r.st.isDirectory()) return -Errno.EISDIR;
    if (!permitted(t.proc.creds, r.st, MAY_WRITE)) return -Errno.EACCES;
    return hostOp(() => { fs.truncateSync(r.host, len); fsEvent(t.kernel, IN.IN_MODIFY, r.host, false); });
  },
  /** fsync(2), fdatasync(2): the host file is synced */
  fsync(t: Task, [fd]: number[]): SyscallResult {
    const f = t.proc.fds.get(fd | 0);
    if (!f) return -Errno.EBADF;
    if (f instanceof HostFile && f.seekable) return hostOp(() => fs.fsyncSync(f.hostFd));
    return f instanceof HostFile || f instanceof HostDir ? 0 : -Errno.EINVAL;
  },
  fdatasync(t: Task, a: number[]): SyscallResult { return pathCalls.fsync(t, a); },
};
