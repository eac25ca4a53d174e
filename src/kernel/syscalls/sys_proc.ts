// Process identity and lifetime: exit, exit_group, the id calls, set_tid_address,
// set_robust_list, rseq, prlimit64/getrlimit/setrlimit, uname, getrandom, sched_yield,
// sysinfo (kernel/exit.c, kernel/sys.c, drivers/char/random.c).
import { stringToBytes } from '../../abi/bytes.js';
import { randomFillSync } from 'node:crypto';
import { GRND, RLIMIT } from '../abi.js';
import { TaskExit } from '../dispatch.js';
import { Errno } from '../errno.js';
import { hostLimits, NR_OPEN } from '../limits.js';
import { CAP } from '../creds.js';
import { systemStats } from '../vfs/procfs.js';
import type { Process, Task } from '../task.js';
import type { SyscallResult } from '../wait.js';

const { RLIMIT_NOFILE, RLIM_NLIMITS } = RLIMIT;
const INF = -1; // RLIM_INFINITY as a signed 64-bit value

/** A process's limit: what it set, else the first process's (ucrun's own, limits.ts hostLimits). */
export function limitOf(p: Process, res: number): [number, number] {
  const set = p.rlimits.get(res);
  if (set) return set;
  if (res === RLIMIT_NOFILE) return [p.fds.limit, Math.max(p.fds.limit, hostLimits()[res][1])];
  return hostLimits()[res];
}


export const procCalls = {
  /** exit(2): this thread ends; the process ends with its last thread */
  exit(t: Task, [code]: number[]): SyscallResult {
    t.kernel.exitThread(t, code & 0xff);
    throw new TaskExit();
  },
  /** exit_group(2) */
  exit_group(t: Task, [code]: number[]): SyscallResult {
    t.kernel.exitProcess(t.proc, code & 0xff);
    throw new TaskExit();
  },
  getpid: (t: Task): SyscallResult => t.proc.pid,
  gettid: (t: Task): SyscallResult => t.tid,
  /** set_tid_address(2): remember clear_child_tid, return the tid */
  set_tid_address(t: Task, [addr]: number[]): SyscallResult {
    t.clearChildTid = addr;
    return t.tid;
  },
  /** rseq(2): not provided (glibc falls back, as on kernels before 4.18) */
  rseq: (): SyscallResult => -Errno.ENOSYS,
  /** prlimit64(2) for the calling process (pid 0 or own pid) */
  prlimit64(t: Task, [pidArg, resArg, newp, oldp]: number[]): SyscallResult {
    const res = resArg >>> 0, pid = pidArg | 0;
    if (res >= RLIM_NLIMITS) return -Errno.EINVAL;
    const target = pid === 0 ? t : t.kernel.liveTask(pid, t);
    if (!target) return -Errno.ESRCH;
    const p = target.proc, c = t.proc.creds;
    // check_prlimit_permission: another process needs the same real, effective and saved ids.
    if (p !== t.proc && !c.capable(CAP.CAP_SYS_RESOURCE) && !c.holdsIdsOf(p.creds)) return -Errno.EPERM;
    const cur = limitOf(p, res);
    let next: [number, number] | undefined;
    if (newp) {
      next = [t.mem.i64(newp), t.mem.i64(newp + 8)];
      const ule = (a: number, b: number) => b === INF || (a !== INF && a <= b);
      if (!ule(next[0], next[1])) return -Errno.EINVAL;
      // do_prlimit: raising the hard limit needs CAP_SYS_RESOURCE; RLIMIT_NOFILE stops at nr_open.
      if (!ule(next[1], cur[1]) && !c.capable(CAP.CAP_SYS_RESOURCE)) return -Errno.EPERM;
      if (res === RLIMIT_NOFILE && (next[1] === INF || next[1] > NR_OPEN)) return -Errno.EPERM;
    }
    if (oldp) { t.mem.setU64(oldp, cur[0]); t.mem.setU64(oldp + 8, cur[1]); }
    if (next) {
      p.rlimits.set(res, next);
      if (res === RLIMIT_NOFILE) p.fds.limit = next[0];
    }
    return 0;
  },
  /** getrlimit(2): always copies out (a NULL pointer is EFAULT, unlike prlimit64's) */
  getrlimit(t: Task, [res, oldp]: number[]): SyscallResult {
    if ((res >>> 0) >= RLIM_NLIMITS) return -Errno.EINVAL;
    if (!oldp) return -Errno.EFAULT;
    return procCalls.prlimit64(t, [0, res, 0, oldp]);
  },
  setrlimit(t: Task, [res, newp]: number[]): SyscallResult { return procCalls.prlimit64(t, [0, res, newp, 0]); },
  /**
   * personality(2): 0xffffffff only reads it. The persona is kept and inherited; ucrun runs
   * every program the same way whatever it says (no address-space randomisation to turn off).
   */
  personality(t: Task, [persona]: number[]): SyscallResult {
    const old = t.proc.personality;
    if ((persona >>> 0) !== 0xffffffff) t.proc.personality = persona >>> 0;
    return old;
  },
  /** uname(2): struct new_utsname, six 65-byte fields */
  uname(t: Task, [buf]: number[]): SyscallResult {
    const out = new Uint8Array(390);
    const u = t.kernel.uts;
    const fields = [u.sysname, u.nodename, u.release, u.version, t.proc.arch.machine, u.domainname];
    fields.forEach((s, i) => out.set(stringToBytes(s).subarray(0, 64), i * 65));
    t.mem.write(buf, out);
    return 0;
  },
  /** getrandom(2) */
  getrandom(t: Task, [buf, len, flags]: number[]): SyscallResult {
    if (flags & ~(GRND.GRND_NONBLOCK | GRND.GRND_RANDOM | GRND.GRND_INSECURE)) return -Errno.EINVAL;
    if ((flags & GRND.GRND_RANDOM) && (flags & GRND.GRND_INSECURE)) return -Errno.EINVAL;
    const n = Math.min(len, 0x7ffff000);
    if (n === 0) return 0;
    // Copies until the first bad page: the bytes that fit (EFAULT when none).
    const chunks = t.mem.prefixChunks(buf, n, true);
    let done = 0;
    for (const c of chunks) { randomFillSync(t.kernel.phys.u8, c.pa, c.len); done += c.len; }
    return done;
  },
  /** sched_yield(2) */
  sched_yield(t: Task): SyscallResult {
    t.kernel.sched.yieldSoon(t);
    return 0;
  },
  /** sysinfo(2): struct sysinfo (112 bytes, same on both arches); the numbers /proc shows */
  sysinfo(t: Task, [buf]: number[]): SyscallResult {
    const out = new DataView(new ArrayBuffer(112));
    const s = systemStats(t.kernel);
    out.setBigInt64(0, BigInt(Math.floor(s.uptime)), true);
    for (let i = 0; i < 3; i++) out.setBigUint64(8 + i * 8, BigInt(Math.round(s.loads[i] * 65536)), true);
    out.setBigUint64(32, BigInt(s.total), true);
    out.setBigUint64(40, BigInt(s.free), true);
    out.setUint16(80, Math.min(s.threads, 0xffff), true);
    out.setUint32(104, 1, true); // mem_unit
    t.mem.write(buf, new Uint8Array(out.buffer));
    return 0;
  },
};
