// Signal generation and delivery (kernel/signal.c, arch/*/kernel/signal.c's callers).
//
// Invariants:
// - Standard signals do not queue: one pending bit per signal and per set (the thread's own set
//   for tkill/tgkill/raise and faults, the process's for kill), with the siginfo of the first;
//   real-time signals queue every instance (PendingSignals).
// - Masks, sigaltstack and the own pending set are per thread; dispositions per process. A
//   process-directed signal wakes one thread that does not block it (complete_signal); any
//   thread that does not block it may take it at its next delivery point.
// - A signal is "deliverable" when it is pending and not blocked; SIGKILL and SIGSTOP can
//   never be blocked, caught or ignored.
// - Delivery happens only while the task's engine is stopped (the arch code writes the frame
//   and the registers), at most one handler frame per pass; the scheduler passes again
//   before every run.
// - A task blocked in a syscall is woken when a signal that would do something (not
//   ignored) becomes deliverable; the scheduler then restarts its call or fails it with EINTR.
import { SA, SIGINFO_LAYOUT, SIGSET_SIZE } from './abi.js';
import { Block, type SyscallResult } from './wait.js';
import { Errno } from './errno.js';
import { DEFAULT_IGNORED, Signal } from './signals.js';
import type { Process, QueuedSignal, Task } from './task.js';
import { DEFAULT_ACTION, type SigAction } from './syscalls/sys_signal.js';
import { GuestFault } from '../mm/address_space.js';

export const bit = (sig: number) => 1n << BigInt(sig - 1);
export const UNBLOCKABLE = bit(Signal.SIGKILL) | bit(Signal.SIGSTOP);
export const STOP_SIGNALS = new Set<number>([Signal.SIGSTOP, Signal.SIGTSTP, Signal.SIGTTIN, Signal.SIGTTOU]);
/** Default action "core" (terminate with a core dump flag in the wait status). */
export const CORE_SIGNALS = new Set<number>([Signal.SIGQUIT, Signal.SIGILL, Signal.SIGTRAP, Signal.SIGABRT, Signal.SIGBUS,
  Signal.SIGFPE, Signal.SIGSEGV, Signal.SIGXCPU, Signal.SIGXFSZ, Signal.SIGSYS]);

export const SI_USER = 0;
export const SI_KERNEL = 0x80;
export const SI_TKILL = -6;

export function actionOf(p: Process, sig: number): SigAction {
  return p.sigactions.get(sig) ?? DEFAULT_ACTION;
}

/** Would delivering `sig` do nothing at all? */
export function isIgnored(p: Process, sig: number): boolean {
  if (sig === Signal.SIGKILL || sig === Signal.SIGSTOP) return false;
  const h = actionOf(p, sig).handler;
  return h === SA.SIG_IGN || (h === SA.SIG_DFL && DEFAULT_IGNORED.has(sig));
}

/** Signals pending for a thread: its own set and its process's. */
export const pendingMask = (t: Task): bigint => t.proc.shared.mask | t.private.mask;

/** Pending signals `t` does not block (SIGKILL and SIGSTOP never are). */
export const deliverable = (t: Task): bigint => pendingMask(t) & ~(t.sigmask & ~UNBLOCKABLE);

/** The lowest pending signal `t` does not block (SIGKILL first), or 0. */
export function nextSignal(t: Task): number {
  const ready = deliverable(t);
  if (ready === 0n) return 0;
  if (ready & bit(Signal.SIGKILL)) return Signal.SIGKILL;
  for (let s = 1; s <= 64; s++) if (ready & bit(s)) return s;
  return 0;
}

/** Is there something deliverable to `t` that would interrupt a blocked call? */
export function hasInterruptingSignal(t: Task): boolean {
  const p = t.proc;
  const ready = deliverable(t);
  if (ready === 0n) return false;
  for (let s = 1; s <= 64; s++) if ((ready & bit(s)) && !isIgnored(p, s)) return true;
  return false;
}

/**
 * Does `t`'s blocked call dequeue a pending signal itself? A signalfd read parks with the
 * signalfd's mask in its callState (`takeLo`/`takeHi`): woken by a signal of that mask, the
 * read returns it instead of being interrupted (signalfd_dequeue dequeues before it checks
 * signal_pending), so the signal is taken, not delivered.
 */
export function callTakesSignal(t: Task): boolean {
  const c = t.callState;
  if (c.takeLo === undefined || c.takeHi === undefined) return false;
  const mask = (BigInt(c.takeHi >>> 0) << 32n) | BigInt(c.takeLo >>> 0);
  return (pendingMask(t) & mask) !== 0n;
}

/**
 * Which thread hears of a process-directed signal (complete_signal): the leader if it does
 * not block it, else the next thread after the last one chosen that does not; none if every
 * thread blocks it (it stays pending for whoever unblocks it or waits for it).
 */
function chooseThread(p: Process, sig: number): Task | undefined {
  const wants = (t: Task) => t.state !== 'dead' && (sig === Signal.SIGKILL || !(t.sigmask & bit(sig)));
  const tasks = p.tasks;
  if (tasks.length === 0) return undefined;
  if (wants(tasks[0])) return tasks[0];
  const start = Math.max(0, tasks.indexOf(p.currTarget as Task));
  for (let i = 1; i <= tasks.length; i++) {
    const t = tasks[(start + i) % tasks.length];
    if (wants(t)) { p.currTarget = t; return t; }
  }
  return undefined;
}

/** signal_wake_up: interrupt a blocked call, or stop a running CPU so delivery is prompt. */
function wakeForSignal(t: Task): void {
  if (t.state === 'blocked') { t.interrupted = true; t.wake(); }
  else if (t.state === 'running' && t.engine.running) t.engine.stop();
}

/**
 * Generate a signal for a process (send_signal); `task` directs it at one thread (tgkill).
 * Returns whether `info` itself was queued (not ignored, not merged into a pending one).
 */
export function sendSignal(p: Process, info: QueuedSignal, task?: Task): boolean {
  const k = p.kernel;
  const sig = info.sig;
  if (!p.alive) return false;
  if (sig === Signal.SIGKILL) { k.killProcess(p, Signal.SIGKILL); return false; }
  const sets = [p.shared, ...p.tasks.map((t) => t.private)];
  if (sig === Signal.SIGCONT) {
    for (const s of sets) for (const stop of STOP_SIGNALS) s.discard(stop);
    if (p.stopped) k.continueProcess(p);
  } else if (STOP_SIGNALS.has(sig)) {
    for (const s of sets) s.discard(Signal.SIGCONT);
  }
  // Ignored signals are discarded at generation unless blocked (sig_ignored()).
  const blockedBy = (t: Task | undefined) => t !== undefined && (t.sigmask & bit(sig)) !== 0n;
  if (isIgnored(p, sig) && !(task ? blockedBy(task) : p.tasks.every(blockedBy))) return false;
  const queued = (task ? task.private : p.shared).add(info);
  const target = task ? (blockedBy(task) ? undefined : task) : chooseThread(p, sig);
  // The target first: if it waits on sigWait (a signalfd read), it must be woken as
  // interrupted, so the scheduler either lets the call take the signal or interrupts it.
  if (target) wakeForSignal(target);
  p.sigWait.notify();
  return queued;
}

/** Encode a siginfo_t (128 bytes) for a frame or rt_sigtimedwait. */
export function encodeSiginfo(q: QueuedSignal): Uint8Array {
  if (q.raw) return q.raw.slice();
  const b = new Uint8Array(SIGINFO_LAYOUT.size);
  const dv = new DataView(b.buffer);
  const F = SIGINFO_LAYOUT.fields;
  dv.setInt32(F.si_signo.offset, q.sig, true);
  dv.setInt32(F.si_code.offset, q.code, true);
  if (q.timer) {
    // SIL_TIMER: si_timerid, si_overrun, si_value (the _timer member of the union).
    dv.setInt32(F.si_tid.offset, q.timer.id, true);
    dv.setInt32(F.si_overrun.offset, q.timer.overrun, true);
    dv.setBigUint64(F.si_value.offset, BigInt.asUintN(64, q.timer.value), true);
  } else if (q.sig === Signal.SIGCHLD) {
    dv.setInt32(F.si_pid.offset, q.pid, true);
    dv.setUint32(F.si_uid.offset, q.uid, true);
    dv.setInt32(F.si_status.offset, q.status ?? 0, true);
  } else if (q.addr !== undefined) {
    dv.setBigUint64(F.si_addr.offset, BigInt(q.addr), true);
  } else {
    dv.setInt32(F.si_pid.offset, q.pid, true);
    dv.setUint32(F.si_uid.offset, q.uid, true);
  }
  return b;
}

/**
 * Take one instance of `sig`, the thread's own set first (dequeue_signal). A POSIX timer's
 * signal tells its timer (posixtimer_deliver_signal: a periodic timer re-arms, si_overrun).
 */
export function dequeue(t: Task, sig: number): QueuedSignal {
  const own = t.private;
  const info = own.has(sig) ? own.take(sig) : t.proc.shared.take(sig);
  info?.timer?.taken(info);
  return info ?? { sig, code: SI_KERNEL, pid: 0, uid: 0 };
}

/** Setting a signal to be ignored discards it from every pending set (sigaction's flush). */
export function discardPending(p: Process, sig: number): void {
  p.shared.discard(sig);
  for (const t of p.tasks) t.private.discard(sig);
}

/**
 * Deliver pending signals to a stopped-engine task: default actions happen here; for a
 * handler one frame is built and the task's pc moved to it. Returns false if the task is
 * gone or stopped.
 */
export function deliverSignals(t: Task): boolean {
  const p = t.proc;
  for (;;) {
    if (!p.alive || t.state === 'dead') return false;
    const sig = nextSignal(t);
    if (!sig) {
      // rt_sigsuspend's temporary mask ends when no handler frame saved it (restore_saved_sigmask).
      if (t.savedMask !== undefined && !t.pending) { t.sigmask = t.savedMask; t.savedMask = undefined; }
      return true;
    }
    const info = dequeue(t, sig);
    const act = actionOf(p, sig);
    if (act.handler === SA.SIG_IGN && sig !== Signal.SIGKILL && sig !== Signal.SIGSTOP) continue;
    if (act.handler === SA.SIG_DFL || sig === Signal.SIGKILL || sig === Signal.SIGSTOP) {
      if (DEFAULT_IGNORED.has(sig)) continue;
      if (STOP_SIGNALS.has(sig)) { p.kernel.stopProcess(p, sig); return false; }
      p.kernel.tracer?.signal?.(t, info);
      p.kernel.killProcess(p, sig, undefined, undefined, CORE_SIGNALS.has(sig));
      return false;
    }
    p.kernel.tracer?.signal?.(t, info);
    return buildFrame(t, sig, info, act);
  }
}

function buildFrame(t: Task, sig: number, info: QueuedSignal, act: SigAction): boolean {
  const p = t.proc;
  const onAlt = t.engine.reg(p.arch.abi.sp);
  const alt = t.altstack;
  const altUsable = (act.flags & SA.SA_ONSTACK) && !(alt.flags & SA.SS_DISABLE) &&
    !(onAlt > alt.sp && onAlt <= alt.sp + alt.size);
  const savedMask = t.savedMask ?? t.sigmask;
  t.savedMask = undefined;
  try {
    const r = p.arch.frames.setup(t.engine, p.mem, {
      sig, siginfo: encodeSiginfo(info), handler: act.handler, flags: act.flags, restorer: act.restorer,
      savedMask, altStack: altUsable ? { sp: alt.sp, size: alt.size } : undefined,
      ucStack: { ...alt, flags: alt.flags | (onAlt > alt.sp && onAlt <= alt.sp + alt.size ? SA.SS_ONSTACK : 0) },
      trampoline: p.arch.trampoline?.addr ?? 0, faultAddr: info.addr ?? 0,
    });
    t.pc = r.pc;
  } catch (e) {
    if (!(e instanceof GuestFault)) throw e;
    // force_sigsegv: the frame cannot be written.
    p.kernel.killProcess(p, Signal.SIGSEGV);
    return false;
  }
  t.sigmask = (t.sigmask | act.mask | ((act.flags & SA.SA_NODEFER) ? 0n : bit(sig))) & ~UNBLOCKABLE;
  // SA_RESETHAND resets only the handler; the flags (SA_RESETHAND included) stay.
  if (act.flags & SA.SA_RESETHAND) p.sigactions.set(sig, { ...act, handler: SA.SIG_DFL });
  return true;
}

/** Calls that SA_RESTART restarts (-ERESTARTSYS); the others fail with EINTR. */
const RESTARTABLE = new Set(['read', 'write', 'readv', 'writev', 'pread64', 'pwrite64', 'recvfrom', 'sendto', 'recvmsg',
  'sendmsg', 'wait4', 'waitid', 'accept', 'accept4', 'connect', 'fcntl', 'ioctl', 'open', 'openat', 'flock', 'futex']);

/**
 * A blocked call was interrupted by a deliverable signal: restart it (SA_RESTART on a
 * restartable call, or a stop/ignore that does not end the call) or make it return EINTR.
 * Runs with the engine stopped; the caller delivers the signal afterwards.
 */
export function interruptCall(t: Task): void {
  const call = t.pending!;
  const p = t.proc;
  t.pending = undefined;
  t.abandon?.();
  t.abandon = undefined;
  const saved = t.callState;
  t.callState = {};
  const sig = nextSignal(t);
  const act = sig ? actionOf(p, sig) : DEFAULT_ACTION;
  const handled = sig !== 0 && act.handler !== SA.SIG_DFL && act.handler !== SA.SIG_IGN;
  const restart = handled ? (act.flags & SA.SA_RESTART) !== 0 && RESTARTABLE.has(call.name) : STOP_SIGNALS.has(sig);
  const abi = p.arch.abi;
  if (restart || !handled && !sig) {
    // Rewind to the trap with the original number and first argument (the restart path).
    t.pc -= p.arch.frames.syscallInsnLength;
    t.engine.setReg(abi.pc, t.pc);
    t.engine.setReg(abi.nr, call.nr);
    t.engine.setReg(abi.args[0], call.args[0]);
    p.kernel.tracer?.exit(t, call.name, call.args, -Errno.ERESTARTSYS);
    return;
  }
  // A partially completed read/write reports its progress instead of EINTR.
  const done = saved.done ?? 0;
  const ret = done > 0 ? done : -Errno.EINTR;
  // An interrupted relative sleep reports the time left (hrtimer_nanosleep_restart's rem).
  const rem = call.name === 'nanosleep' ? call.args[1] : call.name === 'clock_nanosleep' && !(call.args[1] & 1) ? call.args[3] : 0;
  if (rem && saved.deadline !== undefined) {
    const left = BigInt(Math.max(0, Math.round(saved.deadline - Number(process.hrtime.bigint()))));
    const b = new DataView(new ArrayBuffer(16));
    b.setBigInt64(0, left / 1_000_000_000n, true);
    b.setBigInt64(8, left % 1_000_000_000n, true);
    try { p.mem.write(rem, new Uint8Array(b.buffer)); } catch { /* EFAULT on rem is ignored here */ }
  }
  t.engine.setReg(abi.ret, ret);
  p.kernel.tracer?.exit(t, call.name, call.args, ret);
}

/** EPIPE's companion (pipe_write, unix_stream_sendmsg): SIGPIPE to the writing thread itself. */
export function raiseSigpipe(t: Task): void {
  sendSignal(t.proc, { sig: Signal.SIGPIPE, code: SI_USER, pid: t.proc.pid, uid: t.proc.creds.uid }, t);
}

/**
 * set_user_sigmask + restore_saved_sigmask_unless (ppoll, pselect6, epoll_pwait): run a
 * possibly blocking, restarted call with the caller's temporary mask, read on the first run
 * only (a size other than sizeof(sigset_t) is EINVAL). If the call would block while the mask
 * lets a pending signal through, it ends in EINTR at once. The old mask comes back when the
 * call completes, except after EINTR: then the handler frame saves it (t.savedMask, as
 * rt_sigsuspend does) or delivery restores it.
 */
export function withSignalMask(t: Task, mask: number, size: number, run: () => SyscallResult): SyscallResult {
  if (!t.callState.maskRead) {
    t.callState.maskRead = 1;
    if (mask) {
      if (size !== SIGSET_SIZE) return -Errno.EINVAL;
      const m = new DataView(t.mem.read(mask, SIGSET_SIZE).buffer).getBigUint64(0, true);
      if (t.savedMask === undefined) t.savedMask = t.sigmask;
      t.sigmask = m & ~UNBLOCKABLE;
      t.callState.masked = 1;
    }
  }
  const restore = () => {
    if (!t.callState.masked || t.savedMask === undefined) return;
    t.sigmask = t.savedMask;
    t.savedMask = undefined;
  };
  let r: SyscallResult;
  try { r = run(); } catch (e) { restore(); throw e; }
  if (r instanceof Block && t.callState.masked && hasInterruptingSignal(t)) return -Errno.EINTR;
  if (typeof r === 'number' && r !== -Errno.EINTR) restore();
  return r;
}
