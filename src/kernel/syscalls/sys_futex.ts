// futex(2) (kernel/futex/syscalls.c do_futex and the ops it dispatches to), plus
// set_robust_list/get_robust_list. The queues live in src/kernel/futex.ts.
//
// Blocking follows the dispatcher's restart protocol: the first run checks the word and
// queues a waiter (t.futex), later runs after a wake-up only look at that waiter: woken ->
// 0 (or the PI lock is ours), deadline passed -> ETIMEDOUT, else park again. A signal
// abandons the waiter (t.abandon) before the call is restarted or fails with EINTR.
import { FUTEX } from '../abi.js';
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import { block, SyscallResult } from '../wait.js';
import { clockNs } from './sys_time.js';

const {
  FUTEX_WAIT, FUTEX_WAKE, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_WAKE_OP, FUTEX_LOCK_PI, FUTEX_UNLOCK_PI,
  FUTEX_TRYLOCK_PI, FUTEX_WAIT_BITSET, FUTEX_WAKE_BITSET, FUTEX_LOCK_PI2, FUTEX_PRIVATE_FLAG, FUTEX_CLOCK_REALTIME,
  FUTEX_CMD_MASK, FUTEX_WAITERS, FUTEX_OWNER_DIED, FUTEX_TID_MASK,
} = FUTEX;
const CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1;
const ANY = 0xffffffff;
/** sizeof(struct robust_list_head) on 64-bit. */
const ROBUST_HEAD_SIZE = 24;

/**
 * A futex timeout as a performance.now() deadline (ms): relative on CLOCK_MONOTONIC for
 * FUTEX_WAIT, absolute on `clock` otherwise; -1 for none; a negative errno for a bad timespec.
 */
function deadlineOf(t: Task, addr: number, relative: boolean, clock: number): number {
  if (!addr) return -1;
  const sec = t.mem.i64(addr), nsec = t.mem.i64(addr + 8);
  if (sec < 0 || nsec < 0 || nsec >= 1e9) return -Errno.EINVAL;
  const ns = sec * 1e9 + nsec;
  if (relative) return performance.now() + ns / 1e6;
  const now = Number(clockNs(t, clock)!);
  return performance.now() + Math.max(0, ns - now) / 1e6;
}

/** The re-run of a parked wait: woken, timed out, or still waiting. */
function waitAgain(t: Task): SyscallResult {
  const w = t.futex!;
  const dl = t.callState.deadline;
  if (w.woken) { t.futex = undefined; t.abandon = undefined; return 0; }
  if (dl >= 0 && performance.now() >= dl) {
    t.kernel.futexes.remove(w);
    t.futex = undefined;
    t.abandon = undefined;
    return -Errno.ETIMEDOUT;
  }
  return block([], dl >= 0 ? dl : undefined);
}

/** Queue `t` on `key` and park it until woken or `dl` (ms, -1 none). */
function park(t: Task, key: string, bitset: number, dl: number, pi: boolean): SyscallResult {
  const fx = t.kernel.futexes;
  const w = fx.enqueue(key, t, bitset, pi);
  t.futex = w;
  t.abandon = () => { fx.remove(w); t.futex = undefined; };
  t.callState.deadline = dl;
  return block([], dl >= 0 ? dl : undefined);
}

/** futex_wait: sleep if *uaddr == val. */
function futexWait(t: Task, uaddr: number, priv: boolean, val: number, dl: number, bitset: number): SyscallResult {
  if (bitset === 0) return -Errno.EINVAL;
  if (dl < -1) return dl;
  const key = t.kernel.futexes.key(t, uaddr, priv);
  if (t.mem.u32(uaddr) !== (val >>> 0)) return -Errno.EAGAIN;
  if (dl >= 0 && performance.now() >= dl) return -Errno.ETIMEDOUT;
  return park(t, key, bitset >>> 0, dl, false);
}

/** FUTEX_WAKE_OP: *uaddr2 = op(*uaddr2, oparg); wake uaddr; wake uaddr2 too if cmp(old, cmparg). */
function wakeOp(t: Task, uaddr: number, priv: boolean, nWake: number, uaddr2: number, nWake2: number, enc: number): SyscallResult {
  let op = (enc >>> 28) & 0xf;
  const cmp = (enc >>> 24) & 0xf;
  let oparg = (enc << 8) >> 20;
  const cmparg = (enc << 20) >> 20;
  if (op & 8) { oparg = 1 << (oparg & 31); op &= 7; }
  const fx = t.kernel.futexes;
  const k1 = fx.key(t, uaddr, priv), k2 = fx.key(t, uaddr2, priv);
  const old = t.mem.u32(uaddr2) | 0;
  let v: number;
  switch (op) {
    case 0: v = oparg; break; // FUTEX_OP_SET
    case 1: v = old + oparg; break; // FUTEX_OP_ADD
    case 2: v = old | oparg; break; // FUTEX_OP_OR
    case 3: v = old & ~oparg; break; // FUTEX_OP_ANDN
    case 4: v = old ^ oparg; break; // FUTEX_OP_XOR
    default: return -Errno.ENOSYS;
  }
  let hit: boolean;
  switch (cmp) {
    case 0: hit = old === cmparg; break;
    case 1: hit = old !== cmparg; break;
    case 2: hit = old < cmparg; break;
    case 3: hit = old <= cmparg; break;
    case 4: hit = old > cmparg; break;
    case 5: hit = old >= cmparg; break;
    default: return -Errno.ENOSYS;
  }
  t.mem.setU32(uaddr2, v);
  let n = fx.wakeKey(k1, nWake, ANY);
  if (hit) n += fx.wakeKey(k2, nWake2, ANY);
  return n;
}

/** futex_lock_pi: take the lock if the word has no owner, else wait for it to be handed over. */
function lockPi(t: Task, uaddr: number, priv: boolean, dl: number, trylock: boolean): SyscallResult {
  if (dl < -1) return dl;
  const fx = t.kernel.futexes;
  const key = fx.key(t, uaddr, priv);
  const v = t.mem.u32(uaddr);
  const owner = v & FUTEX_TID_MASK;
  if (owner === 0) {
    // Keep OWNER_DIED for the new owner to see (EOWNERDEAD in a robust mutex).
    const waiters = fx.waiters(key).length > 0 ? FUTEX_WAITERS : 0;
    t.mem.setU32(uaddr, (t.tid | (v & FUTEX_OWNER_DIED) | waiters) >>> 0);
    return 0;
  }
  if (owner === t.tid) return -Errno.EDEADLK;
  if (!t.kernel.liveTask(owner)) return -Errno.ESRCH;
  if (trylock) return -Errno.EAGAIN;
  if (dl >= 0 && performance.now() >= dl) return -Errno.ETIMEDOUT;
  t.mem.setU32(uaddr, (v | FUTEX_WAITERS) >>> 0);
  return park(t, key, ANY, dl, true);
}

/** futex_unlock_pi: hand the lock to the first waiter, or free it. */
function unlockPi(t: Task, uaddr: number, priv: boolean): SyscallResult {
  const fx = t.kernel.futexes;
  const key = fx.key(t, uaddr, priv);
  const v = t.mem.u32(uaddr);
  if ((v & FUTEX_TID_MASK) !== t.tid) return -Errno.EPERM;
  const next = fx.firstPiWaiter(key);
  if (!next) { t.mem.setU32(uaddr, 0); return 0; }
  t.mem.setU32(uaddr, (next.task.tid | FUTEX_WAITERS) >>> 0);
  fx.handOver(next);
  return 0;
}

export const futexCalls = {
  /** futex(2) */
  futex(t: Task, [uaddr, op, val, timeout, uaddr2, val3]: number[]): SyscallResult {
    if (t.futex) return waitAgain(t);
    const cmd = op & FUTEX_CMD_MASK;
    const priv = (op & FUTEX_PRIVATE_FLAG) !== 0;
    const rt = (op & FUTEX_CLOCK_REALTIME) !== 0;
    if (rt && cmd !== FUTEX_WAIT && cmd !== FUTEX_WAIT_BITSET && cmd !== FUTEX_LOCK_PI2) return -Errno.ENOSYS;
    if (uaddr % 4 !== 0) return -Errno.EINVAL;
    const fx = t.kernel.futexes;
    switch (cmd) {
      case FUTEX_WAIT:
        return futexWait(t, uaddr, priv, val, deadlineOf(t, timeout, true, CLOCK_MONOTONIC), ANY);
      case FUTEX_WAIT_BITSET:
        return futexWait(t, uaddr, priv, val, deadlineOf(t, timeout, false, rt ? CLOCK_REALTIME : CLOCK_MONOTONIC), val3 >>> 0);
      case FUTEX_WAKE:
        return fx.wakeKey(fx.key(t, uaddr, priv), val | 0, ANY);
      case FUTEX_WAKE_BITSET:
        if ((val3 >>> 0) === 0) return -Errno.EINVAL;
        return fx.wakeKey(fx.key(t, uaddr, priv), val | 0, val3 >>> 0);
      case FUTEX_REQUEUE: case FUTEX_CMP_REQUEUE: {
        const nWake = val | 0, nMove = timeout | 0;
        if (nWake < 0 || nMove < 0) return -Errno.EINVAL;
        if (uaddr2 % 4 !== 0) return -Errno.EINVAL;
        const k1 = fx.key(t, uaddr, priv), k2 = fx.key(t, uaddr2, priv);
        if (cmd === FUTEX_CMP_REQUEUE && t.mem.u32(uaddr) !== (val3 >>> 0)) return -Errno.EAGAIN;
        const r = fx.requeue(k1, k2, nWake, nMove);
        return cmd === FUTEX_CMP_REQUEUE ? r.woken + r.moved : r.woken;
      }
      case FUTEX_WAKE_OP:
        if (uaddr2 % 4 !== 0) return -Errno.EINVAL;
        return wakeOp(t, uaddr, priv, val | 0, uaddr2, timeout | 0, val3 | 0);
      case FUTEX_LOCK_PI:
        return lockPi(t, uaddr, priv, deadlineOf(t, timeout, false, CLOCK_REALTIME), false);
      case FUTEX_LOCK_PI2:
        return lockPi(t, uaddr, priv, deadlineOf(t, timeout, false, rt ? CLOCK_REALTIME : CLOCK_MONOTONIC), false);
      case FUTEX_TRYLOCK_PI:
        return lockPi(t, uaddr, priv, -1, true);
      case FUTEX_UNLOCK_PI:
        return unlockPi(t, uaddr, priv);
      default:
        // FUTEX_FD (removed in 2.6.26) and the requeue-PI pair, which glibc no longer uses.
        return -Errno.ENOSYS;
    }
  },
  /** set_robust_list(2): remembered for the walk at thread exit */
  set_robust_list(t: Task, [head, len]: number[]): SyscallResult {
    if (len !== ROBUST_HEAD_SIZE) return -Errno.EINVAL;
    t.robustList = head;
    return 0;
  },
  /** get_robust_list(2) */
  get_robust_list(t: Task, [pid, headPtr, lenPtr]: number[]): SyscallResult {
    const target = t.kernel.liveTask(pid | 0, t);
    if (!target) return -Errno.ESRCH;
    t.mem.setU64(headPtr, target.robustList);
    t.mem.setU64(lenPtr, ROBUST_HEAD_SIZE);
    return 0;
  },
};
