// The one description of an architecture the rest of ucrun sees. Everything that differs
// between x86_64 and aarch64 (registers, syscall numbers, struct layouts, CPU features,
// address-space layout) is data or a small function here and under src/arch/<arch>/.
import type { CpuSpec, Engine } from '../engine/engine.js';
import type { ArchAbiData, OpenFlagName } from '../kernel/abi.js';
import type { Handler } from '../kernel/dispatch.js';
import type { SignalFrames } from './signal_frame.js';

export type ArchName = 'x86_64' | 'aarch64';

export interface SyscallAbi {
  /** Unicorn register ids. */
  nr: number;
  args: readonly number[];
  ret: number;
  pc: number;
  sp: number;
}

export interface ArchSpec {
  name: ArchName;
  elfMachine: number;
  cpu: CpuSpec;
  abi: SyscallAbi;
  /** Syscall number -> Linux name, every call of the arch. */
  syscallNames: Readonly<Record<number, string>>;
  /** Struct layouts and flag values generated from the arch's headers. */
  data: ArchAbiData;
  /** open(2) flag values (O_DIRECTORY and friends differ between arches). */
  o: Readonly<Record<OpenFlagName, number>>;
  /** Syscalls only this arch has (x86_64: arch_prctl). */
  handlers: Readonly<Record<string, Handler>>;
  /** End of user address space (TASK_SIZE) and the initial stack top below it. */
  taskSize: number;
  stackTop: number;
  /** Where a static-pie (ET_DYN) is loaded, as Linux does without ASLR. */
  dynBase: number;
  /** Where mmap starts placing mappings (top-down), as Linux does without ASLR. */
  mmapBase: number;
  /** uname -m and AT_PLATFORM. */
  machine: string;
  platform: string;
  /** AT_HWCAP/AT_HWCAP2: what the emulated CPU really executes (may probe the engine once). */
  hwcaps(engine: Engine): { hwcap: number; hwcap2: number };
  /** /proc/cpuinfo for `ncpus` processors of the emulated CPU (may probe the engine once). */
  cpuinfo(engine: Engine, ncpus: number): string;
  /** Registers at process entry, as the kernel's start_thread leaves them. */
  startThread(engine: Engine, entry: number, sp: number): void;
  /** The thread pointer register (CLONE_SETTLS): x86_64 fs base, aarch64 TPIDR_EL0. */
  setTls(engine: Engine, value: number): void;
  /** si_code of SIGILL for an undefined instruction (x86 #UD: ILL_ILLOPN 2, arm64: ILL_ILLOPC 1). */
  illegalInsnCode: number;
  /**
   * A CPU exception the interrupt hook received (Unicorn interrupt numbers are QEMU's EXCP_*):
   * the signal and si_code it raises, and whether the process must continue on a fresh CPU
   * (QEMU would turn the next such exception into a double fault).
   */
  cpuException(intno: number): { sig: number; code: number; freshCpu: boolean };
  /** Every register of a user context (fork copies them raw, 16 bytes each at most). */
  contextRegs: readonly number[];
  /** Inside the syscall hook the pc is this far before the instruction after the trap. */
  syscallPcAdjust: number;
  /** Signal frames (arch/<arch>/kernel/signal.c). */
  frames: SignalFrames;
  /** A page with `rt_sigreturn` code for handlers without SA_RESTORER (aarch64). */
  trampoline?: { addr: number; code: Uint8Array };
}
