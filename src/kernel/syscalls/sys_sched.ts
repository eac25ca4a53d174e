// CPU placement and scheduling queries (kernel/sched/core.c, kernel/sched/membarrier.c):
// sched_getaffinity, sched_setaffinity, getcpu, sched_getscheduler, sched_getparam,
// sched_get_priority_max/min, membarrier.
//
// Every guest thread runs on the one host thread that runs ucrun, one at a time; the guest
// is still shown the host's CPU count (NR_CPUS), and each thread keeps the affinity mask it sets. Because no two guest threads ever run at the same
// instant, every membarrier command is already satisfied when it is issued.
import { RLIMIT } from '../abi.js';
import { Errno } from '../errno.js';
import { NR_CPUS } from '../limits.js';
import { CAP } from '../creds.js';
import { limitOf } from './sys_proc.js';
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

const SCHED_RESET_ON_FORK = 0x40000000;
const SCHED_ATTR_SIZE_VER0 = 48;
/**
 * Each thread's policy and static priority as it set them (sched_setscheduler). Every guest
 * thread still runs under ucrun's one scheduler (round robin with 10 ms slices): the values are
 * kept and reported, and checked as Linux checks them, but do not change who runs.
 */
const policies = new WeakMap<Task, { policy: number; prio: number; resetOnFork: boolean }>();
const policyOf = (t: Task) => policies.get(t) ?? { policy: SCHED_OTHER, prio: 0, resetOnFork: false };

/** __sched_setscheduler's checks: priority range per policy, CAP_SYS_NICE for real-time and for another user's thread. */
function setPolicy(t: Task, pid: number, policyArg: number, prio: number): number {
  const who = target(t, pid);
  if (!who) return -Errno.ESRCH;
  const cur = policyOf(who);
  const resetOnFork = policyArg >= 0 ? (policyArg & SCHED_RESET_ON_FORK) !== 0 : cur.resetOnFork;
  const policy = policyArg >= 0 ? policyArg & ~SCHED_RESET_ON_FORK : cur.policy;
  const rt = policy === SCHED_FIFO || policy === SCHED_RR;
  if (!rt && policy !== SCHED_OTHER && policy !== SCHED_BATCH && policy !== SCHED_IDLE) return -Errno.EINVAL;
  if (rt ? prio < 1 || prio > 99 : prio !== 0) return -Errno.EINVAL;
  const c = t.proc.creds;
  if (!c.capable(CAP.CAP_SYS_NICE)) {
    if (who.proc.creds.uid !== c.euid && who.proc.creds.euid !== c.euid) return -Errno.EPERM;
    if (rt && prio > cur.prio) return -Errno.EPERM; // RLIMIT_RTPRIO 0 for an unprivileged user
    if (cur.resetOnFork && !resetOnFork) return -Errno.EPERM;
    // Leaving SCHED_IDLE needs a nice value RLIMIT_NICE allows (can_nice: 20 - nice <= the limit).
    const niceLimit = limitOf(who.proc, RLIMIT.RLIMIT_NICE)[0];
    if (cur.policy === SCHED_IDLE && policy !== SCHED_IDLE && niceLimit !== -1 && 20 - who.proc.nice > niceLimit) return -Errno.EPERM;
  }
  policies.set(who, { policy, prio, resetOnFork });
  return 0;
}

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
  /** sched_getscheduler(2): the policy the thread set (SCHED_OTHER unless changed) */
  sched_getscheduler(t: Task, [pid]: number[]): SyscallResult {
    if ((pid | 0) < 0) return -Errno.EINVAL;
    const who = target(t, pid);
    if (!who) return -Errno.ESRCH;
    const s = policyOf(who);
    return s.policy | (s.resetOnFork ? SCHED_RESET_ON_FORK : 0);
  },
  /** sched_getparam(2): sched_priority */
  sched_getparam(t: Task, [pid, param]: number[]): SyscallResult {
    if ((pid | 0) < 0 || !param) return -Errno.EINVAL;
    const who = target(t, pid);
    if (!who) return -Errno.ESRCH;
    t.mem.setU32(param, policyOf(who).prio);
    return 0;
  },
  /** sched_setscheduler(2) */
  sched_setscheduler(t: Task, [pid, policy, param]: number[]): SyscallResult {
    if ((pid | 0) < 0 || !param) return -Errno.EINVAL;
    return setPolicy(t, pid | 0, policy | 0, t.mem.i32(param));
  },
  /** sched_setparam(2): the priority under the current policy */
  sched_setparam(t: Task, [pid, param]: number[]): SyscallResult {
    if ((pid | 0) < 0 || !param) return -Errno.EINVAL;
    const who = target(t, pid);
    if (!who) return -Errno.ESRCH;
    return setPolicy(t, pid | 0, -1, t.mem.i32(param));
  },
  /** sched_getattr(2): struct sched_attr (version 0: 48 bytes) */
  sched_getattr(t: Task, [pid, attr, size, flags]: number[]): SyscallResult {
    if ((pid | 0) < 0 || !attr || flags !== 0 || (size >>> 0) < SCHED_ATTR_SIZE_VER0 || (size >>> 0) > 4096) return -Errno.EINVAL;
    const who = target(t, pid);
    if (!who) return -Errno.ESRCH;
    const s = policyOf(who);
    const b = new DataView(new ArrayBuffer(SCHED_ATTR_SIZE_VER0));
    b.setUint32(0, SCHED_ATTR_SIZE_VER0, true);
    b.setUint32(4, s.policy, true);
    b.setBigUint64(8, BigInt(s.resetOnFork ? 1 : 0), true); // sched_flags: SCHED_FLAG_RESET_ON_FORK
    b.setInt32(16, s.policy === SCHED_OTHER || s.policy === SCHED_BATCH ? who.proc.nice : 0, true);
    b.setUint32(20, s.prio, true);
    t.mem.write(attr, new Uint8Array(b.buffer));
    return 0;
  },
  /** sched_setattr(2): policy, priority, nice and SCHED_FLAG_RESET_ON_FORK (no deadline parameters) */
  sched_setattr(t: Task, [pid, attr, flags]: number[]): SyscallResult {
    if ((pid | 0) < 0 || !attr || flags !== 0) return -Errno.EINVAL;
    const size = t.mem.u32(attr) || SCHED_ATTR_SIZE_VER0;
    if (size < SCHED_ATTR_SIZE_VER0 || size > 4096) return -Errno.E2BIG;
    const policy = t.mem.u32(attr + 4), sflags = t.mem.u64(attr + 8), nice = t.mem.i32(attr + 16), prio = t.mem.u32(attr + 20);
    if (sflags & ~1) return -Errno.EINVAL;
    if (policy === SCHED_DEADLINE) return -Errno.EINVAL;
    const r = setPolicy(t, pid | 0, policy, prio);
    if (r === 0 && (policy === SCHED_OTHER || policy === SCHED_BATCH)) target(t, pid)!.proc.nice = Math.max(-20, Math.min(19, nice));
    return r;
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
