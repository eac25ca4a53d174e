// The contract between the arch-neutral signal code (src/kernel/signals/) and each arch's
// signal frame (src/arch/<arch>/signal_frame.ts). The kernel decides WHICH signal to
// deliver and with which action; the arch code decides HOW the frame looks in guest memory
// and which registers the handler starts with (Linux: arch/*/kernel/signal.c).
import type { Engine } from '../engine/engine.js';
import type { GuestMemory } from '../mm/guest_memory.js';

/** What the kernel hands the arch code to build one frame. */
export interface FrameRequest {
  sig: number;
  /** The 128-byte siginfo_t to copy into the frame (already encoded). */
  siginfo: Uint8Array;
  /** sa_handler (the handler's address). */
  handler: number;
  /** sa_flags (SA_SIGINFO, SA_ONSTACK, SA_RESTORER, ...). */
  flags: number;
  /** sa_restorer (valid when flags has SA_RESTORER). */
  restorer: number;
  /** The signal mask to save in uc_sigmask (restored by rt_sigreturn). */
  savedMask: bigint;
  /**
   * The alternate stack to build the frame on (SA_ONSTACK with a usable sigaltstack that
   * the task is not already on), or undefined for the current stack.
   */
  altStack?: { sp: number; size: number };
  /** The sigaltstack the task had, saved into uc_stack. */
  ucStack: { sp: number; flags: number; size: number };
  /**
   * Where to return when the arch needs a trampoline (aarch64 without SA_RESTORER: Linux
   * uses the vDSO's __kernel_rt_sigreturn; ucrun maps a page with `mov x8, #139; svc #0`).
   */
  trampoline: number;
  /** si_addr-style fault address for sigcontext (aarch64 fault_address, x86 cr2), or 0. */
  faultAddr: number;
}

export interface FrameResult {
  /** The stack pointer the handler starts with (the frame's base as Linux places it). */
  sp: number;
  /** The handler's pc. */
  pc: number;
}

export interface RestoreResult {
  /** The mask from uc_sigmask, to become the task's signal mask. */
  mask: bigint;
  /** uc_stack as saved (rt_sigreturn calls restore_altstack with it). */
  ucStack: { sp: number; flags: number; size: number };
}

/**
 * Per-arch signal frames. Both functions run while the engine is stopped (never inside a
 * hook): `setup` reads the interrupted registers from the engine, writes the frame through
 * `mem` (GuestFault if the stack is bad: the kernel then kills the task with SIGSEGV, as
 * Linux's force_sigsegv does), and sets the handler's registers (pc, sp, args, return
 * address) on the engine. `restore` is rt_sigreturn: it reads the frame at the current sp
 * and puts every saved register (general, flags, pc, sp, FP/SIMD state, TLS is not part of
 * it) back on the engine.
 */
export interface SignalFrames {
  setup(engine: Engine, mem: GuestMemory, req: FrameRequest): FrameResult;
  restore(engine: Engine, mem: GuestMemory): RestoreResult;
  /** Length of the syscall instruction (to rewind the pc for a restarted call). */
  syscallInsnLength: number;
  /**
   * Where rt_sigreturn finds its frame (for --strace): the frame's address from the stack
   * pointer at the call, and the offsets of uc_sigmask and of the saved return register.
   */
  sigreturnFrame: SigreturnFrame;
}

/** Where rt_sigreturn's frame lies relative to the stack pointer at the call. */
export interface SigreturnFrame {
  /** The frame's address (x86_64: the handler's `ret` already popped pretcode). */
  fromSp(sp: number): number;
  /** Offset of uc_sigmask in the frame. */
  sigmask: number;
  /** Offset of the saved return register (rax / x0) in the frame. */
  retReg: number;
}
