// x86_64 signal frames, laid out as Linux lays them out (arch/x86/kernel/signal.c:
// get_sigframe, handle_signal; signal_64.c: x64_setup_rt_frame, rt_sigreturn,
// restore_sigcontext; fpu/signal.c: fpu__alloc_mathframe, fpu__restore_sig).
//
// Stack after setup (addresses grow upwards):
//   rsp = frame -> struct rt_sigframe { char *pretcode; struct ucontext uc; siginfo_t info; }
//                  (frame + 8) % 16 == 0: the handler starts as if `call` had pushed pretcode
//   ...            padding
//   fpstate     -> struct _fpstate_64 (the 512-byte fxsave image), 64-byte aligned
//   ...            the 128-byte red zone below the interrupted rsp (not on the alternate stack)
//
// The FPU image is the legacy fxsave format without the xsave extension, so uc_flags has no
// UC_FP_XSTATE (Linux on a CPU without XSAVE does the same) and sw_reserved holds no
// FP_XSTATE_MAGIC1: rt_sigreturn then restores the legacy area only.
//
// Every offset below was printed by a C program built against the uapi headers
// <asm/signal.h>, <asm/sigcontext.h>, <asm/ucontext.h>, <asm/siginfo.h> with rt_sigframe
// declared as in arch/x86/include/asm/sigframe.h.
import type { Engine } from '../../engine/engine.js';
import { GuestFault } from '../../mm/address_space.js';
import type { GuestMemory } from '../../mm/guest_memory.js';
import { SA } from '../../kernel/abi.js';
import type { FrameRequest, FrameResult, RestoreResult, SignalFrames } from '../signal_frame.js';
import { BadFrame } from '../aarch64/signal_frame.js';
import { X86_REG } from './regs.js';

export { BadFrame };

/** Byte offsets in struct rt_sigframe (x86_64), sizeof = 440. */
export const X86_FRAME = {
  pretcode: 0,
  uc: 8, // struct ucontext (asm-generic/ucontext.h), sizeof 304
  uc_flags: 8,
  uc_link: 16,
  uc_stack_sp: 24, // stack_t.ss_sp
  uc_stack_flags: 32, // stack_t.ss_flags (int)
  uc_stack_size: 40, // stack_t.ss_size
  uc_mcontext: 48, // struct sigcontext (asm/sigcontext.h), sizeof 256
  uc_sigmask: 304, // the kernel's 8-byte sigset_t
  info: 312, // siginfo_t, 128 bytes
} as const;
export const X86_RT_SIGFRAME_SIZE = 440;

/** Byte offsets in struct sigcontext (64-bit), relative to uc_mcontext. */
export const X86_SIGCONTEXT = {
  r8: 0, r9: 8, r10: 16, r11: 24, r12: 32, r13: 40, r14: 48, r15: 56, rdi: 64, rsi: 72, rbp: 80,
  rbx: 88, rdx: 96, rax: 104, rcx: 112, rsp: 120, rip: 128, eflags: 136,
  cs: 144, gs: 146, fs: 148, ss: 150, // u16 each
  err: 152, trapno: 160, oldmask: 168, cr2: 176, fpstate: 184, reserved1: 192,
} as const;
export const X86_SIGCONTEXT_SIZE = 256;

/** struct _fpstate_64 (the fxsave image), sizeof 512. */
export const X86_FPSTATE = {
  cwd: 0, swd: 2, twd: 4, fop: 6, rip: 8, rdp: 16, mxcsr: 24, mxcsr_mask: 28,
  st_space: 32, // 8 x 16 bytes (80-bit value + 6 bytes padding), ST(0) first
  xmm_space: 160, // 16 x 16 bytes
  reserved2: 416, sw_reserved: 464,
} as const;
export const X86_FPSTATE_SIZE = 512;

/** uc_flags bits (arch/x86/include/uapi/asm/ucontext.h). */
export const UC_FP_XSTATE = 0x1;
export const UC_SIGCONTEXT_SS = 0x2;
export const UC_STRICT_RESTORE_SS = 0x4;

/** __USER_CS / __USER_DS for 64-bit user mode (arch/x86/include/asm/segment.h). */
const USER_CS = 0x33;
const USER_DS = 0x2b;

const RED_ZONE = 128;

const EFLAGS = {
  CF: 0x1, PF: 0x4, AF: 0x10, ZF: 0x40, SF: 0x80, TF: 0x100, DF: 0x400, OF: 0x800, RF: 0x10000, AC: 0x40000,
} as const;
/** The flags rt_sigreturn takes from the frame (signal.c FIX_EFLAGS, 64-bit: with RF). */
export const FIX_EFLAGS = EFLAGS.AC | EFLAGS.OF | EFLAGS.DF | EFLAGS.TF | EFLAGS.SF | EFLAGS.ZF | EFLAGS.AF
  | EFLAGS.PF | EFLAGS.CF | EFLAGS.RF;

/** The FPU state a handler starts with (fpu__clear_user_states -> init_fpstate). */
const FPCW_INIT = 0x37f;
const MXCSR_INIT = 0x1f80;
/** The MXCSR_MASK fxsave reports on QEMU's CPUs (every bit up to DAZ writable). */
const MXCSR_MASK = 0xffff;

/** sigcontext GPR slots in frame order, with their Unicorn ids. */
const GPRS: readonly [keyof typeof X86_SIGCONTEXT, number][] = [
  ['r8', X86_REG.R8], ['r9', X86_REG.R9], ['r10', X86_REG.R10], ['r11', X86_REG.R11],
  ['r12', X86_REG.R12], ['r13', X86_REG.R13], ['r14', X86_REG.R14], ['r15', X86_REG.R15],
  ['rdi', X86_REG.RDI], ['rsi', X86_REG.RSI], ['rbp', X86_REG.RBP], ['rbx', X86_REG.RBX],
  ['rdx', X86_REG.RDX], ['rax', X86_REG.RAX], ['rcx', X86_REG.RCX], ['rsp', X86_REG.RSP],
  ['rip', X86_REG.RIP],
];

const roundDown = (v: number, a: number) => v - (((v % a) + a) % a);
/** A register narrower than 64 bits (Unicorn writes only its low bytes). */
const lowBits = (e: Engine, id: number, bits: number) => Number(e.regBig(id) & ((1n << BigInt(bits)) - 1n));

/** The fxsave image of the engine's x87/SSE state. */
function saveFpu(engine: Engine): Uint8Array {
  const buf = new Uint8Array(X86_FPSTATE_SIZE);
  const dv = new DataView(buf.buffer);
  const P = X86_FPSTATE;
  dv.setUint16(P.cwd, lowBits(engine, X86_REG.FPCW, 16), true);
  dv.setUint16(P.swd, lowBits(engine, X86_REG.FPSW, 16), true);
  // Unicorn gives the full tag word (2 bits per physical register, 3 = empty); fxsave
  // stores the abridged one (1 bit per physical register, 1 = not empty).
  const tag = lowBits(engine, X86_REG.FPTAG, 16);
  let ftw = 0;
  for (let i = 0; i < 8; i++) if (((tag >> (2 * i)) & 3) !== 3) ftw |= 1 << i;
  dv.setUint8(P.twd, ftw);
  dv.setUint16(P.fop, lowBits(engine, X86_REG.FOP, 16), true);
  dv.setBigUint64(P.rip, engine.regBig(X86_REG.FIP), true);
  dv.setBigUint64(P.rdp, engine.regBig(X86_REG.FDP), true);
  dv.setUint32(P.mxcsr, lowBits(engine, X86_REG.MXCSR, 32), true);
  dv.setUint32(P.mxcsr_mask, MXCSR_MASK, true);
  const r = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    // ST(i): 8-byte significand then the 16-bit sign/exponent, as fxsave stores it.
    r.fill(0);
    engine.readRaw(X86_REG.ST0 + i, r);
    buf.set(r.subarray(0, 10), P.st_space + 16 * i);
  }
  for (let i = 0; i < 16; i++) {
    engine.readRaw(X86_REG.XMM0 + i, r);
    buf.set(r, P.xmm_space + 16 * i);
  }
  return buf;
}

/** fxrstor of an image read from the frame. */
function loadFpu(engine: Engine, img: Uint8Array): void {
  const dv = new DataView(img.buffer, img.byteOffset, img.byteLength);
  const P = X86_FPSTATE;
  engine.setReg(X86_REG.FPCW, dv.getUint16(P.cwd, true));
  engine.setReg(X86_REG.FPSW, dv.getUint16(P.swd, true)); // sets TOP, so ST(i) below lands right
  const ftw = dv.getUint8(P.twd);
  let tag = 0;
  for (let i = 0; i < 8; i++) if (!(ftw & (1 << i))) tag |= 3 << (2 * i);
  engine.setReg(X86_REG.FPTAG, tag);
  engine.setReg(X86_REG.FOP, dv.getUint16(P.fop, true));
  engine.setReg(X86_REG.FIP, dv.getBigUint64(P.rip, true));
  engine.setReg(X86_REG.FDP, dv.getBigUint64(P.rdp, true));
  engine.setReg(X86_REG.MXCSR, dv.getUint32(P.mxcsr, true));
  for (let i = 0; i < 8; i++) {
    const o = P.st_space + 16 * i;
    const r = new Uint8Array(16);
    r.set(img.subarray(o, o + 10));
    engine.writeRaw(X86_REG.ST0 + i, r);
  }
  for (let i = 0; i < 16; i++) {
    const o = P.xmm_space + 16 * i;
    engine.writeRaw(X86_REG.XMM0 + i, img.slice(o, o + 16));
  }
}

/** The init FPU state (fpu__clear_user_states): what a handler, or a NULL fpstate, gets. */
function resetFpu(engine: Engine): void {
  const zero = new Uint8Array(16);
  engine.setReg(X86_REG.FPCW, FPCW_INIT);
  engine.setReg(X86_REG.FPSW, 0);
  engine.setReg(X86_REG.FPTAG, 0xffff);
  engine.setReg(X86_REG.FOP, 0);
  engine.setReg(X86_REG.FIP, 0);
  engine.setReg(X86_REG.FDP, 0);
  engine.setReg(X86_REG.MXCSR, MXCSR_INIT);
  for (let i = 0; i < 8; i++) engine.writeRaw(X86_REG.FP0 + i, zero);
  for (let i = 0; i < 16; i++) engine.writeRaw(X86_REG.XMM0 + i, zero);
}

/** __on_sig_stack(): sp within (ss_sp, ss_sp + ss_size]. */
const onStack = (sp: number, st: { sp: number; size: number }) => sp > st.sp && sp - st.sp <= st.size;

function setup(engine: Engine, mem: GuestMemory, req: FrameRequest): FrameResult {
  const rsp = Number(engine.regBig(X86_REG.RSP));
  // get_sigframe(): red zone, alternate stack, fpstate (fpu__alloc_mathframe), frame.
  let sp = rsp - RED_ZONE;
  if (req.altStack) sp = req.altStack.sp + req.altStack.size;
  const fpstate = roundDown(sp - X86_FPSTATE_SIZE, 64);
  const frame = roundDown(fpstate - X86_RT_SIGFRAME_SIZE, 16) - 8; // align_sigframe()
  // On (or entering) the alternate stack and it would overflow: Linux returns a bogus frame
  // address, and the failed write ends in force_sigsegv. on_sig_stack(regs->sp) is false
  // with SS_AUTODISARM (and for a disabled, size-0 stack).
  const nested = (req.ucStack.flags & SA.SS_AUTODISARM) === 0 && onStack(rsp, req.ucStack);
  if (req.altStack ? !onStack(frame, req.altStack) : nested && !onStack(frame, req.ucStack)) {
    throw new GuestFault(frame, true, false);
  }
  if (frame < 0) throw new GuestFault(frame, true, false);

  const fx = saveFpu(engine);
  const buf = new Uint8Array(X86_RT_SIGFRAME_SIZE);
  const dv = new DataView(buf.buffer);
  const F = X86_FRAME;
  const SC = X86_SIGCONTEXT;
  const sc = F.uc_mcontext;
  dv.setBigUint64(F.pretcode, BigInt.asUintN(64, BigInt(req.restorer)), true);
  dv.setBigUint64(F.uc_flags, BigInt(UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS), true);
  dv.setBigUint64(F.uc_link, 0n, true);
  dv.setBigUint64(F.uc_stack_sp, BigInt.asUintN(64, BigInt(req.ucStack.sp)), true);
  dv.setUint32(F.uc_stack_flags, req.ucStack.flags >>> 0, true);
  dv.setBigUint64(F.uc_stack_size, BigInt.asUintN(64, BigInt(req.ucStack.size)), true);
  // unsafe_put_sigcontext()
  for (const [slot, id] of GPRS) dv.setBigUint64(sc + SC[slot], engine.regBig(id), true);
  const eflags = lowBits(engine, X86_REG.EFLAGS, 32);
  dv.setBigUint64(sc + SC.eflags, BigInt(eflags), true);
  dv.setUint16(sc + SC.cs, USER_CS, true);
  dv.setUint16(sc + SC.gs, 0, true);
  dv.setUint16(sc + SC.fs, 0, true);
  dv.setUint16(sc + SC.ss, USER_DS, true);
  // err/trapno (the hardware error code and vector of a fault) are not known here: 0.
  dv.setBigUint64(sc + SC.oldmask, BigInt.asUintN(64, req.savedMask), true);
  dv.setBigUint64(sc + SC.cr2, BigInt.asUintN(64, BigInt(req.faultAddr)), true);
  dv.setBigUint64(sc + SC.fpstate, BigInt(fpstate), true);
  dv.setBigUint64(F.uc_sigmask, BigInt.asUintN(64, req.savedMask), true);
  const sigInfo = (req.flags & SA.SA_SIGINFO) !== 0;
  if (sigInfo) buf.set(req.siginfo.subarray(0, 128), F.info);

  mem.write(fpstate, fx); // GuestFault: the kernel force-SIGSEGVs
  mem.write(frame, buf);

  // x64_setup_rt_frame() registers, then handle_signal(): DF, RF, TF cleared; fresh FPU.
  engine.setReg(X86_REG.RDI, req.sig);
  engine.setReg(X86_REG.RAX, 0);
  engine.setReg(X86_REG.RSI, frame + F.info);
  engine.setReg(X86_REG.RDX, frame + F.uc);
  engine.setReg(X86_REG.RSP, frame);
  engine.setReg(X86_REG.RIP, req.handler);
  engine.setReg(X86_REG.EFLAGS, eflags & ~(EFLAGS.DF | EFLAGS.RF | EFLAGS.TF));
  resetFpu(engine);
  return { sp: frame, pc: req.handler };
}

function restore(engine: Engine, mem: GuestMemory): RestoreResult {
  // The restorer's `ret` popped pretcode: the frame starts 8 bytes below rsp.
  const frame = Number(engine.regBig(X86_REG.RSP)) - 8;
  const F = X86_FRAME;
  const SC = X86_SIGCONTEXT;
  const sc = F.uc_mcontext;
  let dv: DataView;
  let fx: Uint8Array | undefined;
  try {
    if (frame < 0) throw new GuestFault(frame, false, false);
    dv = new DataView(mem.read(frame, F.info).buffer);
    const fpstate = Number(dv.getBigUint64(sc + SC.fpstate, true));
    if (fpstate !== 0) {
      // fxrstor faults (#GP) on a misaligned image or reserved MXCSR bits: badframe.
      if (fpstate % 16 !== 0) throw new BadFrame(frame, 'fpstate not 16-byte aligned');
      fx = mem.read(fpstate, X86_FPSTATE_SIZE);
      const mxcsr = new DataView(fx.buffer).getUint32(X86_FPSTATE.mxcsr, true);
      if ((mxcsr & ~MXCSR_MASK) !== 0) throw new BadFrame(frame, 'reserved MXCSR bits set');
    }
  } catch (e) {
    if (e instanceof GuestFault) throw new BadFrame(frame, 'frame not readable', { cause: e });
    throw e;
  }
  // restore_sigcontext(): every GPR and rip; only the user-changeable flags; cs/ss are
  // always the 64-bit user selectors here.
  for (const [slot, id] of GPRS) engine.setReg(id, dv.getBigUint64(sc + SC[slot], true));
  const saved = Number(dv.getBigUint64(sc + SC.eflags, true) & 0xffff_ffffn);
  const cur = lowBits(engine, X86_REG.EFLAGS, 32);
  engine.setReg(X86_REG.EFLAGS, ((cur & ~FIX_EFLAGS) | (saved & FIX_EFLAGS)) >>> 0);
  // fpu__restore_sig(): a NULL fpstate means "start with a clean FPU".
  if (fx) loadFpu(engine, fx);
  else resetFpu(engine);
  return {
    mask: dv.getBigUint64(F.uc_sigmask, true),
    ucStack: {
      sp: Number(dv.getBigUint64(F.uc_stack_sp, true)),
      flags: dv.getUint32(F.uc_stack_flags, true),
      size: Number(dv.getBigUint64(F.uc_stack_size, true)),
    },
  };
}

export const x86SignalFrames: SignalFrames = {
  setup, restore, syscallInsnLength: 2,
  // The handler's `ret` popped pretcode: the frame starts 8 bytes below sp.
  sigreturnFrame: { fromSp: (sp) => sp - 8, sigmask: X86_FRAME.uc_sigmask, retReg: X86_FRAME.uc_mcontext + X86_SIGCONTEXT.rax },
};
