// System V IPC syscalls (ipc/sem.c, ipc/shm.c, ipc/msg.c): argument decoding, the copies in
// and out of the guest and the waits; the objects themselves are src/kernel/ipc/. Both arches
// have the separate 64-bit calls (no ipc(2) multiplexer), which take the IPC_64 struct
// layouts without the IPC_64 flag in cmd.
//
// Waiting follows the dispatcher's restart protocol: a call that must wait queues a record
// in the object (a SemWaiter or MsgReceiver, which whoever changes the object completes, or
// the queue itself for a sender that waits for room) and parks; its re-run looks only at that
// record (`waits`). A signal abandons the record (t.abandon) before the call fails with EINTR
// (semop: never restarted) or is restarted/EINTR by the usual rules (msgsnd, msgrcv:
// ERESTARTNOHAND is EINTR once a handler runs, which SA_RESTART does not change).
import { pageUp, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../mm/address_space.js';
import { PAGE_SIZE } from '../../mm/physmem.js';
import {
  IPC, IPC64_PERM_LAYOUT, MSG, MSGINFO_LAYOUT, MSQID64_DS_LAYOUT, RLIMIT, SEM, SEMBUF_LAYOUT, SEMINFO_LAYOUT, SHM,
  SHM_INFO_LAYOUT, SHMID64_DS_LAYOUT, SHMINFO64_LAYOUT, type StructLayout, readField, writeField, writeFieldBig,
} from '../abi.js';
import { CAP } from '../creds.js';
import { Errno } from '../errno.js';
import type { IpcCaller, PermUpdate, PermView } from '../ipc/util.js';
import { MsgQueue, MsgReceiver, type Msg } from '../ipc/msg.js';
import { SemWaiter, type SemOp } from '../ipc/sem.js';
import { hasInterruptingSignal } from '../signal_delivery.js';
import type { Task } from '../task.js';
import { block, type SyscallResult } from '../wait.js';
import { limitOf } from './sys_proc.js';

const { IPC_RMID, IPC_SET, IPC_STAT, IPC_INFO } = IPC;
/** SHMLBA: PAGE_SIZE on x86_64 and on arm64 (COMPAT_SHMLBA is for 32-bit tasks only). */
const SHMLBA = PAGE_SIZE;

/** The record a parked IPC call waits on, by task. */
const waits = new WeakMap<Task, SemWaiter | MsgReceiver | MsgQueue>();

const caller = (t: Task): IpcCaller => ({ pid: t.proc.pid, creds: t.proc.creds });
/** The scheduler is about to interrupt the parked call: do not complete it on its behalf. */
const leaving = (t: Task) => () => t.interrupted && hasInterruptingSignal(t);

/** Park on `record` until `wq` is notified (or `deadline`, ms, -1 none); `cancel` undoes it. */
function park(t: Task, record: SemWaiter | MsgReceiver | MsgQueue, wq: SemWaiter['wake'], deadline: number, cancel: () => void): SyscallResult {
  waits.set(t, record);
  t.callState.deadline = deadline;
  t.abandon = () => { cancel(); waits.delete(t); };
  return block([wq], deadline >= 0 ? deadline : undefined);
}

function finished(t: Task): void {
  waits.delete(t);
  t.abandon = undefined;
}

/** Encode a struct of `l.size` bytes (the rest zero, as the kernel memsets it) and copy it out. */
function copyOut<K extends string>(t: Task, at: number, l: StructLayout<K>, fill: (put: (k: K, v: number | bigint) => void, dv: DataView) => void): void {
  const b = new Uint8Array(l.size);
  const dv = new DataView(b.buffer);
  fill((k, v) => (typeof v === 'bigint' ? writeFieldBig(dv, 0, l.fields[k], v) : writeField(dv, 0, l.fields[k], v)), dv);
  t.mem.write(at, b);
}

/** kernel_to_ipc64_perm into the ipc64_perm at byte `off` of `dv`. */
function putPerm(dv: DataView, off: number, p: PermView): void {
  const f = IPC64_PERM_LAYOUT.fields;
  writeField(dv, off, f.key, p.key);
  writeField(dv, off, f.uid, p.uid);
  writeField(dv, off, f.gid, p.gid);
  writeField(dv, off, f.cuid, p.cuid);
  writeField(dv, off, f.cgid, p.cgid);
  writeField(dv, off, f.mode, p.mode);
  writeField(dv, off, f.seq, p.seq);
}

/** copy_*id_from_user for IPC_SET: the whole struct is read (EFAULT), then its ipc64_perm. */
function readSet(t: Task, at: number, l: StructLayout, permOff: number): { dv: DataView; upd: PermUpdate } {
  const b = t.mem.read(at, l.size);
  const dv = new DataView(b.buffer);
  const f = IPC64_PERM_LAYOUT.fields;
  return { dv, upd: { uid: readField(dv, permOff, f.uid), gid: readField(dv, permOff, f.gid), mode: readField(dv, permOff, f.mode) } };
}

// ---------------------------------------------------------------------------------------
// Semaphores

/** A semop's timeout as a deadline (ms on performance.now()), -1 for none, or -errno. */
function semDeadline(ts: { sec: number; nsec: number } | undefined): number {
  if (!ts) return -1;
  // timespec64_valid
  if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1e9) return -Errno.EINVAL;
  return performance.now() + ts.sec * 1e3 + ts.nsec / 1e6;
}

/** The re-run of a parked semop: done on our behalf, failed, timed out, or still waiting. */
function semWaitAgain(t: Task, w: SemWaiter): SyscallResult {
  const sem = t.kernel.ipc.sem;
  if (w.status === undefined) sem.retry(w);
  if (w.status !== undefined) { finished(t); return w.status; }
  const dl = t.callState.deadline;
  if (dl >= 0 && performance.now() >= dl) { sem.cancel(w); finished(t); return -Errno.EAGAIN; }
  return block([w.wake], dl >= 0 ? dl : undefined);
}

/** do_semtimedop: the checks in Linux's order, then the operation or the wait. */
function semtimedop(t: Task, semid: number, sops: number, nsops: number, timeout: number): SyscallResult {
  const w = waits.get(t);
  if (w instanceof SemWaiter) return semWaitAgain(t, w);
  const ts = timeout ? { sec: t.mem.i64(timeout), nsec: t.mem.i64(timeout + 8) } : undefined; // get_timespec64
  const sem = t.kernel.ipc.sem;
  const n = nsops >>> 0;
  if (n > sem.semopm) return -Errno.E2BIG;
  if (n < 1) return -Errno.EINVAL;
  const raw = new DataView(t.mem.read(sops, n * SEMBUF_LAYOUT.size).buffer);
  const f = SEMBUF_LAYOUT.fields;
  const ops: SemOp[] = [];
  for (let i = 0; i < n; i++) {
    const o = i * SEMBUF_LAYOUT.size;
    ops.push({ num: readField(raw, o, f.sem_num), op: readField(raw, o, f.sem_op, true), flg: readField(raw, o, f.sem_flg) });
  }
  if ((semid | 0) < 0) return -Errno.EINVAL;
  const dl = semDeadline(ts);
  if (dl < -1) return dl;
  const r = sem.semop(caller(t), t.proc, semid | 0, ops, leaving(t));
  if (typeof r === 'number') return r;
  // A zero (or past) timeout: schedule_timeout returns at once and the wait is EAGAIN.
  if (dl >= 0 && performance.now() >= dl) { sem.cancel(r); return -Errno.EAGAIN; }
  return park(t, r, r.wake, dl, () => sem.cancel(r));
}

export const semCalls = {
  /** semget(2) */
  semget(t: Task, [key, nsems, flg]: number[]): SyscallResult {
    return t.kernel.ipc.sem.semget(caller(t), key | 0, nsems | 0, flg | 0);
  },
  /** semop(2): semtimedop without a timeout */
  semop(t: Task, [semid, sops, nsops]: number[]): SyscallResult {
    return semtimedop(t, semid, sops, nsops, 0);
  },
  /** semtimedop(2): the timeout is relative (struct __kernel_timespec); expiry is EAGAIN */
  semtimedop(t: Task, [semid, sops, nsops, timeout]: number[]): SyscallResult {
    return semtimedop(t, semid, sops, nsops, timeout);
  },
  /** semctl(2) (ksys_semctl with IPC_64): `arg` is the union semun passed by value */
  semctl(t: Task, [semid, semnum, cmd, arg]: number[]): SyscallResult {
    const id = semid | 0;
    if (id < 0) return -Errno.EINVAL;
    const sem = t.kernel.ipc.sem;
    const c = caller(t);
    const L = t.proc.arch.data.SEMID64_DS_LAYOUT;
    switch (cmd | 0) {
      case IPC_INFO: case SEM.SEM_INFO: {
        const { info, ret } = sem.info(cmd | 0);
        copyOut(t, arg, SEMINFO_LAYOUT, (put) => { for (const [k, v] of Object.entries(info)) put(k as keyof typeof info, v); });
        return ret;
      }
      case IPC_STAT: case SEM.SEM_STAT: case SEM.SEM_STAT_ANY: {
        const s = sem.stat(c, id, cmd | 0);
        if (typeof s === 'number') return s;
        copyOut(t, arg, L, (put, dv) => {
          putPerm(dv, L.fields.sem_perm.offset, s.perm);
          put('sem_otime', s.otime); put('sem_ctime', s.ctime); put('sem_nsems', s.nsems);
        });
        return s.ret;
      }
      case SEM.GETALL: {
        const vals = sem.getAll(c, id);
        if (typeof vals === 'number') return vals;
        t.mem.write(arg, new Uint8Array(vals.buffer));
        return 0;
      }
      case SEM.GETVAL: case SEM.GETPID: case SEM.GETNCNT: case SEM.GETZCNT:
        return sem.get(c, id, semnum | 0, cmd | 0);
      case SEM.SETALL:
        return sem.setAll(c, id, (n) => {
          const b = t.mem.read(arg, n * 2);
          return new Uint16Array(b.buffer, 0, n);
        });
      case SEM.SETVAL:
        // The int member of the union: the low 32 bits on little-endian 64-bit.
        return sem.setVal(c, id, semnum | 0, arg | 0);
      case IPC_SET:
        return sem.down(c, id, readSet(t, arg, L, L.fields.sem_perm.offset).upd);
      case IPC_RMID:
        return sem.down(c, id, undefined);
      default:
        return -Errno.EINVAL;
    }
  },
};

// ---------------------------------------------------------------------------------------
// Shared memory

export const shmCalls = {
  /** shmget(2): `size` is a size_t (a negative number stands for 2^63 or more) */
  shmget(t: Task, [key, size, flg]: number[]): SyscallResult {
    return t.kernel.ipc.shm.shmget(caller(t), key | 0, size, flg | 0);
  },
  /**
   * shmat(2) (do_shmat): the address rounded down to SHMLBA with SHM_RND, else it must be
   * aligned; a given address must not overlap a mapping unless SHM_REMAP replaces it; 0 picks
   * a free range. The whole segment is mapped shared, read-only with SHM_RDONLY.
   */
  shmat(t: Task, [shmid, shmaddr, shmflg]: number[]): SyscallResult {
    const id = shmid | 0, flg = shmflg | 0;
    if (id < 0) return -Errno.EINVAL;
    let at = shmaddr;
    // A given address is MAP_FIXED, even when SHM_RND rounds it down to 0.
    const fixed = at !== 0;
    if (at) {
      if (at % SHMLBA) {
        if (!(flg & SHM.SHM_RND)) return -Errno.EINVAL;
        at -= at % SHMLBA;
        if (!at && (flg & SHM.SHM_REMAP)) return -Errno.EINVAL;
      }
    } else if (flg & SHM.SHM_REMAP) return -Errno.EINVAL;
    const seg = t.kernel.ipc.shm.attachable(caller(t), id, flg);
    if (typeof seg === 'number') return seg;
    const mm = t.proc.mm;
    const size = pageUp(seg.size);
    if (fixed) {
      if (at > 0 && !(flg & SHM.SHM_REMAP) && !mm.isFree(at, at + size)) return -Errno.EINVAL;
      if (at < 0 || at + size > mm.limit) return -Errno.ENOMEM;
      // cap_mmap_addr: below vm.mmap_min_addr only with CAP_SYS_RAWIO.
      if (at < mm.mmapMin && !t.proc.creds.capable(CAP.CAP_SYS_RAWIO)) return -Errno.EPERM;
    } else {
      try { at = mm.findFree(size); } catch { return -Errno.ENOMEM; }
    }
    const prot = PROT_READ | (flg & SHM.SHM_RDONLY ? 0 : PROT_WRITE) | (flg & SHM.SHM_EXEC ? PROT_EXEC : 0);
    // A read-only attach has no VM_MAYWRITE: mprotect(PROT_WRITE) on it is EACCES.
    const maxProt = flg & SHM.SHM_RDONLY ? PROT_READ | PROT_EXEC : undefined;
    const letGo = t.kernel.ipc.shm.hold(seg);
    mm.map(at, size, prot, true, seg.name, { backing: seg.pages, pgoff: 0, maxProt });
    letGo();
    return at;
  },
  /**
   * shmdt(2): the first shm mapping at or after `addr` whose page offset says it starts at
   * `addr` (a fragment left by mprotect or munmap counts) is unmapped, then every other
   * fragment of the same segment within its size. EINVAL when there is none.
   */
  shmdt(t: Task, [addr]: number[]): SyscallResult {
    if (addr % PAGE_SIZE !== 0) return -Errno.EINVAL;
    const mm = t.proc.mm;
    const ns = t.kernel.ipc;
    const vmas = [...mm.vmas];
    let i = vmas.findIndex((v) => v.end > addr);
    if (i < 0) return -Errno.EINVAL;
    const startsAt = (v: (typeof vmas)[number]) => (v.start - addr) / PAGE_SIZE === v.pgoff;
    let ret = -Errno.EINVAL, size = 0, backing;
    for (; i < vmas.length; i++) {
      const v = vmas[i];
      const seg = ns.segmentOf(v.backing);
      if (seg && startsAt(v)) {
        backing = v.backing;
        size = pageUp(seg.size);
        mm.unmap(v.start, v.end - v.start);
        ret = 0;
        i++;
        break;
      }
    }
    for (; i < vmas.length && vmas[i].end - addr <= size; i++) {
      const v = vmas[i];
      if (v.backing === backing && startsAt(v)) mm.unmap(v.start, v.end - v.start);
    }
    return ret;
  },
  /** shmctl(2) (ksys_shmctl with IPC_64) */
  shmctl(t: Task, [shmid, cmd, buf]: number[]): SyscallResult {
    const id = shmid | 0, op = cmd | 0;
    if (op < 0 || id < 0) return -Errno.EINVAL;
    const shm = t.kernel.ipc.shm;
    const c = caller(t);
    switch (op) {
      case IPC_INFO: {
        const i = shm.info();
        copyOut(t, buf, SHMINFO64_LAYOUT, (put) => {
          put('shmmax', i.shmmax); put('shmmin', i.shmmin); put('shmmni', i.shmmni); put('shmseg', i.shmseg); put('shmall', i.shmall);
        });
        return i.ret;
      }
      case SHM.SHM_INFO: {
        const u = shm.usage();
        copyOut(t, buf, SHM_INFO_LAYOUT, (put) => { put('used_ids', u.usedIds); put('shm_tot', u.tot); put('shm_rss', u.rss); });
        return u.ret;
      }
      case IPC_STAT: case SHM.SHM_STAT: case SHM.SHM_STAT_ANY: {
        const s = shm.stat(c, id, op);
        if (typeof s === 'number') return s;
        copyOut(t, buf, SHMID64_DS_LAYOUT, (put, dv) => {
          putPerm(dv, SHMID64_DS_LAYOUT.fields.shm_perm.offset, s.perm);
          put('shm_segsz', s.segsz); put('shm_atime', s.atime); put('shm_dtime', s.dtime); put('shm_ctime', s.ctime);
          put('shm_cpid', s.cpid); put('shm_lpid', s.lpid); put('shm_nattch', s.nattch);
        });
        return s.ret;
      }
      case IPC_SET:
        return shm.down(c, id, readSet(t, buf, SHMID64_DS_LAYOUT, SHMID64_DS_LAYOUT.fields.shm_perm.offset).upd);
      case IPC_RMID:
        return shm.down(c, id, undefined);
      case SHM.SHM_LOCK: case SHM.SHM_UNLOCK:
        return shm.lock(c, id, op === SHM.SHM_LOCK, limitOf(t.proc, RLIMIT.RLIMIT_MEMLOCK)[0]);
      default:
        return -Errno.EINVAL;
    }
  },
};

// ---------------------------------------------------------------------------------------
// Message queues

/** do_msg_fill: the type, then min(bufsz, length) bytes of text; returns the bytes copied. */
function msgFill(t: Task, msgp: number, bufsz: number, m: Msg): number {
  const head = new Uint8Array(8);
  new DataView(head.buffer).setBigInt64(0, m.type, true);
  t.mem.write(msgp, head);
  const n = Math.min(bufsz, m.text.length);
  t.mem.write(msgp + 8, m.text.subarray(0, n));
  return n;
}

export const msgCalls = {
  /** msgget(2) */
  msgget(t: Task, [key, flg]: number[]): SyscallResult {
    return t.kernel.ipc.msg.msgget(caller(t), key | 0, flg | 0);
  },
  /**
   * msgsnd(2) (ksys_msgsnd, do_msgsnd): the type is read first (EFAULT), then the size, id
   * and type checks (EINVAL), then the text. A sender woken for room re-runs whole; the queue
   * it waited on being removed meanwhile is EIDRM.
   */
  msgsnd(t: Task, [msqid, msgp, msgsz, msgflg]: number[]): SyscallResult {
    const waited = waits.get(t);
    if (waited instanceof MsgQueue) {
      finished(t);
      if (waited.perm.deleted) return -Errno.EIDRM;
    }
    const ns = t.kernel.ipc.msg;
    const type = new DataView(t.mem.read(msgp, 8).buffer).getBigInt64(0, true);
    if (msgsz > ns.msgmax || msgsz < 0 || (msqid | 0) < 0) return -Errno.EINVAL;
    if (type < 1n) return -Errno.EINVAL;
    const text = t.mem.read(msgp + 8, msgsz);
    const r = ns.msgsnd(caller(t), msqid | 0, { type, text }, msgflg | 0);
    if (typeof r === 'number') return r;
    return park(t, r, r.senders, -1, () => {});
  },
  /**
   * msgrcv(2) (ksys_msgrcv, do_msgrcv): msgtyp 0 takes the first message, > 0 the first of
   * that type (any other type with MSG_EXCEPT), < 0 the lowest type up to |msgtyp|; MSG_COPY
   * copies the message at index msgtyp without taking it (needs IPC_NOWAIT, not MSG_EXCEPT).
   * A receiver that waits is handed its message by the sender (pipelined_send).
   */
  msgrcv(t: Task, [msqid, msgp, msgsz, , msgflg]: number[]): SyscallResult {
    const ns = t.kernel.ipc.msg;
    const waited = waits.get(t);
    if (waited instanceof MsgReceiver) {
      finished(t);
      const got = waited.result;
      if (got === undefined) ns.cancel(waited); // woken without a result: start over
      else if (typeof got !== 'number') return msgFill(t, msgp, msgsz, got);
      else if (got !== -Errno.EAGAIN) return got; // EAGAIN: IPC_SET changed the queue, start over
    }
    const flg = msgflg | 0;
    if ((msqid | 0) < 0 || msgsz < 0) return -Errno.EINVAL;
    if (flg & MSG.MSG_COPY) {
      if ((flg & MSG.MSG_EXCEPT) || !(flg & IPC.IPC_NOWAIT)) return -Errno.EINVAL;
      t.mem.read(msgp, Math.min(msgsz, ns.msgmax)); // prepare_copy's load_msg: EFAULT first
    }
    const r = ns.msgrcv(caller(t), msqid | 0, msgsz, t.argBig(3), flg, leaving(t));
    if (typeof r === 'number') return r;
    if (r instanceof MsgReceiver) return park(t, r, r.wake, -1, () => ns.cancel(r));
    return msgFill(t, msgp, msgsz, r);
  },
  /** msgctl(2) (ksys_msgctl with IPC_64) */
  msgctl(t: Task, [msqid, cmd, buf]: number[]): SyscallResult {
    const id = msqid | 0, op = cmd | 0;
    if (id < 0 || op < 0) return -Errno.EINVAL;
    const ns = t.kernel.ipc.msg;
    const c = caller(t);
    const L = MSQID64_DS_LAYOUT;
    switch (op) {
      case IPC_INFO: case MSG.MSG_INFO: {
        const { info, ret } = ns.info(op);
        copyOut(t, buf, MSGINFO_LAYOUT, (put) => { for (const [k, v] of Object.entries(info)) put(k as keyof typeof info, v); });
        return ret;
      }
      case IPC_STAT: case MSG.MSG_STAT: case MSG.MSG_STAT_ANY: {
        const s = ns.stat(c, id, op);
        if (typeof s === 'number') return s;
        copyOut(t, buf, L, (put, dv) => {
          putPerm(dv, L.fields.msg_perm.offset, s.perm);
          put('msg_stime', s.stime); put('msg_rtime', s.rtime); put('msg_ctime', s.ctime); put('msg_cbytes', s.cbytes);
          put('msg_qnum', s.qnum); put('msg_qbytes', s.qbytes); put('msg_lspid', s.lspid); put('msg_lrpid', s.lrpid);
        });
        return s.ret;
      }
      case IPC_SET: {
        const { dv, upd } = readSet(t, buf, L, L.fields.msg_perm.offset);
        return ns.down(c, id, { ...upd, qbytes: readField(dv, 0, L.fields.msg_qbytes) });
      }
      case IPC_RMID:
        return ns.down(c, id, undefined);
      default:
        return -Errno.EINVAL;
    }
  },
};

export const ipcCalls = { ...semCalls, ...shmCalls, ...msgCalls };
