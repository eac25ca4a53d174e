// The kernel's file interface: an open file description (what dup shares: offset and
// status flags) with the operations syscalls call on it. Data moves between a file and
// the guest as lists of physical chunks (see GuestMemory.chunks), so a pipe or socket can
// copy straight from guest pages without an intermediate buffer.
import type { Stat } from '../../arch/stat.js';
import { MODE } from '../abi.js';
import type { PhysChunk } from '../../mm/guest_memory.js';
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import { SyscallResult, WaitQueue } from '../wait.js';

export const POLLIN = 0x1;
export const POLLPRI = 0x2;
export const POLLOUT = 0x4;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;
export const POLLNVAL = 0x20;
export const POLLRDNORM = 0x40;
export const POLLWRNORM = 0x100;
export const POLLRDHUP = 0x2000;

export interface Dirent { ino: number; type: number; name: string }

/** File types as in S_IFMT (one definition: src/kernel/abi.ts MODE). */
export const { S_IFMT, S_IFSOCK, S_IFLNK, S_IFREG, S_IFBLK, S_IFDIR, S_IFCHR, S_IFIFO } = MODE;

/** Access mode bits of the status flags (O_ACCMODE). */
export const O_ACCMODE = 3;
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;

export abstract class OpenFile {
  /** File position (shared by every fd that dup'ed this description). */
  offset = 0;
  /** Open-time status flags, arch-neutral: access mode + the O_* bits fcntl F_GETFL shows. */
  flags: number;
  /** Number of fd-table slots (in any process) pointing here; release() runs at zero. */
  refs = 0;
  readonly #waitq = new WaitQueue();
  /**
   * Readiness changes are announced here (poll, blocking reads and writes). Files that share
   * state (the two ends of a pipe, a socket and its peer) may return a shared queue.
   */
  get waitq(): WaitQueue { return this.#waitq; }
  /** Guest path for strace, /proc/self/fd and error messages. */
  path: string;

  constructor(flags: number, path: string) { this.flags = flags; this.path = path; }

  get readable(): boolean { return (this.flags & O_ACCMODE) !== O_WRONLY; }
  get writable(): boolean { return (this.flags & O_ACCMODE) !== O_RDONLY; }
  /** lseek/pread/pwrite allowed (regular files, directories, some devices). */
  get seekable(): boolean { return false; }
  /** lseek succeeds without moving (noop_llseek: epoll and eventfd files); pread/pwrite still ESPIPE. */
  get noopSeek(): boolean { return false; }
  /** write() never reads the data (/dev/null, /dev/zero, /dev/full: write_null): only its range is checked. */
  get ignoresWriteData(): boolean { return false; }
  /** A directory: a *at() call may start from it, getdents64 lists it. */
  get isDirectory(): boolean { return false; }

  abstract stat(): Stat;

  /**
   * Read up to the chunks' total into guest memory at `pos` (pread) or the file offset (pos
   * undefined). Returns bytes read, -errno, or Block. `nonblock` is O_NONBLOCK or MSG_DONTWAIT.
   */
  read(_t: Task, _dst: PhysChunk[], _len: number, _pos: number | undefined): SyscallResult { return -Errno.EINVAL; }
  write(_t: Task, _src: PhysChunk[], _len: number, _pos: number | undefined): SyscallResult { return -Errno.EINVAL; }
  /** Directory entries from index `start` on (getdents64); undefined if not a directory. */
  dirents(): Dirent[] | undefined { return undefined; }
  ioctl(_t: Task, _req: number, _arg: number): SyscallResult { return -Errno.ENOTTY; }
  /** File-type fcntl commands (F_GETPIPE_SZ, ...); undefined means EINVAL. */
  fcntl?(t: Task, cmd: number, arg: number): SyscallResult | undefined;
  /** Current readiness as POLL* bits (poll, select, epoll). */
  poll(): number { return POLLIN | POLLOUT; }
  /** Size for SEEK_END. */
  size(): number { return this.stat().size; }
  truncate(_len: number): number { return -Errno.EINVAL; }
  /** The last reference is gone. */
  release(): void {}
  /** Also run when the last reference is gone (the description's OFD and flock locks). */
  onRelease: (() => void) | undefined;
}

/** Sum of chunk lengths. */
export const chunkBytes = (c: PhysChunk[]) => c.reduce((n, x) => n + x.len, 0);
