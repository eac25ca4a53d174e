// aarch64 user mode (EL0t), with the EL1 controls Linux sets for user space.
//
// PSTATE.M = 0 drops to EL0 (Unicorn recomputes its cached EL only when a system register is
// written, so the CP_REG writes below must follow the PSTATE write). Unicorn never delivers
// exceptions itself, so the CPU stays at EL0: privileged instructions and system registers
// are undefined there (SIGILL, as on Linux). What Linux lets EL0 do is enabled:
// SCTLR_EL1.UCT (CTR_EL0 reads), DZE (`dc zva`), UCI (cache maintenance by VA);
// CNTKCTL_EL1.EL0VCTEN/EL0PCTEN (the counters); CPACR_EL1.FPEN (FP/SIMD). SVE stays off: the
// CPU model's SVE state cannot be enabled in Unicorn 2.1.4 (an assertion aborts), and SVE is
// not announced in HWCAP.
import type { Engine, UserModeSetup } from '../../engine/engine.js';

/** Unicorn register ids (unicorn/arm64.h). */
const UC_ARM64_REG_PSTATE = 265, UC_ARM64_REG_CP_REG = 290;

/** System registers as uc_arm64_cp_reg {crn, crm, op0, op1, op2} (Arm ARM encodings). */
const SCTLR_EL1 = [1, 0, 3, 0, 0], CNTKCTL_EL1 = [14, 1, 3, 0, 0], CPACR_EL1 = [1, 0, 3, 0, 2];
const SCTLR_UCI = 1n << 26n, SCTLR_UCT = 1n << 15n, SCTLR_DZE = 1n << 14n;
const CNTKCTL_EL0PCTEN = 1n, CNTKCTL_EL0VCTEN = 2n;
const CPACR_FPEN = 3n << 20n;

/** Read-modify-write a system register: value | set. */
function orSysReg(engine: Engine, enc: number[], set: bigint): void {
  const b = new Uint8Array(32);
  const dv = new DataView(b.buffer);
  enc.forEach((v, i) => dv.setUint32(i * 4, v, true));
  engine.readRaw(UC_ARM64_REG_CP_REG, b);
  dv.setBigUint64(24, dv.getBigUint64(24, true) | set, true);
  engine.writeRaw(UC_ARM64_REG_CP_REG, b);
}

export const a64UserMode: UserModeSetup = {
  enter(engine: Engine): void {
    engine.setReg(UC_ARM64_REG_PSTATE, 0); // EL0t, DAIF clear
    orSysReg(engine, SCTLR_EL1, SCTLR_UCI | SCTLR_UCT | SCTLR_DZE);
    orSysReg(engine, CNTKCTL_EL1, CNTKCTL_EL0PCTEN | CNTKCTL_EL0VCTEN);
    orSysReg(engine, CPACR_EL1, CPACR_FPEN);
    if ((engine.reg(UC_ARM64_REG_PSTATE) & 0xf) !== 0) throw new Error('aarch64: the CPU did not enter EL0');
  },
};
