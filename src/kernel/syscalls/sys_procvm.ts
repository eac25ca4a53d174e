// process_vm_readv(2), process_vm_writev(2) (mm/process_vm_access.c): copy between the
// caller's iovecs and another process's, as that process's memory allows (no FOLL_FORCE: a
// read-only page there cannot be written). The copy stops at the first fault on either side;
// nothing copied is EFAULT. Access needs the target's ids or CAP_SYS_PTRACE (EPERM).
import type { PhysChunk } from '../../mm/guest_memory.js';
import { GuestFault } from '../../mm/address_space.js';
import { CAP } from '../creds.js';
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import type { SyscallResult } from '../wait.js';
import { UIO_MAXIOV } from './sys_fs.js';

function transfer(t: Task, [pid, lvec, liovcnt, rvec, riovcnt, flags]: number[], toRemote: boolean): SyscallResult {
  if (flags !== 0) return -Errno.EINVAL;
  if ((liovcnt >>> 0) > UIO_MAXIOV || (riovcnt >>> 0) > UIO_MAXIOV) return -Errno.EINVAL;
  const local = t.mem.iovecs(lvec, liovcnt >>> 0), remote = t.mem.iovecs(rvec, riovcnt >>> 0);
  const target = t.kernel.liveTask(pid | 0, t)?.proc;
  if (!target) return -Errno.ESRCH;
  const c = t.proc.creds, o = target.creds;
  if (!c.holdsIdsOf(o) && !c.capable(CAP.CAP_SYS_PTRACE)) return -Errno.EPERM;
  const u8 = t.kernel.phys.u8;
  // Both sides as flat lists of accessible chunks, each cut at its first fault.
  const side = (mem: typeof t.mem, vecs: { base: number; len: number }[], write: boolean): PhysChunk[] => {
    const out: PhysChunk[] = [];
    for (const v of vecs) {
      if (v.len === 0) continue;
      let part: PhysChunk[];
      try { part = mem.prefixChunks(v.base, v.len, write); } catch (e) { if (e instanceof GuestFault) break; throw e; }
      out.push(...part);
      if (part.reduce((n, x) => n + x.len, 0) < v.len) break;
    }
    return out;
  };
  const src = toRemote ? side(t.mem, local, false) : side(target.mem, remote, false);
  const dst = toRemote ? side(target.mem, remote, true) : side(t.mem, local, true);
  let done = 0, si = 0, so = 0, di = 0, dof = 0;
  while (si < src.length && di < dst.length) {
    const n = Math.min(src[si].len - so, dst[di].len - dof);
    u8.copyWithin(dst[di].pa + dof, src[si].pa + so, src[si].pa + so + n);
    done += n; so += n; dof += n;
    if (so === src[si].len) { si++; so = 0; }
    if (dof === dst[di].len) { di++; dof = 0; }
  }
  const wanted = Math.min(local.reduce((n, v) => n + v.len, 0), remote.reduce((n, v) => n + v.len, 0));
  if (done === 0 && wanted > 0) return -Errno.EFAULT;
  return done;
}

export const procvmCalls = {
  /** process_vm_readv(2) */
  process_vm_readv: (t: Task, args: number[]): SyscallResult => transfer(t, args, false),
  /** process_vm_writev(2) */
  process_vm_writev: (t: Task, args: number[]): SyscallResult => transfer(t, args, true),
};
