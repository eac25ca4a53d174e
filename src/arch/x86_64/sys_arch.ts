// x86_64-only syscalls: arch_prctl(2) (arch/x86/kernel/process_64.c: do_arch_prctl_64).
import type { Handler } from '../../kernel/dispatch.js';
import { Errno } from '../../kernel/errno.js';
import { ARCH_PRCTL } from './abi_data.js';
import { X86_REG } from './regs.js';

export const x86Calls: Record<string, Handler> = {
  /** arch_prctl(2) */
  arch_prctl(t, [code, addr]) {
    switch (code) {
      case ARCH_PRCTL.ARCH_SET_FS:
        if (addr < 0 || addr >= t.proc.arch.taskSize) return -Errno.EPERM;
        t.engine.setReg(X86_REG.FS_BASE, addr);
        return 0;
      case ARCH_PRCTL.ARCH_SET_GS:
        if (addr < 0 || addr >= t.proc.arch.taskSize) return -Errno.EPERM;
        t.engine.setReg(X86_REG.GS_BASE, addr);
        return 0;
      case ARCH_PRCTL.ARCH_GET_FS:
        t.mem.setU64(addr, t.engine.reg(X86_REG.FS_BASE));
        return 0;
      case ARCH_PRCTL.ARCH_GET_GS:
        t.mem.setU64(addr, t.engine.reg(X86_REG.GS_BASE));
        return 0;
      default:
        return -Errno.EINVAL;
    }
  },
};
