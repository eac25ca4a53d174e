// CPU placement and scheduling queries (kernel/sched/core.c, kernel/sched/membarrier.c):
// sched_getaffinity, sched_setaffinity, getcpu, sched_getscheduler, sched_getparam,
// sched_get_priority_max/min, membarrier.
//
// Every guest thread runs on the one host thread that runs ucrun, one at a time; the guest
// is still shown the host's CPU count (NR_CPUS), and each thread keeps the affinity mask it sets. Because no two guest threads ever run at the same
// instant, every membarrier command is already satisfied when it is issued.
import { Errno } from '../errno.js';
import { NR_CPUS } from '../limits.js';
import { CAP } from '../creds.js';
import type { Process } from '../task.js';
import type { Task } from '../task.js';
import type { SyscallResult } from '../wait.js';

/** cpumask_size(): the mask in whole unsigned longs. */
const MASK_BYTES = 8;
const ALL_CPUS = NR_CPUS === 64 ? 0xffffffffffffffffn : (1n << BigInt(NR_CPUS)) - 1n;
const affinity = new WeakMap<Task, bigint>();

const SCHED_OTHER = 0, SCHED_FIFO = 1, SCHED_RR = 2, SCHED_BATCH = 3, SCHED_IDLE = 5, SCHED_DEADLINE = 6;

// include/uapi/linux/membarrier.h
const MB_QUERY = 0, MB_GLOBAL = 1, MB_GLOBAL_EXPEDITED = 2, MB_REGISTER_GLOBAL_EXPEDITED = 4,
  MB_PRIVATE_EXPEDITED = 8, MB_REGISTER_PRIVATE_EXPEDITED = 16, MB_PRIVATE_EXPEDITED_SYNC_CORE = 32,
  MB_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE = 64;
const MB_SUPPORTED = MB_GLOBAL | MB_GLOBAL_EXPEDITED | MB_REGISTER_GLOBAL_EXPEDITED | MB_PRIVATE_EXPEDITED |
  MB_REGISTER_PRIVATE_EXPEDITED | MB_PRIVATE_EXPEDITED_SYNC_CORE | MB_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE;
/** Registrations per address space (membarrier_state lives in the mm). */
const registered = new WeakMap<object, number>();

const target = (t: Task, pid: number): Task | undefined => t.kernel.liveTask(pid | 0, t);

export const schedCalls = {
  /** sched_getaffinity(2): returns the bytes written (cpumask_size) */
  sched_getaffinity(t: Task, [pid, len, mask]: number[]): SyscallResult {
    len >>>= 0;
    if (len * 8 < NR_CPUS || len % 8 !== 0) return -Errno.EINVAL;
    const who = target(t, pid);
    if (!who) return -Errno.ESRCH;
    t.mem.setU64(mask, affinity.get(who) ?? ALL_CPUS);
    return MASK_BYTES;
  },
  /** sched_setaffinity(2): the mask must name at least one CPU the guest has */
  sched_setaffinity(t: Task, [pid, len, mask]: number[]): SyscallResult {
    len >>>= 0;
    const who = target(t, pid);
    if (!who) return -Errno.ESRCH;
    const b = t.mem.read(mask, Math.min(len, MASK_BYTES));
    const full = new Uint8Array(8);
    full.set(b);
    const m = new DataView(full.buffer).getBigUint64(0, true) & ALL_CPUS;
    if (m === 0n) return -Errno.EINVAL;
    affinity.set(who, m);
    return 0;
  },
  /** getcpu(2): the lowest CPU of the thread's affinity, node 0 */
  getcpu(t: Task, [cpu, node]: number[]): SyscallResult {
    const m = affinity.get(t) ?? ALL_CPUS;
    let c = 0;
    while (!((m >> BigInt(c)) & 1n)) c++;
    if (cpu) t.mem.setU32(cpu, c);
    if (node) t.mem.setU32(node, 0);
    return 0;
  },
  /** sched_getscheduler(2): every thread is SCHED_OTHER */
  sched_getscheduler(t: Task, [pid]: number[]): SyscallResult {
    if ((pid | 0) < 0) return -Errno.EINVAL;
    return target(t, pid) ? SCHED_OTHER : -Errno.ESRCH;
  },
  /** sched_getparam(2): sched_priority 0 */
  sched_getparam(t: Task, [pid, param]: number[]): SyscallResult {
    if ((pid | 0) < 0 || !param) return -Errno.EINVAL;
    if (!target(t, pid)) return -Errno.ESRCH;
    t.mem.setU32(param, 0);
    return 0;
  },
  /** sched_get_priority_max(2) */
  sched_get_priority_max(_t: Task, [policy]: number[]): SyscallResult {
    if (policy === SCHED_FIFO || policy === SCHED_RR) return 99;
    if (policy === SCHED_OTHER || policy === SCHED_BATCH || policy === SCHED_IDLE || policy === SCHED_DEADLINE) return 0;
    return -Errno.EINVAL;
  },
  /** sched_get_priority_min(2) */
  sched_get_priority_min(_t: Task, [policy]: number[]): SyscallResult {
    if (policy === SCHED_FIFO || policy === SCHED_RR) return 1;
    if (policy === SCHED_OTHER || policy === SCHED_BATCH || policy === SCHED_IDLE || policy === SCHED_DEADLINE) return 0;
    return -Errno.EINVAL;
  },
  /** membarrier(2): QUERY, the global and private-expedited commands (no RSEQ: rseq is ENOSYS) */
  membarrier(t: Task, [cmd, flags]: number[]): SyscallResult {
    if (flags !== 0) return -Errno.EINVAL;
    const mm = t.proc.mm;
    const reg = registered.get(mm) ?? 0;
    switch (cmd) {
      case MB_QUERY: return MB_SUPPORTED;
      case MB_GLOBAL: return 0;
      case MB_GLOBAL_EXPEDITED: return 0;
      case MB_REGISTER_GLOBAL_EXPEDITED: case MB_REGISTER_PRIVATE_EXPEDITED: case MB_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE:
        registered.set(mm, reg | cmd);
        return 0;
      case MB_PRIVATE_EXPEDITED:
        return reg & MB_REGISTER_PRIVATE_EXPEDITED ? 0 : -Errno.EPERM;
      case MB_PRIVATE_EXPEDITED_SYNC_CORE:
        return reg & MB_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE ? 0 : -Errno.EPERM;
      default: return -Errno.EINVAL;
    }
  },
  /** getpriority(2): 20 - nice (so the result is never negative), the highest of the matches */
  getpriority(t: Task, [which, who]: number[]): SyscallResult {
    const m = prioTargets(t, which | 0, who | 0);
    if (typeof m === 'number') return m;
    return 20 - Math.min(...m.map((p) => p.nice));
  },
  /** setpriority(2): nice clamped to [-20, 19]; lowering it needs CAP_SYS_NICE (EACCES), another user's process EPERM */
  setpriority(t: Task, [which, who, niceval]: number[]): SyscallResult {
    const m = prioTargets(t, which | 0, who | 0);
    if (typeof m === 'number') return m;
    const nice = Math.max(-20, Math.min(19, niceval | 0));
    const c = t.proc.creds;
    for (const p of m) {
      if (p.creds.uid !== c.euid && p.creds.euid !== c.euid && !c.capable(CAP.CAP_SYS_NICE)) return -Errno.EPERM;
      if (nice < p.nice && !c.capable(CAP.CAP_SYS_NICE)) return -Errno.EACCES;
    }
    for (const p of m) p.nice = nice;
    return 0;
  },
};

const PRIO_PROCESS = 0, PRIO_PGRP = 1, PRIO_USER = 2;

/** The processes getpriority/setpriority act on (who 0: the caller's own), ESRCH if none, EINVAL for a bad `which`. */
function prioTargets(t: Task, which: number, who: number): Process[] | number {
  const k = t.kernel;
  const live = [...k.processes.values()].filter((p) => p.alive);
  let m: Process[];
  if (which === PRIO_PROCESS) {
    const x = who === 0 ? t : k.liveTask(who, t);
    m = x ? [x.proc] : [];
  } else if (which === PRIO_PGRP) {
    const g = who === 0 ? t.proc.pgid : who;
    m = live.filter((p) => p.pgid === g);
  } else if (which === PRIO_USER) {
    const u = who === 0 ? t.proc.creds.uid : who;
    m = live.filter((p) => p.creds.uid === u);
  } else return -Errno.EINVAL;
  return m.length ? m : -Errno.ESRCH;
}
