// Unicorn register ids (unicorn/x86.h).
export const X86_REG = {
  RAX: 35, RBX: 37, RCX: 38, RDX: 40, RSI: 43, RDI: 39, RBP: 36, RSP: 44,
  R8: 106, R9: 107, R10: 108, R11: 109, R12: 110, R13: 111, R14: 112, R15: 113,
  RIP: 41, EFLAGS: 25, FS_BASE: 250, GS_BASE: 251, XMM0: 122, MXCSR: 249,
  // x87: ST0..ST7 = 114..121 are stack-relative (ST(i) = FP((TOP+i)&7), TOP = FPSW bits 11-13).
  ST0: 114, FIP: 254, FDP: 256, FOP: 258,
  FP0: 82, FPCW: 246, FPSW: 31, FPTAG: 247,
} as const;
