// Futex wait queues (kernel/futex/core.c, waitwake.c, requeue.c, pi.c): what the futex(2)
// handlers and thread exit build on. Knows nothing about syscalls' argument decoding.
//
// Invariants:
// - A key names the futex word like get_futex_key(): for a private mapping (or
//   FUTEX_PRIVATE_FLAG) the address space and virtual address, so two processes forked from
//   one never share a private futex even while their frames are still shared copy-on-write;
//   for a MAP_SHARED mapping the physical frame and offset, so every process mapping the same
//   memory, at any address, meets on the same key.
// - Each queue is FIFO; a waiter is in exactly one queue until woken, requeued, timed out or
//   abandoned (signal, thread death). `woken` is set before the task is made runnable, so a
//   re-run of the blocked call can tell a wake-up from a spurious re-run.
// - PI futexes: the word holds the owner's tid (| FUTEX_WAITERS | FUTEX_OWNER_DIED); unlock
//   hands the lock straight to the first waiter, as wake_futex_pi does. No priorities.
import { FUTEX } from './abi.js';
import { GuestFault, PROT_WRITE } from '../mm/address_space.js';
import type { FutexWaiter, Task } from './task.js';

const { FUTEX_WAITERS, FUTEX_OWNER_DIED, FUTEX_TID_MASK } = FUTEX;
/** kernel/futex/core.c ROBUST_LIST_LIMIT: stop walking a (possibly circular) list there. */
const ROBUST_LIST_LIMIT = 2048;

export class Futexes {
  readonly #queues = new Map<string, FutexWaiter[]>();

  /**
   * The key of the 32-bit word at `addr` (get_futex_key). A private key needs only a user
   * address (access_ok: a FUTEX_WAKE_PRIVATE never touches memory); a shared one needs the page
   * (GuestFault if unmapped), and an anonymous private page that is read-only cannot be one.
   */
  key(t: Task, addr: number, priv: boolean): string {
    const mm = t.proc.mm;
    if (!(addr >= 0 && addr + 4 <= mm.limit)) throw new GuestFault(addr, false, false);
    if (priv) return `p${mm.id}:${addr}`;
    const vma = mm.find(addr);
    if (!vma) throw new GuestFault(addr, false, false);
    if (vma.shared) return `s${mm.kernelTranslate(addr, false)}`;
    if (!(vma.prot & PROT_WRITE) && !vma.name.startsWith('/')) throw new GuestFault(addr, true, true);
    return `p${mm.id}:${addr}`;
  }

  enqueue(key: string, task: Task, bitset: number, pi = false): FutexWaiter {
    const w: FutexWaiter = { task, key, bitset, woken: false, pi };
    let q = this.#queues.get(key);
    if (!q) this.#queues.set(key, (q = []));
    q.push(w);
    return w;
  }

  remove(w: FutexWaiter): void {
    const q = this.#queues.get(w.key);
    if (!q) return;
    const i = q.indexOf(w);
    if (i >= 0) q.splice(i, 1);
    if (q.length === 0) this.#queues.delete(w.key);
  }

  waiters(key: string): readonly FutexWaiter[] { return this.#queues.get(key) ?? []; }

  /** Wake up to `n` waiters whose bitset meets `bitset` (futex_wake); returns how many. */
  wakeKey(key: string, n: number, bitset: number): number {
    const q = this.#queues.get(key);
    if (!q) return 0;
    let woken = 0;
    for (const w of [...q]) {
      if (woken >= n) break;
      if (w.pi || (w.bitset & bitset) === 0) continue;
      this.#wakeOne(w);
      woken++;
    }
    return woken;
  }

  /** futex_wake on a guest address. */
  wake(t: Task, addr: number, priv: boolean, n: number, bitset: number): number {
    return this.wakeKey(this.key(t, addr, priv), n, bitset);
  }

  /** futex_requeue: wake `nWake` at `from`, move up to `nMove` more to `to`; returns both counts. */
  requeue(from: string, to: string, nWake: number, nMove: number): { woken: number; moved: number } {
    const woken = this.wakeKey(from, nWake, -1);
    let moved = 0;
    if (from === to) return { woken, moved };
    const q = this.#queues.get(from);
    while (q && q.length > 0 && moved < nMove) {
      const w = q.shift()!;
      w.key = to;
      let dst = this.#queues.get(to);
      if (!dst) this.#queues.set(to, (dst = []));
      dst.push(w);
      moved++;
    }
    if (q && q.length === 0) this.#queues.delete(from);
    return { woken, moved };
  }

  /** The first PI waiter on `key`, which an unlock hands the lock to. */
  firstPiWaiter(key: string): FutexWaiter | undefined {
    return this.#queues.get(key)?.find((w) => w.pi);
  }

  /** Give a PI lock to `w` (the word already names it) and let it return from LOCK_PI. */
  handOver(w: FutexWaiter): void { this.#wakeOne(w); }

  #wakeOne(w: FutexWaiter): void {
    this.remove(w);
    w.woken = true;
    w.task.wake();
  }

  /**
   * exit_robust_list: for every robust mutex the dying thread still holds (the list at
   * set_robust_list's head, and list_op_pending), mark the word FUTEX_OWNER_DIED with no owner
   * and wake one waiter, so the next locker gets EOWNERDEAD. Faults end the walk silently.
   */
  exitRobustList(t: Task): void {
    const head = t.robustList;
    t.robustList = 0;
    if (!head) return;
    const mem = t.mem;
    try {
      const offset = mem.i64(head + 8);
      const pending = mem.u64(head + 16);
      let entry = mem.u64(head);
      for (let n = 0; entry !== head && n < ROBUST_LIST_LIMIT; n++) {
        const next = mem.u64(entry - (entry % 2));
        if (entry !== pending) this.#ownerDied(t, entry - (entry % 2) + offset, entry % 2 === 1);
        entry = next;
      }
      if (pending) this.#ownerDied(t, pending - (pending % 2) + offset, pending % 2 === 1);
    } catch (e) {
      if (!(e instanceof GuestFault)) throw e;
    }
  }

  /** handle_futex_death for one word. */
  #ownerDied(t: Task, addr: number, pi: boolean): void {
    if (addr % 4 !== 0) return;
    const mem = t.mem;
    const v = mem.u32(addr);
    if ((v & FUTEX_TID_MASK) !== t.tid) return;
    const key = this.key(t, addr, false);
    const heir = pi ? this.firstPiWaiter(key) : undefined;
    if (heir) {
      mem.setU32(addr, (heir.task.tid | FUTEX_OWNER_DIED | FUTEX_WAITERS) >>> 0);
      this.handOver(heir);
      return;
    }
    mem.setU32(addr, ((v & FUTEX_WAITERS) | FUTEX_OWNER_DIED) >>> 0);
    if (v & FUTEX_WAITERS) this.wakeKey(key, 1, -1);
  }
}

/** FUTEX_WAIT_PRIVATE-style names of a futex op word, for --strace and deadlock reports. */
export function futexOpName(op: number): string {
  const names = ['FUTEX_WAIT', 'FUTEX_WAKE', 'FUTEX_FD', 'FUTEX_REQUEUE', 'FUTEX_CMP_REQUEUE', 'FUTEX_WAKE_OP',
    'FUTEX_LOCK_PI', 'FUTEX_UNLOCK_PI', 'FUTEX_TRYLOCK_PI', 'FUTEX_WAIT_BITSET', 'FUTEX_WAKE_BITSET',
    'FUTEX_WAIT_REQUEUE_PI', 'FUTEX_CMP_REQUEUE_PI', 'FUTEX_LOCK_PI2'];
  const cmd = op & FUTEX.FUTEX_CMD_MASK;
  let s = names[cmd] ?? String(cmd);
  if (op & FUTEX.FUTEX_PRIVATE_FLAG) s += '_PRIVATE';
  if (op & FUTEX.FUTEX_CLOCK_REALTIME) s += '|FUTEX_CLOCK_REALTIME';
  return s;
}
