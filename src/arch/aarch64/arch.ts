// aarch64: register ABI, CPU model, HWCAPs and address-space layout (arch/arm64/include/asm).
import type { ArchSpec } from '../arch.js';
import { UC_ARCH_ARM64, UC_MODE_ARM } from '../../engine/unicorn.js';
import { ABI_DATA } from './abi_data.js';
import { Signal } from '../../kernel/signals.js';
import { a64SignalFrames } from './signal_frame.js';
import { a64UserMode } from './user_mode.js';

/** Unicorn register ids (unicorn/arm64.h). X29 and X30 are not contiguous with X0..X28. */
export const A64_REG = {
  X0: 199, X8: 207, X29: 1, X30: 2, SP: 4, PC: 260, NZCV: 3, TPIDR_EL0: 262, Q0: 104, FPCR: 291, FPSR: 292,
} as const;
export const xreg = (n: number) => (n === 29 ? A64_REG.X29 : n === 30 ? A64_REG.X30 : A64_REG.X0 + n);

/** UC_CPU_ARM64_MAX: executes LSE atomics (the default Cortex-A72 model does not). */
const UC_CPU_ARM64_MAX = 3;

/**
 * HWCAPs announced (arch/arm64/include/uapi/asm/hwcap.h): a subset of what QEMU's "max" CPU
 * executes. Not announced: CPUID (glibc would read MIDR_EL1), SVE and PAC (left out so
 * libraries do not pick code paths whose system-register setup ucrun does not model).
 */
const HWCAP = {
  FP: 1 << 0, ASIMD: 1 << 1, AES: 1 << 3, PMULL: 1 << 4, SHA1: 1 << 5, SHA2: 1 << 6, CRC32: 1 << 7,
  ATOMICS: 1 << 8, FPHP: 1 << 9, ASIMDHP: 1 << 10, ASIMDRDM: 1 << 12, JSCVT: 1 << 13, FCMA: 1 << 14,
  LRCPC: 1 << 15, DCPOP: 1 << 16, SHA3: 1 << 17, SM3: 1 << 18, SM4: 1 << 19, ASIMDDP: 1 << 20,
  SHA512: 1 << 21, ASIMDFHM: 1 << 23,
};
const hwcap = Object.values(HWCAP).reduce((a, b) => (a | b) >>> 0, 0);

/** /proc/cpuinfo (arch/arm64/kernel/cpuinfo.c c_show): Features are the HWCAP names announced. */
function cpuinfo(_engine: unknown, ncpus: number): string {
  const features = Object.keys(HWCAP).map((n) => n.toLowerCase()).join(' ');
  const block = (i: number) => `processor\t: ${i}\nBogoMIPS\t: 2000.00\nFeatures\t: ${features}\n`
    + 'CPU implementer\t: 0x00\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0x000\nCPU revision\t: 0\n\n';
  return Array.from({ length: ncpus }, (_, i) => block(i)).join('');
}

export const aarch64: ArchSpec = {
  name: 'aarch64',
  elfMachine: 183,
  // Unicorn's aarch64 TLB page stays 1 KiB, so fills are 4x more frequent; QEMU only grows
  // its TLB on a flush: the engine flushes after 256 fills, then at doubling intervals.
  cpu: { ucArch: UC_ARCH_ARM64, ucMode: UC_MODE_ARM, cpuModel: UC_CPU_ARM64_MAX, syscallTrap: 'arm64-svc-intr', tlbFlushEvery: 256, loadsViaTemporaries: false, userMode: a64UserMode },
  abi: {
    nr: A64_REG.X8,
    args: [0, 1, 2, 3, 4, 5].map(xreg),
    ret: A64_REG.X0, pc: A64_REG.PC, sp: A64_REG.SP,
  },
  syscallNames: ABI_DATA.SYSCALL_NAMES,
  data: ABI_DATA,
  o: ABI_DATA.OPEN_FLAGS,
  handlers: {},
  taskSize: 0x1000000000000,
  stackTop: 0xfffffffff000,
  dynBase: 0xaaaaaaaaa000,
  mmapBase: 0xfffff7fff000,
  machine: 'aarch64',
  platform: 'aarch64',
  hwcaps: () => ({ hwcap, hwcap2: 0 }),
  cpuinfo,
  illegalInsnCode: 1,
  cpuException(intno) {
    // EXCP_UDEF 1, EXCP_PREFETCH_ABORT 3, EXCP_DATA_ABORT 4, EXCP_BKPT 7.
    const sig = intno === 3 || intno === 4 ? Signal.SIGSEGV : intno === 7 ? Signal.SIGTRAP : Signal.SIGILL;
    const code = sig === Signal.SIGTRAP ? 1 /* TRAP_BRKPT */ : sig === Signal.SIGILL ? 1 /* ILL_ILLOPC */ : 2;
    return { sig, code, freshCpu: false };
  },
  contextRegs: [
    ...Array.from({ length: 31 }, (_, i) => xreg(i)), A64_REG.SP, A64_REG.PC, A64_REG.NZCV, A64_REG.TPIDR_EL0,
    A64_REG.FPCR, A64_REG.FPSR, ...Array.from({ length: 32 }, (_, i) => A64_REG.Q0 + i),
  ],
  setTls: (engine, value) => engine.setReg(A64_REG.TPIDR_EL0, value),
  // `svc #0` arrives as an interrupt with the pc already past the instruction.
  syscallPcAdjust: 0,
  frames: a64SignalFrames,
  // mov x8, #139 (rt_sigreturn); svc #0
  trampoline: { addr: 0xfffff7fff000, code: new Uint8Array([0x68, 0x11, 0x80, 0xd2, 0x01, 0x00, 0x00, 0xd4]) },
  startThread(engine, entry, sp) {
    for (let i = 0; i <= 30; i++) engine.setReg(xreg(i), 0);
    engine.setReg(A64_REG.TPIDR_EL0, 0);
    engine.setReg(A64_REG.SP, sp);
    engine.setReg(A64_REG.PC, entry);
  },
};
