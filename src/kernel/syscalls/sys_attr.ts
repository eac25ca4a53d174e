// Ownership and times: chown, fchown, lchown, fchownat; utimensat, futimesat, utimes, utime
// (fs/open.c chown_common, fs/attr.c setattr_prepare, fs/utimes.c).
//
// The host file is changed when the host allows it (ucrun running as root); otherwise the
// owner the guest set is recorded for this run (vfs/owners.ts) and shown by stat. Times are set
// on the host with libc's utimensat/futimens (nanoseconds, UTIME_NOW and UTIME_OMIT as given).
import * as fs from 'node:fs';
import { cPath, lastErrno, libc } from '../vfs/libc.js';
import { AT } from '../abi.js';
import { CAP } from '../creds.js';
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import type { SyscallResult } from '../wait.js';
import { HostDir, HostFile, hostErrno } from '../vfs/hostfs.js';
import { lookup } from '../vfs/open.js';
import { setOwner } from '../vfs/owners.js';
import { fsEvent, fsnotify, IN, watching } from '../vfs/inotify.js';
import { guestNode, MAY_WRITE, ownerOrCapable, permitted } from '../vfs/permission.js';

const { AT_FDCWD, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH } = AT;
const UTIME_NOW = (1 << 30) - 1, UTIME_OMIT = (1 << 30) - 2;
/** The host's AT_FDCWD and AT_SYMLINK_NOFOLLOW (x86_64 Linux: the host ucrun runs on). */
const HOST_AT_FDCWD = -100, HOST_AT_SYMLINK_NOFOLLOW = 0x100;

type Target = { st: fs.Stats; host?: Buffer; fd?: number };

/** The node a path or fd call acts on (AT_EMPTY_PATH: the fd itself). */
function target(t: Task, dirfd: number, pathAddr: number, flags: number): Target | number {
  if (pathAddr !== 0 || !(flags & AT_EMPTY_PATH)) {
    const path = t.mem.cstring(pathAddr);
    if (path !== '' || !(flags & AT_EMPTY_PATH)) {
      const r = lookup(t, dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) === 0);
      if (typeof r === 'number') return r;
      if (r.vdir || r.vfile || r.vlink !== undefined) return -Errno.EPERM; // the kernel's own nodes
      if (!r.st) return -Errno.ENOENT;
      return { st: r.st, host: r.host };
    }
  }
  return fdTarget(t, dirfd);
}

function fdTarget(t: Task, fd: number): Target | number {
  const f = t.proc.fds.get(fd);
  if (!f) return -Errno.EBADF;
  if (f instanceof HostFile || f instanceof HostDir) {
    if (f instanceof HostFile && !f.ownsFd) return -Errno.EPERM; // ucrun's own std streams
    return { st: fs.fstatSync(f.hostFd), fd: f.hostFd };
  }
  return -Errno.EPERM; // pipes, sockets: no inode of the guest's to change here
}

/** chown_common: the permission rules (CAP_CHOWN, or the owner giving the file to one of its groups). */
function chownTo(t: Task, tg: Target, uidArg: number, gidArg: number, follow: boolean): number {
  const u = uidArg >>> 0, g = gidArg >>> 0;
  const uid = u === 0xffffffff ? -1 : u, gid = g === 0xffffffff ? -1 : g;
  const c = t.proc.creds;
  const cur = guestNode(tg.st);
  const newUid = uid === -1 ? cur.uid : uid, newGid = gid === -1 ? cur.gid : gid;
  if (!c.capable(CAP.CAP_CHOWN)) {
    if (newUid !== cur.uid) return -Errno.EPERM;
    if (newGid !== cur.gid && !(c.fsuid === cur.uid && c.inGroup(newGid))) return -Errno.EPERM;
  }
  try {
    if (tg.fd !== undefined) fs.fchownSync(tg.fd, newUid, newGid);
    else if (follow) fs.chownSync(tg.host!, newUid, newGid);
    else fs.lchownSync(tg.host!, newUid, newGid);
    setOwner(tg.st.dev, tg.st.ino, newUid, newGid, newUid, newGid); // the host has it now
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'EINVAL') return hostErrno(e);
    // The host user may not: the guest's view has the new owner.
    setOwner(tg.st.dev, tg.st.ino, newUid, newGid, tg.st.uid, tg.st.gid);
  }
  attribChanged(t, tg);
  return 0;
}

/** utimensat's permission rule: explicit times need the owner (or CAP_FOWNER); "now" also write access. */
function mayTouch(t: Task, st: fs.Stats, explicit: boolean): number {
  const c = t.proc.creds;
  if (ownerOrCapable(c, st)) return 0;
  if (explicit) return -Errno.EPERM;
  return permitted(c, st, MAY_WRITE) ? 0 : -Errno.EACCES;
}

/** Set times (a 32-byte struct timespec[2], or null for now) on the target. */
function setTimes(t: Task, tg: Target, times: Buffer | null, follow: boolean): number {
  const explicit = times !== null && [0, 16].some((o) => {
    const ns = Number(times.readBigInt64LE(o + 8));
    return ns !== UTIME_NOW && ns !== UTIME_OMIT;
  });
  if (times && [0, 16].every((o) => Number(times.readBigInt64LE(o + 8)) === UTIME_OMIT)) return 0;
  const e = mayTouch(t, tg.st, explicit);
  if (e) return e;
  const r = tg.fd !== undefined ? libc().futimens(tg.fd, times)
    : libc().utimensat(HOST_AT_FDCWD, cPath(tg.host!), times, follow ? 0 : HOST_AT_SYMLINK_NOFOLLOW);
  if (r !== 0) return lastErrno();
  attribChanged(t, tg);
  return 0;
}

/** inotify: IN_ATTRIB for the node (and its watched directory when the path is known). */
function attribChanged(t: Task, tg: Target): void {
  if (!watching(t.kernel)) return;
  if (tg.host) fsEvent(t.kernel, IN.IN_ATTRIB, tg.host, tg.st.isDirectory());
  else fsnotify(t.kernel, IN.IN_ATTRIB, `${tg.st.dev}:${tg.st.ino}`, tg.st.isDirectory());
}

/** struct timespec[2] from the guest, checked like utimensat (EINVAL for a bad tv_nsec). */
function readTimespecs(t: Task, addr: number): Buffer | number {
  const b = Buffer.from(t.mem.read(addr, 32));
  for (const o of [0, 16]) {
    const ns = Number(b.readBigInt64LE(o + 8));
    if (ns !== UTIME_NOW && ns !== UTIME_OMIT && (ns < 0 || ns >= 1e9)) return -Errno.EINVAL;
  }
  return b;
}

/** struct timeval[2] (utimes, futimesat) as timespecs. */
function readTimevals(t: Task, addr: number): Buffer | number {
  const b = Buffer.from(t.mem.read(addr, 32));
  const out = Buffer.alloc(32);
  for (const o of [0, 16]) {
    const us = b.readBigInt64LE(o + 8);
    if (us < 0n || us >= 1000000n) return -Errno.EINVAL;
    out.writeBigInt64LE(b.readBigInt64LE(o), o);
    out.writeBigInt64LE(us * 1000n, o + 8);
  }
  return out;
}

export const attrCalls = {
  /** fchownat(2) */
  fchownat(t: Task, [dirfd, path, uid, gid, flags]: number[]): SyscallResult {
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -Errno.EINVAL;
    const tg = target(t, dirfd | 0, path, flags);
    return typeof tg === 'number' ? tg : chownTo(t, tg, uid, gid, (flags & AT_SYMLINK_NOFOLLOW) === 0);
  },
  chown(t: Task, [path, uid, gid]: number[]): SyscallResult { return attrCalls.fchownat(t, [AT_FDCWD, path, uid, gid, 0]); },
  lchown(t: Task, [path, uid, gid]: number[]): SyscallResult { return attrCalls.fchownat(t, [AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW]); },
  /** fchown(2) */
  fchown(t: Task, [fd, uid, gid]: number[]): SyscallResult {
    const tg = fdTarget(t, fd | 0);
    return typeof tg === 'number' ? tg : chownTo(t, tg, uid, gid, true);
  },
  /** utimensat(2): a NULL path with a dirfd is futimens */
  utimensat(t: Task, [dirfd, path, times, flags]: number[]): SyscallResult {
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -Errno.EINVAL;
    const ts = times ? readTimespecs(t, times) : null;
    if (typeof ts === 'number') return ts;
    const tg = path === 0 ? fdTarget(t, dirfd | 0) : target(t, dirfd | 0, path, flags);
    return typeof tg === 'number' ? tg : setTimes(t, tg, ts, (flags & AT_SYMLINK_NOFOLLOW) === 0);
  },
  /** futimesat(2), x86_64 */
  futimesat(t: Task, [dirfd, path, times]: number[]): SyscallResult {
    const ts = times ? readTimevals(t, times) : null;
    if (typeof ts === 'number') return ts;
    const tg = path === 0 ? fdTarget(t, dirfd | 0) : target(t, dirfd | 0, path, 0);
    return typeof tg === 'number' ? tg : setTimes(t, tg, ts, true);
  },
  /** utimes(2), x86_64 */
  utimes(t: Task, [path, times]: number[]): SyscallResult { return attrCalls.futimesat(t, [AT_FDCWD, path, times]); },
  /** utime(2), x86_64: struct utimbuf {actime, modtime} in seconds */
  utime(t: Task, [path, times]: number[]): SyscallResult {
    let ts: Buffer | null = null;
    if (times) {
      const b = Buffer.from(t.mem.read(times, 16));
      ts = Buffer.alloc(32);
      ts.writeBigInt64LE(b.readBigInt64LE(0), 0);
      ts.writeBigInt64LE(b.readBigInt64LE(8), 16);
    }
    const tg = target(t, AT_FDCWD, path, 0);
    return typeof tg === 'number' ? tg : setTimes(t, tg, ts, true);
  },
};
