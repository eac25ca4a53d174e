// Signal dispositions and masks: rt_sigaction, rt_sigprocmask, rt_sigpending
// (kernel/signal.c). Dispositions and the mask are recorded exactly; delivery to guest
// handlers arrives with the processes issue. Until then a kernel-raised signal (SIGPIPE)
// whose action is "terminate" kills the process; an ignored, blocked or handled one does not.
import { SA, SIGACTION_LAYOUT, SIGSET_SIZE } from '../abi.js';
import { Errno } from '../errno.js';
import { Signal } from '../signals.js';
import type { Task } from '../task.js';
import type { SyscallResult } from '../wait.js';

const UNBLOCKABLE = (1n << BigInt(Signal.SIGKILL - 1)) | (1n << BigInt(Signal.SIGSTOP - 1));
const F = SIGACTION_LAYOUT.fields;

export interface SigAction { handler: number; flags: number; restorer: number; mask: bigint }
export const DEFAULT_ACTION: SigAction = { handler: SA.SIG_DFL, flags: 0, restorer: 0, mask: 0n };

function readAction(t: Task, addr: number): SigAction {
  const b = t.mem.read(addr, SIGACTION_LAYOUT.size);
  const dv = new DataView(b.buffer);
  const u64 = (o: number) => dv.getUint32(o + 4, true) * 4294967296 + dv.getUint32(o, true);
  return { handler: u64(F.sa_handler.offset), flags: dv.getUint32(F.sa_flags.offset, true), restorer: u64(F.sa_restorer.offset), mask: dv.getBigUint64(F.sa_mask.offset, true) };
}

function writeAction(t: Task, addr: number, a: SigAction): void {
  const b = new Uint8Array(SIGACTION_LAYOUT.size);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(F.sa_handler.offset, BigInt(a.handler), true);
  dv.setBigUint64(F.sa_flags.offset, BigInt(a.flags >>> 0), true);
  dv.setBigUint64(F.sa_restorer.offset, BigInt(a.restorer), true);
  dv.setBigUint64(F.sa_mask.offset, a.mask, true);
  t.mem.write(addr, b);
}

export const signalCalls = {
  /** rt_sigaction(2) */
  rt_sigaction(t: Task, [sig, act, oact, size]: number[]): SyscallResult {
    if (size !== SIGSET_SIZE) return -Errno.EINVAL;
    if (sig < 1 || sig > 64) return -Errno.EINVAL;
    if (act && (sig === Signal.SIGKILL || sig === Signal.SIGSTOP)) return -Errno.EINVAL;
    const next = act ? readAction(t, act) : undefined;
    if (oact) writeAction(t, oact, t.proc.sigactions.get(sig) ?? DEFAULT_ACTION);
    if (next) t.proc.sigactions.set(sig, { ...next, mask: next.mask & ~UNBLOCKABLE });
    return 0;
  },
  /** rt_sigprocmask(2) */
  rt_sigprocmask(t: Task, [how, set, oset, size]: number[]): SyscallResult {
    if (size !== SIGSET_SIZE) return -Errno.EINVAL;
    const next = set ? t.mem.read(set, 8) : undefined;
    if (next && how !== SA.SIG_BLOCK && how !== SA.SIG_UNBLOCK && how !== SA.SIG_SETMASK) return -Errno.EINVAL;
    if (oset) t.mem.setU64(oset, t.proc.sigmask);
    if (next) {
      const v = new DataView(next.buffer).getBigUint64(0, true);
      const m = t.proc.sigmask;
      t.proc.sigmask = (how === SA.SIG_BLOCK ? m | v : how === SA.SIG_UNBLOCK ? m & ~v : v) & ~UNBLOCKABLE;
    }
    return 0;
  },
  /** rt_sigpending(2) */
  rt_sigpending(t: Task, [set, size]: number[]): SyscallResult {
    if (size > SIGSET_SIZE) return -Errno.EINVAL;
    t.mem.setU64(set, t.proc.sigpending & t.proc.sigmask);
    return 0;
  },
};
