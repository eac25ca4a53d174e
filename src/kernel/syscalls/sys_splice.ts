// Moving data between files without user buffers (fs/read_write.c do_sendfile, fs/splice.c,
// copy_file_range): sendfile, copy_file_range, splice, tee, vmsplice. Bytes move through one
// kernel bounce buffer in guest-physical memory with the files' own read and write (so every
// file type keeps its semantics); a pipe source is peeked and only what the destination took
// is consumed, so nothing is lost when the destination takes less.
import { PAGE_SIZE } from '../../mm/physmem.js';
import type { PhysChunk } from '../../mm/guest_memory.js';
import { Errno } from '../errno.js';
import { Pipe, PipeEnd } from '../pipe/pipe.js';
import type { Kernel } from '../kernel.js';
import type { Task } from '../task.js';
import { Block, block, type SyscallResult } from '../wait.js';
import type { OpenFile } from '../vfs/file.js';
import { HostFile } from '../vfs/hostfs.js';
import { fileOf, iovChunks, MAX_RW_COUNT } from './sys_fs.js';

const BOUNCE_PAGES = 16;
const bounces = new WeakMap<Kernel, number>();
/** The kernel's bounce buffer (64 KiB, physically contiguous, kept for the kernel's life). */
function bounce(t: Task, n: number): PhysChunk[] {
  let first = bounces.get(t.kernel);
  if (first === undefined) { first = t.kernel.phys.allocContiguous(BOUNCE_PAGES); bounces.set(t.kernel, first); }
  return [{ pa: first * PAGE_SIZE, len: Math.min(n, BOUNCE_PAGES * PAGE_SIZE) }];
}
const CHUNK = BOUNCE_PAGES * PAGE_SIZE;

const SPLICE_F_NONBLOCK = 2;

/** An loff_t in/out pointer: its value, or undefined for NULL. */
function readOff(t: Task, addr: number): number | undefined { return addr ? t.mem.i64(addr) : undefined; }

/**
 * Copy up to `len` bytes from `src` (at `pos`, or its offset) to `dst` (at `dpos`, or its
 * offset/stream), chunk by chunk; stops at EOF, a short write, or when the destination would
 * block after some progress. Returns [bytes, new src pos, new dst pos] or -errno/Block.
 */
function copy(t: Task, src: OpenFile, pos: number | undefined, dst: OpenFile, dpos: number | undefined, len: number):
  { n: number; pos?: number; dpos?: number } | number | Block {
  let done = 0;
  while (done < len) {
    const want = Math.min(CHUNK, len - done);
    const buf = bounce(t, want);
    const at = pos === undefined ? undefined : pos + done;
    const r = src.read(t, buf, want, at === undefined ? (src.seekable ? src.offset : undefined) : at);
    if (r instanceof Block) { if (done > 0) break; return r; }
    if (r < 0) { if (done > 0) break; return r; }
    if (r === 0) break;
    const w = dst.write(t, [{ pa: buf[0].pa, len: r }], r, dpos === undefined ? undefined : dpos + done);
    if (w instanceof Block || (typeof w === 'number' && w < 0)) {
      if (done > 0) break;
      return w;
    }
    done += w;
    if (pos === undefined && src.seekable) src.offset += w;
    if (w < r) break;
  }
  return { n: done, pos: pos === undefined ? undefined : pos + done, dpos: dpos === undefined ? undefined : dpos + done };
}

const isRegular = (f: OpenFile) => f instanceof HostFile && f.seekable;

export const spliceCalls = {
  /** sendfile(2): from a seekable file to anything; *offset (if given) is used and updated instead of the file offset */
  sendfile(t: Task, [outFd, inFd, offp, count]: number[]): SyscallResult {
    const inF = fileOf(t, inFd | 0), outF = fileOf(t, outFd | 0);
    if (typeof inF === 'number') return inF;
    if (typeof outF === 'number') return outF;
    if (!inF.readable || !outF.writable) return -Errno.EBADF;
    if (!inF.seekable || inF.isDirectory) return -Errno.EINVAL;
    const off = readOff(t, offp);
    if (off !== undefined && off < 0) return -Errno.EINVAL;
    const len = count < 0 ? MAX_RW_COUNT : Math.min(count, MAX_RW_COUNT);
    if (len === 0) return 0;
    const r = copy(t, inF, off, outF, outF.seekable && !(outF instanceof PipeEnd) ? outF.offset : undefined, len);
    if (typeof r === 'number' || r instanceof Block) return r;
    if (outF.seekable) outF.offset += r.n;
    if (offp) t.mem.setU64(offp, r.pos!);
    return r.n;
  },
  /** copy_file_range(2): between regular files; offsets from the pointers or the files */
  copy_file_range(t: Task, [inFd, offIn, outFd, offOut, lenArg, flags]: number[]): SyscallResult {
    if (flags !== 0) return -Errno.EINVAL;
    const inF = fileOf(t, inFd | 0), outF = fileOf(t, outFd | 0);
    if (typeof inF === 'number') return inF;
    if (typeof outF === 'number') return outF;
    if (!inF.readable || !outF.writable) return -Errno.EBADF;
    if (inF.isDirectory || outF.isDirectory) return -Errno.EISDIR;
    if (!isRegular(inF) || !isRegular(outF)) return -Errno.EINVAL;
    if ((outF as HostFile).append()) return -Errno.EBADF;
    const pin = readOff(t, offIn) ?? inF.offset, pout = readOff(t, offOut) ?? outF.offset;
    if (pin < 0 || pout < 0) return -Errno.EINVAL;
    const len = Math.min(lenArg, MAX_RW_COUNT);
    if (len === 0) return 0;
    // The same file with overlapping ranges is EINVAL (generic_copy_file_checks).
    const a = (inF as HostFile).stat(), b = (outF as HostFile).stat();
    if (a.dev === b.dev && a.ino === b.ino && pin < pout + len && pout < pin + len) return -Errno.EINVAL;
    const r = copy(t, inF, pin, outF, pout, len);
    if (typeof r === 'number' || r instanceof Block) return r;
    if (offIn) t.mem.setU64(offIn, r.pos!); else inF.offset = r.pos!;
    if (offOut) t.mem.setU64(offOut, r.dpos!); else outF.offset = r.dpos!;
    return r.n;
  },
  /** splice(2): one end a pipe; pipe offsets are ESPIPE */
  splice(t: Task, [inFd, offIn, outFd, offOut, lenArg, flags]: number[]): SyscallResult {
    const inF = fileOf(t, inFd | 0), outF = fileOf(t, outFd | 0);
    if (typeof inF === 'number') return inF;
    if (typeof outF === 'number') return outF;
    if (!inF.readable || !outF.writable) return -Errno.EBADF;
    const inPipe = inF instanceof PipeEnd ? inF.pipe : undefined, outPipe = outF instanceof PipeEnd ? outF.pipe : undefined;
    if (!inPipe && !outPipe) return -Errno.EINVAL;
    if ((inPipe && offIn) || (outPipe && offOut)) return -Errno.ESPIPE;
    if (inPipe && inPipe === outPipe) return -Errno.EINVAL;
    const len = Math.min(lenArg, MAX_RW_COUNT);
    if (len === 0) return 0;
    const nonblock = (flags & SPLICE_F_NONBLOCK) !== 0;
    if (inPipe) return fromPipe(t, inPipe, inF as PipeEnd, outF, outPipe, offOut, len, nonblock);
    // Into a pipe: at most what fits, from the file's position (or *off_in).
    const room = outPipe!.room;
    if (outPipe!.readers === 0) return -Errno.EPIPE;
    if (room === 0) return nonblock ? -Errno.EAGAIN : block([outPipe!.waitq]);
    const pos = offIn ? readOff(t, offIn) : undefined;
    if (pos !== undefined && (pos < 0 || !inF.seekable)) return pos < 0 ? -Errno.EINVAL : -Errno.ESPIPE;
    const r = copy(t, inF, pos, outF, undefined, Math.min(len, room));
    if (typeof r === 'number' || r instanceof Block) return r;
    if (offIn) t.mem.setU64(offIn, r.pos!);
    return r.n;
  },
  /** tee(2): duplicate up to len bytes from one pipe into another, consuming nothing */
  tee(t: Task, [inFd, outFd, lenArg, flags]: number[]): SyscallResult {
    const inF = fileOf(t, inFd | 0), outF = fileOf(t, outFd | 0);
    if (typeof inF === 'number') return inF;
    if (typeof outF === 'number') return outF;
    if (!(inF instanceof PipeEnd) || !(outF instanceof PipeEnd) || !inF.readable || !outF.writable) return -Errno.EINVAL;
    if (inF.pipe === outF.pipe) return -Errno.EINVAL;
    const src = inF.pipe, dst = outF.pipe;
    const nonblock = (flags & SPLICE_F_NONBLOCK) !== 0;
    if (src.queued === 0) {
      if (src.writers === 0) return 0;
      return nonblock ? -Errno.EAGAIN : block([src.waitq]);
    }
    if (dst.readers === 0) return -Errno.EPIPE;
    const n = Math.min(lenArg >>> 0, src.queued, dst.room, CHUNK);
    if (n === 0) return nonblock ? -Errno.EAGAIN : block([dst.waitq]);
    const buf = bounce(t, n);
    const got = src.peek(buf, n);
    return outF.write(t, [{ pa: buf[0].pa, len: got }], got, undefined);
  },
  /** vmsplice(2): user memory into a pipe (a write end), or a pipe into user memory (a read end) */
  vmsplice(t: Task, [fd, iov, nr, flags]: number[]): SyscallResult {
    const f = fileOf(t, fd | 0);
    if (typeof f === 'number') return f;
    if (!(f instanceof PipeEnd)) return -Errno.EBADF;
    const chunks = iovChunks(t, iov, nr | 0, f.readable);
    if (typeof chunks === 'number') return chunks;
    const n = chunks.reduce((a, c) => a + c.len, 0);
    if (n === 0) return 0;
    const save = f.flags;
    if (flags & SPLICE_F_NONBLOCK) f.flags |= t.proc.arch.o.O_NONBLOCK;
    try { return f.readable ? f.read(t, chunks, n, undefined) : f.write(t, chunks, n, undefined); } finally { f.flags = save; }
  },
};

/** splice out of a pipe: peek, hand to the destination, consume what it took. */
function fromPipe(t: Task, src: Pipe, inF: PipeEnd, outF: OpenFile, outPipe: Pipe | undefined, offOut: number, len: number, nonblock: boolean): SyscallResult {
  if (src.queued === 0) {
    if (src.writers === 0) return 0;
    return nonblock || (inF.flags & t.proc.arch.o.O_NONBLOCK) ? -Errno.EAGAIN : block([src.waitq]);
  }
  let n = Math.min(len, src.queued, CHUNK);
  if (outPipe) {
    if (outPipe.readers === 0) return -Errno.EPIPE;
    n = Math.min(n, outPipe.room);
    if (n === 0) return nonblock ? -Errno.EAGAIN : block([outPipe.waitq]);
  }
  const pos = offOut ? readOff(t, offOut) : undefined;
  if (pos !== undefined && (pos < 0 || !outF.seekable)) return pos < 0 ? -Errno.EINVAL : -Errno.ESPIPE;
  const buf = bounce(t, n);
  const got = src.peek(buf, n);
  const w = outF.write(t, [{ pa: buf[0].pa, len: got }], got, pos ?? (outF.seekable ? outF.offset : undefined));
  if (w instanceof Block || w < 0) return w;
  src.consume(w);
  if (pos !== undefined) t.mem.setU64(offOut, pos + w);
  else if (outF.seekable) outF.offset += w;
  return w;
}
