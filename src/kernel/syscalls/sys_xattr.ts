// Extended attributes (fs/xattr.c): get/set/list/remove on a path (following or not a final
// symlink) or an fd. The host file system stores them (and answers ENODATA, ERANGE, ENOTSUP,
// EEXIST for XATTR_CREATE, ENODATA for XATTR_REPLACE as it does); ucrun checks the guest's
// permissions first: reading needs read permission and writing write permission (user.*),
// trusted.* and security.* are CAP_SYS_ADMIN's (hidden from others: ENODATA, EPERM), and a
// name is 1..255 bytes (ERANGE), a value at most 64 KiB (E2BIG).
import type { Stats } from 'node:fs';
import * as fs from 'node:fs';
import { stringToBytes } from '../../abi/bytes.js';
import { StringTooLong } from '../../mm/guest_memory.js';
import { CAP } from '../creds.js';
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import type { SyscallResult } from '../wait.js';
import { HostDir, HostFile } from '../vfs/hostfs.js';
import { cPath, lastErrno, libc } from '../vfs/libc.js';
import { lookup } from '../vfs/open.js';
import { MAY_READ, MAY_WRITE, permitted } from '../vfs/permission.js';

const XATTR_NAME_MAX = 255, XATTR_SIZE_MAX = 65536, XATTR_LIST_MAX = 65536;
const XATTR_CREATE = 1, XATTR_REPLACE = 2;

type Target = { st: Stats; path?: Buffer; fd?: number };

function pathTarget(t: Task, pathAddr: number, follow: boolean): Target | number {
  const r = lookup(t, -100, t.mem.cstring(pathAddr), follow);
  if (typeof r === 'number') return r;
  if (r.vdir || r.vfile || r.vlink !== undefined) return -Errno.ENOTSUP; // procfs and sysfs have no user xattrs
  if (!r.st) return -Errno.ENOENT;
  return { st: r.st, path: cPath(r.host) };
}

function fdTarget(t: Task, fd: number): Target | number {
  const f = t.proc.fds.get(fd | 0);
  if (!f) return -Errno.EBADF;
  if (!(f instanceof HostFile || f instanceof HostDir) || (f instanceof HostFile && !f.ownsFd)) return -Errno.ENOTSUP;
  return { st: fs.fstatSync(f.hostFd), fd: f.hostFd };
}

/** The attribute name as bytes (NUL-terminated), or -ERANGE for an empty or too long one. */
function nameOf(t: Task, addr: number): Buffer | number {
  let s: string;
  try { s = t.mem.cstring(addr, XATTR_NAME_MAX + 1); } catch (e) { if (e instanceof StringTooLong) return -Errno.ERANGE; throw e; }
  if (s.length === 0) return -Errno.ERANGE;
  return cPath(stringToBytes(s));
}

const privileged = (name: Buffer) => name.subarray(0, 8).toString('latin1') === 'trusted.' || name.subarray(0, 9).toString('latin1') === 'security.';

function getx(t: Task, tg: Target | number, nameAddr: number, value: number, sizeArg: number): SyscallResult {
  if (typeof tg === 'number') return tg;
  const name = nameOf(t, nameAddr);
  if (typeof name === 'number') return name;
  const c = t.proc.creds;
  if (privileged(name) && !c.capable(CAP.CAP_SYS_ADMIN)) return -Errno.ENODATA;
  if (!permitted(c, tg.st, MAY_READ)) return -Errno.EACCES;
  const size = Math.min(sizeArg >>> 0, XATTR_SIZE_MAX);
  const buf = size ? Buffer.alloc(size) : null;
  const r = tg.fd !== undefined ? libc().fgetxattr(tg.fd, name, buf, size) : libc().lgetxattr(tg.path!, name, buf, size);
  if (r < 0) return lastErrno();
  if (buf && r > 0) t.mem.write(value, buf.subarray(0, r));
  return r;
}

function setx(t: Task, tg: Target | number, nameAddr: number, value: number, sizeArg: number, flags: number): SyscallResult {
  if (typeof tg === 'number') return tg;
  if (flags & ~(XATTR_CREATE | XATTR_REPLACE)) return -Errno.EINVAL;
  const name = nameOf(t, nameAddr);
  if (typeof name === 'number') return name;
  const size = sizeArg >>> 0;
  if (size > XATTR_SIZE_MAX) return -Errno.E2BIG;
  const c = t.proc.creds;
  if (privileged(name) && !c.capable(CAP.CAP_SYS_ADMIN)) return -Errno.EPERM;
  // xattr_permission: user.* on a regular file or directory needs write permission (and the
  // sticky-directory owner rule, not modelled); the owner check for other files is the host's.
  if (!permitted(c, tg.st, MAY_WRITE)) return -Errno.EACCES;
  const data = Buffer.from(size ? t.mem.read(value, size) : new Uint8Array(0));
  const r = tg.fd !== undefined ? libc().fsetxattr(tg.fd, name, data, size, flags) : libc().lsetxattr(tg.path!, name, data, size, flags);
  return r < 0 ? lastErrno() : 0;
}

function listx(t: Task, tg: Target | number, list: number, sizeArg: number): SyscallResult {
  if (typeof tg === 'number') return tg;
  const size = Math.min(sizeArg >>> 0, XATTR_LIST_MAX);
  const all = Buffer.alloc(XATTR_LIST_MAX);
  const r = tg.fd !== undefined ? libc().flistxattr(tg.fd, all, XATTR_LIST_MAX) : libc().llistxattr(tg.path!, all, XATTR_LIST_MAX);
  if (r < 0) return lastErrno();
  // Names only CAP_SYS_ADMIN may read are not listed for others.
  const admin = t.proc.creds.capable(CAP.CAP_SYS_ADMIN);
  const names = all.subarray(0, r).toString('latin1').split('\0').filter((n) => n && (admin || !privileged(Buffer.from(n, 'latin1'))));
  const out = Buffer.from(names.map((n) => n + '\0').join(''), 'latin1');
  if (size === 0) return out.length;
  if (out.length > size) return -Errno.ERANGE;
  t.mem.write(list, out);
  return out.length;
}

function removex(t: Task, tg: Target | number, nameAddr: number): SyscallResult {
  if (typeof tg === 'number') return tg;
  const name = nameOf(t, nameAddr);
  if (typeof name === 'number') return name;
  const c = t.proc.creds;
  if (privileged(name) && !c.capable(CAP.CAP_SYS_ADMIN)) return -Errno.EPERM;
  if (!permitted(c, tg.st, MAY_WRITE)) return -Errno.EACCES;
  const r = tg.fd !== undefined ? libc().fremovexattr(tg.fd, name) : libc().lremovexattr(tg.path!, name);
  return r < 0 ? lastErrno() : 0;
}

export const xattrCalls = {
  /** getxattr(2) */
  getxattr: (t: Task, [p, n, v, s]: number[]): SyscallResult => getx(t, pathTarget(t, p, true), n, v, s),
  /** lgetxattr(2) */
  lgetxattr: (t: Task, [p, n, v, s]: number[]): SyscallResult => getx(t, pathTarget(t, p, false), n, v, s),
  /** fgetxattr(2) */
  fgetxattr: (t: Task, [fd, n, v, s]: number[]): SyscallResult => getx(t, fdTarget(t, fd), n, v, s),
  /** setxattr(2) */
  setxattr: (t: Task, [p, n, v, s, f]: number[]): SyscallResult => setx(t, pathTarget(t, p, true), n, v, s, f),
  /** lsetxattr(2) */
  lsetxattr: (t: Task, [p, n, v, s, f]: number[]): SyscallResult => setx(t, pathTarget(t, p, false), n, v, s, f),
  /** fsetxattr(2) */
  fsetxattr: (t: Task, [fd, n, v, s, f]: number[]): SyscallResult => setx(t, fdTarget(t, fd), n, v, s, f),
  /** listxattr(2) */
  listxattr: (t: Task, [p, l, s]: number[]): SyscallResult => listx(t, pathTarget(t, p, true), l, s),
  /** llistxattr(2) */
  llistxattr: (t: Task, [p, l, s]: number[]): SyscallResult => listx(t, pathTarget(t, p, false), l, s),
  /** flistxattr(2) */
  flistxattr: (t: Task, [fd, l, s]: number[]): SyscallResult => listx(t, fdTarget(t, fd), l, s),
  /** removexattr(2) */
  removexattr: (t: Task, [p, n]: number[]): SyscallResult => removex(t, pathTarget(t, p, true), n),
  /** lremovexattr(2) */
  lremovexattr: (t: Task, [p, n]: number[]): SyscallResult => removex(t, pathTarget(t, p, false), n),
  /** fremovexattr(2) */
  fremovexattr: (t: Task, [fd, n]: number[]): SyscallResult => removex(t, fdTarget(t, fd), n),
};
