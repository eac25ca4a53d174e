// mq_open, mq_unlink, mq_timedsend, mq_timedreceive, mq_notify, mq_getsetattr (ipc/mqueue.c).
// A queue descriptor is an fd (MqFile) whose description holds O_NONBLOCK; names are the
// kernel's own (glibc passes them without the leading '/').
import type { Stat } from '../../arch/stat.js';
import type { PhysChunk } from '../../mm/guest_memory.js';
import { copyFromChunks, copyToChunks } from '../../mm/guest_memory.js';
import { SIGEVENT_LAYOUT, SIGINFO_LAYOUT } from '../abi.js';
import { CAP } from '../creds.js';
import { Errno } from '../errno.js';
import { MessageQueue, MQ, mqNamespace } from '../ipc/mqueue.js';
import { sendSignal } from '../signal_delivery.js';
import type { Task } from '../task.js';
import { block, type SyscallResult } from '../wait.js';
import { readTimespec } from './sys_time.js';
import { O_ACCMODE, O_RDONLY, O_WRONLY, OpenFile, POLLIN, POLLOUT, S_IFREG } from '../vfs/file.js';
import { MAY_READ, MAY_WRITE, permitted } from '../vfs/permission.js';
import { virtualStat } from '../vfs/procfs_files.js';

const SIGEV_SIGNAL = 0, SIGEV_NONE = 1, SIGEV_THREAD = 2;
const SI_MESGQ = -3;
const NAME_MAX = 255;

class MqFile extends OpenFile {
  constructor(flags: number, readonly q: MessageQueue) { super(flags, `/dev/mqueue/${q.name}`); q.refs++; }
  stat(): Stat { const s = virtualStat(this.path, S_IFREG | this.q.mode); return { ...s, uid: this.q.uid, gid: this.q.gid }; }
  override poll(): number { return (this.q.messages.length ? POLLIN : 0) | (this.q.full ? 0 : POLLOUT); }
  override get waitq() { return this.q.waitq; }
  /** Reading the fd gives the queue's status line, as mqueuefs does. */
  override read(t: Task, dst: PhysChunk[], len: number): SyscallResult {
    const n = this.q.notify;
    const line = `QSIZE:${String(this.q.bytes).padEnd(10)} NOTIFY:${n ? (n.none ? 1 : 0) : 0}     SIGNO:${n?.signo ?? 0}     NOTIFY_PID:${n?.pid ?? 0}     \n`;
    const b = Buffer.from(line).subarray(0, len);
    copyToChunks(t.kernel.phys.u8, dst, b);
    return b.length;
  }
  override release(): void { this.q.refs--; }
}

function mqOf(t: Task, fd: number): MqFile | number {
  const f = t.proc.fds.get(fd | 0);
  if (!f) return -Errno.EBADF;
  return f instanceof MqFile ? f : -Errno.EBADF;
}

/** A deadline from an absolute CLOCK_REALTIME timespec (ms on performance.now()), or -errno. */
function deadline(t: Task, addr: number): number | undefined {
  if (!addr) return undefined;
  const ns = readTimespec(t, addr);
  if (typeof ns === 'number') return ns;
  return performance.now() + (Number(ns) / 1e6 - Date.now());
}

export const mqueueCalls = {
  /** mq_open(2): name without '/', O_CREAT with mode and an optional struct mq_attr */
  mq_open(t: Task, [nameAddr, oflag, mode, attr]: number[]): SyscallResult {
    const name = t.mem.cstring(nameAddr, NAME_MAX + 1);
    if (name.length === 0 || name.includes('/')) return -Errno.EACCES;
    const o = t.proc.arch.o;
    const ns = mqNamespace(t.kernel);
    const c = t.proc.creds;
    let q = ns.byName.get(name);
    if (q && (oflag & o.O_CREAT) && (oflag & o.O_EXCL)) return -Errno.EEXIST;
    if (!q) {
      if (!(oflag & o.O_CREAT)) return -Errno.ENOENT;
      let maxmsg: number = MQ.MSG_DEFAULT, msgsize: number = MQ.MSGSIZE_DEFAULT;
      if (attr) {
        maxmsg = t.mem.i64(attr + 8); msgsize = t.mem.i64(attr + 16);
        if (maxmsg <= 0 || msgsize <= 0) return -Errno.EINVAL;
        if (!c.capable(CAP.CAP_SYS_RESOURCE) && (maxmsg > MQ.MSG_MAX || msgsize > MQ.MSGSIZE_MAX)) return -Errno.EINVAL;
      }
      if (ns.byName.size >= MQ.QUEUES_MAX) return -Errno.ENOSPC;
      q = new MessageQueue(name, maxmsg, msgsize, mode & 0o777 & ~t.proc.umask, c.euid, c.egid);
      ns.byName.set(name, q);
    } else {
      const acc = oflag & O_ACCMODE;
      const mask = (acc !== O_WRONLY ? MAY_READ : 0) | (acc !== O_RDONLY ? MAY_WRITE : 0);
      if (!permitted(c, { mode: S_IFREG | q.mode, uid: q.uid, gid: q.gid, dev: 0, ino: 0 }, mask)) return -Errno.EACCES;
    }
    if ((oflag & O_ACCMODE) === 3) return -Errno.EINVAL;
    const f = new MqFile((oflag & O_ACCMODE) | (oflag & o.O_NONBLOCK), q);
    const fd = t.proc.fds.install(f, (oflag & o.O_CLOEXEC) !== 0);
    if (fd < 0) f.release();
    return fd;
  },
  /** mq_unlink(2): the name goes now, the queue when its last descriptor closes */
  mq_unlink(t: Task, [nameAddr]: number[]): SyscallResult {
    const name = t.mem.cstring(nameAddr, NAME_MAX + 1);
    const ns = mqNamespace(t.kernel);
    const q = ns.byName.get(name);
    if (!q) return -Errno.ENOENT;
    const c = t.proc.creds;
    if (q.uid !== c.euid && !c.capable(CAP.CAP_FOWNER)) return -Errno.EACCES;
    ns.byName.delete(name);
    q.unlinked = true;
    return 0;
  },
  /** mq_timedsend(2): waits for room unless O_NONBLOCK; the timeout is absolute CLOCK_REALTIME */
  mq_timedsend(t: Task, [fd, ptr, len, prio, timeout]: number[]): SyscallResult {
    const f = mqOf(t, fd);
    if (typeof f === 'number') return f;
    if (!f.writable) return -Errno.EBADF;
    if ((prio >>> 0) >= MQ.PRIO_MAX) return -Errno.EINVAL;
    if (len > f.q.msgsize || len < 0) return -Errno.EMSGSIZE;
    if (f.q.full) {
      if (f.flags & t.proc.arch.o.O_NONBLOCK) return -Errno.EAGAIN;
      const dl = t.callState.deadline ?? (t.callState.deadline = deadline(t, timeout) ?? -1);
      if (dl < -1) return dl;
      if (dl >= 0 && performance.now() >= dl) return -Errno.ETIMEDOUT;
      return block([f.q.waitq], dl >= 0 ? dl : undefined);
    }
    const data = len ? copyFromChunks(t.kernel.phys.u8, t.mem.chunks(ptr, len, false), new Uint8Array(len)) : new Uint8Array(0);
    if (f.q.push({ prio: prio >>> 0, data }) && f.q.notify && f.q.waitq.size === 0) {
      const n = f.q.notify;
      f.q.notify = undefined;
      const p = t.kernel.processes.get(n.pid);
      if (p && !n.none) {
        const raw = new Uint8Array(SIGINFO_LAYOUT.size);
        const dv = new DataView(raw.buffer);
        const F = SIGINFO_LAYOUT.fields;
        dv.setInt32(F.si_signo.offset, n.signo, true);
        dv.setInt32(F.si_code.offset, SI_MESGQ, true);
        dv.setInt32(F.si_pid.offset, t.proc.pid, true);
        dv.setUint32(F.si_uid.offset, t.proc.creds.uid, true);
        dv.setBigUint64(F.si_value.offset, n.value, true);
        sendSignal(p, { sig: n.signo, code: SI_MESGQ, pid: t.proc.pid, uid: t.proc.creds.uid, raw });
      }
    }
    return 0;
  },
  /** mq_timedreceive(2): the oldest message of the highest priority; EMSGSIZE if the buffer is smaller than mq_msgsize */
  mq_timedreceive(t: Task, [fd, ptr, len, priop, timeout]: number[]): SyscallResult {
    const f = mqOf(t, fd);
    if (typeof f === 'number') return f;
    if (!f.readable) return -Errno.EBADF;
    if (len < f.q.msgsize) return -Errno.EMSGSIZE;
    if (f.q.messages.length === 0) {
      if (f.flags & t.proc.arch.o.O_NONBLOCK) return -Errno.EAGAIN;
      const dl = t.callState.deadline ?? (t.callState.deadline = deadline(t, timeout) ?? -1);
      if (dl < -1) return dl;
      if (dl >= 0 && performance.now() >= dl) return -Errno.ETIMEDOUT;
      return block([f.q.waitq], dl >= 0 ? dl : undefined);
    }
    const m = f.q.messages[0];
    if (m.data.length) copyToChunks(t.kernel.phys.u8, t.mem.chunks(ptr, m.data.length, true), m.data);
    if (priop) t.mem.setU32(priop, m.prio);
    f.q.shift();
    return m.data.length;
  },
  /** mq_notify(2): register (one process per queue: EBUSY), or remove with NULL */
  mq_notify(t: Task, [fd, sevp]: number[]): SyscallResult {
    const f = mqOf(t, fd);
    if (typeof f === 'number') return f;
    const q = f.q;
    if (!sevp) { if (q.notify?.pid === t.proc.pid) q.notify = undefined; return 0; }
    const E = SIGEVENT_LAYOUT.fields;
    const value = t.mem.u64(sevp + E.sigev_value.offset), signo = t.mem.i32(sevp + E.sigev_signo.offset);
    const how = t.mem.i32(sevp + E.sigev_notify.offset);
    if (how !== SIGEV_SIGNAL && how !== SIGEV_NONE && how !== SIGEV_THREAD) return -Errno.EINVAL;
    if (how === SIGEV_SIGNAL && (signo <= 0 || signo > 64)) return -Errno.EINVAL;
    if (how === SIGEV_THREAD) return -Errno.EINVAL; // glibc turns SIGEV_THREAD into a netlink socket, not provided
    if (q.notify && t.kernel.processes.get(q.notify.pid)?.alive) return -Errno.EBUSY;
    q.notify = { pid: t.proc.pid, signo, value: BigInt.asUintN(64, BigInt(value)), none: how === SIGEV_NONE };
    return 0;
  },
  /** mq_getsetattr(2): struct mq_attr {flags, maxmsg, msgsize, curmsgs}; only O_NONBLOCK changes */
  mq_getsetattr(t: Task, [fd, newp, oldp]: number[]): SyscallResult {
    const f = mqOf(t, fd);
    if (typeof f === 'number') return f;
    const nb = t.proc.arch.o.O_NONBLOCK;
    let next: number | undefined;
    if (newp) {
      next = t.mem.i64(newp);
      if (next & ~nb) return -Errno.EINVAL;
    }
    if (oldp) {
      const b = new DataView(new ArrayBuffer(64));
      b.setBigInt64(0, BigInt(f.flags & nb), true);
      b.setBigInt64(8, BigInt(f.q.maxmsg), true);
      b.setBigInt64(16, BigInt(f.q.msgsize), true);
      b.setBigInt64(24, BigInt(f.q.messages.length), true);
      t.mem.write(oldp, new Uint8Array(b.buffer));
    }
    if (next !== undefined) f.flags = (f.flags & ~nb) | (next & nb);
    return 0;
  },
};
