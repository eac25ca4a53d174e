// Pipes on the AssemblyScript byte ring (fs/pipe.c; xv6's pipe.c for the shape).
//
// Invariants:
// - One ring per pipe, capacity = the pipe size (65536 by default, F_SETPIPE_SZ changes it).
// - `readers`/`writers` count open read/write ends; at zero writers a drained pipe reads 0,
//   at zero readers a write fails with EPIPE (and SIGPIPE).
// - Writes of at most PIPE_BUF bytes are atomic: they wait until the whole write fits.
// - Packet mode (O_DIRECT on the writing file): each write is one packet of at most
//   PIPE_BUF bytes, and a read returns at most one packet, discarding what does not fit.
// - Both ends share one wait queue, notified after every change that can unblock anyone.
import type { Stat } from '../../arch/stat.js';
import type { PhysChunk } from '../../mm/guest_memory.js';
import { FCNTL, IOCTL } from '../abi.js';
import { TaskExit } from '../dispatch.js';
import { Errno } from '../errno.js';
import { progress, waitOrAgain } from '../io.js';
import { ByteRing } from '../ring.js';
import { Signal } from '../signals.js';
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
  readonly waitq = new WaitQueue();
  /** Lengths of queued packets (packet-mode writes), oldest first; bytes outside packets are plain. */
  readonly packets: number[] = [];
  readonly ino = nextIno++;
  readonly ctime = Date.now();

  constructor(readonly host: RingHost, readonly o: { O_DIRECT: number }) {
    this.ring = new ByteRing(host.ring, host.phys, PIPE_DEF_SIZE);
  }

  get size(): number { return this.ring.capacity; }

  /** F_SETPIPE_SZ: rounds up to a power of two pages; EBUSY if the queued data does not fit. */
  resize(bytes: number): number {
    if (bytes > PIPE_MAX_SIZE) return -Errno.EPERM;
    const size = Math.max(4096, 2 ** Math.ceil(Math.log2(Math.max(bytes, 1))));
    if (size < this.ring.used) return -Errno.EBUSY;
    if (!this.ring.resize(size)) return -Errno.EBUSY;
    this.waitq.notify();
    return size;
  }

  read(dst: PhysChunk[], len: number, nonblock: boolean, t: Task): SyscallResult {
    const ring = this.ring;
    if (ring.used === 0) {
      if (this.writers === 0) return 0;
      return waitOrAgain(t, { wait: true, done: 0 }, nonblock, this.waitq);
    }
    let want = Math.min(len, ring.used);
    const packet = this.packets.length > 0 ? this.packets[0] : 0;
    if (packet) want = Math.min(len, packet);
    let got = 0;
    for (const c of dst) {
      if (got >= want) break;
      got += ring.read(c.pa, Math.min(c.len, want - got));
    }
    if (packet) { this.packets.shift(); ring.discard(packet - got); }
    this.waitq.notify();
    return got;
  }

  write(src: PhysChunk[], len: number, nonblock: boolean, packet: boolean, t: Task): SyscallResult {
    let done = progress(t);
    if (this.readers === 0) {
      if (done > 0) return done;
      if (t.kernel.signalSelf(t, Signal.SIGPIPE)) throw new TaskExit();
      return -Errno.EPIPE;
    }
    const ring = this.ring;
    // pipe_write: a write of at most PIPE_BUF bytes goes in whole or waits.
    if (len <= PIPE_BUF && ring.free < len) return waitOrAgain(t, { wait: true, done }, nonblock, this.waitq);
    const before = done;
    let skip = done;
    for (const c of src) {
      if (skip >= c.len) { skip -= c.len; continue; }
      const take = Math.min(c.len - skip, len - done, ring.free);
      if (take <= 0) break;
      const n = ring.write(c.pa + skip, take);
      done += n;
      skip = 0;
      if (n < take) break;
    }
    if (packet) for (let left = done - before; left > 0; left -= PIPE_BUF) this.packets.push(Math.min(left, PIPE_BUF));
    this.waitq.notify();
    if (done >= len) return done;
    return waitOrAgain(t, { wait: true, done }, nonblock, this.waitq);
  }

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
    if (this.readable) pipe.readers++;
    if (this.writable) pipe.writers++;
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
      if (p.ring.used > 0) m |= POLLIN | POLLRDNORM;
      if (p.writers === 0) m |= POLLHUP;
    }
    if (this.writable) {
      if (p.ring.free > 0 && p.ring.free >= Math.min(PIPE_BUF, p.size)) m |= POLLOUT | POLLWRNORM;
      if (p.readers === 0) m |= POLLERR;
    }
    return m;
  }

  override ioctl(t: Task, req: number, arg: number): SyscallResult {
    if (req === IOCTL.FIONREAD) { t.mem.setI32(arg, this.pipe.ring.used); return 0; }
    return -Errno.ENOTTY;
  }

  override fcntl(_t: Task, cmd: number, arg: number): SyscallResult | undefined {
    if (cmd === FCNTL.F_GETPIPE_SZ) return this.pipe.size;
    if (cmd === FCNTL.F_SETPIPE_SZ) return this.pipe.resize(arg >>> 0);
    return undefined;
  }

  override release(): void {
    const p = this.pipe;
    if (this.readable) p.readers--;
    if (this.writable) p.writers--;
    p.waitq.notify();
    if (p.readers === 0 && p.writers === 0) p.ring.destroy();
  }
}

export const pipeModes = { read: O_RDONLY, write: O_WRONLY };
