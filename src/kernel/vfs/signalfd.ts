// signalfd objects (fs/signalfd.c): a file (anon_inode:[signalfd]) that dequeues the
// caller's pending signals of a mask as struct signalfd_siginfo records.
//
// Model, as Linux's:
// - The file holds only the mask (SIGKILL and SIGSTOP never in it). Whose signals it reads is
//   decided by the task calling read or poll (`current`): its own pending set first, then its
//   process's, lowest signal first with the synchronous ones (SIGSEGV, SIGBUS, SIGILL,
//   SIGTRAP, SIGFPE, SIGSYS) ahead (next_signal). So a child that inherited the fd by fork
//   reads the child's signals, and threads share the process-wide ones.
// - read: at least one 128-byte record fits (else EINVAL); it takes as many pending signals
//   as fit, waiting for the first (EAGAIN with O_NONBLOCK) and never for more. A taken signal
//   is gone: it is not delivered as well. A signal of the mask that the reader does not block
//   is delivered the normal way unless the reader is blocked in the read when it arrives:
//   then the read returns it (signalfd_dequeue takes it before checking signal_pending).
// - poll: POLLIN while a signal of the mask is pending for the caller. The wait queue is the
//   caller's process's signal queue (sighand->signalfd_wqh), notified by every new signal.
// - signalfd4 on an existing signalfd replaces the mask and wakes its waiters.
import type { Stat } from '../../arch/stat.js';
import { copyToChunks, type PhysChunk } from '../../mm/guest_memory.js';
import { SFD, SIGINFO_LAYOUT, SIGNALFD_SIGINFO_LAYOUT, SI_CODE } from '../abi.js';
import { anonInodeStat } from '../epoll/anon_inode.js';
import { Errno } from '../errno.js';
import type { Kernel } from '../kernel.js';
import { bit, dequeue, encodeSiginfo, UNBLOCKABLE } from '../signal_delivery.js';
import { Signal } from '../signals.js';
import type { QueuedSignal, Task } from '../task.js';
import { block, SyscallResult, WaitQueue } from '../wait.js';
import { chunkBytes, O_RDWR, OpenFile, POLLIN } from './file.js';

export const SIGNALFD_RECORD = SIGNALFD_SIGINFO_LAYOUT.size;

/** SYNCHRONOUS_MASK (kernel/signal.c): taken before other pending signals. */
const SYNCHRONOUS = bit(Signal.SIGSEGV) | bit(Signal.SIGBUS) | bit(Signal.SIGILL) | bit(Signal.SIGTRAP) | bit(Signal.SIGFPE) | bit(Signal.SIGSYS);

/** next_signal: the signal to take from `pending` (synchronous ones first), or 0. */
function nextOf(pending: bigint): number {
  if (pending === 0n) return 0;
  const x = pending & SYNCHRONOUS ? pending & SYNCHRONOUS : pending;
  for (let s = 1; s <= 64; s++) if (x & bit(s)) return s;
  return 0;
}

export class SignalFd extends OpenFile {
  override get noopSeek(): boolean { return true; }
  /** The signals of interest (never SIGKILL or SIGSTOP). */
  #mask: bigint;

  constructor(readonly kernel: Kernel, readonly creator: Task, mask: bigint, flags: number) {
    super(O_RDWR | (flags & SFD.SFD_NONBLOCK), 'anon_inode:[signalfd]');
    this.#mask = mask & ~UNBLOCKABLE;
  }

  get mask(): bigint { return this.#mask; }

  /** signalfd4 on this file: a new mask; pollers and readers re-check. */
  setMask(mask: bigint): void {
    this.#mask = mask & ~UNBLOCKABLE;
    this.waitq.notify();
  }

  get nonblock(): boolean { return (this.flags & SFD.SFD_NONBLOCK) !== 0; }

  stat(): Stat { return anonInodeStat(); }

  /** `current`: the task in a syscall, else (a wake-up callback) the creator. */
  #current(): Task { return this.kernel.dispatcher.caller ?? this.creator; }

  override get waitq(): WaitQueue { return this.#current().proc.sigWait; }

  /** The next signal of the mask pending for `t` (its own set first), or 0. */
  #next(t: Task): number {
    return nextOf(t.private.mask & this.#mask) || nextOf(t.proc.shared.mask & this.#mask);
  }

  override read(t: Task, dst: PhysChunk[], len: number, pos: number | undefined): SyscallResult {
    if (pos !== undefined) return -Errno.ESPIPE;
    if (len < SIGNALFD_RECORD) return -Errno.EINVAL;
    // Only whole records are copied; a buffer that cannot take one faults before any is taken.
    const room = Math.floor(Math.min(len, chunkBytes(dst)) / SIGNALFD_RECORD);
    if (room === 0) return -Errno.EFAULT;
    if (this.#next(t) === 0) {
      if (this.nonblock) return -Errno.EAGAIN;
      // A signal of the mask that wakes the reader is read, not delivered (callTakesSignal).
      t.callState.takeLo = Number(this.#mask & 0xffffffffn);
      t.callState.takeHi = Number(this.#mask >> 32n);
      return block([t.proc.sigWait]);
    }
    const out = new Uint8Array(room * SIGNALFD_RECORD);
    let n = 0;
    for (let sig = this.#next(t); sig !== 0 && n < room; sig = this.#next(t)) {
      out.set(signalfdSiginfo(dequeue(t, sig)), n * SIGNALFD_RECORD);
      n++;
    }
    copyToChunks(t.mem.phys.u8, dst, out.subarray(0, n * SIGNALFD_RECORD));
    return n * SIGNALFD_RECORD;
  }

  override poll(): number { return this.#next(this.#current()) ? POLLIN : 0; }
}

/**
 * signalfd_copyinfo: a signal's siginfo as struct signalfd_siginfo, the members chosen by
 * siginfo_layout (kernel/signal.c) from the signal number and si_code.
 */
export function signalfdSiginfo(q: QueuedSignal): Uint8Array {
  const si = new DataView(encodeSiginfo(q).buffer);
  const S = SIGINFO_LAYOUT.fields;
  const out = new Uint8Array(SIGNALFD_RECORD);
  const dv = new DataView(out.buffer);
  const F = SIGNALFD_SIGINFO_LAYOUT.fields;
  const sig = si.getInt32(S.si_signo.offset, true);
  const code = si.getInt32(S.si_code.offset, true);
  const i32 = (f: { offset: number }) => si.getInt32(f.offset, true);
  const u64 = (f: { offset: number }) => si.getBigUint64(f.offset, true);
  dv.setUint32(F.ssi_signo.offset, sig, true);
  dv.setInt32(F.ssi_errno.offset, i32(S.si_errno), true);
  dv.setInt32(F.ssi_code.offset, code, true);
  const kill = () => { dv.setUint32(F.ssi_pid.offset, i32(S.si_pid), true); dv.setUint32(F.ssi_uid.offset, i32(S.si_uid), true); };
  const value = () => { dv.setBigUint64(F.ssi_ptr.offset, u64(S.si_ptr), true); dv.setInt32(F.ssi_int.offset, i32(S.si_int), true); };
  switch (siginfoLayout(sig, code)) {
    case 'kill': kill(); break;
    case 'timer':
      dv.setUint32(F.ssi_tid.offset, i32(S.si_tid), true);
      dv.setUint32(F.ssi_overrun.offset, i32(S.si_overrun), true);
      value();
      break;
    case 'poll':
      dv.setUint32(F.ssi_band.offset, Number(BigInt.asUintN(32, u64(S.si_band))), true);
      dv.setInt32(F.ssi_fd.offset, i32(S.si_fd), true);
      break;
    case 'fault': dv.setBigUint64(F.ssi_addr.offset, u64(S.si_addr), true); break;
    case 'chld':
      kill();
      dv.setInt32(F.ssi_status.offset, i32(S.si_status), true);
      dv.setBigUint64(F.ssi_utime.offset, u64(S.si_utime), true);
      dv.setBigUint64(F.ssi_stime.offset, u64(S.si_stime), true);
      break;
    case 'rt': kill(); value(); break;
    case 'sys':
      dv.setBigUint64(F.ssi_call_addr.offset, u64(S.si_call_addr), true);
      dv.setInt32(F.ssi_syscall.offset, i32(S.si_syscall), true);
      dv.setUint32(F.ssi_arch.offset, i32(S.si_arch), true);
      break;
  }
  return out;
}

/** The si_code limits of the signal-specific codes (sig_specific_sicodes: NSIGILL, ...). */
const SPECIFIC: Readonly<Record<number, [limit: number, layout: Layout]>> = {
  [Signal.SIGILL]: [11, 'fault'], [Signal.SIGFPE]: [15, 'fault'], [Signal.SIGSEGV]: [10, 'fault'],
  [Signal.SIGBUS]: [5, 'fault'], [Signal.SIGTRAP]: [6, 'fault'], [Signal.SIGCHLD]: [6, 'chld'],
  [Signal.SIGIO]: [6, 'poll'], [Signal.SIGSYS]: [2, 'sys'],
};
type Layout = 'kill' | 'timer' | 'poll' | 'fault' | 'chld' | 'rt' | 'sys';
const NSIGPOLL = 6;

/** siginfo_layout (kernel/signal.c), without the arch-only fault variants. */
function siginfoLayout(sig: number, code: number): Layout {
  if (code > SI_CODE.SI_USER && code < SI_CODE.SI_KERNEL) {
    const s = SPECIFIC[sig];
    if (s && code <= s[0]) return s[1];
    return code <= NSIGPOLL ? 'poll' : 'kill';
  }
  if (code === SI_CODE.SI_TIMER) return 'timer';
  if (code === SI_CODE.SI_SIGIO) return 'poll';
  return code < 0 ? 'rt' : 'kill';
}
