// aarch64 signal frames, laid out as Linux lays them out (arch/arm64/kernel/signal.c:
// get_sigframe, setup_sigframe_layout, setup_sigframe, setup_return, sys_rt_sigreturn,
// restore_sigframe, parse_user_sigframe, restore_fpsimd_context).
//
// Stack after setup (addresses grow upwards):
//   sp = frame -> struct rt_sigframe { siginfo_t info; struct ucontext uc; }  (4688 bytes;
//                 uc_mcontext.__reserved holds fpsimd_context then a null terminator)
//   next_frame -> struct frame_record { u64 fp; u64 lr; }  (x29 points here: an unwinder's chain)
//   ...           the interrupted stack (or the top of the alternate stack)
//
// Every offset below was printed by a C program built with aarch64-linux-gnu-gcc against the
// uapi headers <asm/sigcontext.h>, <asm/ucontext.h>, <asm/siginfo.h> (run under qemu-aarch64)
// with rt_sigframe/frame_record declared as in arch/arm64/kernel/signal.c.
import type { Engine } from '../../engine/engine.js';
import { GuestFault } from '../../mm/address_space.js';
import type { GuestMemory } from '../../mm/guest_memory.js';
import { SA } from '../../kernel/abi.js';
import type { FrameRequest, FrameResult, RestoreResult, SignalFrames } from '../signal_frame.js';

/**
 * Unicorn register ids (unicorn/arm64.h), the same values as A64_REG in ./arch.ts. arch.ts
 * imports this module for its `frames`; importing A64_REG back would make an import cycle in
 * which, when this module is loaded first, arch.ts reads a64SignalFrames before it exists.
 */
const A64_REG = {
  X0: 199, X29: 1, X30: 2, SP: 4, PC: 260, NZCV: 3, Q0: 104, FPCR: 291, FPSR: 292,
} as const;
const xreg = (n: number) => (n === 29 ? A64_REG.X29 : n === 30 ? A64_REG.X30 : A64_REG.X0 + n);

/**
 * rt_sigreturn found a frame Linux would refuse (misaligned sp, unreadable frame, invalid
 * pstate, a missing/duplicate/unknown record): the kernel kills the task with SIGSEGV, as
 * Linux's badframe path (arm64_notify_segfault / signal_fault) does. No register has been
 * changed when it is thrown.
 */
export class BadFrame extends Error {
  constructor(readonly addr: number, reason: string, options?: { cause?: unknown }) {
    super(`bad signal frame at 0x${addr.toString(16)}: ${reason}`, options);
  }
}

/** Byte offsets in struct rt_sigframe (arm64), sizeof = 4688 (with the full __reserved). */
export const A64_FRAME = {
  info: 0, // siginfo_t, 128 bytes
  uc: 128, // struct ucontext (asm/ucontext.h), sizeof 4560
  uc_flags: 128,
  uc_link: 136,
  uc_stack_sp: 144, // stack_t.ss_sp
  uc_stack_flags: 152, // stack_t.ss_flags (int)
  uc_stack_size: 160, // stack_t.ss_size
  uc_sigmask: 168, // sigset_t, 8 bytes; __unused[120] pads it to glibc's 128-byte sigset
  uc_mcontext: 304, // struct sigcontext (asm/sigcontext.h), sizeof 4384
  fault_address: 304,
  regs: 312, // u64 regs[31]
  sp: 560,
  pc: 568,
  pstate: 576,
  reserved: 592, // u8 __reserved[4096], aligned(16)
} as const;
export const A64_RESERVED_SIZE = 4096;
export const A64_RT_SIGFRAME_FULL_SIZE = 4688;

/** struct _aarch64_ctx { u32 magic; u32 size; } and struct fpsimd_context (asm/sigcontext.h). */
export const FPSIMD_MAGIC = 0x46508001;
export const ESR_MAGIC = 0x45535201;
export const FPSIMD_CONTEXT = { size: 528, head_magic: 0, head_size: 4, fpsr: 8, fpcr: 12, vregs: 16 } as const;
/** Where the null terminator goes: right after fpsimd (sigframe_alloc rounds it up to 16 bytes). */
const TERMINATOR_OFFSET = A64_FRAME.reserved + FPSIMD_CONTEXT.size;

/**
 * sigframe_size(): round_up(max(used size, sizeof(struct rt_sigframe)), 16). The records used
 * here (fpsimd + terminator: 592 + 528 + 16 bytes) fit in __reserved, so the frame is always
 * the whole struct rt_sigframe, 4688 bytes.
 */
export const A64_SIGFRAME_SIZE = A64_RT_SIGFRAME_FULL_SIZE;
/** struct frame_record { u64 fp; u64 lr; }. */
export const FRAME_RECORD_SIZE = 16;

/** pstate bits a valid EL0 AArch64 context must have clear: M[3:0], nRW, F, I, A, D (valid_native_regs). */
const PSTATE_NOT_EL0T = 0xf | 0x10 | 0x40 | 0x80 | 0x100 | 0x200;
const PSTATE_NZCV = 0xf000_0000;

const u64 = (e: Engine, id: number): bigint => e.regBig(id);
const roundDown16 = (v: number) => v - (((v % 16) + 16) % 16);

function setup(engine: Engine, mem: GuestMemory, req: FrameRequest): FrameResult {
  // get_sigframe(): sigsp() then the frame record, then the (truncated) rt_sigframe below it.
  const spTop = req.altStack ? req.altStack.sp + req.altStack.size : Number(u64(engine, A64_REG.SP));
  const nextFrame = roundDown16(spTop - FRAME_RECORD_SIZE);
  const frame = nextFrame - A64_SIGFRAME_SIZE;
  if (frame < 0) throw new GuestFault(frame, true, false);

  const buf = new Uint8Array(A64_SIGFRAME_SIZE + FRAME_RECORD_SIZE);
  const dv = new DataView(buf.buffer);
  const F = A64_FRAME;
  const x: bigint[] = [];
  for (let i = 0; i <= 30; i++) x.push(u64(engine, xreg(i)));

  // setup_rt_frame(): uc_flags = 0, uc_link = NULL, __save_altstack().
  dv.setBigUint64(F.uc_flags, 0n, true);
  dv.setBigUint64(F.uc_link, 0n, true);
  dv.setBigUint64(F.uc_stack_sp, BigInt.asUintN(64, BigInt(req.ucStack.sp)), true);
  dv.setUint32(F.uc_stack_flags, req.ucStack.flags >>> 0, true);
  dv.setBigUint64(F.uc_stack_size, BigInt.asUintN(64, BigInt(req.ucStack.size)), true);
  // setup_sigframe(): the frame record, regs, sp, pc, pstate, fault_address, sigmask, records.
  dv.setBigUint64(A64_SIGFRAME_SIZE, x[29], true);
  dv.setBigUint64(A64_SIGFRAME_SIZE + 8, x[30], true);
  for (let i = 0; i <= 30; i++) dv.setBigUint64(F.regs + 8 * i, x[i], true);
  dv.setBigUint64(F.sp, u64(engine, A64_REG.SP), true);
  dv.setBigUint64(F.pc, u64(engine, A64_REG.PC), true);
  // An EL0t context: Unicorn keeps NZCV (bits 28-31) apart; DAIF and the mode are 0 for user code.
  dv.setBigUint64(F.pstate, BigInt((engine.reg(A64_REG.NZCV) & PSTATE_NZCV) >>> 0), true);
  dv.setBigUint64(F.fault_address, BigInt.asUintN(64, BigInt(req.faultAddr)), true);
  dv.setBigUint64(F.uc_sigmask, BigInt.asUintN(64, req.savedMask), true);
  // preserve_fpsimd_context().
  const fp = F.reserved;
  dv.setUint32(fp + FPSIMD_CONTEXT.head_magic, FPSIMD_MAGIC, true);
  dv.setUint32(fp + FPSIMD_CONTEXT.head_size, FPSIMD_CONTEXT.size, true);
  dv.setUint32(fp + FPSIMD_CONTEXT.fpsr, engine.reg(A64_REG.FPSR) >>> 0, true);
  dv.setUint32(fp + FPSIMD_CONTEXT.fpcr, engine.reg(A64_REG.FPCR) >>> 0, true);
  const q = new Uint8Array(16);
  for (let i = 0; i < 32; i++) {
    engine.readRaw(A64_REG.Q0 + i, q);
    buf.set(q, fp + FPSIMD_CONTEXT.vregs + 16 * i);
  }
  // The "end" magic: a null _aarch64_ctx { magic 0, size 0 } (the rest of __reserved stays zero).
  dv.setBigUint64(TERMINATOR_OFFSET, 0n, true);
  const sigInfo = (req.flags & SA.SA_SIGINFO) !== 0;
  if (sigInfo) buf.set(req.siginfo.subarray(0, 128), F.info);

  mem.write(frame, buf); // GuestFault: the kernel force-SIGSEGVs

  // setup_return() (+ the SA_SIGINFO arguments of setup_rt_frame()).
  engine.setReg(xreg(0), req.sig);
  if (sigInfo) {
    engine.setReg(xreg(1), frame + F.info);
    engine.setReg(xreg(2), frame + F.uc);
  }
  engine.setReg(A64_REG.SP, frame);
  engine.setReg(xreg(29), nextFrame);
  engine.setReg(xreg(30), (req.flags & SA.SA_RESTORER) !== 0 ? req.restorer : req.trampoline);
  engine.setReg(A64_REG.PC, req.handler);
  return { sp: frame, pc: req.handler };
}

function restore(engine: Engine, mem: GuestMemory): RestoreResult {
  const sp = Number(u64(engine, A64_REG.SP));
  if (sp % 16 !== 0) throw new BadFrame(sp, 'sp not 16-byte aligned');
  let fixed: DataView;
  let fpsimd: Uint8Array;
  try {
    fixed = new DataView(mem.read(sp, A64_FRAME.reserved).buffer);
    fpsimd = parseRecords(mem, sp);
  } catch (e) {
    if (e instanceof GuestFault) throw new BadFrame(sp, 'frame not readable', { cause: e });
    throw e;
  }
  const F = A64_FRAME;
  const pstate = Number(fixed.getBigUint64(F.pstate, true) & 0xffff_ffffn) >>> 0;
  if ((pstate & PSTATE_NOT_EL0T) !== 0) throw new BadFrame(sp, `pstate 0x${pstate.toString(16)} is not EL0t`);
  const fdv = new DataView(fpsimd.buffer, fpsimd.byteOffset, fpsimd.byteLength);

  for (let i = 0; i <= 30; i++) engine.setReg(xreg(i), fixed.getBigUint64(F.regs + 8 * i, true));
  engine.setReg(A64_REG.SP, fixed.getBigUint64(F.sp, true));
  engine.setReg(A64_REG.PC, fixed.getBigUint64(F.pc, true));
  engine.setReg(A64_REG.NZCV, (pstate & PSTATE_NZCV) >>> 0);
  engine.setReg(A64_REG.FPSR, fdv.getUint32(FPSIMD_CONTEXT.fpsr, true));
  engine.setReg(A64_REG.FPCR, fdv.getUint32(FPSIMD_CONTEXT.fpcr, true));
  for (let i = 0; i < 32; i++) {
    const o = FPSIMD_CONTEXT.vregs + 16 * i;
    engine.writeRaw(A64_REG.Q0 + i, fpsimd.slice(o, o + 16));
  }
  return {
    mask: fixed.getBigUint64(F.uc_sigmask, true),
    ucStack: {
      sp: Number(fixed.getBigUint64(F.uc_stack_sp, true)),
      flags: fixed.getUint32(F.uc_stack_flags, true),
      size: Number(fixed.getBigUint64(F.uc_stack_size, true)),
    },
  };
}

/**
 * parse_user_sigframe(): walk the records in uc_mcontext.__reserved up to the null terminator
 * and return the fpsimd_context (528 bytes). Only the record heads and the fpsimd record are
 * read, as Linux does. EXTRA_MAGIC and the SVE/SME records are refused (ucrun announces
 * neither SVE nor SME, so Linux would refuse them too; extra_context only follows them).
 */
function parseRecords(mem: GuestMemory, frame: number): Uint8Array {
  const base = frame + A64_FRAME.reserved;
  const limit = A64_RESERVED_SIZE;
  let offset = 0;
  let fpsimd: { offset: number; size: number } | undefined;
  for (;;) {
    if (limit - offset < 8) throw new BadFrame(frame, 'records run past __reserved');
    if (offset % 16 !== 0) throw new BadFrame(frame, 'misaligned record');
    const head = new DataView(mem.read(base + offset, 8).buffer);
    const magic = head.getUint32(0, true);
    const size = head.getUint32(4, true);
    if (limit - offset < size) throw new BadFrame(frame, 'record runs past __reserved');
    if (magic === 0) {
      if (size !== 0) throw new BadFrame(frame, 'terminator with a size');
      break;
    }
    if (magic === FPSIMD_MAGIC) {
      if (fpsimd) throw new BadFrame(frame, 'two fpsimd records');
      fpsimd = { offset, size };
    } else if (magic !== ESR_MAGIC) {
      throw new BadFrame(frame, `unknown record 0x${magic.toString(16)}`);
    }
    if (size < 8) throw new BadFrame(frame, 'record smaller than its head');
    offset += size;
  }
  if (!fpsimd) throw new BadFrame(frame, 'no fpsimd record');
  if (fpsimd.size !== FPSIMD_CONTEXT.size) throw new BadFrame(frame, 'fpsimd record of the wrong size');
  return mem.read(base + fpsimd.offset, FPSIMD_CONTEXT.size);
}

export const a64SignalFrames: SignalFrames = {
  setup, restore, syscallInsnLength: 4,
  sigreturnFrame: { fromSp: (sp) => sp, sigmask: A64_FRAME.uc_sigmask, retReg: A64_FRAME.regs },
};
