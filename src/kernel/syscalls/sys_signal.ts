// Signal syscalls (kernel/signal.c, kernel/time/itimer.c): dispositions and masks
// (rt_sigaction, rt_sigprocmask, rt_sigpending), generation (kill, tgkill, tkill), waiting
// (rt_sigsuspend, pause, rt_sigtimedwait), sigaltstack, rt_sigreturn and the interval
// timers. Delivery itself is src/kernel/signal_delivery.ts.
import { SA, SIGACTION_LAYOUT, SIGINFO_LAYOUT, SIGSET_SIZE } from '../abi.js';
import { CAP } from '../creds.js';
import { Errno } from '../errno.js';
import { Signal } from '../signals.js';
import type { Process, QueuedSignal, Task } from '../task.js';
import { block, SyscallResult } from '../wait.js';
import { TaskExit } from '../dispatch.js';
import {
  bit, deliverable, dequeue, discardPending, encodeSiginfo, hasInterruptingSignal, isIgnored, pendingMask, sendSignal, SI_TKILL,
  SI_USER, UNBLOCKABLE,
} from '../signal_delivery.js';

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
    if (next) {
      t.proc.sigactions.set(sig, { ...next, mask: next.mask & ~UNBLOCKABLE });
      // POSIX: setting a pending signal's action to ignore discards it.
      if (isIgnored(t.proc, sig)) discardPending(t.proc, sig);
    }
    return 0;
  },
  /** rt_sigprocmask(2) */
  rt_sigprocmask(t: Task, [how, set, oset, size]: number[]): SyscallResult {
    if (size !== SIGSET_SIZE) return -Errno.EINVAL;
    const next = set ? t.mem.read(set, 8) : undefined;
    if (next && how !== SA.SIG_BLOCK && how !== SA.SIG_UNBLOCK && how !== SA.SIG_SETMASK) return -Errno.EINVAL;
    if (oset) t.mem.setU64(oset, t.sigmask);
    if (next) {
      const v = new DataView(next.buffer).getBigUint64(0, true);
      const m = t.sigmask;
      t.sigmask = (how === SA.SIG_BLOCK ? m | v : how === SA.SIG_UNBLOCK ? m & ~v : v) & ~UNBLOCKABLE;
    }
    return 0;
  },
  /** rt_sigpending(2) */
  rt_sigpending(t: Task, [set, size]: number[]): SyscallResult {
    if (size > SIGSET_SIZE) return -Errno.EINVAL;
    t.mem.setU64(set, pendingMask(t) & t.sigmask);
    return 0;
  },
};

// ---- generation, waiting and return (kernel/signal.c, kernel/time/itimer.c) ----

function senderInfo(t: Task, sig: number, code: number): QueuedSignal {
  return { sig, code, pid: t.proc.pid, uid: t.proc.creds.uid };
}

/** Send to every process matching kill(2)'s pid argument; ESRCH when none matched. */
function killTargets(t: Task, pid: number): Process[] {
  const all = [...t.kernel.processes.values()].filter((p) => p.alive || p.waitStatus !== undefined);
  if (pid > 0) {
    // A thread's tid names its whole thread group too (kill_pid_info looks the pid up as any task).
    const byTid = t.kernel.tasks.get(pid)?.proc;
    return all.filter((p) => p.pid === pid || p === byTid);
  }
  if (pid === 0) return all.filter((p) => p.alive && p.pgid === t.proc.pgid);
  if (pid === -1) return all.filter((p) => p.alive && p.pid !== 1 && p !== t.proc);
  return all.filter((p) => p.alive && p.pgid === -pid);
}

/**
 * kill_ok / check_kill_permission: the sender's real or effective uid is the target's real or
 * saved uid, or it has CAP_KILL; SIGCONT within one session is always allowed.
 */
export function mayKill(t: Task, p: Process, sig: number): boolean {
  const c = t.proc.creds, o = p.creds;
  if (c.capable(CAP.CAP_KILL) || p === t.proc) return true;
  if (sig === Signal.SIGCONT && p.sid === t.proc.sid) return true;
  return c.euid === o.suid || c.euid === o.uid || c.uid === o.suid || c.uid === o.uid;
}

/**
 * do_rt_sigqueueinfo's check and copy: another process may not be sent a siginfo that claims
 * to come from the kernel or from kill/tkill (si_code >= 0 or SI_TKILL): EPERM.
 */
function queuedInfo(t: Task, sig: number, uinfo: number, self: boolean): QueuedSignal | number {
  const raw = t.mem.read(uinfo, SIGINFO_LAYOUT.size);
  const dv = new DataView(raw.buffer);
  const code = dv.getInt32(SIGINFO_LAYOUT.fields.si_code.offset, true);
  if (!self && (code >= 0 || code === SI_TKILL)) return -Errno.EPERM;
  dv.setInt32(SIGINFO_LAYOUT.fields.si_signo.offset, sig, true);
  return { sig, code, pid: dv.getInt32(SIGINFO_LAYOUT.fields.si_pid.offset, true), uid: dv.getUint32(SIGINFO_LAYOUT.fields.si_uid.offset, true), raw };
}

function readSigset(t: Task, addr: number): bigint {
  return new DataView(t.mem.read(addr, 8).buffer).getBigUint64(0, true);
}

function readTimeval(t: Task, addr: number): number {
  return t.mem.i64(addr) * 1000 + t.mem.i64(addr + 8) / 1000;
}

function writeTimeval(t: Task, addr: number, ms: number): void {
  const us = Math.max(0, Math.round(ms * 1000));
  t.mem.setU64(addr, Math.floor(us / 1e6));
  t.mem.setU64(addr + 8, us % 1e6);
}

export const signalGenCalls = {
  /** kill(2) */
  kill(t: Task, [pid, sig]: number[]): SyscallResult {
    pid |= 0; sig |= 0;
    if (sig < 0 || sig > 64) return -Errno.EINVAL;
    const targets = killTargets(t, pid);
    if (targets.length === 0) return -Errno.ESRCH;
    // One target refusing is EPERM; a group or broadcast succeeds if any target accepted.
    const allowed = targets.filter((p) => mayKill(t, p, sig));
    if (allowed.length === 0) return -Errno.EPERM;
    if (pid > 0 && allowed.length < targets.length) return -Errno.EPERM;
    if (sig !== 0) for (const p of allowed) sendSignal(p, senderInfo(t, sig, SI_USER));
    return 0;
  },
  /** tgkill(2): one thread of one thread group */
  tgkill(t: Task, [tgid, tid, sig]: number[]): SyscallResult {
    if ((tgid | 0) <= 0 || (tid | 0) <= 0 || sig < 0 || sig > 64) return -Errno.EINVAL;
    const target = t.kernel.liveTask(tid | 0);
    if (!target || target.proc.pid !== (tgid | 0)) return -Errno.ESRCH;
    if (!mayKill(t, target.proc, sig | 0)) return -Errno.EPERM;
    if (sig !== 0) sendSignal(target.proc, senderInfo(t, sig, SI_TKILL), target);
    return 0;
  },
  /** tkill(2) */
  tkill(t: Task, [tid, sig]: number[]): SyscallResult {
    if ((tid | 0) <= 0 || sig < 0 || sig > 64) return -Errno.EINVAL;
    const target = t.kernel.liveTask(tid | 0);
    if (!target) return -Errno.ESRCH;
    if (!mayKill(t, target.proc, sig | 0)) return -Errno.EPERM;
    if (sig !== 0) sendSignal(target.proc, senderInfo(t, sig, SI_TKILL), target);
    return 0;
  },
  /** rt_sigqueueinfo(2): a signal with the caller's siginfo to a process */
  rt_sigqueueinfo(t: Task, [tgid, sig, uinfo]: number[]): SyscallResult {
    const p = t.kernel.processes.get(tgid | 0);
    if ((sig | 0) < 0 || (sig | 0) > 64) return -Errno.EINVAL;
    const info = queuedInfo(t, sig | 0, uinfo, p?.pid === t.proc.pid);
    if (typeof info === 'number') return info;
    if (!p || !p.alive) return -Errno.ESRCH;
    if (sig !== 0) sendSignal(p, info);
    return 0;
  },
  /** rt_tgsigqueueinfo(2): the same to one thread (pthread_sigqueue) */
  rt_tgsigqueueinfo(t: Task, [tgid, tid, sig, uinfo]: number[]): SyscallResult {
    if ((tgid | 0) <= 0 || (tid | 0) <= 0 || (sig | 0) < 0 || (sig | 0) > 64) return -Errno.EINVAL;
    const target = t.kernel.liveTask(tid | 0);
    const info = queuedInfo(t, sig | 0, uinfo, target?.proc === t.proc);
    if (typeof info === 'number') return info;
    if (!target || target.proc.pid !== (tgid | 0)) return -Errno.ESRCH;
    if (sig !== 0) sendSignal(target.proc, info, target);
    return 0;
  },
  /** rt_sigreturn(2): the frame at sp goes back into the registers once the CPU stops */
  rt_sigreturn(t: Task): SyscallResult {
    t.stopThen((task) => {
      const p = task.proc;
      try {
        const r = p.arch.frames.restore(task.engine, p.mem);
        task.sigmask = r.mask & ~UNBLOCKABLE;
        // restore_altstack: errors are ignored, as Linux does.
        if (!(task.altstack.flags & SA.SS_ONSTACK)) task.altstack = { sp: r.ucStack.sp, size: r.ucStack.size, flags: r.ucStack.flags & ~SA.SS_ONSTACK };
        task.pc = task.engine.reg(p.arch.abi.pc);
      } catch {
        p.kernel.killProcess(p, Signal.SIGSEGV);
      }
    });
    throw new TaskExit(); // no return value: every register comes from the frame
  },
  /** rt_sigsuspend(2): wait with a temporary mask; always -EINTR after a handler ran */
  rt_sigsuspend(t: Task, [mask, size]: number[]): SyscallResult {
    if (size !== SIGSET_SIZE) return -Errno.EINVAL;
    const p = t.proc;
    if (!t.callState.suspended) {
      const m = readSigset(t, mask);
      t.savedMask = t.sigmask;
      t.sigmask = m & ~UNBLOCKABLE;
      t.callState.suspended = 1;
    }
    if (hasInterruptingSignal(t)) return -Errno.EINTR;
    return block([]);
  },
  /** pause(2), x86_64 only */
  pause(t: Task): SyscallResult {
    return hasInterruptingSignal(t) ? -Errno.EINTR : block([]);
  },
  /** rt_sigtimedwait(2) */
  rt_sigtimedwait(t: Task, [set, info, timeout, size]: number[]): SyscallResult {
    if (size !== SIGSET_SIZE) return -Errno.EINVAL;
    const p = t.proc;
    const want = readSigset(t, set) & ~UNBLOCKABLE;
    const ready = pendingMask(t) & want;
    if (ready) {
      let sig = 1;
      while (!(ready & bit(sig))) sig++;
      const q = dequeue(t, sig);
      if (info) t.mem.write(info, encodeSiginfo(q));
      return sig;
    }
    // Another, unblocked signal with an action interrupts the wait.
    const other = deliverable(t) & ~want;
    if (other) for (let s = 1; s <= 64; s++) if ((other & bit(s)) && !isIgnored(p, s)) return -Errno.EINTR;
    if (t.callState.deadline === undefined) {
      if (timeout) {
        const sec = t.mem.i64(timeout), nsec = t.mem.i64(timeout + 8);
        if (sec < 0 || nsec < 0 || nsec >= 1e9) return -Errno.EINVAL;
        t.callState.deadline = performance.now() + sec * 1000 + nsec / 1e6;
      } else t.callState.deadline = -1;
    }
    const dl = t.callState.deadline;
    if (dl >= 0 && performance.now() >= dl) return -Errno.EAGAIN;
    return block([p.sigWait], dl >= 0 ? dl : undefined);
  },
  /** sigaltstack(2) */
  sigaltstack(t: Task, [ss, old]: number[]): SyscallResult {
    const p = t.proc;
    const sp = t.engine.reg(p.arch.abi.sp);
    const a = t.altstack;
    const onStack = !(a.flags & SA.SS_DISABLE) && sp > a.sp && sp <= a.sp + a.size;
    if (ss) {
      const b = new DataView(t.mem.read(ss, 24).buffer);
      const nsp = Number(b.getBigUint64(0, true)), flags = b.getInt32(8, true) >>> 0, size = Number(b.getBigUint64(16, true));
      if (onStack) return -Errno.EPERM;
      const mode = flags & ~SA.SS_AUTODISARM;
      if (mode !== 0 && mode !== SA.SS_DISABLE && mode !== SA.SS_ONSTACK) return -Errno.EINVAL;
      if (mode === SA.SS_DISABLE) { if (old) writeStack(t, old, a, onStack); t.altstack = { sp: 0, size: 0, flags: SA.SS_DISABLE }; return 0; }
      if (size < p.arch.data.SIGNAL_STACK.MINSIGSTKSZ) return -Errno.ENOMEM;
      if (old) writeStack(t, old, a, onStack);
      t.altstack = { sp: nsp, size, flags: flags & SA.SS_AUTODISARM };
      return 0;
    }
    if (old) writeStack(t, old, a, onStack);
    return 0;
  },
  /**
   * setitimer(2): ITIMER_REAL counts wall time (SIGALRM); ITIMER_VIRTUAL (SIGVTALRM) and
   * ITIMER_PROF (SIGPROF) count the process's CPU time, fired by the scheduler's accounting.
   */
  setitimer(t: Task, [which, nv, ov]: number[]): SyscallResult {
    if (which < 0 || which > 2) return -Errno.EINVAL;
    const p = t.proc;
    const next = nv ? { interval: readTimeval(t, nv), value: readTimeval(t, nv + 16) } : undefined;
    if (nv && (t.mem.i64(nv + 8) >= 1e6 || t.mem.i64(nv + 24) >= 1e6 || t.mem.i64(nv + 8) < 0 || t.mem.i64(nv + 24) < 0)) return -Errno.EINVAL;
    if (ov) { const [iv, left] = itimerNow(t, which); writeTimeval(t, ov, iv); writeTimeval(t, ov + 16, left); }
    if (!next) return 0;
    if (which === 0) {
      p.itimer = { interval: next.interval, deadline: next.value > 0 ? performance.now() + next.value : 0 };
      t.kernel.sched.timersChanged(t);
    } else {
      const cpu = t.kernel.sched.cpuNow(p);
      p.cpuTimers[which] = { interval: next.interval * 1e6, deadline: next.value > 0 ? cpu + next.value * 1e6 : 0 };
      t.kernel.sched.timersChanged(t);
    }
    return 0;
  },
  /** getitimer(2) */
  getitimer(t: Task, [which, cv]: number[]): SyscallResult {
    if (which < 0 || which > 2) return -Errno.EINVAL;
    const [iv, left] = itimerNow(t, which);
    writeTimeval(t, cv, iv);
    writeTimeval(t, cv + 16, left);
    return 0;
  },
  /** alarm(2), x86_64 only: returns the seconds left on the previous alarm (rounded) */
  alarm(t: Task, [seconds]: number[]): SyscallResult {
    const p = t.proc;
    const now = performance.now();
    const left = p.itimer.deadline ? Math.max(0, p.itimer.deadline - now) : 0;
    p.itimer = { deadline: seconds ? now + (seconds >>> 0) * 1000 : 0, interval: 0 };
    t.kernel.sched.timersChanged(t);
    return left ? Math.max(1, Math.round(left / 1000)) : 0;
  },
};

/** An interval timer's interval and time left, in ms. */
function itimerNow(t: Task, which: number): [number, number] {
  const p = t.proc;
  if (which === 0) return [p.itimer.interval, p.itimer.deadline ? Math.max(0, p.itimer.deadline - performance.now()) : 0];
  const c = p.cpuTimers[which];
  if (!c) return [0, 0];
  return [c.interval / 1e6, c.deadline ? Math.max(0, c.deadline - t.kernel.sched.cpuNow(p)) / 1e6 : 0];
}

function writeStack(t: Task, addr: number, a: { sp: number; size: number; flags: number }, onStack: boolean): void {
  const b = new DataView(new ArrayBuffer(24));
  b.setBigUint64(0, BigInt(a.sp), true);
  b.setInt32(8, (a.flags | (onStack ? SA.SS_ONSTACK : 0)) | 0, true);
  b.setBigUint64(16, BigInt(a.size), true);
  t.mem.write(addr, new Uint8Array(b.buffer));
}
