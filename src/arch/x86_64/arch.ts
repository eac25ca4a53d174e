// x86_64: register ABI, CPU model and address-space layout (arch/x86/include/asm/processor.h).
import type { ArchSpec } from '../arch.js';
import type { Engine } from '../../engine/engine.js';
import { UC_ARCH_X86, UC_MODE_64 } from '../../engine/unicorn.js';
import { ABI_DATA } from './abi_data.js';
import { x86Calls } from './sys_arch.js';
import { probeCpuid } from './cpuid.js';
import { x86Cpuinfo } from './cpuinfo.js';
import { x86UserMode } from './user_mode.js';
import { X86_REG } from './regs.js';
import { Signal } from '../../kernel/signals.js';
import { x86SignalFrames } from './signal_frame.js';

const range = (first: number, n: number) => Array.from({ length: n }, (_, i) => first + i);

export { X86_REG };


/** UC_CPU_X86_HASWELL: SSE4.2, POPCNT, BMI1/2, MOVBE. TCG filters out what it cannot run (AVX). */
const UC_CPU_X86_HASWELL = 19;

let hwcapCache: { hwcap: number; hwcap2: number } | undefined;

export const x86_64: ArchSpec = {
  name: 'x86_64',
  elfMachine: 62,
  cpu: { ucArch: UC_ARCH_X86, ucMode: UC_MODE_64, cpuModel: UC_CPU_X86_HASWELL, syscallTrap: 'x86-syscall-insn', tlbFlushEvery: 256, loadsViaTemporaries: true, userMode: x86UserMode },
  abi: {
    nr: X86_REG.RAX,
    args: [X86_REG.RDI, X86_REG.RSI, X86_REG.RDX, X86_REG.R10, X86_REG.R8, X86_REG.R9],
    ret: X86_REG.RAX, pc: X86_REG.RIP, sp: X86_REG.RSP,
  },
  syscallNames: ABI_DATA.SYSCALL_NAMES,
  data: ABI_DATA,
  o: ABI_DATA.OPEN_FLAGS,
  handlers: x86Calls,
  taskSize: 0x7ffffffff000,
  stackTop: 0x7ffffffff000,
  dynBase: 0x555555554000,
  mmapBase: 0x7ffff7fff000,
  machine: 'x86_64',
  platform: 'x86_64',
  // AT_HWCAP on x86 is CPUID.1:EDX of the CPU that runs the program (arch/x86/include/asm/elf.h).
  hwcaps(engine: Engine) {
    hwcapCache ??= { hwcap: probeCpuid(engine, 1, 0).edx >>> 0, hwcap2: 0 };
    return hwcapCache;
  },
  cpuinfo: x86Cpuinfo,
  illegalInsnCode: 2,
  cpuException(intno) {
    const sig = intno === 0 || intno === 16 || intno === 19 ? Signal.SIGFPE // #DE, #MF, #XM
      : intno === 1 || intno === 3 ? Signal.SIGTRAP
      : [4, 5, 11, 12, 13, 14].includes(intno) ? Signal.SIGSEGV
      : intno === 17 ? Signal.SIGBUS : Signal.SIGILL; // #UD and the rest
    // #GP is force_sig(SIGSEGV): si_code SI_KERNEL (traps.c do_general_protection).
    const code = sig === Signal.SIGFPE ? 1 /* FPE_INTDIV */ : sig === Signal.SIGTRAP ? 1 /* TRAP_BRKPT */
      : sig === Signal.SIGILL ? 2 /* ILL_ILLOPN */ : intno === 13 ? 0x80 /* SI_KERNEL */ : 2;
    // QEMU remembers a contributory exception (#DE, #TS, #NP, #SS, #GP) the hook took instead
    // of delivering, and turns the next one into a double fault.
    return { sig, code, freshCpu: [0, 10, 11, 12, 13].includes(intno) };
  },
  contextRegs: [
    X86_REG.RAX, X86_REG.RBX, X86_REG.RCX, X86_REG.RDX, X86_REG.RSI, X86_REG.RDI, X86_REG.RBP, X86_REG.RSP,
    X86_REG.R8, X86_REG.R9, X86_REG.R10, X86_REG.R11, X86_REG.R12, X86_REG.R13, X86_REG.R14, X86_REG.R15,
    X86_REG.RIP, X86_REG.EFLAGS, X86_REG.FS_BASE, X86_REG.GS_BASE, X86_REG.MXCSR, X86_REG.FPCW, X86_REG.FPSW,
    X86_REG.FPTAG, ...range(X86_REG.FP0, 8), ...range(X86_REG.XMM0, 16),
  ],
  setTls: (engine, value) => engine.setReg(X86_REG.FS_BASE, value),
  // The syscall hook runs before Unicorn advances rip past the 2-byte `syscall`.
  syscallPcAdjust: 2,
  frames: x86SignalFrames,
  startThread(engine, entry, sp) {
    // ELF_PLAT_INIT: every general register zero; rdx = 0 means no rtld_fini for atexit.
    for (const r of [X86_REG.RAX, X86_REG.RBX, X86_REG.RCX, X86_REG.RDX, X86_REG.RSI, X86_REG.RDI, X86_REG.RBP,
      X86_REG.R8, X86_REG.R9, X86_REG.R10, X86_REG.R11, X86_REG.R12, X86_REG.R13, X86_REG.R14, X86_REG.R15]) {
      engine.setReg(r, 0);
    }
    engine.setReg(X86_REG.FS_BASE, 0);
    // The FPU as fpstate_init leaves it: x87 control word 0x37f, all tags empty, MXCSR 0x1f80.
    engine.setReg(X86_REG.FPCW, 0x37f);
    engine.setReg(X86_REG.FPTAG, 0xffff);
    engine.setReg(X86_REG.MXCSR, 0x1f80);
    engine.setReg(X86_REG.EFLAGS, 0x202); // IF (and the always-one bit); IOPL 0
    engine.setReg(X86_REG.RSP, sp);
    engine.setReg(X86_REG.RIP, entry);
  },
};
