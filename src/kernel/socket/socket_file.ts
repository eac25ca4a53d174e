// SocketFile: the VFS face of a UnixSocket (net/socket.c sock_read_iter/sock_write_iter,
// sock_poll, sock_close). Reads and writes are recv/send with no flags; the transport
// below never sees an fd.
import type { Stat } from '../../arch/stat.js';
import type { PhysChunk } from '../../mm/guest_memory.js';
import { IOCTL } from '../abi.js';
import { Errno } from '../errno.js';
import { progress, waitOrAgain } from '../io.js';
import type { Task } from '../task.js';
import { OpenFile, S_IFSOCK } from '../vfs/file.js';
import type { SyscallResult, WaitQueue } from '../wait.js';
import { MSG_DONTWAIT, MSG_NOSIGNAL, UnixAddress } from './types.js';
import { Ancillary, Creds, UnixSocket } from './unix.js';
import { raiseSigpipe } from '../signal_delivery.js';

let nextIno = 100000;

/** The credentials every message carries (scm_send sets them from the sending process). */
export const senderCreds = (t: Task): Creds => ({ pid: t.proc.pid, uid: t.proc.creds.euid, gid: t.proc.creds.egid });
const O_NONBLOCK = 0o4000; // the same on every arch

export interface RecvOutcome { n: number; msgFlags: number; from?: UnixAddress; anc?: Ancillary; peeked?: boolean; cred?: Creds }

export class SocketFile extends OpenFile {
  readonly ino = nextIno++;
  readonly ctime = Date.now();

  constructor(readonly sock: UnixSocket, flags: number) { super(flags, `socket:[${nextIno - 1}]`); }

  override get waitq(): WaitQueue { return this.sock.waitq; }
  nonblock(flags = 0): boolean { return (this.flags & O_NONBLOCK) !== 0 || (flags & MSG_DONTWAIT) !== 0; }

  stat(): Stat {
    const s = Math.floor(this.ctime / 1000), ns = (this.ctime % 1000) * 1e6;
    return { dev: 8, ino: this.ino, mode: S_IFSOCK | 0o777, nlink: 1, uid: this.sock.creds.uid, gid: this.sock.creds.gid,
      rdev: 0, size: 0, blksize: 4096, blocks: 0, atimeSec: s, atimeNsec: ns, mtimeSec: s, mtimeNsec: ns, ctimeSec: s, ctimeNsec: ns };
  }

  /** sendmsg core: SIGPIPE on EPIPE unless MSG_NOSIGNAL (and the process may die of it). */
  send(t: Task, src: PhysChunk[], len: number, flags: number, anc?: Ancillary): SyscallResult {
    const r = this.sock.send(src, len, progress(t), progress(t) === 0 ? anc : undefined, senderCreds(t));
    if (typeof r === 'number') {
      if (r === -Errno.EPIPE && !(flags & MSG_NOSIGNAL)) raiseSigpipe(t);
      return r;
    }
    return waitOrAgain(t, r, this.nonblock(flags), this.waitq);
  }

  /** sendto with an address on a datagram socket. */
  sendTo(t: Task, target: UnixSocket, src: PhysChunk[], len: number, flags: number, anc?: Ancillary): SyscallResult {
    const r = this.sock.sendToSocket(target, src, len, anc, senderCreds(t));
    if (typeof r === 'number') return r;
    return waitOrAgain(t, r, this.nonblock(flags), target.waitq);
  }

  /** recvmsg core; `out` receives msg_flags and the sender's address. */
  recv(t: Task, dst: PhysChunk[], len: number, flags: number, out?: RecvOutcome): SyscallResult {
    const r = this.sock.recv(dst, len, flags, progress(t));
    if ('wait' in r) return waitOrAgain(t, r, this.nonblock(flags), this.waitq);
    if (out) { out.n = r.n; out.msgFlags = r.msgFlags; out.from = r.from; out.anc = r.anc; out.peeked = r.peeked; out.cred = r.cred; }
    else if (r.anc && !r.peeked) r.anc.dispose(); // read(2): files sent with the data are closed
    return r.n;
  }

  override read(t: Task, dst: PhysChunk[], len: number): SyscallResult { return this.recv(t, dst, len, 0); }
  override write(t: Task, src: PhysChunk[], len: number): SyscallResult { return this.send(t, src, len, 0); }
  override poll(): number { return this.sock.pollMask(); }

  override ioctl(t: Task, req: number, arg: number): SyscallResult {
    if (req === IOCTL.FIONREAD) { t.mem.setI32(arg, this.sock.inq()); return 0; }
    if (req === IOCTL.TIOCOUTQ) { t.mem.setI32(arg, this.sock.wmem); return 0; }
    return -Errno.ENOTTY;
  }

  override release(): void { this.sock.release(); }
}
