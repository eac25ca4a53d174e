// Ask the emulated x86 CPU itself what CPUID reports, by running `cpuid; syscall` on a
// scratch engine. This is how AT_HWCAP tells the truth about the model Unicorn emulates.
import { Engine, EngineClient } from '../../engine/engine.js';
import { UC_PROT_ALL } from '../../engine/unicorn.js';
import { PAGE_SIZE } from '../../mm/physmem.js';
import { X86_REG } from './regs.js';

export function probeCpuid(like: Engine, leaf: number, subleaf: number): { eax: number; ebx: number; ecx: number; edx: number } {
  const phys = like.phys;
  const frame = phys.allocFrame();
  const code = [0xb8, ...le32(leaf), 0xb9, ...le32(subleaf), 0x0f, 0xa2, 0x0f, 0x05];
  phys.u8.set(code, frame * PAGE_SIZE);
  const VA = 0x10000;
  let engine: Engine | undefined;
  const client: EngineClient = {
    lastPerms: UC_PROT_ALL,
    translate: (va) => (va >= VA && va < VA + PAGE_SIZE ? frame * PAGE_SIZE + (va - VA) : -1),
    onSyscall: () => engine!.stop(),
    onInterrupt: () => engine!.stop(),
  };
  try {
    engine = new Engine(like.spec, phys, client);
    engine.run(VA);
    return {
      eax: engine.reg(X86_REG.RAX) >>> 0, ebx: engine.reg(X86_REG.RBX) >>> 0,
      ecx: engine.reg(X86_REG.RCX) >>> 0, edx: engine.reg(X86_REG.RDX) >>> 0,
    };
  } finally {
    engine?.close();
    phys.unref(frame);
  }
}

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}
