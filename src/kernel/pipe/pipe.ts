// Pipes on the AssemblyScript byte ring (fs/pipe.c; xv6's pipe.c for the shape).
//
// Invariants:
// - One ring per pipe, capacity = the pipe size (65536 by default, F_SETPIPE_SZ changes it).
// - `readers`/`writers` count open read/write ends; at zero writers a drained pipe reads 0,
//   at zero readers a write fails with EPIPE (and SIGPIPE).
// - Space is counted in page slots as Linux does (size / 4096 of them): a small write merges
//   into the last page only if it fits there whole, so a pipe can be "full" with fewer than
//   `size` bytes, and reading 1 byte from a full pipe frees no slot.
// - Writes of at most PIPE_BUF bytes are atomic: they fit in one step or wait.
// - Packet mode (O_DIRECT on the writing file): each write is packets of at most PIPE_BUF
//   bytes, one per slot, and a read returns at most one packet, discarding what does not fit.
// - Both ends share one wait queue, notified after every change that can unblock anyone.
import type { Stat } from '../../arch/stat.js';
import { faultsAfter, type PhysChunk, type UserChunks } from '../../mm/guest_memory.js';
import { PAGE_SIZE } from '../../mm/physmem.js';
import { FCNTL, IOCTL } from '../abi.js';
import { CAP } from '../creds.js';
import { Errno } from '../errno.js';
import { progress, waitOrAgain } from '../io.js';
import { ByteRing, ringTransfer } from '../ring.js';
import { raiseSigpipe } from '../signal_delivery.js';
import type { Task } from '../task.js';
import { O_RDONLY, O_WRONLY, OpenFile, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM, S_IFIFO } from '../vfs/file.js';
import { SyscallResult, WaitQueue } from '../wait.js';
import type { RingHost } from '../socket/unix.js';

export const PIPE_BUF = 4096;
export const PIPE_DEF_SIZE = 65536;
/** /proc/sys/fs/pipe-max-size. */
export const PIPE_MAX_SIZE = 1 << 20;
const O_NONBLOCK = 0o4000;

let nextIno = 200000;

export class Pipe {
  readonly ring: ByteRing;
  readers = 0;
  writers = 0;
  /** Opens for reading / writing ever made (fifo_open's r_counter / w_counter). */
  readOpens = 0;
  writeOpens = 0;
  /** Called when no end is left (a FIFO forgets its pipe: the next open makes a new one). */
  onLastClose: (() => void) | undefined;
  readonly waitq = new WaitQueue();
  /**
   * The page buffers ("slots") holding the queued bytes, oldest first; their bytes are the
   * ring's, in order. `off` is where the data starts in its page (reads advance it).
   */
  readonly bufs: { off: number; len: number; packet: boolean }[] = [];
  readonly ino = nextIno++;
  readonly ctime = Date.now();

  constructor(readonly host: RingHost, readonly o: { O_DIRECT: number }) {
    this.ring = new ByteRing(host.ring, host.phys, PIPE_DEF_SIZE);
  }

  get size(): number { return this.ring.capacity; }
  get slots(): number { return this.size / PAGE_SIZE; }
  get full(): boolean { return this.bufs.length >= this.slots; }

  /** F_SETPIPE_SZ (pipe_set_size): a power of two pages; EBUSY if the queued slots do not fit. */
  resize(arg: number, privileged: boolean): number {
    if (arg > 2 ** 31) return -Errno.EINVAL;
    const size = Math.max(PAGE_SIZE, 2 ** Math.ceil(Math.log2(Math.max(arg, 1))));
    if (size > PIPE_MAX_SIZE && !privileged) return -Errno.EPERM;
    if (size / PAGE_SIZE < this.bufs.length) return -Errno.EBUSY;
    if (!this.ring.resize(size)) return -Errno.EBUSY;
    this.waitq.notify();
    return size;
  }

  read(dst: PhysChunk[], len: number, nonblock: boolean, t: Task): SyscallResult {
    if (this.bufs.length === 0) {
      if (this.writers === 0) return 0;
      return waitOrAgain(t, { wait: true, done: 0 }, nonblock, this.waitq);
    }
    let got = 0;
    // pipe_read copies buffer by buffer: one that would cross into the unmapped end of the
    // destination faults and stays queued (EFAULT if nothing was copied before it).
    const partial = faultsAfter(dst);
    while (got < len && this.bufs.length > 0) {
      const b = this.bufs[0];
      if (partial && b.len > len - got) { if (got === 0) return -Errno.EFAULT; break; }
      const take = Math.min(b.len, len - got);
      ringTransfer(dst, got, take, (pa, k) => this.ring.read(pa, k));
      got += take;
      b.off += take; b.len -= take;
      // A packet is read whole: what did not fit is discarded (pipe_read, PIPE_BUF_FLAG_PACKET).
      if (b.packet && b.len > 0) { this.ring.discard(b.len); b.len = 0; }
      if (b.len === 0) this.bufs.shift();
      if (b.packet) break;
    }
    this.waitq.notify();
    return got;
  }

  write(src: PhysChunk[], len: number, nonblock: boolean, packet: boolean, t: Task): SyscallResult {
    let done = progress(t);
    if (this.readers === 0) {
      if (done > 0) return done;
      raiseSigpipe(t);
      return -Errno.EPIPE;
    }
    // pipe_write: the tail of a write (len % PAGE_SIZE) merges into the last page if it fits
    // there whole; everything else takes whole pages. A write of at most PIPE_BUF bytes thus
    // fits in one step or waits: it is atomic. A source readable only in part (`requested`
    // bytes asked) moves the steps that lie wholly in the readable part; none is EFAULT.
    const asked = faultsAfter(src) ? (src as UserChunks).requested ?? len : len;
    if (asked !== len) {
      const merge = done === 0 && !packet ? asked % PAGE_SIZE : 0;
      const last = this.bufs[this.bufs.length - 1];
      const merges = merge > 0 && last !== undefined && !last.packet && last.off + last.len + merge <= PAGE_SIZE;
      const head = merges ? merge : 0;
      if (head > len) return done > 0 ? done : -Errno.EFAULT;
      len = head + Math.floor((len - head) / PAGE_SIZE) * PAGE_SIZE;
      if (len <= done) return done > 0 ? done : -Errno.EFAULT;
    }
    if (done === 0 && !packet) {
      const chars = asked % PAGE_SIZE;
      const last = this.bufs[this.bufs.length - 1];
      if (chars && last && !last.packet && last.off + last.len + chars <= PAGE_SIZE) {
        this.#copy(src, 0, chars);
        last.len += chars;
        done = chars;
      }
    }
    while (done < len && !this.full) {
      const take = Math.min(PAGE_SIZE, len - done);
      this.#copy(src, done, take);
      this.bufs.push({ off: 0, len: take, packet });
      done += take;
    }
    if (done > 0) this.waitq.notify();
    if (done >= len) return done;
    return waitOrAgain(t, { wait: true, done }, nonblock, this.waitq);
  }

  /** Copy `n` bytes starting `skip` bytes into the guest chunks onto the ring (the caller made room). */
  #copy(src: PhysChunk[], skip: number, n: number): void {
    ringTransfer(src, skip, n, (pa, k) => this.ring.write(pa, k));
  }

  /** Copy up to `len` queued bytes into `dst` without consuming them (splice and tee to a slower end). */
  peek(dst: PhysChunk[], len: number): number {
    return ringTransfer(dst, 0, Math.min(len, this.ring.used), (pa, k, moved) => this.ring.peek(pa, k, moved));
  }

  /** Drop `n` queued bytes from the front (after a peek whose bytes went elsewhere). */
  consume(n: number): void {
    while (n > 0 && this.bufs.length > 0) {
      const b = this.bufs[0];
      const k = Math.min(n, b.len);
      this.ring.discard(k);
      b.off += k; b.len -= k; n -= k;
      if (b.len === 0) this.bufs.shift();
    }
    this.waitq.notify();
  }

  /** Bytes that fit before the pipe is full (whole free slots). */
  get room(): number { return (this.slots - this.bufs.length) * PAGE_SIZE; }

  /** Bytes queued (FIONREAD). */
  get queued(): number { return this.ring.used; }

  stat(): Stat {
    const s = Math.floor(this.ctime / 1000), ns = (this.ctime % 1000) * 1e6;
    return { dev: 13, ino: this.ino, mode: S_IFIFO | 0o600, nlink: 1, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0,
      rdev: 0, size: 0, blksize: 4096, blocks: 0, atimeSec: s, atimeNsec: ns, mtimeSec: s, mtimeNsec: ns, ctimeSec: s, ctimeNsec: ns };
  }
}

/** One end of a pipe (a file description opened O_RDONLY or O_WRONLY). */
export class PipeEnd extends OpenFile {
  constructor(readonly pipe: Pipe, flags: number) {
    super(flags, `pipe:[${pipe.ino}]`);
    if (this.readable) { pipe.readers++; pipe.readOpens++; }
    if (this.writable) { pipe.writers++; pipe.writeOpens++; }
  }

  override get waitq(): WaitQueue { return this.pipe.waitq; }
  stat(): Stat { return this.pipe.stat(); }
  override size(): number { return 0; }

  override read(t: Task, dst: PhysChunk[], len: number, pos: number | undefined): SyscallResult {
    if (pos !== undefined) return -Errno.ESPIPE;
    return this.pipe.read(dst, len, (this.flags & O_NONBLOCK) !== 0, t);
  }

  override write(t: Task, src: PhysChunk[], len: number, pos: number | undefined): SyscallResult {
    if (pos !== undefined) return -Errno.ESPIPE;
    const packet = (this.flags & this.pipe.o.O_DIRECT) !== 0;
    // Packet writes split at PIPE_BUF; each piece is one packet (fs/pipe.c is_packetized).
    return this.pipe.write(src, len, (this.flags & O_NONBLOCK) !== 0, packet, t);
  }

  /** pipe_poll: readable ends see data and HUP, writable ends see room and ERR. */
  override poll(): number {
    const p = this.pipe;
    let m = 0;
    if (this.readable) {
      if (p.bufs.length > 0) m |= POLLIN | POLLRDNORM;
      if (p.writers === 0) m |= POLLHUP;
    }
    if (this.writable) {
      if (!p.full) m |= POLLOUT | POLLWRNORM;
      if (p.readers === 0) m |= POLLERR;
    }
    return m;
  }

  override ioctl(t: Task, req: number, arg: number): SyscallResult {
    if (req === IOCTL.FIONREAD) { t.mem.setI32(arg, this.pipe.queued); return 0; }
    return -Errno.ENOTTY;
  }

  override fcntl(t: Task, cmd: number, arg: number): SyscallResult | undefined {
    if (cmd === FCNTL.F_GETPIPE_SZ) return this.pipe.size;
    if (cmd === FCNTL.F_SETPIPE_SZ) return this.pipe.resize(arg >>> 0, t.proc.creds.capable(CAP.CAP_SYS_RESOURCE));
    return undefined;
  }

  override release(): void {
    const p = this.pipe;
    if (this.readable) p.readers--;
    if (this.writable) p.writers--;
    p.waitq.notify();
    if (p.readers === 0 && p.writers === 0) { p.ring.destroy(); p.onLastClose?.(); }
  }
}

export const pipeModes = { read: O_RDONLY, write: O_WRONLY };
