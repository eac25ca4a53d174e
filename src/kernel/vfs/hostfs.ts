// Files backed by host files: regular files, directories and the host's std streams.
// Data is read into one host buffer and copied to the guest's physical chunks (and the
// reverse for writes); host errors map to the same Linux errno.
import * as fs from 'node:fs';
import { isatty } from 'node:tty';
import { bytesToString } from '../../abi/bytes.js';
import type { Stat } from '../../arch/stat.js';
import { copyFromChunks, copyToChunks, type PhysChunk } from '../../mm/guest_memory.js';
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import { block, type SyscallResult } from '../wait.js';
import { Dirent, OpenFile, POLLERR, POLLHUP, POLLIN, POLLOUT, S_IFDIR, S_IFLNK, S_IFREG } from './file.js';
import { hostPoll } from './hostpoll.js';
import { lastErrno, libc } from './libc.js';
import { ownerOf } from './owners.js';
import { fsEvent, IN } from './inotify.js';
import { hostIoctl } from './host_tty.js';

/** Host error -> -errno (node reports the Linux name in `code`). */
export function hostErrno(e: unknown): number {
  const code = (e as NodeJS.ErrnoException)?.code;
  const n = code ? (Errno as Record<string, number>)[code] : undefined;
  if (n === undefined) throw e;
  return -n;
}

export function statFromHost(s: fs.BigIntStats): Stat {
  const sec = (ns: bigint) => Number(ns / 1_000_000_000n);
  const nsec = (ns: bigint) => Number(ns % 1_000_000_000n);
  const o = ownerOf(s.dev, s.ino); // what a guest chown recorded (owners.ts)
  return {
    dev: Number(s.dev), ino: Number(s.ino), mode: Number(s.mode), nlink: Number(s.nlink),
    uid: o?.uid ?? Number(s.uid), gid: o?.gid ?? Number(s.gid), rdev: Number(s.rdev), size: Number(s.size),
    blksize: Number(s.blksize), blocks: Number(s.blocks),
    atimeSec: sec(s.atimeNs), atimeNsec: nsec(s.atimeNs), mtimeSec: sec(s.mtimeNs), mtimeNsec: nsec(s.mtimeNs),
    ctimeSec: sec(s.ctimeNs), ctimeNsec: nsec(s.ctimeNs), birthSec: sec(s.birthtimeNs), birthNsec: nsec(s.birthtimeNs),
  };
}

let scratch = Buffer.alloc(1 << 16);
function scratchOf(n: number): Buffer {
  if (scratch.length < n) scratch = Buffer.alloc(Math.max(n, scratch.length * 2));
  return scratch;
}

/** How often a task waiting on a host stream looks again (ms). */
export const HOST_POLL_MS = 5;


/** A host file descriptor: regular files and the std streams. */
export class HostFile extends OpenFile {
  constructor(
    readonly hostFd: number, flags: number, path: string,
    /** Positional I/O (regular files); false for streams, which use the host's own offset. */
    readonly positional: boolean,
    /** O_APPEND as the arch encodes it, checked on write. */
    readonly append: () => boolean,
    readonly ownsFd = true,
    /**
     * The host fd is O_NONBLOCK (a FIFO ucrun opened): a read asks the host first, which says
     * EOF (no writer), data, or EAGAIN; only then does a blocking read park.
     */
    readonly hostNonblocking = false,
  ) { super(flags, path); }

  override get seekable(): boolean { return this.positional; }

  /** Set by open: where inotify events about this file go (the kernel and the host path). */
  notify: { kernel: object; host: Buffer } | undefined;

  #pollable: boolean | undefined;
  /**
   * The host fd can make a reader or writer wait (a pipe, FIFO, socket or terminal): only those
   * are polled before I/O, so regular files and /dev/null cost no extra host call.
   */
  get #mayBlock(): boolean {
    if (this.#pollable === undefined) {
      let st: fs.Stats | undefined;
      try { st = fs.fstatSync(this.hostFd); } catch { /* closed: the I/O itself reports it */ }
      this.#pollable = !!st && (st.isFIFO() || st.isSocket() || (st.isCharacterDevice() && isatty(this.hostFd)));
    }
    return this.#pollable;
  }

  /** Not ready for `events`: the result to return (see #later), else undefined. */
  #notReady(t: Task, events: number): SyscallResult | undefined {
    if (!this.#mayBlock || hostPoll(this.hostFd, events) & (events | POLLHUP | POLLERR)) return undefined;
    return this.#later(t);
  }

  /** EAGAIN under O_NONBLOCK, else park and look again shortly. */
  #later(t: Task): SyscallResult {
    return this.flags & t.proc.arch.o.O_NONBLOCK ? -Errno.EAGAIN : block([], performance.now() + HOST_POLL_MS);
  }

  stat(): Stat { return statFromHost(fs.fstatSync(this.hostFd, { bigint: true })); }

  override read(t: Task, dst: PhysChunk[], len: number, pos: number | undefined): SyscallResult {
    // A host stream (terminal, pipe, FIFO) is polled, never waited on: with nothing to read the
    // task parks and retries every few ms, interruptible by signals like any blocking read.
    if (!this.hostNonblocking) {
      const wait = this.#notReady(t, POLLIN);
      if (wait !== undefined) return wait;
    }
    const buf = scratchOf(len);
    let n: number;
    try {
      n = fs.readSync(this.hostFd, buf, 0, len, this.positional ? (pos ?? this.offset) : null);
    } catch (e) {
      // Another reader of the same host stream took the data between poll and read.
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return this.#later(t);
      return hostErrno(e);
    }
    copyToChunks(t.kernel.phys.u8, dst, buf.subarray(0, n));
    if (this.positional && pos === undefined) this.offset += n;
    if (this.notify && n > 0) fsEvent(this.notify.kernel, IN.IN_ACCESS, this.notify.host, false);
    return n;
  }

  override write(t: Task, src: PhysChunk[], len: number, pos: number | undefined): SyscallResult {
    // A full host stream is polled like an empty one on read (never a host wait).
    const wait = this.#notReady(t, POLLOUT);
    if (wait !== undefined) return wait;
    // scratch is shared: used only until the next read/write.
    const buf = copyFromChunks(t.kernel.phys.u8, src, scratchOf(len));
    try {
      let at: number | null = null;
      if (this.positional) at = pos ?? (this.append() ? fs.fstatSync(this.hostFd).size : this.offset);
      const n = writeAll(this.hostFd, buf, len, at);
      if (this.positional && pos === undefined) this.offset = (at as number) + n;
      if (this.notify && n > 0) fsEvent(this.notify.kernel, IN.IN_MODIFY, this.notify.host, false);
      return n;
    } catch (e) { return hostErrno(e); }
  }

  /**
   * lseek on the host fd from the guest's offset `cur` (the host's own offset is not used:
   * positional I/O), so limits and SEEK_DATA/SEEK_HOLE are the host file system's. Returns the
   * new offset or -errno.
   */
  hostSeek(off: bigint, whence: number, cur: number): number {
    if (whence === 1 /* SEEK_CUR */) { off += BigInt(cur); whence = 0; if (off < 0n) return -Errno.EINVAL; }
    if (whence > 4) return -Errno.EINVAL;
    const r = libc().lseek(this.hostFd, off, whence);
    const n = typeof r === 'bigint' ? Number(r) : r;
    return n < 0 ? lastErrno() : n;
  }

  override truncate(len: number): number {
    try { fs.ftruncateSync(this.hostFd, len); } catch (e) { return hostErrno(e); }
    if (this.notify) fsEvent(this.notify.kernel, IN.IN_MODIFY, this.notify.host, false);
    return 0;
  }

  override ioctl(t: Task, req: number, arg: number): SyscallResult { return hostIoctl(t, this.hostFd, req, arg); }

  override poll(): number { return this.#mayBlock ? hostPoll(this.hostFd) : POLLIN | POLLOUT; }

  override release(): void {
    if (this.notify) fsEvent(this.notify.kernel, this.writable ? IN.IN_CLOSE_WRITE : IN.IN_CLOSE_NOWRITE, this.notify.host, false);
    if (this.ownsFd) try { fs.closeSync(this.hostFd); } catch { /* already gone */ }
  }
}

function writeAll(fd: number, buf: Buffer, len: number, at: number | null): number {
  let done = 0;
  while (done < len) {
    let n: number;
    try { n = fs.writeSync(fd, buf, done, len - done, at === null ? null : at + done); } catch (e) {
      // A non-blocking host stream took part of it: report that much (a short write).
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN' && done > 0) return done;
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN' && at === null) { sleepMs(1); continue; }
      if (done > 0) return done;
      throw e;
    }
    done += n;
  }
  return done;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
export function sleepMs(ms: number): void { Atomics.wait(sleepCell, 0, 0, ms); }

/** A host directory: getdents64 lists it (plus . and ..) in a stable order. */
export class HostDir extends OpenFile {
  #entries: Dirent[] | undefined;

  constructor(readonly hostPath: Buffer, flags: number, path: string, readonly hostFd: number) { super(flags, path); }

  override get seekable(): boolean { return true; }
  override get isDirectory(): boolean { return true; }
  stat(): Stat { return statFromHost(fs.fstatSync(this.hostFd, { bigint: true })); }
  override read(): SyscallResult { return -Errno.EISDIR; }
  override write(): SyscallResult { return -Errno.EBADF; }

  override dirents(): Dirent[] {
    if (this.#entries && this.offset !== 0) return this.#entries;
    const self = fs.statSync(this.hostPath);
    // The guest root's `..` is itself (chroot): never the host directory above the root.
    const parent = this.path === '/' ? self : fs.statSync(Buffer.concat([this.hostPath, Buffer.from('/..')]));
    const out: Dirent[] = [{ ino: self.ino, type: 4, name: '.' }, { ino: parent.ino, type: 4, name: '..' }];
    // Names are bytes: listed as Buffers, kept as byte strings (src/abi/bytes.ts).
    for (const d of fs.readdirSync(this.hostPath, { withFileTypes: true, encoding: 'buffer' })) {
      let ino = 0;
      try { ino = fs.lstatSync(Buffer.concat([this.hostPath, Buffer.from('/'), d.name])).ino; } catch { continue; }
      out.push({ ino, type: direntType(d), name: bytesToString(d.name) });
    }
    return (this.#entries = out);
  }

  override release(): void {
    if (this.notify) fsEvent(this.notify.kernel, IN.IN_CLOSE_NOWRITE, this.notify.host, true);
    try { fs.closeSync(this.hostFd); } catch { /* gone */ }
  }

  /** Set by open: where inotify events about this directory go. */
  notify: { kernel: object; host: Buffer } | undefined;
}

/** DT_* from a host dirent (include/linux/fs_types.h: DT_FIFO 1 … DT_SOCK 12). */
function direntType(d: fs.Dirent<Buffer>): number {
  if (d.isFIFO()) return 1;
  if (d.isCharacterDevice()) return 2;
  if (d.isDirectory()) return 4;
  if (d.isBlockDevice()) return 6;
  if (d.isFile()) return 8;
  if (d.isSymbolicLink()) return 10;
  if (d.isSocket()) return 12;
  return 0;
}

export const isDirMode = (m: number) => (m & 0o170000) === S_IFDIR;
export const isRegMode = (m: number) => (m & 0o170000) === S_IFREG;
export const isLnkMode = (m: number) => (m & 0o170000) === S_IFLNK;
