// x86_64 user mode (CPL3), the way Linux enters it: sysretq from CPL0 with STAR's selectors.
//
// Writing CS or SS through Unicorn's register API only stores the selector; the CPL comes from
// the SS descriptor cache, which only a real segment load sets. So a fresh CPU runs `sysretq`
// once, with EFER.SCE set and STAR = Linux's (__USER_CS 0x33, __USER_DS 0x2b), returning to a
// `syscall` that ends the bootstrap. From then on: privileged instructions raise #GP (SIGSEGV),
// IOPL is 0, and nothing raises the privilege again (Unicorn never delivers exceptions).
//
// The GDT (Linux's layout, arch/x86/include/asm/segment.h) lies on a read-only page above user
// space so the guest can load its own selectors (mov to ss/ds, iretq); every descriptor has its
// accessed bit set, so the CPU never writes the page.
import type { Engine, UserModeSetup } from '../../engine/engine.js';
import { X86_REG } from './regs.js';

/** Where the GDT page lives: Linux's cpu_entry_area (the kernel half; never guest-mappable). */
const PAGE_VA = 0xfffffe0000000000n;
const GDT = [0n, 0x00cf9b000000ffffn, 0x00af9b000000ffffn, 0x00cf93000000ffffn, 0x00cffb000000ffffn,
  0x00cff3000000ffffn, 0x00affb000000ffffn];
const SYSRET_AT = 0x100, SYSCALL_AT = 0x108;
const MSR_EFER = 0xc0000080, MSR_STAR = 0xc0000081;
const EFER_SCE = 1n;
/** STAR[63:48] + 16 | 3 = __USER_CS, + 8 | 3 = __USER_DS (arch/x86/kernel/cpu/common.c syscall_init). */
const STAR = 0x0023001000000000n;
export const USER_CS = 0x33;
/** Unicorn register ids (unicorn/x86.h). */
const UC_X86_REG_CS = 11, UC_X86_REG_GDTR = 243, UC_X86_REG_MSR = 248;

function page(): Uint8Array {
  const b = new Uint8Array(4096);
  const dv = new DataView(b.buffer);
  GDT.forEach((d, i) => dv.setBigUint64(i * 8, d, true));
  b.set([0x48, 0x0f, 0x07], SYSRET_AT); // sysretq
  b.set([0x0f, 0x05], SYSCALL_AT); // syscall
  return b;
}

function msr(engine: Engine, id: number, value?: bigint): bigint {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, id, true);
  if (value === undefined) { engine.readRaw(UC_X86_REG_MSR, b); return dv.getBigUint64(8, true); }
  dv.setBigUint64(8, value, true);
  engine.writeRaw(UC_X86_REG_MSR, b);
  return value;
}

export const x86UserMode: UserModeSetup = {
  page: { va: PAGE_VA, bytes: page() },
  portIoFault: 13, // #GP
  enter(engine: Engine): void {
    msr(engine, MSR_EFER, msr(engine, MSR_EFER) | EFER_SCE);
    msr(engine, MSR_STAR, STAR);
    const gdtr = new Uint8Array(24);
    const dv = new DataView(gdtr.buffer);
    dv.setBigUint64(8, PAGE_VA, true);
    dv.setUint32(16, GDT.length * 8 - 1, true);
    engine.writeRaw(UC_X86_REG_GDTR, gdtr);
    engine.setReg(X86_REG.RCX, PAGE_VA + BigInt(SYSCALL_AT));
    engine.setReg(X86_REG.R11, 0x202); // IF, IOPL 0
    if (!engine.bootstrap(PAGE_VA + BigInt(SYSRET_AT)) || engine.reg(UC_X86_REG_CS) !== USER_CS) {
      throw new Error('x86_64: the CPU did not enter user mode (CPL3)');
    }
    engine.setReg(X86_REG.RCX, 0);
    engine.setReg(X86_REG.R11, 0);
  },
};
