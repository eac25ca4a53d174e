// Opening guest paths: resolution relative to a dirfd, the kernel's own nodes (devices,
// /proc/self/exe), and host-backed files. Returns an OpenFile or -errno.
import * as fs from 'node:fs';
import { Errno } from '../errno.js';
import type { Process, Task } from '../task.js';
import { DeviceFile, isDevice } from './devices.js';
import type { FdTable } from './fdtable.js';
import { O_ACCMODE, O_RDONLY, O_WRONLY, OpenFile } from './file.js';
import { HOST_POLL_MS, HostDir, HostFile, hostErrno } from './hostfs.js';
import { hostPoll } from './hostpoll.js';
import { block, type Block } from '../wait.js';
import { POLLHUP, POLLIN } from './file.js';
import { hostPath, resolvePath, Resolved } from './path.js';
import { MAY_EXEC, MAY_READ, MAY_WRITE, overridesAll, permitted, stickyOk } from './permission.js';
import { setOwner } from './owners.js';
import { isGuestFifo, openGuestFifo } from './fifo.js';
import { fsEvent, IN } from './inotify.js';
import { kernelNodes } from './procfs.js';
import { ProcDir, ProcFile } from './procfs_files.js';
import { AT, OpenFlagName } from '../abi.js';

const { AT_FDCWD } = AT;
type OpenFlags = Readonly<Record<OpenFlagName, number>>;

/** fds 0, 1, 2 on the host's own std streams (shared with ucrun, never closed on the host). */
export function stdStreams(fds: FdTable): void {
  const modes = [O_RDONLY, O_WRONLY, O_WRONLY];
  for (let fd = 0; fd < 3; fd++) {
    let hostFd = fd;
    try { fs.fstatSync(fd); } catch { hostFd = fs.openSync('/dev/null', fd === 0 ? 'r' : 'w'); }
    const flags = hostModes(hostFd) ?? modes[fd];
    const f = new HostFile(hostFd, flags, ['<stdin>', '<stdout>', '<stderr>'][fd], false,
      () => false, hostFd !== fd);
    fds.installAt(fd, f, false);
  }
}

/** The access mode of a host fd, from /proc/self/fdinfo (O_RDWR for a tty opened read-write). */
function hostModes(fd: number): number | undefined {
  try {
    const info = fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
    const m = /flags:\s+([0-7]+)/.exec(info);
    return m ? parseInt(m[1], 8) & (O_ACCMODE | 0o2000 /* O_APPEND, the same on every arch */) : undefined;
  } catch { return undefined; }
}

/** The guest directory a *at() call starts from: cwd for AT_FDCWD or an absolute path. */
export function dirBase(p: Process, dirfd: number, path: string): string | number {
  if (path.startsWith('/') || dirfd === AT_FDCWD) return p.cwd;
  const f = p.fds.get(dirfd);
  if (!f) return -Errno.EBADF;
  if (!f.isDirectory) return -Errno.ENOTDIR;
  return f.path;
}

const inRoot = new Map<string, boolean>();
/** Does the guest root have this top-level directory on the host? (cached) */
const rootHas = (root: string, dir: string): boolean => {
  const key = `${root}\0${dir}`;
  let v = inRoot.get(key);
  if (v === undefined) inRoot.set(key, (v = fs.existsSync(root === '/' ? dir : `${root}${dir}`)));
  return v;
};

export function lookup(t: Task, dirfd: number, path: string, follow: boolean): Resolved | number {
  const p = t.proc;
  const base = dirBase(p, dirfd, path);
  if (typeof base === 'number') return base;
  const c = p.creds;
  const search = overridesAll(c) ? undefined : (dir: fs.Stats) => permitted(c, dir, MAY_EXEC);
  return resolvePath(p.kernel.root, base, path, follow, kernelNodes(t, (dir) => rootHas(p.kernel.root, dir)), search);
}

/** The host lstat of the directory holding `r` (never above the guest root). */
export function parentOf(t: Task, r: Resolved): fs.Stats | undefined {
  const dir = r.guest.replace(/\/[^/]*$/, '') || '/';
  try { return fs.lstatSync(hostPath(t.kernel.root, dir)); } catch { return undefined; }
}

/**
 * may_create / may_delete on the directory holding `r`: write and search permission there, and
 * for a removal (`victim`) the sticky-bit rule. 0 or -EACCES/-EPERM.
 */
export function mayChangeDir(t: Task, r: Resolved, victim?: fs.Stats): number {
  const c = t.proc.creds;
  if (overridesAll(c) && !victim) return 0;
  const dir = parentOf(t, r);
  if (!dir) return 0;
  if (!permitted(c, dir, MAY_WRITE | MAY_EXEC)) return -Errno.EACCES;
  if (victim && !stickyOk(c, dir, victim)) return -Errno.EPERM;
  return 0;
}

/** Record the creator's ids as the owner of a node it made, where the host made it as someone else. */
export function ownNew(t: Task, host: Buffer | number): void {
  try {
    const st = typeof host === 'number' ? fs.fstatSync(host) : fs.lstatSync(host);
    const c = t.proc.creds;
    if (st.uid !== c.fsuid || st.gid !== c.fsgid) setOwner(st.dev, st.ino, c.fsuid, c.fsgid, st.uid, st.gid);
  } catch { /* gone */ }
}

export interface OpenRequest { dirfd: number; path: string; flags: number; mode: number }

/**
 * openat(2) minus fd installation. `o` holds the arch's O_DIRECTORY/O_NOFOLLOW values. A Block
 * result parks the task and the call is made again (a FIFO waiting for its other end).
 */
export function openFile(t: Task, req: OpenRequest, o: OpenFlags): OpenFile | number | Block {
  const p = t.proc;
  const { flags } = req;
  const acc = flags & O_ACCMODE;
  if (acc === 3) return -Errno.EINVAL;
  // O_CREAT|O_EXCL and O_NOFOLLOW never follow a final symlink (fs/namei.c: open_last_lookups).
  const { O_CREAT, O_EXCL, O_TRUNC, O_APPEND } = o;
  const follow = (flags & o.O_NOFOLLOW) === 0 && (flags & (O_CREAT | O_EXCL)) !== (O_CREAT | O_EXCL);
  const r = lookup(t, req.dirfd, req.path, follow);
  if (typeof r === 'number') return r;
  if (isDevice(r.guest)) return new DeviceFile(flags, r.guest);
  if (r.vdir) {
    if (acc !== O_RDONLY || (flags & O_CREAT)) return -Errno.EISDIR;
    return new ProcDir(flags, r.guest, r.vdir);
  }
  if (r.vfile) {
    if (flags & o.O_DIRECTORY) return -Errno.ENOTDIR;
    if (r.vfile.open) return r.vfile.open(flags, r.guest);
    return acc === O_RDONLY ? new ProcFile(flags, r.guest, r.vfile.content()) : -Errno.EACCES;
  }
  if (r.vlink !== undefined || (r.st?.isSymbolicLink() && (flags & o.O_NOFOLLOW))) return -Errno.ELOOP;
  if (r.st && (flags & O_CREAT) && (flags & O_EXCL)) return -Errno.EEXIST;
  if (!r.st && !(flags & O_CREAT)) return -Errno.ENOENT;
  // may_open with the guest's credentials (the host opens as ucrun's user).
  const c = p.creds;
  if (r.st && !overridesAll(c) && !r.st.isSymbolicLink()) {
    const mask = (acc !== O_WRONLY ? MAY_READ : 0) | (acc !== O_RDONLY || (flags & O_TRUNC) ? MAY_WRITE : 0);
    if (!permitted(c, r.st, mask)) return -Errno.EACCES;
  }
  if (!r.st) { const e = mayChangeDir(t, r); if (e) return e; }
  if (r.st?.isDirectory()) {
    if (acc !== O_RDONLY || (flags & O_CREAT)) return -Errno.EISDIR;
    try {
      const fd = fs.openSync(r.host, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
      const d = new HostDir(r.host, flags, r.guest, fd);
      d.notify = { kernel: t.kernel, host: r.host };
      fsEvent(t.kernel, IN.IN_OPEN, r.host, true);
      return d;
    } catch (e) { return hostErrno(e); }
  }
  if (flags & o.O_DIRECTORY) return r.st ? -Errno.ENOTDIR : -Errno.ENOENT;
  let hflags = acc === O_RDONLY ? fs.constants.O_RDONLY : acc === O_WRONLY ? fs.constants.O_WRONLY : fs.constants.O_RDWR;
  if (flags & O_CREAT) hflags |= fs.constants.O_CREAT;
  if (flags & O_EXCL) hflags |= fs.constants.O_EXCL;
  if (flags & O_TRUNC) hflags |= fs.constants.O_TRUNC;
  hflags |= fs.constants.O_NOFOLLOW;
  // Host sockets and devices are not served through the host; FIFOs are (openHostFifo).
  const fifo = r.st?.isFIFO() === true;
  if (r.st && !r.st.isFile() && !fifo) return -Errno.ENXIO;
  if (fifo && r.st) return isGuestFifo(t, r.st) ? openGuestFifo(t, r.st, r.host, r.guest, flags) : openHostFifo(t, r.host, r.guest, flags, o);
  hflags |= fs.constants.O_NONBLOCK;
  try {
    const fd = fs.openSync(r.host, hflags, req.mode & ~p.umask & 0o7777);
    if (!r.st) ownNew(t, fd);
    const hst = fs.fstatSync(fd);
    if (!(flags & O_CREAT) && !hst.isFile() && !(fifo && hst.isFIFO())) {
      fs.closeSync(fd);
      return -Errno.ENXIO;
    }
    const file: HostFile = new HostFile(fd, flags, r.guest, !hst.isFIFO(), () => (file.flags & O_APPEND) !== 0);
    file.notify = { kernel: t.kernel, host: r.host };
    if (!r.st) fsEvent(t.kernel, IN.IN_CREATE, r.host, false);
    fsEvent(t.kernel, IN.IN_OPEN, r.host, false);
    if (r.st && (flags & O_TRUNC) && acc !== O_RDONLY) fsEvent(t.kernel, IN.IN_MODIFY, r.host, false);
    return file;
  } catch (e) { return hostErrno(e); }
}

/**
 * A host FIFO (fifo_open). The host end is always opened non-blocking (a blocking open would stop
 * the whole emulator) and served as a stream whose reads and writes are polled (HostFile); a
 * blocking open waits by parking the task and trying again every HOST_POLL_MS, interruptible
 * by signals:
 * - O_RDONLY waits for a writer. The host FIFO shows a writer only once it has written or
 *   closed (poll: POLLIN or POLLHUP), so a writer that opens and then waits before writing keeps
 *   this open waiting (Linux returns at the writer's open; the first read would wait anyway).
 *   The reader end is held across the retries, so a host writer's blocking open goes on.
 * - O_WRONLY waits for a reader; with O_NONBLOCK no reader is ENXIO.
 * - O_RDWR and O_RDONLY|O_NONBLOCK never wait.
 */
function openHostFifo(t: Task, host: Buffer, guest: string, flags: number, o: OpenFlags): OpenFile | number | Block {
  const acc = flags & O_ACCMODE;
  const nonblock = (flags & o.O_NONBLOCK) !== 0;
  const { O_RDONLY: R, O_WRONLY: W, O_RDWR: RW, O_NONBLOCK: NB, O_NOFOLLOW: NF } = fs.constants;
  const served = (fd: number) => new HostFile(fd, flags, guest, false, () => false, true, true);
  const later = () => block([], performance.now() + HOST_POLL_MS);
  if (acc === O_WRONLY) {
    try { return served(fs.openSync(host, W | NB | NF)); } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENXIO' && !nonblock) return later();
      return hostErrno(e);
    }
  }
  if (acc !== O_RDONLY || nonblock) {
    try { return served(fs.openSync(host, (acc === O_RDONLY ? R : RW) | NB | NF)); } catch (e) { return hostErrno(e); }
  }
  let fd = t.callState.fifoFd - 1;
  if (!(fd >= 0)) {
    try { fd = fs.openSync(host, R | NB | NF); } catch (e) { return hostErrno(e); }
    t.callState.fifoFd = fd + 1;
    t.abandon = () => { try { fs.closeSync(fd); } catch { /* gone */ } };
  }
  if ((hostPoll(fd, POLLIN) & (POLLIN | POLLHUP)) === 0) return later();
  t.abandon = undefined;
  return served(fd);
}
