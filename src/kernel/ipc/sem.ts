// System V semaphore sets (ipc/sem.c): semget's sets, semop's all-or-nothing operation
// arrays, the queue of operations that wait, SEM_UNDO adjustments and the semctl commands.
//
// Waiting follows Linux's hand-off model: an operation that cannot run joins its set's
// `pending` queue, and whoever changes the set (semop, SETVAL, SETALL, an exiting process's
// undo) runs the queued operations on the sleepers' behalf (update_queue), wait-for-zero
// operations first, then the altering ones in arrival order, starting over after every
// altering one that ran; a sleeper wakes with its operation done (status 0) or failed
// (-ERANGE, -EIDRM when the set is removed). A sleeper about to be interrupted by a signal
// (`leaving`) is passed over, so it never returns EINTR for an operation that happened.
//
// Invariants: 0 <= vals[i] <= SEMVMX; every waiter in `pending` has status undefined; an undo
// record of process P for set S is in S.undos and S is in undoSets(P), or neither.
import { SEM } from '../abi.js';
import { Errno } from '../errno.js';
import { WaitQueue } from '../wait.js';
import {
  type IpcCaller, IpcIds, IpcPerm, ipcGet, ipcOwnerOrAdmin, ipcPermits, ipcUpdatePerm, type PermUpdate,
  type PermView, permView, realSeconds,
} from './util.js';

const { SEM_UNDO, SEMVMX, SEMAEM } = SEM;
const IPC_NOWAIT = 0o4000;
const S_IRUGO = 0o444, S_IWUGO = 0o222;

/** One struct sembuf. */
export interface SemOp { readonly num: number; readonly op: number; readonly flg: number }

/** struct sem_undo: one process's pending adjustments for one set (applied at its exit). */
class SemUndo {
  readonly adj: Int32Array;
  constructor(n: number) { this.adj = new Int32Array(n); }
}

/** A semop that waits (struct sem_queue). */
export class SemWaiter {
  /** undefined while queued; then 0 (done on the sleeper's behalf) or -errno. */
  status: number | undefined;
  /** The operation it last blocked on (q->blocking): what GETNCNT and GETZCNT count. */
  blocking = 0;
  /** Notified when `status` is set. */
  readonly wake = new WaitQueue();
  constructor(
    readonly set: SemSet, readonly ops: readonly SemOp[], readonly pid: number,
    readonly undo: SemUndo | undefined, readonly alter: boolean, readonly leaving: () => boolean,
  ) {}
}

export class SemSet {
  readonly vals: Int32Array;
  /** sempid: the tgid of the last process that changed each semaphore. */
  readonly pids: Int32Array;
  otime = 0;
  ctime = realSeconds();
  readonly pending: SemWaiter[] = [];
  /** Undo records by owner (a process object: threads share one, fork starts none). */
  readonly undos = new Map<object, SemUndo>();
  constructor(readonly perm: IpcPerm, readonly nsems: number) {
    this.vals = new Int32Array(nsems);
    this.pids = new Int32Array(nsems);
  }
}

export interface SemStat { perm: PermView; otime: number; ctime: number; nsems: number; ret: number }
/** struct seminfo, by member name. */
export type SemInfo = Record<'semmap' | 'semmni' | 'semmns' | 'semmnu' | 'semmsl' | 'semopm' | 'semume' | 'semusz' | 'semvmx' | 'semaem', number>;

/**
 * perform_atomic_semop_slow: apply `ops` in order; at the first that cannot run, undo the
 * ones before it. 0 done (sempid updated); 1 must wait (`q.blocking` set); -EAGAIN when that
 * operation has IPC_NOWAIT; -ERANGE past SEMVMX or past the undo range.
 */
function perform(set: SemSet, ops: readonly SemOp[], undo: SemUndo | undefined, pid: number, q: { blocking: number }): number {
  const v = set.vals;
  let i = 0, result = 0;
  for (; i < ops.length; i++) {
    const s = ops[i];
    const cur = v[s.num];
    const next = cur + s.op;
    if ((s.op === 0 && cur !== 0) || next < 0) {
      q.blocking = i;
      result = s.flg & IPC_NOWAIT ? -Errno.EAGAIN : 1;
      break;
    }
    if (next > SEMVMX) { result = -Errno.ERANGE; break; }
    if (s.flg & SEM_UNDO) {
      const u = undo!.adj[s.num] - s.op;
      if (u < -SEMAEM - 1 || u > SEMAEM) { result = -Errno.ERANGE; break; }
      undo!.adj[s.num] = u;
    }
    v[s.num] = next;
  }
  if (i === ops.length) {
    for (const s of ops) set.pids[s.num] = pid;
    return 0;
  }
  for (let k = i - 1; k >= 0; k--) {
    const s = ops[k];
    v[s.num] -= s.op;
    if (s.flg & SEM_UNDO) undo!.adj[s.num] += s.op;
  }
  return result;
}

/** The semaphore side of an IPC namespace (sem_ids plus the sc_sem* limits). */
export class SemIds {
  readonly ids = new IpcIds<SemSet>();
  /** /proc/sys/kernel/sem: SEMMSL, SEMMNS, SEMOPM, SEMMNI. */
  semmsl: number = SEM.SEMMSL;
  semmns: number = SEM.SEMMNS;
  semopm: number = SEM.SEMOPM;
  semmni: number = SEM.SEMMNI;
  /** Semaphores in all sets (ns->used_sems). */
  usedSems = 0;
  /** The sets each owner holds undo records in. */
  readonly #undoSets = new Map<object, Set<SemSet>>();

  /** semget(2): the id, or -errno (EINVAL for nsems out of range or larger than the set's). */
  semget(c: IpcCaller, key: number, nsems: number, flg: number): number {
    if (nsems < 0 || nsems > this.semmsl) return -Errno.EINVAL;
    return ipcGet(this.ids, c, key, flg, () => {
      // newary
      if (nsems === 0) return -Errno.EINVAL;
      if (this.usedSems + nsems > this.semmns) return -Errno.ENOSPC;
      const id = this.ids.add(new SemSet(new IpcPerm(key, flg, c.creds), nsems), this.semmni);
      if (id >= 0) this.usedSems += nsems;
      return id;
    }, (o) => (nsems > o.nsems ? -Errno.EINVAL : 0));
  }

  /**
   * The locked part of semtimedop (__do_semtimedop): EINVAL for no such set, the undo record
   * (find_alloc_undo) if any operation has SEM_UNDO, EFBIG for a semaphore number past the
   * set, EACCES without write (altering) or read permission; then the operation runs, or a
   * SemWaiter comes back queued (the caller parks until its status is set).
   */
  semop(c: IpcCaller, owner: object, semid: number, ops: readonly SemOp[], leaving: () => boolean): number | SemWaiter {
    let max = 0, undos = false, alter = false;
    for (const s of ops) {
      if (s.num > max) max = s.num;
      if (s.flg & SEM_UNDO) undos = true;
      if (s.op !== 0) alter = true;
    }
    const set = this.ids.obtain(semid);
    if (typeof set === 'number') return set;
    const undo = undos ? this.#undoFor(set, owner) : undefined;
    if (max >= set.nsems) return -Errno.EFBIG;
    if (!ipcPermits(c, set.perm, alter ? S_IWUGO : S_IRUGO)) return -Errno.EACCES;
    const w = new SemWaiter(set, ops, c.pid, undo, alter, leaving);
    const r = perform(set, ops, undo, c.pid, w);
    if (r === 0) {
      if (alter) this.#update(set);
      set.otime = realSeconds();
      return 0;
    }
    if (r < 0) return r;
    set.pending.push(w);
    return w;
  }

  /** Try a queued operation again (a re-run that finds it still queued, e.g. passed over). */
  retry(w: SemWaiter): void {
    if (w.status !== undefined || w.set.perm.deleted) return;
    const r = perform(w.set, w.ops, w.undo, w.pid, w);
    if (r === 1) return;
    this.#complete(w, r);
    if (r === 0) {
      if (w.alter) this.#update(w.set);
      w.set.otime = realSeconds();
    }
  }

  /** unlink_queue: the sleeper gives up (signal, timeout, thread exit). */
  cancel(w: SemWaiter): void {
    const i = w.set.pending.indexOf(w);
    if (i >= 0) w.set.pending.splice(i, 1);
  }

  /** semctl IPC_STAT / SEM_STAT / SEM_STAT_ANY (semctl_stat; the STAT forms take an index). */
  stat(c: IpcCaller, id: number, cmd: number): SemStat | number {
    const set = cmd === SEM.SEM_STAT || cmd === SEM.SEM_STAT_ANY ? this.ids.obtainIdx(id) : this.ids.obtain(id);
    if (typeof set === 'number') return set;
    if (cmd !== SEM.SEM_STAT_ANY && !ipcPermits(c, set.perm, S_IRUGO)) return -Errno.EACCES;
    return { perm: permView(set.perm), otime: set.otime, ctime: set.ctime, nsems: set.nsems, ret: cmd === SEM.SEM_STAT || cmd === SEM.SEM_STAT_ANY ? set.perm.id : 0 };
  }

  /** semctl IPC_INFO / SEM_INFO (semctl_info): the limits, usage for SEM_INFO; returns the highest index. */
  info(cmd: number): { info: SemInfo; ret: number } {
    const used = cmd === SEM.SEM_INFO;
    const info: SemInfo = {
      semmni: this.semmni, semmns: this.semmns, semmsl: this.semmsl, semopm: this.semopm, semvmx: SEMVMX,
      semmnu: SEM.SEMMNU, semmap: SEM.SEMMAP, semume: SEM.SEMUME,
      semusz: used ? this.ids.inUse : SEM.SEMUSZ, semaem: used ? this.usedSems : SEMAEM,
    };
    return { info, ret: Math.max(0, this.ids.maxIdx()) };
  }

  /** The read-side commands of semctl_main: GETVAL, GETPID, GETNCNT, GETZCNT (EINVAL for semnum). */
  get(c: IpcCaller, id: number, semnum: number, cmd: number): number {
    const set = this.ids.obtain(id);
    if (typeof set === 'number') return set;
    if (!ipcPermits(c, set.perm, S_IRUGO)) return -Errno.EACCES;
    if (semnum < 0 || semnum >= set.nsems) return -Errno.EINVAL;
    switch (cmd) {
      case SEM.GETVAL: return set.vals[semnum];
      case SEM.GETPID: return set.pids[semnum];
      // count_semcnt: sleepers whose blocking operation is on semnum and decreases / waits for 0.
      case SEM.GETNCNT: return set.pending.filter((w) => w.ops[w.blocking].num === semnum && w.ops[w.blocking].op < 0).length;
      default: return set.pending.filter((w) => w.ops[w.blocking].num === semnum && w.ops[w.blocking].op === 0).length;
    }
  }

  /** semctl GETALL: the values, or -errno; the caller copies them out. */
  getAll(c: IpcCaller, id: number): Uint16Array | number {
    const set = this.ids.obtain(id);
    if (typeof set === 'number') return set;
    if (!ipcPermits(c, set.perm, S_IRUGO)) return -Errno.EACCES;
    return Uint16Array.from(set.vals);
  }

  /**
   * semctl SETALL: `read(n)` fetches the caller's n values after the permission check (so a
   * bad pointer is EFAULT only then, as copy_from_user there); any above SEMVMX is ERANGE.
   * Every undo adjustment of the set is cleared.
   */
  setAll(c: IpcCaller, id: number, read: (n: number) => Uint16Array): number {
    const set = this.ids.obtain(id);
    if (typeof set === 'number') return set;
    if (!ipcPermits(c, set.perm, S_IWUGO)) return -Errno.EACCES;
    const vals = read(set.nsems);
    if (vals.some((x) => x > SEMVMX)) return -Errno.ERANGE;
    set.vals.set(vals);
    set.pids.fill(c.pid);
    for (const u of set.undos.values()) u.adj.fill(0);
    set.ctime = realSeconds();
    this.#update(set);
    return 0;
  }

  /** semctl SETVAL (semctl_setval): ERANGE before anything else, then EINVAL, EACCES. */
  setVal(c: IpcCaller, id: number, semnum: number, val: number): number {
    if (val > SEMVMX || val < 0) return -Errno.ERANGE;
    const set = this.ids.obtain(id);
    if (typeof set === 'number') return set;
    if (semnum < 0 || semnum >= set.nsems) return -Errno.EINVAL;
    if (!ipcPermits(c, set.perm, S_IWUGO)) return -Errno.EACCES;
    for (const u of set.undos.values()) u.adj[semnum] = 0;
    set.vals[semnum] = val;
    set.pids[semnum] = c.pid;
    set.ctime = realSeconds();
    this.#update(set);
    return 0;
  }

  /** semctl IPC_SET / IPC_RMID (semctl_down): owner, creator or CAP_SYS_ADMIN, else EPERM. */
  down(c: IpcCaller, id: number, upd: PermUpdate | undefined): number {
    const set = this.ids.obtain(id);
    if (typeof set === 'number') return set;
    if (!ipcOwnerOrAdmin(c, set.perm)) return -Errno.EPERM;
    if (!upd) { this.#free(set); return 0; }
    const e = ipcUpdatePerm(upd, set.perm);
    if (e) return e;
    set.ctime = realSeconds();
    return 0;
  }

  /**
   * exit_sem: apply `owner`'s adjustments to every set it has them for, clamped to
   * [0, SEMVMX] as Linux does, with sempid = `pid`; then run what now can.
   */
  exitUndo(owner: object, pid: number): void {
    const sets = this.#undoSets.get(owner);
    if (!sets) return;
    this.#undoSets.delete(owner);
    for (const set of sets) {
      const u = set.undos.get(owner);
      set.undos.delete(owner);
      if (!u || set.perm.deleted) continue;
      for (let i = 0; i < set.nsems; i++) {
        if (!u.adj[i]) continue;
        set.vals[i] = Math.min(SEMVMX, Math.max(0, set.vals[i] + u.adj[i]));
        set.pids[i] = pid;
      }
      this.#update(set);
      set.otime = realSeconds();
    }
  }

  #undoFor(set: SemSet, owner: object): SemUndo {
    let u = set.undos.get(owner);
    if (!u) {
      u = new SemUndo(set.nsems);
      set.undos.set(owner, u);
      let sets = this.#undoSets.get(owner);
      if (!sets) this.#undoSets.set(owner, (sets = new Set()));
      sets.add(set);
    }
    return u;
  }

  #complete(w: SemWaiter, status: number): void {
    this.cancel(w);
    w.status = status;
    w.wake.notify();
  }

  /**
   * update_queue / do_smart_update: run queued operations that now can, wait-for-zero ones
   * first, then altering ones in arrival order, rescanning after each altering one that ran.
   * Returns whether any ran (the set's otime is then updated).
   */
  #update(set: SemSet): boolean {
    let ran = false;
    for (let again = true; again;) {
      again = false;
      const order = [...set.pending.filter((w) => !w.alter), ...set.pending.filter((w) => w.alter)];
      for (const w of order) {
        if (w.leaving()) continue;
        const r = perform(set, w.ops, w.undo, w.pid, w);
        if (r === 1) continue;
        this.#complete(w, r);
        if (r === 0) {
          ran = true;
          if (w.alter) { again = true; break; }
        }
      }
    }
    if (ran) set.otime = realSeconds();
    return ran;
  }

  /** freeary: every sleeper fails with EIDRM, the undo records go, the id is free. */
  #free(set: SemSet): void {
    for (const owner of set.undos.keys()) this.#undoSets.get(owner)?.delete(set);
    set.undos.clear();
    for (const w of [...set.pending]) this.#complete(w, -Errno.EIDRM);
    this.ids.remove(set);
    this.usedSems -= set.nsems;
  }
}
